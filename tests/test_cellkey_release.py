"""The cell-key method in a release (issue 14): perturbed counts, the same noise for the same
persons in every release, figures from published counts, intervals widened for the noise.

Reference values: the perturbation table's own probabilities (tests/test_cellkey.py checks
them against the maximum-entropy construction), the exact cube of the same extract, the
Wilson and Garwood formulas, and Monte Carlo coverage with its standard error.
"""

from __future__ import annotations

import json
import math
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import risk_indicators as ri
from risk_indicators.cube import PerturbationTable
from risk_indicators.release import protect_analysis
from risk_indicators.stats import poisson_rate_table, wilson_table

KEYS = ["period", "area", "age_band", "gender"]
TABLE = PerturbationTable(max_deviation=2, variance=1.0)  # the bundled config's (defaults)


@pytest.fixture(scope="module")
def demo() -> dict[str, ri.Analysis]:
    data = ri.demo_data_dir()
    cfg = ri.load_config(data / "config.toml")
    assert cfg.disclosure.method == "cell_key"  # the default
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ri.DataWarning)
        records = ri.read_reports(data / "reports.csv", config=cfg, key=ri.DEMO_KEY)
        population = ri.read_population(data / "population.csv", config=cfg)
        return {p: ri.analyse(records, population, config=cfg, period=p)
                for p in ("2025T1", "2025T2")}  # fmt: skip


def _periods(counts: pd.DataFrame) -> pd.DataFrame:
    return counts.loc[~counts["period"].astype(str).str.contains("-")].set_index(KEYS)


def test_every_count_moves_by_at_most_d_with_the_tables_frequencies(
    demo: dict[str, ri.Analysis],
) -> None:
    """Perturbed minus exact, over the 6,400 rows of the demo cube: within +-2, true zeros kept,
    and among counts of 3 or more (one shared row of the table) each perturbation's share
    within 4.5 binomial standard errors of its probability; the mean within 4.5 SE of 0."""
    a = demo["2025T2"]
    assert a.exact_counts is not None
    exact = _periods(a.exact_counts)["persons"]
    shown = a.cube.set_index(KEYS)["persons"].reindex(exact.index)
    diff = (shown - exact).to_numpy()
    assert np.abs(diff).max() <= 2
    assert (shown[exact == 0] == 0).all()  # a true 0 stays 0 (a 1 or 2 may be shown as 0)
    assert (shown[exact > 0] > 0).any() and (shown[exact > 0] == 0).any()
    large = diff[exact.to_numpy() >= 3]
    n = len(large)
    assert n > 500
    for v, p in TABLE.row(3).items():
        assert abs(np.mean(large == v) - p) <= 4.5 * math.sqrt(p * (1 - p) / n), v
    assert abs(large.mean()) <= 4.5 * math.sqrt(TABLE.variance / n)


def test_the_same_persons_get_the_same_noise_in_every_release(
    demo: dict[str, ri.Analysis],
) -> None:
    """The cubes of the 2025T1 and 2025T2 releases hold the same persons for every period up
    to 2025T1 and every 12-month window up to it: every perturbed count is the same in both,
    so a later release cannot average the noise away."""
    first, second = demo["2025T1"], demo["2025T2"]
    one = first.cube.set_index(KEYS)["persons"]
    two = second.cube.set_index(KEYS)["persons"].reindex(one.index)
    pd.testing.assert_series_equal(one, two)
    assert first.windows is not None and second.windows is not None
    w1 = first.windows.set_index(KEYS)["persons"]
    w2 = second.windows.set_index(KEYS)["persons"].reindex(w1.index)
    pd.testing.assert_series_equal(w1, w2)


def test_another_key_gives_other_noise() -> None:
    """Record keys come from the keyed pseudonyms: the same extract under another key gets
    other perturbations (some of the cube's counts differ)."""
    data = ri.demo_data_dir()
    cfg = ri.load_config(data / "config.toml")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ri.DataWarning)
        population = ri.read_population(data / "population.csv", config=cfg)
        cubes = [
            ri.analyse(ri.read_reports(data / "reports.csv", config=cfg, key=key), population,
                       config=cfg, period="2025T2").cube.set_index(KEYS)["persons"]
            for key in (ri.DEMO_KEY, b"another-key-0123456789")
        ]  # fmt: skip
    assert (cubes[0] != cubes[1].reindex(cubes[0].index)).mean() > 0.1


