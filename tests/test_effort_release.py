"""Police effort end to end (issue 16): the demo's activity file into the release and the
report, the disclosure rule of the detection split, and a release without activities.

Reference values are counted here with pandas from the bundled files (the activity rows, the
young persons of P by detection mode, CONTRACT 4's counting rule), or written by hand.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

import risk_indicators as ri
from risk_indicators.cli import app
from risk_indicators.periods import parse_period
from risk_indicators.report import EffortView, PublicRelease, make_figures, render_html
from risk_indicators.report.labels import LABELS, text

T = 5


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("effort") / "demo"
    result = CliRunner().invoke(app, ["demo", "--out", str(out)])
    assert result.exit_code == 0, result.output
    return out


def _bundled_activity() -> pd.DataFrame:
    raw = pd.read_csv(ri.demo_data_dir() / "activity.csv", sep=";", encoding="cp1252",
                      dtype=str, keep_default_na=False)  # fmt: skip
    raw["amount"] = raw["omfattning"].str.replace(",", ".").astype(float)
    return raw


def test_the_demo_publishes_every_activity_row_up_to_p(demo: Path) -> None:
    raw = _bundled_activity()
    public = json.loads((demo / "public" / "indicators.json").read_text(encoding="utf-8"))
    p = parse_period(public["period"])
    raw = raw[raw["period"].map(lambda c: parse_period(c).ordinal <= p.ordinal)]
    shown = pd.read_csv(demo / "public" / "tables" / "effort_activities.csv",
                        keep_default_na=False)  # fmt: skip
    assert len(shown) == len(raw)
    by_hand = raw.assign(area=raw["område"].replace("", "total")).groupby(
        ["period", "area", "aktivitet", "enhet"])["amount"].sum()  # fmt: skip
    got = shown.groupby(["period", "area", "activity", "unit"])["amount"].sum()
    assert got.to_dict() == pytest.approx(by_hand.to_dict())
    # the young per 100 hours of P: published young of P over the file's hours of P
    hours = raw.loc[(raw["period"] == p.code) & (raw["enhet"] == "timmar"), "amount"].sum()
    youth = public["indicators"]["persons_youth"]["value"]
    per = public["indicators"]["youth_per_100_activity_hours"]
    assert per["value"] == pytest.approx(youth / hours * 100)
    adjusted = public["indicators"]["youth_trend_annual_change_effort_adjusted"]
    assert adjusted["n"] == 20 and adjusted["value"] is not None
    run = json.loads((demo / "audit" / "run.json").read_text(encoding="utf-8"))
    assert run["inputs"]["activity"]["file"] == "activity.csv"
    assert len(run["inputs"]["activity"]["sha256"]) == 64


def _detection_split_by_hand() -> pd.Series:
    """The young of the demo's P (2025T2) by detection mode and gender, counted from the
    extract: each person once, in the detection mode of their first report in P."""
    raw = pd.read_csv(ri.demo_data_dir() / "reports.csv", sep=";", encoding="cp1252")
    raw["date"] = pd.to_datetime(raw["anmalningsdatum"])
    raw["person"] = raw["personnummer"].str.replace(r"\D", "", regex=True).str[-10:]
    inside = raw[(raw["date"] >= "2025-05-01") & (raw["date"] <= "2025-08-31")]
    first = inside.sort_values("date", kind="stable").drop_duplicates("person")
    young = first[first["ålder"].between(15, 24)]
    return young.groupby(["upptäckt", "kön"]).size()


def test_the_young_by_detection_mode_are_shown_perturbed(demo: Path) -> None:
    """With the demo's cell-key method the split is shown whatever its size: each published
    count is the sum of 3 perturbed youth-band counts, so within 3 x D = 6 of the count by
    hand (a true 0 stays 0), and the police-initiated share is that of the published counts."""
    split = _detection_split_by_hand()
    shown = pd.read_csv(demo / "public" / "tables" / "effort_detection.csv").set_index("detection")
    assert not shown["suppressed"].any()
    for mode, raw_mode in (("polisinitierad", "Polisinitierad"), ("anmalan", "Anmälan")):
        for column, gender in (("women", "Kvinna"), ("men", "Man")):
            true = int(split.get((raw_mode, gender), 0))
            published = int(shown.loc[mode, column])
            assert abs(published - true) <= 6 and (true > 0 or published == 0)
    assert int(shown.loc["okand", "persons"]) == 0  # the extract knows every detection mode
    public = json.loads((demo / "public" / "indicators.json").read_text(encoding="utf-8"))
    share = public["indicators"]["police_initiated_share_youth"]
    police, reported = shown.loc["polisinitierad", "persons"], shown.loc["anmalan", "persons"]
    assert share["value"] == pytest.approx(police / (police + reported))
    html = (demo / "public" / "report.html").read_text(encoding="utf-8")
    section = html[html.index('<section id="effort">') : html.index('<section id="meaning">')]
    assert "Vad som gjordes" in section and section.count("<img") == 1
    assert "Aktiviteter i löftet" in section and "Insats på hot spot" in section
    assert (demo / "public" / "figures" / "effort.png").is_file()


def test_with_suppression_the_detection_split_passes_the_rule() -> None:
    """With suppression the split is shown exactly when no young woman or man count of a
    mode in P lies in 1..T-1 (the rule of the split outside the audited cube)."""
    from risk_indicators.release import protect_analysis
    from risk_indicators.release._publication import detection_shown

    split = _detection_split_by_hand()
    small = bool(((split > 0) & (split < T)).any())
    data = ri.demo_data_dir()
    cfg = ri.load_config(data / "config.toml", disclosure={"method": "suppression"})
    records = ri.read_reports(data / "reports.csv", config=cfg, key=ri.DEMO_KEY)
    population = ri.read_population(data / "population.csv", config=cfg)
    analysis = ri.analyse(records, population, config=cfg, period="2025T2")
    shown = detection_shown(analysis, protect_analysis(analysis, ledger=None))
    assert (not shown) == small
    assert small  # the demo's split has small counts (1 young man reported, by hand)


def _release(lang: str, effort: EffortView | None) -> PublicRelease:
    return PublicRelease(
        municipality="Vaggeryd", period=parse_period("2024T3"), language=lang,  # type: ignore[arg-type]
        indicators={"indicators": {
            "youth_per_100_activity_hours": {"value": 1.25, "ci_low": 0.8, "ci_high": 1.9,
                                             "n": 12, "suppressed": False},
            "police_initiated_share_youth": {"value": None, "ci_low": None, "ci_high": None,
                                             "n": None, "suppressed": True}}},
        tables={}, min_count=T, suppressed_count=0, youth_ages=(15, 24), goal={},
        effort=effort,
    )  # fmt: skip


def _view(adjusted: tuple[float, float, float], same: tuple[float, float, float]) -> EffortView:
    trend = pd.DataFrame(
        {
            "term": [
                "annual_change_effort_adjusted",
                "annual_change_same_periods",
                "effort_elasticity",
            ],
            "estimate": [adjusted[0], same[0], 0.8],
            "ci_low": [adjusted[1], same[1], 0.1],
            "ci_high": [adjusted[2], same[2], 1.5],
            "p_value": [0.5, 0.01, 0.03],
            "n": [12] * 3,
        }
    )
    acts = pd.DataFrame(
        {
            "period": ["2024T3", "2024T3", "2024T3"],
            "area": ["Vaggeryd", "Skillingaryd", "total"],
            "activity": ["hot_spot", "hot_spot", "est"],
            "unit": ["timmar", "timmar", "antal"],
            "amount": [40.5, 401.0, 17.0],
        }
    )
    hours = pd.DataFrame({"period": ["2024T3"], "hours": [960.0]})
    det = pd.DataFrame(
        {
            "detection": ["polisinitierad", "anmalan", "okand"],
            "women": pd.array([pd.NA] * 3, dtype="Int64"),
            "men": pd.array([pd.NA] * 3, dtype="Int64"),
            "persons": pd.array([pd.NA] * 3, dtype="Int64"),
            "suppressed": [True] * 3,
        }
    )
    promise = pd.DataFrame({"activity": ["trygghetsvandring", "est"], "area": ["Vaggeryd", "total"],
                            "unit": ["", "antal"],
                            "amount": pd.array([pd.NA, 17.0], dtype="Float64"),
                            "promised": [True, True]})  # fmt: skip
    return EffortView(True, "ok", {"effort_trend": trend, "effort_activities": acts,
                                   "effort_hours": hours, "effort_detection": det,
                                   "effort_promise": promise}, ("2021T1", "2024T3"))  # fmt: skip


def _section(html: str) -> str:
    part = html[html.index('<section id="effort">') : html.index('<section id="meaning">')]
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", part)).replace("\u00a0", " ")


@pytest.mark.parametrize("lang", ["sv", "en"])
def test_the_report_says_plainly_what_changes_with_effort(lang: str) -> None:
    release = _release(lang, _view((0.02, -0.10, 0.15), (0.20, 0.08, 0.33)))
    figures = make_figures(release)
    assert "effort" in figures
    words = _section(render_html(release, figures=figures))
    gone = re.sub(r"\s+", " ", text(lang, "eff_gone").replace("\u00a0", " "))
    assert gone in words  # unadjusted excludes 0, adjusted does not
    if lang == "sv":
        assert (
            "med +2,0 % per år (95 % konfidensintervall −10,0 till 15,0 %) under T1 2021–T3 "
            "2024; utan dem, under samma perioder, med +20,0 % (8,0–33,0 %)" in words
        )
        assert "1,25 rapporterade unga per 100 insatstimmar" in words
        assert "ej redovisad" in words  # the promised walk in Vaggeryd that was not reported
        # hours with one decimal even when whole (401,0 beside 40,5), occasions without
        assert "Insats på hot spot (timmar) 401,0 " in words
        assert "(gemensam lägesbild) (tillfällen) 17 " in words
    else:
        assert (
            "by +2.0% a year (95% confidence interval −10.0 to 15.0%) over T1 2021–T3 "
            "2024; without them, over the same periods, by +20.0% (8.0–33.0%)" in words
        )
        assert "not reported" in words
        assert "(hours) 401.0 " in words and "(occasions) 17 " in words
    assert "–" in words  # the hidden detection split
    page = re.sub(r"\s+", " ", render_html(release, figures=figures)).replace("\u00a0", " ")
    assert text(lang, "source_activity").replace("\u00a0", " ").replace("'", "&#39;") in page
    stays = _release(lang, _view((0.15, 0.05, 0.26), (0.20, 0.08, 0.33)))
    assert text(lang, "eff_stays").split(":")[0] in _section(render_html(stays))


@pytest.mark.parametrize("lang", ["sv", "en"])
def test_without_activities_the_report_says_effort_is_unknown(lang: str) -> None:
    release = _release(lang, None)
    figures = make_figures(release)
    assert "effort" not in figures
    words = _section(render_html(release, figures=figures))
    assert text(lang, "eff_unknown").replace("\u00a0", " ") in words
    page = re.sub(r"\s+", " ", render_html(release, figures=figures)).replace("\u00a0", " ")
    assert text(lang, "source_activity").replace("'", "&#39;") not in page  # no activity file
    assert set(LABELS["sv"]) == set(LABELS["en"])


def test_analyse_without_activities_keeps_every_figure_and_says_why(demo: Path) -> None:
    data = ri.demo_data_dir()
    cfg = ri.load_config(data / "config.toml")
    records = ri.read_reports(data / "reports.csv", config=cfg, key=ri.DEMO_KEY)
    pop = ri.read_population(data / "population.csv", config=cfg)
    without = ri.analyse(records, pop, config=cfg)
    ind = without.indicators
    effort_ids = ("youth_per_100_activity_hours", "youth_trend_annual_change_effort_adjusted")
    for key in effort_ids:
        assert ind[key]["value"] is None
        assert ind[key]["reason"] == "effort unknown: no activity file was given (--activity)"
    # the demo's exact figures with the activity file: nothing else changes
    internal = json.loads((demo / "internal" / "indicators.json").read_text(encoding="utf-8"))
    for key, value in internal["indicators"].items():
        if key not in effort_ids:
            assert json.loads(json.dumps(ind[key])) == value, key
    assert internal["indicators"]["police_initiated_share_youth"]["value"] is not None
    figures = without.figures.set_index(["table", "figure", "scope"])
    uses = figures.loc[("indicators", "police_initiated_share_youth", "period"), "uses"]
    assert sorted(str(u) for u in uses) == sorted(
        f"persons|2025T2|X:detection:{m}:{g}" for m in ("polisinitierad", "anmalan")
        for g in ("kvinna", "man"))  # fmt: skip
    per = figures.loc[("indicators", "youth_per_100_activity_hours", "period"), "uses"]
    assert [str(u) for u in per] == ["persons|2025T2|X:youth"]
    assert figures.loc[("indicators", "youth_trend_annual_change_effort_adjusted",
                        "period"), "uses"] == ()  # fmt: skip


def _named_source(config: Path) -> str:
    """The config's text with a named benchmark source (``run`` refuses a placeholder)."""
    text = config.read_text(encoding="utf-8")
    line = next(x for x in text.splitlines() if x.startswith("benchmark_source"))
    return text.replace(line, 'benchmark_source = "CAN 2024 (testvärde)"')


