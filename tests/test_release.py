"""A whole release on a small synthetic municipality: files, privacy, determinism, fail closed.

The fixture keeps the cube small (four age bands, five tertials) so the disclosure audit runs
in seconds; the demo release is timed by ``benchmarks/demo.py``.
"""

from __future__ import annotations

import json
import re
import warnings
import zipfile
from datetime import date
from pathlib import Path

import pandas as pd
import pytest

import risk_indicators as ri
from risk_indicators.disclosure.ledger import Ledger
from risk_indicators.errors import DisclosureError
from risk_indicators.intake.personnummer import PERSONNUMMER_PATTERN
from risk_indicators.synthetic._generator import SynthParams, generate

AREAS = ["Skillingaryd", "Vaggeryd", "Övriga"]
KEY = b"release-test-key-0123456789"


@pytest.fixture(scope="module")
def setup() -> tuple[ri.Analysis, ri.Records, pd.DataFrame]:
    data = generate(SynthParams.municipal(), seed=7, start="2022-01-01", end="2024-08-31")
    # the audited suppression method (the cell-key method: tests/test_cellkey_release.py)
    cfg = ri.load_config(areas=AREAS, age_bands=[0, 15, 18, 25, 40],
                         disclosure={"method": "suppression"})  # fmt: skip
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ri.DataWarning)
        records = ri.read_reports(data.reports, config=cfg, key=KEY, today=date(2025, 1, 1))
        population = ri.read_population(data.population, config=cfg)
        analysis = ri.analyse(records, population, config=cfg, period="2024T2")
    return analysis, records, data.reports


@pytest.fixture(scope="module")
def release(
    setup: tuple[ri.Analysis, ri.Records, pd.DataFrame], tmp_path_factory: pytest.TempPathFactory
) -> Path:
    analysis, records, _ = setup
    out = tmp_path_factory.mktemp("a") / "2024T2"
    return ri.write_release(analysis, out, records=records)


def _files(root: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()
    }


def test_release_has_the_contract_files(release: Path) -> None:
    files = set(_files(release))
    for name in (
        "public/report.html",
        "public/report.xlsx",
        "public/indicators.json",
        "public/tables/counts.csv",
        "internal/indicators.json",
        "internal/counts.csv",
        "audit/run.json",
        "audit/rejected_rows.csv",
        "audit/disclosure.csv",
    ):
        assert name in files
    assert any(f.startswith("public/figures/") and f.endswith(".svg") for f in files)
    assert any(f.startswith("public/figures/") and f.endswith(".png") for f in files)
    assert (release.parent / "releases.sqlite").is_file()  # ledger beside the release folder


def test_two_runs_are_byte_identical(
    setup: tuple[ri.Analysis, ri.Records, pd.DataFrame], release: Path, tmp_path: Path
) -> None:
    analysis, records, _ = setup
    again = ri.write_release(analysis, tmp_path / "2024T2", records=records)
    first, second = _files(release), _files(again)
    for part in ("public/", "internal/"):
        names = [n for n in first if n.startswith(part)]
        assert names == [n for n in second if n.startswith(part)]
        for name in names:
            assert first[name] == second[name], name


def test_no_raw_id_in_any_output(
    setup: tuple[ri.Analysis, ri.Records, pd.DataFrame], release: Path
) -> None:
    _, _, reports = setup
    raw_ids = set(reports["person_id"].astype(str))
    digits = {re.sub(r"\D", "", r) for r in raw_ids}
    for name, data in _files(release).items():
        texts = [data.decode("utf-8", errors="replace")]
        if name.endswith(".xlsx"):
            with zipfile.ZipFile(release / name) as z:
                texts = [z.read(m).decode("utf-8", errors="replace") for m in z.namelist()]
        for text in texts:
            assert not PERSONNUMMER_PATTERN.search(text), name
            assert not any(d in text for d in digits if len(d) >= 10), name


def test_every_public_count_is_zero_or_at_least_t(release: Path) -> None:
    """No published count lies in 1..T-1, and a zero is shown only in a table without a dash
    (issue 20: a dash never proves that someone was reported)."""
    t = 5
    frame = pd.read_csv(release / "public" / "tables" / "counts.csv")
    shown = frame["value"].dropna()
    assert ((shown == 0) | (shown >= t)).all()
    assert frame.loc[frame["suppressed"], "value"].isna().all()
    for (table, period), part in frame.groupby(["table", "period"]):
        if table in ("youth_by_period", "youth_12m"):
            continue  # one table over every period or window: checked below
        if part["suppressed"].any():
            assert not (part["value"] == 0).any(), (table, period)
    for table in ("youth_by_period", "youth_12m"):
        part = frame[frame["table"] == table]
        if part["suppressed"].any():
            assert not (part["value"] == 0).any(), table
    youth = pd.read_csv(release / "public" / "tables" / "youth_by_period.csv")
    shown = youth["persons_youth"].dropna()
    assert ((shown == 0) | (shown >= t)).all()
    public = json.loads((release / "public" / "indicators.json").read_text(encoding="utf-8"))
    for key in ("persons", "persons_youth", "new_persons_youth"):
        value = public["indicators"][key]["value"]
        assert value is None or value == 0 or value >= t


