"""Gender distribution and fairness metrics that measure the goal honestly.

Pure functions over the cube (``period, area, age_band, gender, persons, reports,
population``; margins ``total``). Women are ``kvinna``, men ``man``; ``okänt`` is left out of
every share and ratio. Youth = the bands of ``config.youth_bands``.

==================================  ===========================================================
function                            figure (method)
==================================  ===========================================================
:func:`female_share`,               women / (women + men), Wilson 95% interval, any period or
:func:`female_share_youth`          rolling 12-month label (from ``indicators.slice_indicators``)
:func:`gender_rate_ratio`           women's over men's rate (reference group configurable):
                                    Katz log interval, exact conditional interval and test
:func:`benchmark_ratio_youth`       odds of the share over the odds of the benchmark share,
                                    Woolf interval, optionally with the benchmark's own error
:func:`share_change_decomposition`  change in log-odds = change in log women - change in log men
:func:`selection_rates`             fairlearn ``MetricFrame`` of selection rates by gender
:func:`fairness_coverage`           simulated coverage of the intervals at small counts
:func:`fairness_report`             everything above for an :class:`~risk_indicators.Analysis`,
                                    also by detection mode when the data have it
==================================  ===========================================================

This module bundles the figures for one analysis (:class:`FairnessResult`) and re-exports the
functions that compute them, one job per private module: shares, rate ratio, benchmark ratio
and their coverage in ``_gender_shares``; the decomposition in ``_decomposition``; the cube by
detection mode in ``_detection``; the fairlearn frames in ``_parity``.

Trend and goal live in :mod:`risk_indicators.fairness.goal`, the standardised ratios in
:mod:`risk_indicators.fairness.standardise`. All counts are treated as independent Poisson or
binomial events; police-initiated detection makes them measure police effort as much as use, and the
intervals describe chance variation only.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

import pandas as pd

from risk_indicators.config import Config
from risk_indicators.periods import Period, window_label
from risk_indicators.stats import Indicator

from ._decomposition import DecompositionResult, share_change_decomposition
from ._detection import DETECTIONS, detection_cubes, has_detection
from ._gender_shares import (
    BenchmarkResult,
    RateRatioResult,
    ShareResult,
    benchmark_ratio_youth,
    fairness_coverage,
    female_share,
    female_share_youth,
    gender_rate_ratio,
)
from ._parity import ParityResult, selection_rates
from .goal import (
    GOAL_RULE_PLAIN,
    GoalResult,
    ShareTrendResult,
    female_share_youth_trend,
    goal_status,
)
from .standardise import (
    TOTAL,
    WOMEN,
    StandardisedResult,
    float64_columns,
    standardised_rate_ratio,
    youth_label,
)

__all__ = [
    "BenchmarkResult",
    "DecompositionResult",
    "FairnessResult",
    "ParityResult",
    "RateRatioResult",
    "ShareResult",
    "benchmark_ratio_youth",
    "detection_cubes",
    "fairness_coverage",
    "fairness_report",
    "female_share",
    "female_share_youth",
    "gender_figures",
    "gender_goal_indicators",
    "gender_rate_ratio",
    "goal_indicators",
    "has_detection",
    "selection_rates",
    "share_change_decomposition",
]

_SHARED = ["period", "area", "age_band", "gender", "estimate", "ci_low", "ci_high", "n"]


# --------------------------------------------------------------------------- detection mode
def _trend_row(trend: ShareTrendResult, period: str, config: Config) -> pd.DataFrame:
    """The log-odds row of a trend's table with the shared keys and the reason."""
    return trend.table.iloc[:1].assign(period=period, area=TOTAL, age_band=youth_label(config),
                                       gender=WOMEN, reason=trend.reason)  # fmt: skip


def _by_detection(detection: pd.DataFrame, cube: pd.DataFrame, period: str,
                  config: Config) -> pd.DataFrame:  # fmt: skip
    parts = []
    for mode, frame in detection_cubes(detection, cube).items():
        if mode == TOTAL:
            continue
        figures: dict[str, pd.DataFrame] = {
            "female_share_youth": female_share_youth(frame, config=config).table,
            "rate_ratio_female_male_youth": gender_rate_ratio(frame, config=config).table,
            "benchmark_ratio_youth": benchmark_ratio_youth(frame, config=config).table,
            "rate_ratio_mantel_haenszel": standardised_rate_ratio(
                frame, period, config=config, strata=("age_band",)).table.query(
                "method == 'mantel_haenszel'"),
            "female_share_youth_trend": _trend_row(
                female_share_youth_trend(frame, period, config=config), period, config),
        }  # fmt: skip
        for name, t in figures.items():
            keep = [c for c in [*_SHARED, "p_value", "reason"] if c in t]
            parts.append(t[keep].assign(figure=name, detection=mode))
    out = pd.concat(parts, ignore_index=True)
    out = out[["figure", "detection", *[c for c in out.columns
                                        if c not in ("figure", "detection")]]]  # fmt: skip
    return float64_columns(out, "estimate", "ci_low", "ci_high", "p_value")