def test_the_release_publishes_every_designed_count_and_its_figures(
    demo: dict[str, ri.Analysis], tmp_path: Path
) -> None:
    """Nothing is hidden; every public count is the perturbed count the figures use; the
    12-month share is the published women over women and men; internal/counts.csv keeps
    the exact cube; the audit lists each small published value with the true values it can
    stand for (the table's support)."""
    a = demo["2025T2"]
    protection = protect_analysis(a, ledger=None)
    assert protection.method == "cell_key"
    assert protection.table["value"].notna().all()
    out = ri.write_release(a, tmp_path / "2025T2", ledger=tmp_path / "ledger.sqlite")
    public = json.loads((out / "public" / "indicators.json").read_text(encoding="utf-8"))
    nulls = [k for k, v in public["indicators"].items() if v["value"] is None]
    assert set(nulls) <= {"youth_per_100_activity_hours",
                          "youth_trend_annual_change_effort_adjusted"}  # no activity file
    shares = pd.read_csv(out / "public" / "tables" / "female_share.csv")
    last = shares[shares["period"] == "2024T3-2025T2"].iloc[0]
    twelve = public["indicators"]["female_share_youth_12m"]
    assert twelve["value"] == pytest.approx(last["women"] / (last["women"] + last["men"]))
    # the interval is Wilson's widened for the noise of 2 x 3 perturbed youth-band counts
    w, n = int(last["women"]), int(last["women"] + last["men"])
    plain = wilson_table([w], [n]).iloc[0]
    assert twelve["ci_low"] < plain["ci_low"] and twelve["ci_high"] > plain["ci_high"]
    # every share of the public table: Wilson widened for noise variance 3 per count
    widened = wilson_table(shares["women"], shares["women"] + shares["men"], noise_variance=3.0)
    assert np.allclose(shares["ci_low"], widened["ci_low"].astype(float))
    assert np.allclose(shares["ci_high"], widened["ci_high"].astype(float))
    assert twelve["ci_low"] == pytest.approx(float(widened["ci_low"].iloc[-1]))
    internal = pd.read_csv(out / "internal" / "counts.csv", keep_default_na=False)
    assert a.exact_counts is not None
    exact = a.exact_counts.reset_index(drop=True)
    assert internal["persons"].tolist() == exact["persons"].tolist()
    audit = pd.read_csv(out / "audit" / "disclosure.csv")
    assert len(audit) and (audit["suppression"] == "perturbed").all()
    keys = ["table", "period", "area", "age_band", "gender", "measure"]
    shown = protection.table.set_index(keys)
    for _, row in audit.iterrows():
        value = int(shown.loc[tuple(row[keys]), "value"])
        # a count of the young sums its 3 perturbed age bands: it moves by up to 3 x D
        cells = 3 if str(shown.loc[tuple(row[keys]), "count"]).split(":")[-1].startswith(
            "youth") else 1  # fmt: skip
        assert (row["low"], row["high"]) == TABLE.support(value, cells=cells)
    # the counts table holds the numbers the figures use (the young: their age bands' sum)
    counts = pd.read_csv(out / "public" / "tables" / "counts.csv")
    youth = counts[counts["table"] == "youth_by_period"].set_index("period")["value"]
    series = pd.read_csv(out / "public" / "tables" / "youth_by_period.csv")
    assert youth.reindex(series["period"]).tolist() == series["persons_youth"].tolist()
    window = counts[(counts["period"] == "2024T3-2025T2") & (counts["age_band"] != "total")]
    split = window.set_index("gender")["value"]
    assert (split["kvinna"], split["man"]) == (last["women"], last["men"])
    by_age = counts[(counts["table"] == "persons_by_age") & (counts["period"] == "2025T2")]
    ages = by_age.set_index("age_band")["value"]
    assert youth["2025T2"] == ages[["15-17", "18-20", "21-24"]].sum()
    html = (out / "public" / "report.html").read_text(encoding="utf-8")
    # the input rows are rounded to tens (exact ones would give a period's reports)
    rows = public["rows"]
    assert rows["rounded_to"] == 10 and all(rows[k] % 10 == 0 for k in ("read", "used"))
    assert abs(rows["used"] - a.accounting["used"]) <= 5
    assert rows["read"] == rows["used"] + rows["rejected"] + rows["duplicates"]  # CONTRACT 1.1
    words = html.replace("\u00a0", " ")
    assert "Avrundat till tiotal" in words
    assert "en verklig 0 68 % av gångerna" in words
    assert "cellnyckelmetoden" in words and "högst 50 %" in words
    assert "med högst 2" in words and "summan av 3 åldersgrupper, med högst 6" in words