def test_public_figures_rest_on_published_counts(
    setup: tuple[ri.Analysis, ri.Records, pd.DataFrame], release: Path
) -> None:
    """A derived figure is published only when every count it uses is (CONTRACT 5): each
    public indicator is the exact value or null, and null exactly when a count it uses is
    hidden by the release's protection (some are, in this fixture)."""
    from risk_indicators.cube import CountName
    from risk_indicators.release import protect_analysis

    analysis = setup[0]
    protection = protect_analysis(analysis, ledger=None)  # deterministic: the release's own
    t = protection.table
    shown = {CountName.parse(c) for c in t.loc[t["value"].notna(), "count"]}
    public = json.loads((release / "public" / "indicators.json").read_text(encoding="utf-8"))
    internal = json.loads((release / "internal" / "indicators.json").read_text(encoding="utf-8"))
    figures = analysis.figures.loc[analysis.figures["table"] == "indicators"]
    uses = {(r.scope, r.figure): r.uses for r in figures.itertuples()}
    blocks = {"period": (public["indicators"], internal["indicators"])}
    for scope, block in public["comparisons"].items():
        blocks[scope] = (block["indicators"], internal["comparisons"][scope]["indicators"])
    withheld = 0
    for scope, (pub, exact) in blocks.items():
        for key, item in pub.items():
            hidden = not all(u in shown for u in uses[(scope, key)])
            assert item["suppressed"] == hidden, (scope, key)
            if hidden:
                withheld += 1
                assert item["value"] is None and item["ci_low"] is None and item["n"] is None
            else:
                assert item["value"] == exact[key]["value"], (scope, key)
    assert withheld > 0, "the fixture should withhold some indicator"