def test_a_bad_activity_file_stops_run_with_its_row(tmp_path: Path, key_env: bytes) -> None:
    data = ri.demo_data_dir()
    bad = tmp_path / "aktiviteter.csv"
    bad.write_text("period;aktivitet;omfattning;enhet\n2025T1;patrull;10;veckor\n",
                   encoding="utf-8")  # fmt: skip
    config = tmp_path / "config.toml"  # the bundled one, its benchmark source named
    config.write_text(_named_source(data / "config.toml"), encoding="utf-8")
    result = CliRunner().invoke(app, [
        "run", "--reports", str(data / "reports.csv"), "--population",
        str(data / "population.csv"), "--config", str(config),
        "--activity", str(bad), "--out", str(tmp_path / "out")])  # fmt: skip
    assert result.exit_code == 2
    assert "aktiviteter.csv" in result.stderr and "row 2, unit" in result.stderr
    assert "Traceback" not in result.output
    assert not (tmp_path / "out" / "public").exists()


def test_validate_checks_the_activity_file(tmp_path: Path) -> None:
    data = ri.demo_data_dir()
    args = ["validate", "--reports", str(data / "reports.csv"), "--config",
            str(data / "config.toml")]  # fmt: skip
    good = CliRunner().invoke(app, [*args, "--activity", str(data / "activity.csv")])
    assert good.exit_code == 0, good.output
    assert "activity.csv: 141 activity rows, no problems." in good.stdout
    bad = tmp_path / "a.csv"
    bad.write_text("tertial;aktivitet;omfattning;enhet\n2025T1;patrull;mycket;timmar\n",
                   encoding="utf-8")  # fmt: skip
    result = CliRunner().invoke(app, [*args, "--activity", str(bad)])
    assert result.exit_code == 2 and "row 2, amount" in result.stderr


def test_the_activities_sheet_writes_hours_with_one_decimal(tmp_path: Path) -> None:
    import openpyxl
    from openpyxl.workbook import Workbook

    from risk_indicators.report.effort_sheet import write_effort_sheet

    wb = Workbook()
    write_effort_sheet(wb.active, _release("en", _view((0.02, -0.1, 0.15), (0.2, 0.08, 0.33))))
    wb.save(tmp_path / "a.xlsx")
    ws = openpyxl.load_workbook(tmp_path / "a.xlsx").active
    rows = {(r[1].value, r[3].value): r[4] for r in ws.iter_rows(min_row=2, max_row=4)}
    # the view's rows: 40.5 and 401.0 hours, 17 occasions
    assert rows[("Skillingaryd", "hours")].value == 401
    assert rows[("Skillingaryd", "hours")].number_format == "#,##0.0"
    assert rows[("Vaggeryd", "hours")].number_format == "#,##0.0"
    assert rows[("Whole municipality", "occasions")].number_format == "General"