@pytest.mark.parametrize(("n_young", "share"), [(14, 0.25), (40, 0.22)])
def test_widened_wilson_intervals_keep_their_coverage(n_young: int, share: float) -> None:
    """Monte Carlo, 4,000 series: young women and men in 3 youth bands, each count perturbed
    by the table (uniform cell keys), the share's Wilson interval from the published counts.
    Widened for the noise (variance 3 per count) it covers at least 95 % - 4.5 SE; without
    widening it falls short at Vaggeryd's 14 young a tertial (measured 89 %)."""
    rng = np.random.default_rng(20261203)
    reps = 4000
    n = rng.poisson(n_young, reps)
    bands = np.array([n // 3, n // 3, n - 2 * (n // 3)])
    women = rng.binomial(bands, share)

    def published(counts: np.ndarray) -> np.ndarray:
        return sum(TABLE.perturb(c, rng.random(c.shape)) for c in counts)  # type: ignore[return-value]

    w, m = published(women), published(bands - women)
    ok = w + m > 0
    se = math.sqrt(0.95 * 0.05 / ok.sum())
    cover = {}
    for noise in (0.0, 3.0):
        t = wilson_table(w[ok], (w + m)[ok], noise_variance=noise)
        low, high = t["ci_low"].astype(float), t["ci_high"].astype(float)
        cover[noise] = float(((low <= share) & (share <= high)).mean())
    assert cover[3.0] >= 0.95 - 4.5 * se
    assert cover[0.0] < cover[3.0]
    if n_young == 14:
        assert cover[0.0] < 0.95 - 4.5 * se


def test_widened_rate_intervals_keep_their_coverage() -> None:
    """The same for the youth rate: Poisson counts of mean 13 over 3 bands, perturbed; the
    Garwood interval of the effective count covers at least 95 % - 4.5 SE."""
    rng = np.random.default_rng(7)
    reps = 4000
    bands = rng.poisson(13 / 3, size=(3, reps))
    y = sum(TABLE.perturb(b, rng.random(reps)) for b in bands)
    t = poisson_rate_table(y, np.full(reps, 10_000.0), noise_variance=3.0)
    low, high = t["ci_low"].astype(float), t["ci_high"].astype(float)
    assert float(((low <= 13) & (high >= 13)).mean()) >= 0.95 - 4.5 * math.sqrt(0.95 * 0.05 / reps)


def test_zero_noise_gives_the_usual_intervals_and_noise_only_widens() -> None:
    """V = 0 is the textbook interval exactly; V > 0 never narrows it and keeps the estimate
    (hand check: Wilson 8 of 98 is 0.0419-0.1529, Garwood for 0 events 0-3.689)."""
    plain = wilson_table([0, 8, 98], [10, 98, 98])
    zero = wilson_table([0, 8, 98], [10, 98, 98], noise_variance=0.0)
    pd.testing.assert_frame_equal(plain, zero)
    assert round(float(plain["ci_low"].iloc[1]), 4) == 0.0419
    wide = wilson_table([0, 8, 98], [10, 98, 98], noise_variance=1.0)
    assert (wide["estimate"] == plain["estimate"]).all()
    assert (wide["ci_low"] <= plain["ci_low"]).all() and (wide["ci_high"] >= plain["ci_high"]).all()
    rate = poisson_rate_table([0], [1.0], per=1.0, noise_variance=1.0)
    assert float(rate["ci_high"].iloc[0]) == pytest.approx(2 * 3.6888794541139354)


def test_counts_mode_uses_suppression(demo: dict[str, ri.Analysis]) -> None:
    """A counts table has no record keys: its analysis says so and its release suppresses."""
    a = demo["2025T2"]
    assert a.exact_counts is not None
    counts = a.exact_counts.loc[~a.exact_counts["period"].str.contains("-")]
    data = ri.demo_data_dir()
    cfg = ri.load_config(data / "config.toml")
    population = ri.read_population(data / "population.csv", config=cfg)
    counted = ri.analyse(counts.drop(columns=["population"]), population, config=cfg,
                         period="2025T2")  # fmt: skip
    assert counted.config.disclosure.method == "suppression"
    assert any("cell-key method needs person rows" in note for note in counted.notes)


def test_one_ledger_keeps_one_method(demo: dict[str, ri.Analysis], tmp_path: Path) -> None:
    """A suppression release on a ledger of cell-key releases is refused before anything is
    written (its audit could not hide what they published), and so is the reverse."""
    ledger = tmp_path / "series.sqlite"
    ri.write_release(demo["2025T1"], tmp_path / "2025T1", ledger=ledger)
    data = ri.demo_data_dir()
    cfg = ri.load_config(data / "config.toml", disclosure={"method": "suppression"})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ri.DataWarning)
        records = ri.read_reports(data / "reports.csv", config=cfg, key=ri.DEMO_KEY)
        population = ri.read_population(data / "population.csv", config=cfg)
        exact = ri.analyse(records, population, config=cfg, period="2025T2")
    with pytest.raises(ri.errors.LedgerError, match=r'made with disclosure\.method = "cell_key"'):
        ri.write_release(exact, tmp_path / "2025T2", ledger=ledger)
    assert not any((tmp_path / "2025T2").glob("*"))  # nothing written
    other = tmp_path / "other.sqlite"
    ri.write_release(exact, tmp_path / "b" / "2025T2", ledger=other)
    with pytest.raises(ri.errors.LedgerError, match='"suppression"; this release uses "cell_key"'):
        ri.write_release(demo["2025T2"], tmp_path / "b" / "2025T2x", ledger=other)