def test_failed_audit_publishes_nothing(
    setup: tuple[ri.Analysis, ri.Records, pd.DataFrame],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    analysis, records, _ = setup
    import risk_indicators.release._write as release_module

    def fail(*args: object, **kwargs: object) -> None:
        raise DisclosureError("forced audit failure")

    monkeypatch.setattr(release_module, "protect_analysis", fail)
    with pytest.raises(DisclosureError, match="forced audit failure"):
        ri.write_release(analysis, tmp_path / "2024T2", records=records)
    assert not (tmp_path / "2024T2" / "public").exists()
    assert (tmp_path / "2024T2" / "internal" / "counts.csv").is_file()
    run = json.loads((tmp_path / "2024T2" / "audit" / "run.json").read_text(encoding="utf-8"))
    assert run["disclosure"]["summary"] == "audit failed"


def test_rows_used_are_known_to_the_audit(release: Path) -> None:
    """Each used row is one report and each person of the cube has one, so the rows used that
    indicators.json publishes bound the persons of every period from above: the audit knows
    it (the design publishes no report count, so it models persons only), and the ledger
    keeps the relation over the inner cells for later releases."""
    used = json.loads((release / "public" / "indicators.json").read_text())["rows"]["used"]
    cube = pd.read_csv(release / "internal" / "counts.csv")
    totals = cube[(cube[["area", "age_band", "gender"]] == "total").all(axis=1)]
    totals = totals[totals["period"].str.fullmatch(r"\d{4}T\d")]  # periods, not windows
    assert totals["reports"].sum() == used  # every used row lies in a period of the cube
    assert totals["persons"].sum() <= used
    inner = cube[(cube[["area", "age_band", "gender"]] != "total").all(axis=1)]
    inner = inner[inner["period"].isin(totals["period"])]
    wanted = {f"persons|{r.period}|{r.area}|{r.age_band}|{r.gender}" for r in inner.itertuples()}
    links = Ledger(release.parent / "releases.sqlite").snapshot().links
    found = [
        (lo, hi)
        for lo, hi, terms in links.itertuples(index=False, name=None)
        if {n for n, _ in json.loads(terms)} == wanted
    ]
    assert len(found) == 1 and pd.isna(found[0][0]) and found[0][1] == used


def test_report_numbers_agree_with_public_indicators(release: Path) -> None:
    """Every published number of public/indicators.json appears in the report as formatted."""
    from risk_indicators.report.formatting import INDICATOR_KINDS, fmt_value

    public = json.loads((release / "public" / "indicators.json").read_text(encoding="utf-8"))
    html = (release / "public" / "report.html").read_text(encoding="utf-8")
    blocks = [public["indicators"]] + [c["indicators"] for c in public["comparisons"].values()]
    shown = 0
    for block in blocks:
        for key, item in block.items():
            value = item["value"]
            if value is None or isinstance(value, str) or key not in INDICATOR_KINDS:
                continue
            assert fmt_value(value, INDICATOR_KINDS[key], "sv") in html, key
            shown += 1
    assert shown >= 5


def test_run_from_counts_file_gives_the_records_figures(
    setup: tuple[ri.Analysis, ri.Records, pd.DataFrame], tmp_path: Path
) -> None:
    """`run --counts` (researcher mode) on the cube's inner cells reproduces the period
    figures of the person-level analysis; the file name does not matter."""
    from typer.testing import CliRunner

    from risk_indicators.cli import app

    analysis, _, _ = setup
    cube = analysis.cube
    inner = cube.loc[(cube[["area", "age_band", "gender"]] != "total").all(axis=1)]
    counts = tmp_path / "bra_extract.csv"
    inner[["period", "area", "age_band", "gender", "persons", "reports"]].to_csv(
        counts, index=False
    )
    data = generate(SynthParams.municipal(), seed=7, start="2022-01-01", end="2024-08-31")
    population = tmp_path / "population.csv"
    data.population.to_csv(population, index=False)
    config = tmp_path / "config.toml"
    config.write_text(
        'areas = ["Skillingaryd", "Vaggeryd", "Övriga"]\nage_bands = [0, 15, 18, 25, 40]\n'
        '[gender_goal]\nbenchmark_source = "CAN 2024 (testvärde)"\n',  # run refuses a placeholder
        encoding="utf-8",
    )
    out = tmp_path / "2024T2"
    result = CliRunner().invoke(app, ["run", "--counts", str(counts), "--population",
                                      str(population), "--config", str(config), "--period",
                                      "2024T2", "--out", str(out), "-q"])  # fmt: skip
    assert result.exit_code == 0, result.output
    got = json.loads((out / "internal" / "indicators.json").read_text(encoding="utf-8"))
    for key in ("persons", "persons_youth", "youth_share", "female_share_youth",
                "youth_rate_per_10k", "youth_trend_annual_change"):  # fmt: skip
        assert got["indicators"][key]["value"] == analysis.indicators[key]["value"], key
    assert (out / "public" / "report.html").is_file()


def test_followup_priority_hides_the_headline_last(
    setup: tuple[ri.Analysis, ri.Records, pd.DataFrame],
) -> None:
    """The order documented in publish.followup_priority: the young of every period (and the
    period's new young), then the period's split and the 12 months' young with their split,
    then other windows' young, other splits, and any margin."""
    from risk_indicators.cube import CountName, window_block
    from risk_indicators.release import followup_priority

    analysis = setup[0]
    priority = followup_priority(analysis)

    def cost(text: str, n_cells: int) -> float:
        return priority(CountName.parse(text), n_cells)

    window = window_block(["2023T3", "2024T1", "2024T2"])  # the 12 months ending with 2024T2
    earlier = window_block(["2023T2", "2023T3", "2024T1"])
    series = {cost(n, 3) for n in ("persons|2024T2|X:youth", "persons|2024T2|X:new_youth",
                                   "persons|2023T1|X:youth")}  # fmt: skip
    goal = {cost(n, 3) for n in ("persons|2024T2|X:youth_women", f"persons|{window}|X:youth",
                                 f"persons|{window}|X:youth_men")}  # fmt: skip
    assert len(series) == 1 and len(goal) == 1
    other_window = cost(f"persons|{earlier}|X:youth", 3)
    other_split = cost("persons|2024T1|X:youth_women", 3)
    margin = cost("persons|2024T2|total|total|total", 48)
    assert series.pop() > goal.pop() > other_window > other_split > margin


MODEL_COLUMNS = ["fitted_rate", "fitted_low", "fitted_high", "expected", "upperbound", "alarm"]


def test_fitted_trend_gives_back_season_sums(release: Path) -> None:
    """Why per-period model values need every count: a Poisson GLM with a season term solves
    its score equations, so for each season the fitted counts add up to the observed ones
    (McCullagh and Nelder 1989, section 2.5: X'(y - mu) = 0 for a canonical link)."""
    youth = pd.read_csv(release / "public" / "tables" / "youth_by_period.csv")
    assert youth["persons_youth"].notna().all()  # every count published: values are shown
    fitted = youth["fitted_rate"] * youth["population_youth"] / 10_000
    season = youth["period"].str[-1]
    sums = pd.DataFrame({"fitted": fitted, "observed": youth["persons_youth"], "season": season})
    by_season = sums.groupby("season").sum()
    assert (by_season["fitted"] - by_season["observed"]).abs().max() < 1e-4


def test_a_hidden_count_hides_every_per_period_model_value(
    setup: tuple[ri.Analysis, ri.Records, pd.DataFrame],
) -> None:
    """With 3 young persons in T2 2023 (hidden), the season sums above would give the 3
    back from the fitted values: they, the alarms' expected counts, thresholds and flags are
    all withheld, while the whole-series trend stays published with n = periods."""
    from risk_indicators.release import protect_analysis, public_view

    _, _, raw = setup
    dates = pd.to_datetime(raw["report_date"])
    in_t2 = (dates >= "2023-05-01") & (dates <= "2023-08-31")
    young = in_t2 & raw["age"].astype(int).between(15, 24)
    keep = set(raw.loc[young, "person_id"].drop_duplicates().head(3))
    reports = raw[~young | raw["person_id"].isin(keep)]
    cfg = ri.load_config(areas=AREAS, age_bands=[0, 15, 18, 25, 40],
                         disclosure={"method": "suppression"})  # fmt: skip
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ri.DataWarning)
        records = ri.read_reports(reports, config=cfg, key=KEY, today=date(2025, 1, 1))
        population = ri.read_population(
            generate(
                SynthParams.municipal(), seed=7, start="2022-01-01", end="2024-08-31"
            ).population,
            config=cfg,
        )
        analysis = ri.analyse(records, population, config=cfg, period="2024T2")
    tables = public_view(analysis, protect_analysis(analysis, ledger=None)).tables
    youth = tables["youth_by_period"].set_index("period")
    assert int(analysis.youth.series.loc["2023T2", "persons"]) == 3  # type: ignore[union-attr]
    assert pd.isna(youth.loc["2023T2", "persons_youth"])
    assert youth[MODEL_COLUMNS].isna().all().all()
    trend = tables["trend"]
    assert trend["estimate"].notna().all() and (trend["n"] == len(youth)).all()
    fair = tables["fairness"]
    share_trend = fair[fair["measure"] == "female_share_youth_trend"]
    assert (share_trend["n"] == len(youth)).all()


