"""Tests of the synthetic generator: determinism, known truth, realism and defects.

Reference values come from outside the generator: the documented model formulas written out
here, a Luhn check, a personnummer parser and a pandas groupby written in this file, and
Monte Carlo bounds from the cumulants of the negative binomial distribution.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from risk_indicators.errors import UsageError
from risk_indicators.synthetic._generator import (
    DEFECT_KINDS,
    Operation,
    SynthParams,
    expected_persons,
    generate,
    main,
    synth_command,
    truth_table,
    write_synthetic,
)

ROOT = Path(__file__).resolve().parents[1]
COMMITTED = ROOT / "data" / "synthetic" / "vaggeryd_like"
COMMITTED_REL = "data/synthetic/vaggeryd_like"
EDGES = [0, 15, 18, 21, 25, 30, 40, 50, 60]
LABELS = ["0-14", "15-17", "18-20", "21-24", "25-29", "30-39", "40-49", "50-59", "60+"]
YOUTH = ["15-17", "18-20", "21-24"]
SV_TO_EN = {
    "personnummer": "person_id", "anmalningsdatum": "report_date", "ålder": "age",
    "kön": "gender", "brott": "offence", "område": "area", "upptäckt": "detection",
    "diarienummer": "report_id",
}  # fmt: skip
SV_GENDER = {"Man": "man", "Kvinna": "kvinna"}


# --------------------------------------------------------------------------- helpers


def luhn_ok(ten: str) -> bool:
    """Luhn check of the ten digits YYMMDDNNNC (weights 2, 1, 2, ... on the first nine)."""
    total = 0
    for i, ch in enumerate(ten):
        v = int(ch) * (2 if i % 2 == 0 else 1)
        total += v // 10 + v % 10
    return total % 10 == 0


def canonical(pnr: str, on: dt.date) -> str:
    """12 digits YYYYMMDDNNNC; the century of a 10-digit form is the latest not after ``on``."""
    digits = pnr.replace("-", "").replace("+", "")
    if len(digits) == 12:
        return digits
    yy, mm, dd = int(digits[:2]), int(digits[2:4]), int(digits[4:6]) % 60
    year = on.year - (on.year - yy) % 100
    if dt.date(year, mm, dd) > on:
        year -= 100
    return f"{year}{digits[2:]}"


def birth_of(twelve: str) -> dt.date:
    day = int(twelve[6:8])
    return dt.date(int(twelve[:4]), int(twelve[4:6]), day - 60 if day > 60 else day)


def age_at(birth: dt.date, on: dt.date) -> int:
    return on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))


def read_swedish_csv(path: Path) -> pd.DataFrame:
    frame = pd.read_csv(path, sep=";", encoding="cp1252", dtype=str, keep_default_na=False)
    return frame.rename(columns=SV_TO_EN)


def prepare(reports: pd.DataFrame) -> pd.DataFrame:
    """Add person key, date, period, band and file row; English or Swedish labels accepted."""
    out = reports.copy()
    out["date"] = [dt.date.fromisoformat(d) for d in out["report_date"]]
    out["person"] = [canonical(p, d) for p, d in zip(out["person_id"], out["date"], strict=True)]
    out["period"] = [f"{d.year}T{(d.month - 1) // 4 + 1}" for d in out["date"]]
    out["age"] = out["age"].astype(int)
    out["age_band"] = pd.cut(out["age"], [*EDGES, 1000], right=False, labels=LABELS).astype(str)
    out["gender"] = out["gender"].replace(SV_GENDER)
    out["row"] = np.arange(len(out)) + 2
    return out


def independent_cube(reports: pd.DataFrame) -> pd.DataFrame:
    """CONTRACT 4 by hand: each person once per period, in the cell of the first report."""
    rows = prepare(reports).sort_values(["date", "row"])
    first = rows.groupby(["person", "period"], sort=False).first().reset_index()
    n = rows.groupby(["person", "period"]).size().rename("n").reset_index()
    first = first.merge(n, on=["person", "period"])
    keys = ["period", "area", "age_band", "gender"]
    return first.groupby(keys).agg(persons=("person", "size"), reports=("n", "sum")).reset_index()


def small_params(**changes: object) -> SynthParams:
    """One area of 30,000 inhabitants, no operations: fast replicates with sizeable cells."""
    base = {
        "areas": ("A",), "area_population": (30000,), "area_rate_factor": (1.0,),
        "operations": (), "rate_level": 0.03, "dispersion_k": 4.0,
    }  # fmt: skip
    return SynthParams.municipal(**{**base, **changes})


@pytest.fixture(scope="module")
def committed() -> tuple[pd.DataFrame, dict]:
    reports = read_swedish_csv(COMMITTED / "reports.csv")
    truth = json.loads((COMMITTED / "truth.json").read_text(encoding="utf-8"))
    return reports, truth


# --------------------------------------------------------------------------- determinism


def test_committed_data_regenerates_byte_for_byte(tmp_path, monkeypatch) -> None:
    # the documented command, run from a fresh folder so that --out is the same text
    monkeypatch.chdir(tmp_path)
    assert main(["--out", COMMITTED_REL, "--seed", "20211001"]) == 0
    for name in ("reports.csv", "population.csv", "activity.csv", "config.toml", "README.md",
                 "truth.json"):  # fmt: skip
        new = (tmp_path / COMMITTED_REL / name).read_bytes()
        old = (COMMITTED / name).read_bytes()
        if name == "truth.json":
            # the package version may move on without any change to the data
            new, old = (
                b"\n".join(x for x in b.split(b"\n") if b'"package_version"' not in x)
                for b in (new, old)
            )
        assert new == old, name


def test_same_seed_same_files_other_seed_differs(tmp_path, monkeypatch) -> None:
    def write(folder: str, seed: int) -> list[Path]:
        # the same relative --out, because README.md and truth.json quote the command
        (tmp_path / folder).mkdir()
        monkeypatch.chdir(tmp_path / folder)
        return [p.resolve() for p in write_synthetic("out", seed=seed, years=1)]

    a, b, c = write("a", 5), write("b", 5), write("c", 6)
    assert [f.name for f in a] == [f.name for f in b]
    assert all(x.read_bytes() == y.read_bytes() for x, y in zip(a, b, strict=True))
    assert a[0].read_bytes() != c[0].read_bytes()  # reports.csv
    assert a[1].read_bytes() != c[1].read_bytes()  # population.csv


# --------------------------------------------------------------------------- known truth


def test_expected_cell_matches_the_documented_formula() -> None:
    par = SynthParams.municipal()
    data = generate(par, seed=3, start="2024-05-01", end="2024-08-31")
    pop = data.population
    # 2024T2, Vaggeryd, 18-20, kvinna; no operation in Vaggeryd in 2024T2 except 2025? none
    sel = pop[(pop.year == 2024) & (pop.area == "Vaggeryd") & (pop.gender == "kvinna")]
    total = 0.0
    for age in (18, 19, 20):
        p = int(sel.loc[sel.age == age, "population"].iloc[0])
        shape = math.exp(-((math.log(age - 13 + 1) - math.log(20 - 13 + 1)) ** 2) / (2 * 0.75**2))
        t = (2024 * 3 + 1 - 2019 * 3) / 3  # tertials since 2019T1, in years
        total += p * 0.0125 * 0.17 * shape * math.exp(0.11 * t) * 1.15 * 1.0 * 1.0
    cells = data.table("cells")
    row = cells[
        (cells.area == "Vaggeryd") & (cells.age_band == "18-20") & (cells.gender == "kvinna")
    ]
    assert row["expected_persons"].iloc[0] == pytest.approx(total, rel=1e-8)
    assert row["variance_persons"].iloc[0] == pytest.approx(total + total**2 / 6.0, rel=1e-8)
    frame = expected_persons(par, pop, start="2024-05-01", end="2024-08-31")
    hit = frame[
        (frame.area == "Vaggeryd") & (frame.age_band == "18-20") & (frame.gender == "kvinna")
    ]
    assert hit["expected"].iloc[0] == pytest.approx(total, rel=1e-8)


def test_operation_factor_in_expectation_and_in_dates() -> None:
    # 2024T3 in Skillingaryd holds a 14-day operation x4: O = (1 - pi) + pi * (1 + 3 * 14 / 122)
    par = SynthParams.municipal()
    data = generate(par, seed=3, start="2024-09-01", end="2024-12-31")
    factor = {(p, a): w for p, a, w in data.truth["operation_factor"]["data"]}
    assert factor == {("2024T3", "Skillingaryd"): pytest.approx(1 + 3 * 14 / 122)}
    without = generate(
        SynthParams.municipal(operations=()), seed=3, start="2024-09-01", end="2024-12-31"
    ).table("cells")
    with_op = data.table("cells")
    ratio = with_op["expected_persons"] / without["expected_persons"]
    men = (with_op.area == "Skillingaryd") & (with_op.gender == "man")
    assert np.allclose(ratio[men].dropna(), 0.15 + 0.85 * (1 + 3 * 14 / 122))
    assert np.allclose(ratio[with_op.area == "Vaggeryd"].dropna(), 1.0)
    # dates: with a x20 operation on 14 of 121 days, a first police-initiated report falls in
    # the operation with probability 20 * 14 / (121 + 19 * 14) = 0.72 (0.12 without it)
    op = Operation("A", "2024-02-05", 14, 20.0)
    big = generate(small_params(operations=(op,)), seed=4, start="2024-01-01", end="2024-04-30")
    rows = prepare(big.reports).sort_values(["date", "row"])
    first = rows.groupby("person").first()
    police = first[first["detection"] == "polisinitierad"]
    inside = police["date"].between(dt.date(2024, 2, 5), dt.date(2024, 2, 18))
    p0, n = 20 * 14 / (121 + 19 * 14), len(police)
    assert n > 200 and abs(inside.mean() - p0) < 3 * math.sqrt(p0 * (1 - p0) / n)


@pytest.fixture(scope="module")
def replicates() -> tuple[pd.DataFrame, np.ndarray]:
    """200 replicates of one small municipality (fixed population), cells by replicate."""
    par = small_params()
    population = generate(par, seed=0, start="2024-01-01", end="2024-12-31").population
    cells = []
    for r in range(200):
        data = generate(par, seed=1000 + r, start="2024-01-01", end="2024-12-31",
                        population=population)  # fmt: skip
        cells.append(data.table("cells"))
    keys = cells[0][["period", "area", "age_band", "gender", "expected_persons"]]
    counts = np.stack([c["persons"].to_numpy() for c in cells])  # (R, cells)
    return keys, counts


def nb_cumulants(mu: np.ndarray, k: float) -> tuple[np.ndarray, np.ndarray]:
    """Second and fourth cumulants of NB(mean mu, size k), as gamma-Poisson mixtures:
    kappa2 = mu + mu^2/k, kappa4 = mu + 7 mu^2/k + 12 mu^3/k^2 + 6 mu^4/k^3."""
    return mu + mu**2 / k, mu + 7 * mu**2 / k + 12 * mu**3 / k**2 + 6 * mu**4 / k**3


def test_mean_counts_match_expected_within_monte_carlo_error(replicates) -> None:
    keys, counts = replicates
    r = counts.shape[0]
    mu = keys["expected_persons"].to_numpy()
    kappa2, _ = nb_cumulants(mu, 4.0)
    groups = keys["period"] + "/" + np.where(keys["age_band"].isin(YOUTH), "youth", "other")
    groups = groups + "/" + keys["gender"]
    for name in sorted(set(groups)):
        sel = (groups == name).to_numpy()
        # cells are independent, so the group's mean and variance are sums over its cells
        z = (counts[:, sel].sum(1).mean() - mu[sel].sum()) / math.sqrt(kappa2[sel].sum() / r)
        assert abs(z) < 3, (name, z)
    # omnibus over every cell with a non-trivial mean: sum of z^2 ~ chi2(cells)
    big = mu > 0.05
    z = (counts[:, big].mean(0) - mu[big]) / np.sqrt(kappa2[big] / r)
    assert (z**2).sum() < stats.chi2.ppf(0.999, big.sum())


def test_dispersion_matches_size_parameter(replicates) -> None:
    keys, counts = replicates
    r = counts.shape[0]
    mu = keys["expected_persons"].to_numpy()
    kappa2, kappa4 = nb_cumulants(mu, 4.0)
    youth = keys["age_band"].isin(YOUTH).to_numpy()
    for (period, gender), idx in keys[youth].groupby(["period", "gender"]).groups.items():
        sel = np.asarray(idx)
        x = counts[:, sel].sum(1)
        m, k2, k4 = mu[sel].sum(), kappa2[sel].sum(), kappa4[sel].sum()
        # V = mean (X - mu)^2 with known mean: E V = kappa2, Var V = (kappa4 + 2 kappa2^2) / R
        v = ((x - m) ** 2).mean()
        se = math.sqrt((k4 + 2 * k2**2) / r)
        assert abs(v - k2) < 3 * se, (period, gender, v, k2)
        if gender == "man":  # big cells: the extra-Poisson variance is clearly visible
            assert (v - m) / se > 3, (period, v, m)


# --------------------------------------------------------------------------- committed data


def test_committed_file_format() -> None:
    raw = (COMMITTED / "reports.csv").read_bytes()
    assert not raw.startswith(b"\xef\xbb\xbf")
    assert raw.count(b"\r\n") == raw.count(b"\n")
    header = raw.split(b"\r\n")[0].decode("cp1252")
    assert header == "personnummer;anmalningsdatum;ålder;kön;brott;område;upptäckt;diarienummer"
    frame = read_swedish_csv(COMMITTED / "reports.csv")
    assert set(frame["gender"]) == {"Man", "Kvinna"}
    assert set(frame["offence"]) == {
        "Eget bruk",
        "Innehav",
        "Överlåtelse",
        "Framställning",
        "Annat",
    }
    assert set(frame["detection"]) == {"Polisinitierad", "Anmälan"}
    assert frame["offence"].value_counts().index[0] == "Eget bruk"
    assert set(frame["area"]) == {"Skillingaryd", "Vaggeryd", "Övriga"}
    assert frame["person_id"].str.fullmatch(r"\d{8}-\d{4}|\d{6}-\d{4}|\d{12}").all()
    assert {len(p) for p in frame["person_id"]} == {11, 12, 13}
    pop = pd.read_csv(COMMITTED / "population.csv")
    assert list(pop.columns) == ["year", "age", "gender", "area", "population"]
    assert sorted(pop["year"].unique()) == list(range(2019, 2026))
    assert 13000 < pop[pop.year == 2019]["population"].sum() < 15000


def test_committed_personnummer_valid_and_consistent(committed) -> None:
    reports, _ = committed
    rows = prepare(reports)
    assert all(luhn_ok(p[2:]) for p in rows["person"])
    assert all(
        age_at(birth_of(p), d) == a
        for p, d, a in zip(rows["person"], rows["date"], rows["age"], strict=True)
    )
    # the ninth digit is odd for men, even for women
    assert ((rows["person"].str[10].astype(int) % 2 == 1) == (rows["gender"] == "man")).all()
    assert (rows["person"].str[6:8].astype(int) > 60).any()  # some samordningsnummer
    assert rows.groupby("person")["gender"].nunique().max() == 1


def test_committed_true_cube_matches_an_independent_count(committed) -> None:
    reports, truth = committed
    cells = truth_table(truth, "cells")
    mine = independent_cube(reports)
    merged = cells[cells.persons > 0].merge(
        mine, on=["period", "area", "age_band", "gender"], how="outer", indicator=True
    )
    assert (merged["_merge"] == "both").all()
    assert (merged["persons_x"] == merged["persons_y"]).all()
    assert (merged["reports_x"] == merged["reports_y"]).all()
    assert (cells.persons <= cells.reports).all()
    assert len(cells) == 20 * 3 * 9 * 2
    pop = pd.read_csv(COMMITTED / "population.csv")
    pop["age_band"] = pd.cut(pop["age"], [*EDGES, 1000], right=False, labels=LABELS).astype(str)
    by = pop.groupby(["year", "area", "age_band", "gender"])["population"].sum()
    years = cells["period"].str[:4].astype(int)
    looked_up = [by[(y, a, b, g)] for y, a, b, g in zip(years, cells.area, cells.age_band,
                                                          cells.gender, strict=True)]  # fmt: skip
    assert (cells["population"].to_numpy() == np.asarray(looked_up)).all()


def test_committed_data_is_realistic(committed) -> None:
    reports, truth = committed
    cube = independent_cube(reports)
    periods = truth["periods"]
    assert len(periods) == 20 and periods[0] == "2019T1" and periods[-1] == "2025T2"
    youth = cube[cube.age_band.isin(YOUTH)].groupby("period")["persons"].sum()
    youth = youth.reindex(periods, fill_value=0)
    assert 5 <= youth.median() <= 40
    rows = prepare(reports)
    rows["year"] = rows["date"].map(lambda d: d.year)
    per_year = rows.drop_duplicates(["year", "person"]).groupby("year")["gender"]
    share = per_year.apply(lambda g: (g == "kvinna").mean())
    assert 0.10 <= share[2019] <= 0.20
    assert share[[2023, 2024, 2025]].mean() > share[2019]
    expected = truth_table(truth, "female_share").set_index("year")["expected"]
    assert expected.is_monotonic_increasing and expected[2025] > expected[2019] + 0.05
    # repeats: several reports in one period (distinct case numbers) and persons coming back
    per = rows.groupby(["person", "period"])["report_id"].agg(["size", "nunique"])
    assert (per["size"] > 1).sum() >= 20 and (per["size"] == per["nunique"]).all()
    assert (rows.groupby("person")["period"].nunique() > 1).sum() >= 20
    # women are police-initiated less often than men
    police = rows.assign(p=rows["detection"] == "Polisinitierad").groupby("gender")["p"].mean()
    assert police["kvinna"] < police["man"] - 0.1


def test_committed_data_has_no_defects(committed) -> None:
    reports, truth = committed
    assert truth["defects"] == [] and truth["rows"]["rejected"] == 0
    rows = prepare(reports)
    assert rows["age"].between(0, 110).all()
    assert rows["date"].between(dt.date(2019, 1, 1), dt.date(2025, 8, 31)).all()
    assert not rows.duplicated(["report_id", "person"]).any()
    assert (reports != "").all().all()


# --------------------------------------------------------------------------- defects


def test_defects_only_when_asked_and_each_marked() -> None:
    par = small_params(rate_level=0.01, defects_per_kind=2)
    clean = generate(par, seed=11, start="2023-01-01", end="2024-12-31")
    dirty = generate(par, seed=11, start="2023-01-01", end="2024-12-31", defects=True)
    assert clean.truth["defects"] == []
    marks = pd.DataFrame(dirty.truth["defects"])
    assert set(marks["kind"]) == set(DEFECT_KINDS)
    missing = set(marks.loc[marks.kind == "missing_value", "column"])
    assert missing == {"person_id", "report_date", "offence"}
    # removing the marked rows gives back the clean data, and the truth does not move
    keep = ~np.isin(np.arange(len(dirty.reports)) + 2, marks["row"])
    pd.testing.assert_frame_equal(
        dirty.reports[keep].reset_index(drop=True), clean.reports, check_dtype=False
    )
    assert dirty.truth["cells"] == clean.truth["cells"]
    rows = dirty.reports.set_axis(np.arange(len(dirty.reports)) + 2)
    used = clean.reports
    for row, kind, column in marks[["row", "kind", "column"]].itertuples(index=False):
        r = rows.loc[row]
        if kind == "missing_value":
            assert pd.isna(r[column])
        elif kind == "unknown_gender":
            assert r["gender"] not in {"man", "kvinna", "okänt", "", None}
        elif kind == "age_negative":
            assert r["age"] == -1
        elif kind == "age_too_high":
            assert r["age"] == 130
        elif kind == "unparseable_date":
            with pytest.raises(ValueError):
                dt.date.fromisoformat(r["report_date"])
        elif kind == "future_date":
            assert dt.date.fromisoformat(r["report_date"]) > dt.date.today()
        elif kind == "duplicate":
            earlier = rows.loc[: row - 1]
            same = (earlier["report_id"] == r["report_id"]) & (
                earlier["person_id"] == r["person_id"]
            )
            assert same.any()
        elif kind == "unknown_area":
            assert r["area"] not in par.areas
        elif kind == "invalid_offence":
            assert r["offence"] not in {"eget_bruk", "innehav", "overlatelse", "framstallning",
                                        "annat"}  # fmt: skip
        elif kind == "bad_checksum_no_age":
            digits = r["person_id"].replace("-", "")
            assert pd.isna(r["age"]) and not luhn_ok(digits[-10:])
        if kind != "duplicate":  # a fresh person, never one of the clean data
            assert r["person_id"] is None or r["person_id"] not in set(used["person_id"])
    acc = dirty.truth["rows"]
    assert acc["read"] == acc["used"] + acc["rejected"] + acc["duplicates"] == len(rows)
    assert acc["used"] == len(used) and acc["duplicates"] == 2


def test_defect_rows_in_written_csv(tmp_path) -> None:
    write_synthetic(tmp_path, small_params(), years=1, defects=True)
    frame = read_swedish_csv(tmp_path / "reports.csv")
    truth = json.loads((tmp_path / "truth.json").read_text(encoding="utf-8"))
    by_kind = {m["kind"]: m["row"] for m in truth["defects"]}
    assert frame.loc[by_kind["age_too_high"] - 2, "age"] == "130"
    assert frame.loc[by_kind["invalid_offence"] - 2, "offence"] == "rattfylleri"
    assert frame.loc[by_kind["bad_checksum_no_age"] - 2, "age"] == ""


# --------------------------------------------------------------------------- national, errors


def test_national_parquet_margins_and_defects(tmp_path) -> None:
    pq = pytest.importorskip("pyarrow.parquet")
    par = SynthParams.national(rate_level=0.003)
    msgs: list[str] = []
    write_synthetic(tmp_path, par, scale="national", years=1, defects=True, progress=msgs.append)
    table = pq.read_table(tmp_path / "reports.parquet").to_pandas()
    truth = json.loads((tmp_path / "truth.json").read_text(encoding="utf-8"))
    assert list(table.columns) == ["person_id", "report_date", "age", "gender", "offence",
                                   "area", "detection", "report_id"]  # fmt: skip
    assert len(table) == truth["rows"]["read"] and len(msgs) == 2  # 2024 and 2025
    by_area = truth_table(truth, "cells_period_area").groupby("period")["persons"].sum()
    by_band = truth_table(truth, "cells_period_age_band_gender").groupby("period")["persons"].sum()
    assert (by_area == by_band).all()
    for m in truth["defects"]:
        r = table.iloc[m["row"] - 2]
        if m["kind"] == "age_negative":
            assert r["age"] == -1
    assert "unknown_area" not in {m["kind"] for m in truth["defects"]}
    pop = pq.read_table(tmp_path / "population.parquet").to_pandas()
    assert pop["area"].nunique() == 290
    assert 10.0e6 < pop[pop.year == 2024]["population"].sum() < 11.0e6


def test_bad_arguments_raise_usage_errors(tmp_path) -> None:
    with pytest.raises(UsageError, match="The 'scale' parameter of write_synthetic must be one"):
        write_synthetic(tmp_path, scale="regional")  # type: ignore[arg-type]
    with pytest.raises(UsageError, match="first day of a tertial"):
        generate(SynthParams.municipal(), seed=1, start="2024-02-01", end="2024-12-31")
    with pytest.raises(UsageError, match="operation area 'Nowhere'"):
        SynthParams.municipal(operations=(Operation("Nowhere", "2024-01-01"),))
    with pytest.raises(UsageError, match="last day of a tertial"):
        generate(SynthParams.municipal(), seed=1, start="2024-01-01", end="2024-12-30")
    with pytest.raises(UsageError, match="lies after the end"):
        generate(SynthParams.municipal(), seed=1, start="2024-09-01", end="2024-04-30")
    with pytest.raises(UsageError, match="'area_population' and 'area_rate_factor'"):
        SynthParams.municipal(area_population=(1, 2))
    with pytest.raises(UsageError, match="'years' parameter"):
        write_synthetic(tmp_path, years=0)


def test_synth_command_reports_progress(tmp_path) -> None:
    lines: list[str] = []
    files = synth_command(tmp_path / "x", "municipal", 7, 1, progress=lines.append)
    assert [f.name for f in files] == [
        "reports.csv", "population.csv", "activity.csv", "config.toml", "truth.json", "README.md",
    ]  # fmt: skip
    # one year up to 2025-08-31 spans 2024T3 and 2025T1-T2
    assert [line.split(" (")[0] for line in lines] == ["year 2024", "year 2025"]
    truth = json.loads((tmp_path / "x" / "truth.json").read_text(encoding="utf-8"))
    assert truth["periods"] == ["2024T3", "2025T1", "2025T2"] and truth["seed"] == 7


def test_zero_rate_gives_no_reports() -> None:
    data = generate(small_params(rate_level=0.0), seed=2, start="2024-01-01", end="2024-04-30")
    assert len(data.reports) == 0
    cells = data.table("cells")
    assert (cells["expected_persons"] == 0).all() and (cells["persons"] == 0).all()
