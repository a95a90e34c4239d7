"""One analysis computes every figure once; the figure table names the counts each uses; the
release publishes a figure exactly when every count it uses is published (issue 13).

A small synthetic municipality (four age bands, 14 tertials: enough history for the period
alarms) keeps it to seconds.
"""

from __future__ import annotations

import warnings
from collections import Counter
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

import risk_indicators as ri
import risk_indicators.analysis._analyse as analyse_mod
import risk_indicators.fairness._report as report_mod
import risk_indicators.fairness.goal as goal_mod
import risk_indicators.stats.followup as followup_mod
from risk_indicators.analysis import FIGURE_COLUMNS
from risk_indicators.cube import CountName, window_block
from risk_indicators.periods import Period, assign_periods
from risk_indicators.release import Publication, protect_analysis, public_view
from risk_indicators.synthetic._generator import SynthParams, generate

AREAS = ["Skillingaryd", "Vaggeryd", "Övriga"]
KEY = b"analysis-test-key-0123456789"


@pytest.fixture(scope="module")
def inputs() -> tuple[ri.Records, pd.DataFrame, ri.Config]:
    data = generate(SynthParams.municipal(), seed=11, start="2020-01-01", end="2024-08-31")
    # exact counts and the audited suppression (the cell-key method: test_cellkey_release.py)
    cfg = ri.load_config(areas=AREAS, age_bands=[0, 15, 18, 25, 40],
                         disclosure={"method": "suppression"})  # fmt: skip
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ri.DataWarning)
        records = ri.read_reports(data.reports, config=cfg, key=KEY, today=date(2025, 1, 1))
        population = ri.read_population(data.population, config=cfg)
    return records, population, cfg


@pytest.fixture(scope="module")
def analysis(inputs: tuple[ri.Records, pd.DataFrame, ri.Config]) -> ri.Analysis:
    records, population, cfg = inputs
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ri.DataWarning)
        return ri.analyse(records, population, config=cfg, period="2024T2")


# the expensive functions, where the pipeline calls them
WATCHED = [
    (analyse_mod, "slice_indicators"),
    (analyse_mod, "youth_statistics"),
    (analyse_mod, "gender_figures"),
    (analyse_mod, "figure_table"),
    (report_mod, "goal_status"),
    (report_mod, "standardised_rate_ratio"),
    (report_mod, "selection_rates"),
    (goal_mod, "female_share_youth_trend"),
    (report_mod, "female_share_youth_trend"),
    (followup_mod, "poisson_trend"),
    (followup_mod, "farrington_flexible"),
]


def _key(args: tuple[Any, ...], kwargs: dict[str, Any]) -> tuple[Any, ...]:
    """What a call computes: the identity of its data and its other arguments."""
    parts = []
    for v in (*args, *sorted(kwargs.items())):
        value = v[1] if isinstance(v, tuple) and len(v) == 2 and isinstance(v[0], str) else v
        if isinstance(value, pd.DataFrame | pd.Series):
            parts.append(("frame", id(value)))
        else:
            parts.append(repr(v))
    return tuple(parts)


def test_every_figure_is_computed_once(
    inputs: tuple[ri.Records, pd.DataFrame, ri.Config],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    """One analyse + one release: each expensive function runs once per distinct input (the
    indicators once per scope), and the release computes no statistic at all."""
    records, population, cfg = inputs
    calls: Counter[tuple[str, tuple[Any, ...]]] = Counter()
    names: Counter[str] = Counter()
    for module, name in WATCHED:
        real = getattr(module, name)

        def spy(*args: Any, __real: Any = real, __name: str = name, **kwargs: Any) -> Any:
            calls[(__name, _key(args, kwargs))] += 1
            names[__name] += 1
            return __real(*args, **kwargs)

        monkeypatch.setattr(module, name, spy)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ri.DataWarning)
        analysis = ri.analyse(records, population, config=cfg, period="2024T2")
    twice = {k: n for k, n in calls.items() if n > 1}
    assert not twice, twice
    assert names["slice_indicators"] == len(analysis.results) == 3
    for once in ("youth_statistics", "gender_figures", "figure_table", "goal_status",
                 "poisson_trend", "farrington_flexible"):  # fmt: skip
        assert names[once] == 1, once
    # the goal fits the female-share trend once; the detection modes each fit their own
    modes = analysis.fairness.by_detection["detection"].nunique()
    assert names["female_share_youth_trend"] == 1 + modes
    names.clear()
    ri.write_release(analysis, tmp_path / "2024T2", records=records)
    assert sum(names.values()) == 0, dict(names)