def test_female_share_trend_needs_every_period_split(release: Path) -> None:
    """The female-share trend's slope and interval with the young per period give back the
    sums of young women over all periods (the binomial GLM's score equations), and two
    releases a period apart one period's young women: it is withheld while a period's split
    of the young is hidden, and the goal text says the assessment rests on it."""
    shares = pd.read_csv(release / "public" / "tables" / "female_share.csv")
    periods = shares[shares["scope"] == "period"]
    assert periods["suppressed"].any()  # some period's split of the young is hidden here
    public = json.loads((release / "public" / "indicators.json").read_text(encoding="utf-8"))
    trend = public["indicators"]["female_share_youth_trend"]
    assert trend["value"] is None and trend["suppressed"]
    fairness = pd.read_csv(release / "public" / "tables" / "fairness.csv")
    row = fairness[fairness["measure"] == "female_share_youth_trend"]
    assert row["estimate"].isna().all() and row["suppressed"].all()
    if public["indicators"]["goal_status"]["value"] in ("on_track", "not_on_track"):
        text = (release / "public" / "followup.md").read_text(encoding="utf-8")
        assert "Trenden som bedömningen bygger på redovisas inte" in text


def test_consecutive_releases_on_one_ledger_both_publish(
    setup: tuple[ri.Analysis, ri.Records, pd.DataFrame], tmp_path: Path
) -> None:
    """The routine every tertial: 2024T1, then 2024T2 against the ledger of the first. The
    second release's audit knows the first one's windows; a window the first release hid
    is unknown to the attacker, and the line check must not count it as known (it did, and
    every second release failed closed)."""
    analysis, records, _ = setup
    ledger = tmp_path / "releases.sqlite"
    data = generate(SynthParams.municipal(), seed=7, start="2022-01-01", end="2024-08-31")
    population = ri.read_population(data.population, config=analysis.config)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ri.DataWarning)
        first = ri.analyse(records, population, config=analysis.config, period="2024T1")
    ri.write_release(first, tmp_path / "2024T1", records=records, ledger=ledger)
    out = ri.write_release(analysis, tmp_path / "2024T2", records=records, ledger=ledger)
    assert (out / "public" / "report.html").is_file()
    audit = pd.read_csv(out / "audit" / "disclosure.csv")
    hidden_small = audit[audit["suppression"] == "primary"]
    assert (hidden_small["low"] == 0).all() and (
        hidden_small["high"].isna() | (hidden_small["high"] >= 5)
    ).all()