# --------------------------------------------------------------------------- bundle
@dataclass(frozen=True)
class FairnessResult:
    """Every gender figure of one analysis, for the report (:func:`fairness_report`)."""

    period: str
    config: Config
    shares: ShareResult
    shares_all_ages: ShareResult
    window_shares: ShareResult | None
    rate_ratio: RateRatioResult
    benchmark: BenchmarkResult
    trend: ShareTrendResult
    goal: GoalResult
    standardised: StandardisedResult
    decomposition: DecompositionResult | None
    parity: ParityResult
    by_detection: pd.DataFrame | None
    notes: tuple[str, ...] = field(default=())

    @property
    def table(self) -> pd.DataFrame:
        """The figures for P, one row each: ``figure`` and the shared columns."""
        p = self.period
        parts = {"female_share_youth": self.shares.table,
                 "female_share": self.shares_all_ages.table,
                 "rate_ratio_female_male_youth": self.rate_ratio.table,
                 "benchmark_ratio_youth": self.benchmark.table,
                 "rate_ratio_mantel_haenszel": self.standardised.table.query(
                     "method == 'mantel_haenszel'")}  # fmt: skip
        rows = [t.loc[t["period"] == p].assign(figure=k) for k, t in parts.items()]
        rows.append(
            _trend_row(self.trend, p, self.config).assign(figure="female_share_youth_trend")
        )
        out = pd.concat(rows, ignore_index=True)
        cols = ["figure", *_SHARED, "p_value", "reason"]
        return out.reindex(columns=cols)

    def report_table(self) -> pd.DataFrame:
        """The figures for P in the report's long form: ``measure, scope, group, estimate,
        ci_low, ci_high, n, p_value`` (``scope`` period or rolling_12_months, ``group`` total
        or a detection mode). Exact values: disclosure control decides what is published."""
        p, rows = self.period, []

        def add(
            measure: str,
            t: pd.DataFrame,
            scope: str = "period",
            group: str = TOTAL,
            est: str = "estimate",
            low: str = "ci_low",
            high: str = "ci_high",
        ) -> None:
            for r in t.to_dict("records"):
                rows.append({"measure": measure, "scope": scope, "group": group,
                             "estimate": r[est], "ci_low": r.get(low), "ci_high": r.get(high),
                             "n": r.get("n"), "p_value": r.get("p_value")})  # fmt: skip

        at_p = {k: t.loc[t["period"] == p] for k, t in (
            ("share", self.shares.table), ("all", self.shares_all_ages.table),
            ("rr", self.rate_ratio.table), ("bench", self.benchmark.table),
            ("mh", self.standardised.table.query("method == 'mantel_haenszel'")))}  # fmt: skip
        add("female_share_youth", at_p["share"])
        if self.window_shares is not None and len(self.window_shares.table):
            add("female_share_youth", self.window_shares.table.iloc[-1:], "rolling_12_months")
        add("female_share", at_p["all"])
        add("rate_ratio_katz", at_p["rr"])
        add("rate_ratio_exact", at_p["rr"], low="exact_ci_low", high="exact_ci_high")
        add("rate_ratio_mantel_haenszel", at_p["mh"])
        add("benchmark_ratio_youth", at_p["bench"])
        add("female_share_youth_trend", _trend_row(self.trend, p, self.config))
        h = self.parity.headline
        for m in ("demographic_parity_ratio", "demographic_parity_difference"):
            rows.append({"measure": m, "scope": "period", "group": TOTAL, "estimate": h[m]})
        if self.by_detection is not None:
            d = self.by_detection
            for mode in DETECTIONS:
                part = d.loc[(d["figure"] == "female_share_youth") & (d["detection"] == mode)
                             & (d["period"] == p)]  # fmt: skip
                add("female_share_by_detection", part, group=mode)
        out = pd.DataFrame(rows, columns=["measure", "scope", "group", "estimate", "ci_low",
                                          "ci_high", "n", "p_value"])  # fmt: skip
        out["n"] = pd.array([None if pd.isna(v) else int(v) for v in out["n"].tolist()],
                            dtype="Int64")  # fmt: skip
        return float64_columns(out, "estimate", "ci_low", "ci_high", "p_value")

    def report_goal(self) -> dict[str, Any]:
        """The ``goal`` mapping of the report: status, target, rule (sv and en), the smallest
        detectable change between two 12-month periods, benchmark and its source."""
        g = self.config.gender_goal
        return {"status": self.goal.status, "target_female_share": g.target_female_share,
                "target_period": g.target_period,
                "rule": dict(GOAL_RULE_PLAIN),
                "min_detectable_change": self.goal.detectable_change_year,
                "horizon": self.goal.horizon,
                "benchmark_female_share": g.benchmark_female_share,
                "benchmark_source": g.benchmark_source}  # fmt: skip

    def summary(self, language: Literal["sv", "en"] = "en") -> str:
        lines = [self.shares.summary(), self.rate_ratio.summary(), self.benchmark.summary(),
                 self.trend.summary(), self.goal.summary(),
                 self.standardised.summary()]  # fmt: skip
        if self.decomposition is not None:
            lines.append(self.decomposition.sentence(language))
        return "\n".join([*lines, *self.notes])

    def plot(self, ax: Any = None) -> Any:
        """The goal figure: shares, trend, projection and target."""
        return self.goal.plot(ax=ax)