def test_figure_table_is_tidy_and_names_its_counts(analysis: ri.Analysis) -> None:
    f = analysis.figures
    assert list(f.columns) == FIGURE_COLUMNS
    assert set(f["table"]) >= {"indicators", "youth_by_period", "female_share", "comparison",
                               "fairness", "goal", "trend"}  # fmt: skip
    assert all(isinstance(u, CountName) for uses in f["uses"] for u in uses)
    ind = f.loc[f["table"] == "indicators"].set_index(["scope", "figure"])
    # CONTRACT 4: the share of the young uses the young women and men of P; the rate only
    # the young of P; whole-series summaries no count
    p = analysis.period.code
    assert set(ind.at[("period", "female_share_youth"), "uses"]) == {
        CountName.derived_count("youth_women", p),
        CountName.derived_count("youth_men", p),
    }
    assert ind.at[("period", "youth_rate_per_10k"), "uses"] == (
        CountName.derived_count("youth", p),
    )
    assert ind.at[("period", "youth_trend_annual_change"), "uses"] == ()
    # the goal status rests on the young women and men of the yearly 12-month windows
    # ending with P, a year before, ... (issue 15), four complete windows here
    ends = [analysis.period.shift(-k * analysis.period.freq) for k in range(4)]
    yearly = {CountName.derived_count(f"youth_{g}", window_block([q.code for q in e.window()]))
              for e in ends for g in ("women", "men")}  # fmt: skip
    assert set(ind.at[("period", "goal_status"), "uses"]) == yearly
    window = window_block(["2023T3", "2024T1", "2024T2"])
    assert ind.at[("rolling_12_months", "persons"), "uses"] == (CountName("persons", window),)
    # the female-share trend uses every period's split of the young (it gives their sums back)
    trend_uses = set(ind.at[("period", "female_share_youth_trend"), "uses"])
    assert len(trend_uses) == 2 * analysis.cube["period"].nunique()
    # every value equals the analysis' own indicator
    for (scope, fid), row in ind.iterrows():
        assert row["value"] == analysis.results[scope][fid].value
    # a fitted value of the youth trend uses every period's young (season sums give one back)
    fitted = f.loc[(f["table"] == "youth_by_period") & (f["figure"] == "fitted_rate")]
    assert all(len(u) == len(fitted) for u in fitted["uses"])


def test_analysis_result_has_table_summary_plot(analysis: ri.Analysis) -> None:
    table = analysis.table
    assert {"scope", "period", "id", "estimate", "ci_low", "ci_high", "n"} <= set(table.columns)
    row = table.loc[(table["scope"] == "period") & (table["id"] == "persons_youth")].iloc[0]
    assert row["estimate"] == analysis.indicators["persons_youth"]["value"]
    text = analysis.summary()
    assert f"young {analysis.indicators['persons_youth']['value']}" in text
    assert "not for publication" in text
    import matplotlib

    matplotlib.use("Agg")
    ax = analysis.plot()
    assert ax.get_lines() or ax.collections  # the series is drawn


def test_a_figure_is_published_exactly_when_its_counts_are(analysis: ri.Analysis) -> None:
    """The one rule, checked against the protection itself: for every figure, published iff
    every count it uses is shown; some figures are withheld in this fixture, so both sides of
    the rule are exercised."""
    protection = protect_analysis(analysis, ledger=None)
    t = protection.table
    shown = {CountName.parse(c) for c in t.loc[t["value"].notna(), "count"]}
    hidden = {CountName.parse(c) for c in t.loc[t["value"].isna(), "count"]}
    assert hidden, "the fixture must hide some count"
    pub = Publication.of(protection)
    withheld = 0
    for uses in analysis.figures["uses"]:
        expected = all(u in shown for u in uses)
        assert pub.allows(uses) == expected
        withheld += not expected
    assert withheld > 0
    view = public_view(analysis, protection)
    # the public indicators: a value is null exactly when the rule withholds it
    ind = view.tables["indicators"]
    figures = analysis.figures.loc[analysis.figures["table"] == "indicators"]
    for (_, r), (_, f) in zip(ind.iterrows(), figures.iterrows(), strict=True):
        assert r["id"] == f["figure"]
        assert r["suppressed"] == (not pub.allows(f["uses"]))
        if r["suppressed"]:
            assert pd.isna(r["value"]) and pd.isna(r["ci_low"]) and pd.isna(r["n"])


def test_publication_rule_on_hand_made_counts() -> None:
    a = CountName.derived_count("youth_women", "2024T1")
    b = CountName.derived_count("youth_men", "2024T1")
    pub = Publication(frozenset({a}))
    assert pub.allows([a]) and pub.allows([]) and not pub.allows([a, b])
    figures = pd.DataFrame({"uses": [(a,), (a, b), ()]})
    assert pub.mask(figures).tolist() == [True, False, True]


def test_a_period_after_the_data_is_a_usage_error_and_an_incomplete_one_a_note(
    inputs: tuple[ri.Records, pd.DataFrame, ri.Config],
) -> None:
    # issue 19: a period after the latest report published zeros that were not known
    records, population, cfg = inputs
    last = records.last_date
    assert last is not None
    holding = int(assign_periods(pd.Series([pd.Timestamp(last)]), kind=cfg.period).iloc[0])
    after = Period(cfg.period, holding + 1)
    with pytest.raises(ri.UsageError, match="starts after the latest report"):
        ri.analyse(records, population, config=cfg, period=after.code)
    with pytest.raises(ri.UsageError, match="starts after the latest report"):
        ri.analyse(records, population, config=cfg, period="2030T1")
    # the analyst may say that the extract covers it (no reports at all): zeros, with a note
    known = ri.analyse(records, population, config=cfg, period=after.code,
                       allow_incomplete=True)  # fmt: skip
    assert known.indicators["persons_youth"]["value"] == 0
    assert any("before the end of" in n for n in known.notes)