def goal_indicators(result: FairnessResult) -> dict[str, Indicator]:
    """``female_share_youth_trend`` and ``goal_status`` of CONTRACT 4 as indicators.

    Both are model summaries over all periods (``uses=()``, published like the youth trend).
    ``n`` of the trend is the number of periods it uses (as ``youth_trend_annual_change``);
    ``goal_status`` has ``n`` None and a reason free of counts, so that no small 12-month
    count is published through it.
    """
    t, g = result.trend, result.goal
    return {
        "female_share_youth_trend": Indicator("female_share_youth_trend", t.estimate, t.ci_low,
                                              t.ci_high, n=t.periods, reason=t.reason, uses=()),
        "goal_status": Indicator("goal_status", g.status, None, None, n=None, reason=g.reason,
                                 uses=()),
    }  # fmt: skip


def gender_goal_indicators(
    cube: pd.DataFrame,
    period: str,
    *,
    config: Config,
    windows: pd.DataFrame | None = None,
) -> dict[str, Indicator]:
    """:func:`goal_indicators` computed from a cube alone (the trend and the goal only).

    ``windows`` (the rolling 12-month cube) gives the distinct persons of the 12 months;
    without it the periods are summed (counts mode).
    """
    t = female_share_youth_trend(cube, period, config=config)
    g = goal_status(cube, period, config=config, windows=windows)
    return {
        "female_share_youth_trend": Indicator("female_share_youth_trend", t.estimate, t.ci_low,
                                              t.ci_high, n=t.periods, reason=t.reason, uses=()),
        "goal_status": Indicator("goal_status", g.status, None, None, n=None, reason=g.reason,
                                 uses=()),
    }  # fmt: skip


def fairness_report(
    analysis: Any, *, benchmark_n: float | None = None,
    reference: Literal["man", "kvinna"] = "man",
) -> FairnessResult:  # fmt: skip
    """Every gender figure for an :class:`~risk_indicators.analysis.Analysis` (what
    :func:`gender_figures` computes from its cube, windows and detection split)."""
    return gender_figures(analysis.cube, analysis.period, config=analysis.config,
                          windows=analysis.windows, detection=getattr(analysis, "detection", None),
                          benchmark_n=benchmark_n, reference=reference)  # fmt: skip


def gender_figures(
    cube: pd.DataFrame,
    period: Period,
    *,
    config: Config,
    windows: pd.DataFrame | None = None,
    detection: pd.DataFrame | None = None,
    benchmark_n: float | None = None,
    reference: Literal["man", "kvinna"] = "man",
) -> FairnessResult:
    """Every gender figure of the cube up to ``period``.

    Shares per period and per rolling 12 months, the rate ratio, the benchmark ratio, the
    trend and goal status, crude and standardised ratios, the decomposition of the change
    from the 12 months a year earlier (from the same period a year earlier without windows),
    fairlearn selection rates, and, when the data have detection modes, the figures by mode.
    """
    code = period.code
    notes: list[str] = []
    decomposition = None
    pairs = []
    if windows is not None:
        pairs.append((windows, window_label(period.shift(-period.freq)), window_label(period)))
    pairs.append((cube, period.shift(-period.freq).code, code))
    for frame, start, end in pairs:
        if start in set(frame["period"]) and end in set(frame["period"]):
            decomposition = share_change_decomposition(frame, start, end, config=config)
            break
    known = has_detection(detection)
    if detection is not None and not known:
        notes.append("No detection modes in the data: figures by detection mode are left out.")
    # the goal fits the female-share trend (same defaults): fitted once, used twice
    goal = goal_status(cube, code, config=config, windows=windows)
    return FairnessResult(
        period=code,
        config=config,
        shares=female_share_youth(cube, config=config),
        shares_all_ages=female_share(cube, config=config),
        window_shares=female_share_youth(windows, config=config) if windows is not None else None,
        rate_ratio=gender_rate_ratio(cube, config=config, reference=reference),
        benchmark=benchmark_ratio_youth(cube, config=config, benchmark_n=benchmark_n),
        trend=goal.trend,
        goal=goal,
        standardised=standardised_rate_ratio(cube, code, config=config, reference=reference),
        decomposition=decomposition,
        parity=selection_rates(cube, config=config, detection=detection if known else None),
        by_detection=_by_detection(detection, cube, code, config)
        if known and detection is not None
        else None,
        notes=tuple(notes),
    )
