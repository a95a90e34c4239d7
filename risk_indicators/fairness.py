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

Trend and goal live in :mod:`risk_indicators.goal`, the standardised ratios in
:mod:`risk_indicators.standardise`. All counts are treated as independent Poisson or binomial
events; police-initiated detection makes them measure police effort as much as use, and the
intervals describe chance variation only.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd
from statsmodels.stats import rates as sm_rates

from .config import Config
from .errors import UsageError
from .goal import (
    GOAL_RULE_EN,
    GOAL_RULE_SV,
    GoalResult,
    ShareTrendResult,
    female_share_youth_trend,
    goal_status,
)
from .indicators import Indicator, slice_indicators
from .rates import odds_ratio_to_benchmark, rate_ratio_table, wilson_table
from .standardise import (
    COLOURS,
    MEN,
    TOTAL,
    WOMEN,
    StandardisedResult,
    float64_columns,
    gender_counts,
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
    "fairness_indicators",
    "fairness_report",
    "female_share",
    "female_share_youth",
    "gender_goal_indicators",
    "gender_rate_ratio",
    "has_detection",
    "selection_rates",
    "share_change_decomposition",
]

DETECTIONS = ("polisinitierad", "anmalan", "okand")
_SHARED = ["period", "area", "age_band", "gender", "estimate", "ci_low", "ci_high", "n"]


def _labels(cube: pd.DataFrame, period: str | None, func: str) -> list[str]:
    labels = [str(p) for p in dict.fromkeys(cube["period"])]
    if period is None:
        return labels
    if period not in labels:
        raise UsageError(f"The period {period!r} given to {func} is not in the cube.")
    return [period]


def _women_men(counts: pd.DataFrame) -> dict[str, tuple[int, int]]:
    """``{label: (women, men)}`` from :func:`gender_counts`."""
    return {str(p): (int(w), int(m)) for p, w, m in zip(
        counts["period"].tolist(), counts["women"].tolist(), counts["men"].tolist(),
        strict=True)}  # fmt: skip


def _errorbars(ax: Any, x: np.ndarray, t: pd.DataFrame, colour: str, label: str) -> None:
    est = t["estimate"].to_numpy(float, na_value=np.nan)
    low = t["ci_low"].to_numpy(float, na_value=np.nan)
    high = t["ci_high"].to_numpy(float, na_value=np.nan)
    ax.errorbar(x, est, yerr=[est - low, high - est], fmt="o", ms=4, color=colour, label=label)


# --------------------------------------------------------------------------- shares
@dataclass(frozen=True)
class ShareResult:
    """Female share per period (or window) label: ``table`` with ``women, men, reason``."""

    table: pd.DataFrame
    youth: bool
    target: float | None = None

    def summary(self) -> str:
        r = self.table.iloc[-1]
        who = "young persons" if self.youth else "persons"
        if pd.isna(r["estimate"]):
            return f"Female share among reported {who}, {r['period']}: {r['reason']}"
        return (f"Female share among reported {who}, {r['period']}: {r['estimate']:.1%} (95% "
                f"CI {r['ci_low']:.1%}-{r['ci_high']:.1%}; {r['women']} of {r['n']})")  # fmt: skip

    def plot(self, ax: Any = None) -> Any:
        """Share with Wilson intervals per label; the target as a dashed line."""
        import matplotlib.pyplot as plt

        if ax is None:
            _, ax = plt.subplots(figsize=(7, 3.5))
        x = np.arange(len(self.table))
        _errorbars(ax, x, self.table, COLOURS[WOMEN], "female share")
        if self.target is not None:
            ax.axhline(self.target, color=COLOURS["standardised"], ls="--", label="target")
        ax.set_xticks(x, list(self.table["period"]), rotation=90)
        ax.set_ylim(0, 1)
        ax.set_ylabel("female share")
        ax.legend(fontsize=8, frameon=False)
        return ax


def female_share(
    cube: pd.DataFrame, period: str | None = None, *, config: Config, youth: bool = False
) -> ShareResult:
    """Women / (women + men) among reported persons, Wilson 95% interval (CONTRACT 4).

    The values are those of :func:`risk_indicators.indicators.slice_indicators`
    (``female_share`` or, with ``youth=True``, ``female_share_youth``) for one label, or for
    every label of the cube when ``period`` is None; works on the period cube and on the
    rolling 12-month window cube alike.
    """
    key = "female_share_youth" if youth else "female_share"
    labels = _labels(cube, period, "female_share")
    counts = _women_men(gender_counts(cube, config=config, youth=youth, periods=labels))
    rows = []
    # one period's rows at a time: slice_indicators filters its input once per count
    parts = dict(tuple(cube.loc[cube["period"].isin(labels)].groupby("period", sort=False)))
    for label in labels:
        ind = slice_indicators(parts[label], label, config=config)[key]
        rows.append({"period": label, "area": TOTAL,
                     "age_band": youth_label(config) if youth else TOTAL, "gender": WOMEN,
                     "estimate": ind.value, "ci_low": ind.ci_low, "ci_high": ind.ci_high,
                     "n": int(ind.n or 0), "women": counts[label][0], "men": counts[label][1],
                     "reason": ind.reason})  # fmt: skip
    table = float64_columns(pd.DataFrame(rows), "estimate", "ci_low", "ci_high")
    return ShareResult(table, youth, config.gender_goal.target_female_share if youth else None)


def female_share_youth(
    cube: pd.DataFrame, period: str | None = None, *, config: Config
) -> ShareResult:
    """``female_share_youth``: :func:`female_share` among young persons."""
    return female_share(cube, period, config=config, youth=True)


# --------------------------------------------------------------------------- rate ratio
@dataclass(frozen=True)
class RateRatioResult:
    """Rate ratio of one gender over the ``reference`` gender per label.

    ``table``: the shared columns (``gender`` = numerator; ``ci_low, ci_high`` Katz),
    ``exact_ci_low, exact_ci_high`` (exact conditional), ``p_value`` (exact conditional test
    of ratio 1), ``count, reference_count, population, reference_population, reference,
    reason``.
    """

    table: pd.DataFrame
    reference: str

    def summary(self) -> str:
        r = self.table.iloc[-1]
        head = f"Rate ratio {r['gender']}/{self.reference}, {r['period']}: "
        if pd.isna(r["estimate"]):
            return head + str(r["reason"])
        katz = ("" if pd.isna(r["ci_low"]) else
                f"Katz 95% CI {r['ci_low']:.3f}-{r['ci_high']:.3f}, ")  # fmt: skip
        return head + (f"{r['estimate']:.3f} ({katz}exact {r['exact_ci_low']:.3f}-"
                       f"{r['exact_ci_high']:.3f}, exact p = {r['p_value']:.3g})")  # fmt: skip

    def plot(self, ax: Any = None) -> Any:
        """Ratio with Katz intervals per label, log scale; 1 = equal rates."""
        import matplotlib.pyplot as plt

        if ax is None:
            _, ax = plt.subplots(figsize=(7, 3.5))
        x = np.arange(len(self.table))
        _errorbars(ax, x, self.table, COLOURS[WOMEN], f"rate ratio vs {self.reference}")
        ax.axhline(1.0, color="grey", ls="--", lw=1)
        ax.set_yscale("log")
        ax.set_xticks(x, list(self.table["period"]), rotation=90)
        ax.legend(fontsize=8, frameon=False)
        return ax


def gender_rate_ratio(
    cube: pd.DataFrame,
    period: str | None = None,
    *,
    config: Config,
    reference: Literal["man", "kvinna"] = "man",
    youth: bool = True,
    alpha: float = 0.05,
) -> RateRatioResult:
    """Women's rate over men's (relative rate index), each per population of its gender.

    ``(a/N1) / (b/N0)``; Katz log interval ``log RR +- z*sqrt(1/a + 1/b)`` (the contract's
    ``rate_ratio_female_male_youth``), the exact conditional interval (Clopper-Pearson for
    ``a`` given ``a + b``, :func:`risk_indicators.rates.rate_ratio_exact`) and the exact
    conditional two-sided p-value of ratio 1 from
    ``statsmodels.stats.rates.test_poisson_2indep(a, N1, b, N0, method="exact-cond")``. Use
    the exact interval when either count is below about 10. ``reference="kvinna"`` gives
    men's rate over women's.
    """
    func = "gender_rate_ratio"
    if reference not in (MEN, WOMEN):
        raise UsageError(f"The 'reference' parameter of {func} must be one of 'kvinna', 'man'. "
                         f"Got {reference!r} instead.")  # fmt: skip
    labels = _labels(cube, period, func)
    c = gender_counts(cube, config=config, youth=youth, periods=labels)
    num, den = ("women", "men") if reference == MEN else ("men", "women")
    a, b = c[num].to_numpy(float), c[den].to_numpy(float)
    p1 = c[f"pop_{num}"].fillna(0).to_numpy(float)
    p0 = c[f"pop_{den}"].fillna(0).to_numpy(float)
    katz = rate_ratio_table(a, p1, b, p0, method="katz", alpha=alpha)
    exact = rate_ratio_table(a, p1, b, p0, method="exact", alpha=alpha)
    pvals: list[float | None] = []
    for ai, bi, n1, n0 in zip(a, b, p1, p0, strict=True):
        if not (ai + bi > 0 and n1 > 0 and n0 > 0):
            pvals.append(None)
            continue
        with np.errstate(divide="ignore", invalid="ignore"):  # its ratio when bi = 0
            test = sm_rates.test_poisson_2indep(int(ai), n1, int(bi), n0, method="exact-cond")
        pvals.append(float(test.pvalue))
    table = pd.DataFrame({
        "period": c["period"], "area": TOTAL,
        "age_band": youth_label(config) if youth else TOTAL,
        "gender": WOMEN if reference == MEN else MEN,
        "estimate": katz["estimate"].array, "ci_low": katz["ci_low"].array,
        "ci_high": katz["ci_high"].array, "n": katz["n"].to_numpy(),
        "p_value": pd.array(pvals, dtype="Float64"),
        "exact_ci_low": exact["ci_low"].array, "exact_ci_high": exact["ci_high"].array,
        "count": a.astype(np.int64), "reference_count": b.astype(np.int64),
        "population": c[f"pop_{num}"].astype("Float64").array,
        "reference_population": c[f"pop_{den}"].astype("Float64").array,
        "reference": reference, "reason": katz["reason"].to_numpy(),
    })  # fmt: skip
    return RateRatioResult(table, reference)


# --------------------------------------------------------------------------- benchmark
@dataclass(frozen=True)
class BenchmarkResult:
    """``benchmark_ratio_youth`` per label; 1 = women reported in the proportion they are
    found among young users (the survey benchmark named in ``source``)."""

    table: pd.DataFrame
    benchmark_share: float
    source: str
    benchmark_n: float | None

    def summary(self) -> str:
        r = self.table.iloc[-1]
        err = ("treated as exact" if self.benchmark_n is None
               else f"with its sampling error (n = {self.benchmark_n:g})")  # fmt: skip
        head = (f"Benchmark ratio {r['period']} against a female share of "
                f"{self.benchmark_share:.0%} among young users ({self.source}; "
                f"{err}): ")  # fmt: skip
        if pd.isna(r["estimate"]):
            return head + str(r["reason"])
        if pd.isna(r["ci_low"]):
            return head + f"{r['estimate']:.3f} ({r['reason']})"
        return head + f"{r['estimate']:.3f} (95% CI {r['ci_low']:.3f}-{r['ci_high']:.3f})"

    def plot(self, ax: Any = None) -> Any:
        """Odds ratio to the benchmark per label, log scale; 1 = as among users."""
        import matplotlib.pyplot as plt

        if ax is None:
            _, ax = plt.subplots(figsize=(7, 3.5))
        x = np.arange(len(self.table))
        _errorbars(ax, x, self.table, COLOURS[WOMEN], "odds ratio to benchmark")
        ax.axhline(1.0, color="grey", ls="--", lw=1)
        ax.set_yscale("log")
        ax.set_xticks(x, list(self.table["period"]), rotation=90)
        return ax


def benchmark_ratio_youth(
    cube: pd.DataFrame,
    period: str | None = None,
    *,
    config: Config,
    benchmark_n: float | None = None,
    alpha: float = 0.05,
) -> BenchmarkResult:
    """Odds of ``female_share_youth`` over the odds of ``benchmark_female_share`` (CONTRACT 4).

    Woolf interval ``log OR +- z*sqrt(1/k + 1/(n-k) + v_b)``
    (:func:`risk_indicators.rates.odds_ratio_to_benchmark`). The benchmark is a survey
    estimate; with ``benchmark_n`` (the survey's number of young users) its sampling
    variance on the log-odds scale, ``v_b = 1/(s*m) + 1/((1-s)*m)``, is added, which widens
    the interval honestly. Without it the benchmark is treated as exact (``v_b = 0``), as in
    ``indicators.json``. The benchmark's source text (``gender_goal.benchmark_source``) goes
    with the result.
    """
    labels = _labels(cube, period, "benchmark_ratio_youth")
    c = gender_counts(cube, config=config, periods=labels)
    s = config.gender_goal.benchmark_female_share
    rows = []
    for label, (w, m) in _women_men(c).items():
        e = odds_ratio_to_benchmark(w, w + m, s, alpha=alpha, benchmark_n=benchmark_n)
        rows.append({"period": label, "area": TOTAL, "age_band": youth_label(config),
                     "gender": WOMEN, "estimate": e.estimate, "ci_low": e.ci_low,
                     "ci_high": e.ci_high, "n": e.n, "women": w, "men": m,
                     "benchmark_share": s, "reason": e.reason})  # fmt: skip
    table = float64_columns(pd.DataFrame(rows), "estimate", "ci_low", "ci_high")
    return BenchmarkResult(table, s, config.gender_goal.benchmark_source, benchmark_n)


# --------------------------------------------------------------------------- decomposition
def _num(x: float, language: str, digits: int = 2, sign: bool = True) -> str:
    text = f"{x:+.{digits}f}" if sign else f"{x:.{digits}f}"
    return text.replace(".", ",").replace("-", "−") if language == "sv" else text


def _pct(x: float, language: str) -> str:
    return f"{_num(100 * x, language, 1, sign=False)} %" if language == "sv" else f"{x:.1%}"


@dataclass(frozen=True)
class DecompositionResult:
    """Change in the log-odds of the female share between two labels, split by gender.

    ``change = from_women + from_men`` exactly, with ``from_women = log(W1/W0)`` (more women
    reported) and ``from_men = -log(M1/M0)`` (fewer men reported). None, with ``reason``, when
    a count is 0 (log 0 is not defined); ``zero`` then names the gender and label.
    """

    start: str
    end: str
    women: tuple[int, int]
    men: tuple[int, int]
    change: float | None
    from_women: float | None
    from_men: float | None
    reason: str
    youth: bool
    zero: tuple[str, str] | None = None

    @property
    def table(self) -> pd.DataFrame:
        (w0, w1), (m0, m1) = self.women, self.men
        out = pd.DataFrame({"component": ["women", "men", "log_odds"],
                            "estimate": [self.from_women, self.from_men, self.change],
                            "start_count": [w0, m0, w0 + m0],
                            "end_count": [w1, m1, w1 + m1]})  # fmt: skip
        return float64_columns(out, "estimate").assign(
            start=self.start, end=self.end, reason=self.reason
        )

    def sentence(self, language: Literal["sv", "en"] = "en") -> str:
        """The decomposition in one sentence, Swedish (``sv``) or English (``en``)."""
        (w0, w1), (m0, m1) = self.women, self.men
        sv = language == "sv"
        who = ("unga " if self.youth else "") if sv else ("young " if self.youth else "")
        fw, fm, ch = self.from_women, self.from_men, self.change
        if fw is None or fm is None or ch is None or w0 + m0 == 0 or w1 + m1 == 0:
            if not sv:
                return f"Change in the female share {self.start}-{self.end}: {self.reason}."
            gender, label = self.zero or ("women", self.start)
            kon = "kvinnor" if gender == "women" else "män"
            return (f"Förändringen av andelen kvinnor {self.start}–{self.end}: inte definierad, "
                    f"inga {who}{kon} anmäldes {label}, så förändringen i log-odds kräver "
                    "log(0).")  # fmt: skip
        s0, s1 = w0 / (w0 + m0), w1 / (w1 + m1)
        if sv:
            w_txt = "fler" if w1 > w0 else "färre" if w1 < w0 else "lika många"
            m_txt = "färre" if m1 < m0 else "fler" if m1 > m0 else "lika många"
            return (f"Andelen kvinnor bland {who}anmälda personer gick från {_pct(s0, 'sv')} "
                    f"({w0} av {w0 + m0}) {self.start} till {_pct(s1, 'sv')} ({w1} av {w1 + m1}) "
                    f"{self.end}; förändringen i log-odds, {_num(ch, 'sv')}, består av "
                    f"{_num(fw, 'sv')} för att {w_txt} kvinnor anmäldes ({w0} → {w1}) och "
                    f"{_num(fm, 'sv')} för att {m_txt} män anmäldes ({m0} → {m1}).")  # fmt: skip
        w_txt = "more" if w1 > w0 else "fewer" if w1 < w0 else "the same number of"
        m_txt = "fewer" if m1 < m0 else "more" if m1 > m0 else "the same number of"
        return (f"The female share among {who}reported persons went from {_pct(s0, 'en')} "
                f"({w0} of {w0 + m0}) in {self.start} to {_pct(s1, 'en')} ({w1} of {w1 + m1}) "
                f"in {self.end}; the change in log-odds, {_num(ch, 'en')}, is {_num(fw, 'en')} "
                f"because {w_txt} women were reported ({w0} → {w1}) and {_num(fm, 'en')} "
                f"because {m_txt} men were reported ({m0} → {m1}).")  # fmt: skip

    def summary(self) -> str:
        return self.sentence("en")

    def plot(self, ax: Any = None) -> Any:
        """Bars: contribution of women, of men, and the total change in log-odds."""
        import matplotlib.pyplot as plt

        if ax is None:
            _, ax = plt.subplots(figsize=(4, 3))
        if self.change is not None:
            ax.bar(["women", "men", "change"], [self.from_women, self.from_men, self.change],
                   color=[COLOURS[WOMEN], COLOURS[MEN], "black"])  # fmt: skip
        ax.axhline(0, color="grey", lw=1)
        ax.set_ylabel("change in log-odds of the female share")
        ax.set_title(f"{self.start} to {self.end}", fontsize=8)
        return ax


def share_change_decomposition(
    cube: pd.DataFrame, start: str, end: str, *, config: Config, youth: bool = True
) -> DecompositionResult:
    """Split the change in the female share between two labels into women and men.

    The log-odds of the share are ``log W - log M``, so
    ``logit(s1) - logit(s0) = log(W1/W0) - log(M1/M0)``: the first term is the part due to
    more (or fewer) women reported, the second, with its sign flipped, the part due to fewer
    (or more) men reported. The two parts add up to the change exactly (the change is defined
    as their sum). Both labels must be in ``cube`` (two periods, or two windows of the window
    cube). Any count of 0 makes the split not defined (log 0), said in ``reason``.
    """
    for label in (start, end):
        _labels(cube, label, "share_change_decomposition")
    c = _women_men(gender_counts(cube, config=config, youth=youth, periods=[start, end]))
    w, m = (c[start][0], c[end][0]), (c[start][1], c[end][1])
    young = "young " if youth else ""
    for counts, who in ((w, "women"), (m, "men")):
        for value, label in zip(counts, (start, end), strict=True):
            if value == 0:
                reason = (f"not defined: no {young}{who} were reported in {label}, so the change "
                          "in log-odds needs log(0)")  # fmt: skip
                return DecompositionResult(start, end, w, m, None, None, None, reason, youth,
                                           (who, label))  # fmt: skip
    from_women = math.log(w[1]) - math.log(w[0])
    from_men = -(math.log(m[1]) - math.log(m[0]))
    return DecompositionResult(start, end, w, m, from_women + from_men, from_women, from_men,
                               "", youth)  # fmt: skip


# --------------------------------------------------------------------------- detection mode
def detection_cubes(detection: pd.DataFrame, cube: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """One cube per detection mode (and ``total``), shaped like the main cube.

    ``persons`` and ``reports`` come from ``detection`` (``Analysis.detection``); ``area`` is
    ``total``; ``population`` is that of the same period, age band and gender in the main
    cube, so a rate by mode is the persons found that way per inhabitant. Every function of
    this module then works per mode; a share by mode is women / (women + men) among the
    persons found that way.
    """
    pop = cube.loc[cube["area"] == TOTAL, ["period", "age_band", "gender", "population"]]
    out = {}
    for mode in (*DETECTIONS, TOTAL):
        part = detection.loc[detection["detection"] == mode].drop(columns="detection")
        part = part.assign(area=TOTAL).merge(pop, on=["period", "age_band", "gender"], how="left")
        out[mode] = part[["period", "area", "age_band", "gender", "persons", "reports",
                          "population"]]  # fmt: skip
    return out


def has_detection(detection: pd.DataFrame | None) -> bool:
    """True when some person has a known detection mode (not only ``okand``)."""
    if detection is None:
        return False
    known = detection["detection"].isin(DETECTIONS[:2]) & (detection["gender"] == TOTAL)
    return bool(detection.loc[known & (detection["age_band"] == TOTAL), "persons"].sum() > 0)


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


# --------------------------------------------------------------------------- fairlearn
@dataclass(frozen=True)
class ParityResult:
    """Selection rates by gender from a fairlearn ``MetricFrame`` over the cube.

    Attributes
    ----------
    frame
        The ``MetricFrame`` (metric ``selection_rate``; sensitive feature gender; control
        features period, age band and, when given, detection mode).
    table
        One row per group: ``period, age_band, [detection], gender, estimate`` (fairlearn's
        selection rate), Wilson ``ci_low, ci_high``, ``n`` (population) and ``persons``.
    parity
        One row per control group: fairlearn's ``ratio`` (min/max) and ``difference``
        (max-min), and analytic intervals from :mod:`risk_indicators.rates`: the women/men
        ``rate_ratio`` with its Katz interval and the ``rate_difference`` (women - men) with
        the Newcombe hybrid score interval; ``reason`` where a ratio is not defined.
    overall
        Per period, youth bands (and modes) pooled: the parity ratio and difference of a
        ``MetricFrame`` with period as the only control feature.
    headline
        The last period's ``demographic_parity_ratio`` and ``demographic_parity_difference``
        from the fairlearn functions themselves (``sample_weight`` passed).
    """

    frame: Any
    table: pd.DataFrame
    parity: pd.DataFrame
    overall: pd.DataFrame
    headline: dict[str, Any]

    def summary(self) -> str:
        h = self.headline
        ratio = h["demographic_parity_ratio"]
        text = "not defined (no one reported)" if ratio is None else f"{ratio:.3f}"
        return (f"Demographic parity {h['period']} (selection = reported per inhabitant): "
                f"ratio {text}, difference {h['demographic_parity_difference']:.2e}")  # fmt: skip

    def plot(self, ax: Any = None) -> Any:
        """Demographic parity ratio per period (1 = equal selection rates)."""
        import matplotlib.pyplot as plt

        if ax is None:
            _, ax = plt.subplots(figsize=(7, 3))
        x = np.arange(len(self.overall))
        ax.plot(x, self.overall["demographic_parity_ratio"].to_numpy(float, na_value=np.nan),
                "o-", color=COLOURS[WOMEN])  # fmt: skip
        ax.set_xticks(x, list(self.overall["period"]), rotation=90)
        ax.set_ylim(0, 1.05)
        ax.set_ylabel("demographic parity ratio")
        return ax


def _parity_cells(cube: pd.DataFrame, config: Config,
                  detection: pd.DataFrame | None) -> tuple[pd.DataFrame, list[str]]:  # fmt: skip
    controls = ["period", "age_band"]
    if detection is not None:
        frames = detection_cubes(detection, cube)
        cells = pd.concat([frames[m].assign(detection=m) for m in DETECTIONS], ignore_index=True)
        controls.append("detection")
    else:
        cells = cube.loc[cube["area"] == TOTAL]
    cells = cells.loc[cells["age_band"].isin(config.youth_bands)
                      & cells["gender"].isin([WOMEN, MEN])]  # fmt: skip
    pop = pd.to_numeric(cells["population"], errors="coerce")
    # a cell without population, or with more persons than inhabitants, has no rate
    cells = cells.loc[(pop > 0) & (cells["persons"] <= pop)].reset_index(drop=True)
    cells = cells.assign(population=pd.to_numeric(cells["population"]).astype(np.int64))
    keys = [*controls, "gender"]
    return cells.astype({k: str for k in keys}), controls


def _metric_frame(y: np.ndarray, w: np.ndarray, gender: pd.Series,
                  controls: pd.DataFrame) -> Any:  # fmt: skip
    from fairlearn.metrics import MetricFrame, selection_rate

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # 0/0 rates of groups with no one reported
        return MetricFrame(metrics={"selection_rate": selection_rate}, y_true=y, y_pred=y,
                           sensitive_features=gender, control_features=controls,
                           sample_params={"selection_rate": {"sample_weight": w}})  # fmt: skip


def selection_rates(
    cube: pd.DataFrame, *, config: Config, detection: pd.DataFrame | None = None
) -> ParityResult:
    """fairlearn ``MetricFrame`` of selection rates (reported per inhabitant) by gender.

    Each youth cell (period x youth band x gender, all areas; with ``detection`` also x mode,
    the population being that of the age and gender cell) becomes two weighted rows:
    reported (``y = 1``, weight ``persons``) and not reported (``y = 0``, weight
    ``population - persons``); the weights reach ``selection_rate`` through
    ``sample_params={"selection_rate": {"sample_weight": w}}``, so each group's rate is
    exactly ``persons / population``. Cells without population are left out.

    fairlearn's bootstrap intervals (``n_boot``) are NOT used: they resample these weighted
    rows (cells), not persons, so they describe no real sampling variation. The intervals
    are analytic, from the counts: Wilson for each rate, Katz for the women/men ratio,
    Newcombe for the difference. fairlearn's ratio (min/max) and difference (max-min) have no
    direction; the analytic columns say which gender is higher.
    """
    from fairlearn.metrics import demographic_parity_difference, demographic_parity_ratio
    from statsmodels.stats.proportion import confint_proportions_2indep

    cells, controls = _parity_cells(cube, config, detection)
    rows = cells.loc[np.repeat(np.arange(len(cells)), 2)].reset_index(drop=True)
    y = np.tile([1, 0], len(cells))
    w = np.where(y == 1, rows["persons"], rows["population"] - rows["persons"]).astype(float)
    mf = _metric_frame(y, w, rows["gender"], rows[controls])
    rates = mf.by_group["selection_rate"].rename("estimate").reset_index()
    rates.columns = [*controls, "gender", "estimate"]
    table = rates.merge(cells[[*controls, "gender", "persons", "population"]],
                        on=[*controls, "gender"], how="left")  # fmt: skip
    wil = wilson_table(table["persons"], table["population"])
    table = table.assign(ci_low=wil["ci_low"].to_numpy(), ci_high=wil["ci_high"].to_numpy(),
                         n=table["population"])  # fmt: skip
    wide = table.pivot_table(index=controls, columns="gender", values=["persons", "population"],
                             aggfunc="sum", sort=False).dropna()  # fmt: skip
    a, n1 = wide[("persons", WOMEN)].to_numpy(float), wide[("population", WOMEN)].to_numpy(float)
    b, n0 = wide[("persons", MEN)].to_numpy(float), wide[("population", MEN)].to_numpy(float)
    rr = rate_ratio_table(a, n1, b, n0)
    diff = np.array([
        confint_proportions_2indep(ai, ni, bi, mi, method="newcomb", compare="diff")
        for ai, ni, bi, mi in zip(a, n1, b, n0, strict=True)
    ]).reshape(-1, 2)  # fmt: skip
    analytic = wide.index.to_frame(index=False).assign(
        rate_ratio=rr["estimate"].to_numpy(), rr_ci_low=rr["ci_low"].to_numpy(),
        rr_ci_high=rr["ci_high"].to_numpy(), rate_difference=a / n1 - b / n0,
        diff_ci_low=diff[:, 0], diff_ci_high=diff[:, 1],
        reason=rr["reason"].to_numpy())  # fmt: skip
    parity = pd.DataFrame(
        {"ratio": mf.ratio()["selection_rate"], "difference": mf.difference()["selection_rate"]}
    )
    parity = parity.reset_index()
    parity.columns = [*controls, "ratio", "difference"]
    parity = float64_columns(parity.merge(analytic, on=controls, how="left"), "ratio", "difference",
                       "rate_ratio", "rr_ci_low", "rr_ci_high", "rate_difference",
                       "diff_ci_low", "diff_ci_high")  # fmt: skip
    by_period = _metric_frame(y, w, rows["gender"], rows[["period"]])
    overall = float64_columns(pd.DataFrame({
        "demographic_parity_ratio": by_period.ratio()["selection_rate"],
        "demographic_parity_difference": by_period.difference()["selection_rate"],
    }).reset_index(), "demographic_parity_ratio", "demographic_parity_difference")  # fmt: skip
    last_label = str(overall["period"].iloc[-1]) if len(overall) else ""
    last = (rows["period"] == last_label).to_numpy()
    headline: dict[str, Any] = {"period": last_label, "demographic_parity_ratio": None,
                                "demographic_parity_difference": None}  # fmt: skip
    if last.any():
        kw = {"sensitive_features": rows.loc[last, "gender"], "sample_weight": w[last]}
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ratio = float(demographic_parity_ratio(y[last], y[last], **kw))
            headline["demographic_parity_difference"] = float(
                demographic_parity_difference(y[last], y[last], **kw)
            )
        headline["demographic_parity_ratio"] = ratio if math.isfinite(ratio) else None
    return ParityResult(mf, float64_columns(table, "estimate"), parity, overall, headline)


# --------------------------------------------------------------------------- coverage
def fairness_coverage(
    replicates: int = 2000,
    *,
    seed: int = 0,
    expected_women: tuple[float, ...] = (1, 2, 5, 10),
    expected_men: tuple[float, ...] = (20, 50),
    population_women: float = 3_890,
    population_men: float = 4_100,
    alpha: float = 0.05,
) -> pd.DataFrame:
    """Simulated 95% interval coverage of the women/men rate ratio and the female share.

    Young women ~ Poisson(``expected_women``) and young men ~ Poisson(``expected_men``) with
    fixed populations; the true rate ratio is ``(ew/Nw)/(em/Nm)`` and the true share, given
    the total, ``ew/(ew+em)``. For each pair: the Katz and exact conditional ratio intervals
    and the Wilson share interval. ``coverage`` is among replicates where the interval is
    defined (``defined`` of ``replicates``), as the validation study reports it;
    ``coverage_all`` counts an undefined interval as a miss. Expected counts below 5 show where
    the Katz interval fails to exist or to cover.

    Returns
    -------
    pandas.DataFrame
        ``study, estimator, mu0, effect, truth, replicates, defined, mean_estimate, bias,
        coverage, coverage_mcse, coverage_all, expected_women, expected_men, setting``.
    """
    if not (isinstance(replicates, int) and replicates >= 1):
        raise UsageError(f"The 'replicates' parameter of fairness_coverage must be a positive "
                         f"integer. Got {replicates!r} instead.")  # fmt: skip
    rng = np.random.default_rng(seed)
    rows = []
    for ew in expected_women:
        for em in expected_men:
            a, b = rng.poisson(ew, replicates), rng.poisson(em, replicates)
            rr = (ew / population_women) / (em / population_men)
            share = ew / (ew + em)
            cells = [
                ("rate_ratio_katz", rr, rate_ratio_table(a, population_women, b, population_men,
                                                         method="katz", alpha=alpha)),
                ("rate_ratio_exact", rr, rate_ratio_table(a, population_women, b,
                                                          population_men, method="exact",
                                                          alpha=alpha)),
                ("female_share_wilson", share, wilson_table(a, a + b, alpha=alpha)),
            ]  # fmt: skip
            for name, truth, t in cells:
                ok = t["ci_low"].notna().to_numpy() & t["ci_high"].notna().to_numpy()
                low = t["ci_low"].to_numpy(float, na_value=np.nan)[ok]
                high = t["ci_high"].to_numpy(float, na_value=np.nan)[ok]
                est = t["estimate"].to_numpy(float, na_value=np.nan)[ok]
                hit = (low <= truth) & (truth <= high)
                cov = float(hit.mean()) if ok.any() else math.nan
                rows.append({"study": "fairness", "estimator": name, "mu0": float(em),
                             "effect": float(ew), "truth": truth, "replicates": replicates,
                             "defined": int(ok.sum()),
                             "mean_estimate": float(est.mean()) if ok.any() else math.nan,
                             "bias": float(est.mean() - truth) if ok.any() else math.nan,
                             "coverage": cov,
                             "coverage_mcse": math.sqrt(cov * (1 - cov) / ok.sum())
                             if ok.any() else math.nan,
                             "coverage_all": float(hit.sum() / replicates),
                             "expected_women": float(ew), "expected_men": float(em),
                             "setting": f"women expect {ew:g}, men {em:g}"})  # fmt: skip
    return pd.DataFrame(rows)


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
                "rule": {"sv": GOAL_RULE_SV, "en": GOAL_RULE_EN},
                "min_detectable_change": self.goal.detectable_change_year,
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


def _analysis_parts(analysis: Any) -> tuple[pd.DataFrame, str, Config, pd.DataFrame | None]:
    return analysis.cube, analysis.period.code, analysis.config, analysis.windows


def gender_goal_indicators(
    cube: pd.DataFrame,
    period: str,
    *,
    config: Config,
    windows: pd.DataFrame | None = None,
) -> dict[str, Indicator]:
    """``female_share_youth_trend`` and ``goal_status`` of CONTRACT 4 as indicators.

    Both are model summaries over all periods (``uses=()``, published like the youth trend).
    ``n`` of the trend is the number of periods it uses (as ``youth_trend_annual_change``);
    ``goal_status`` has ``n`` None and a reason free of counts, so that no small 12-month
    count is published through it. ``windows`` (the rolling 12-month cube) gives the distinct
    persons of the 12 months; without it the periods are summed (counts mode).
    """
    t = female_share_youth_trend(cube, period, config=config)
    g = goal_status(cube, period, config=config, windows=windows)
    return {
        "female_share_youth_trend": Indicator("female_share_youth_trend", t.estimate, t.ci_low,
                                              t.ci_high, n=t.periods, reason=t.reason, uses=()),
        "goal_status": Indicator("goal_status", g.status, None, None, n=None, reason=g.reason,
                                 uses=()),
    }  # fmt: skip


def fairness_indicators(analysis: Any) -> dict[str, Indicator]:
    """:func:`gender_goal_indicators` for an :class:`~risk_indicators.analysis.Analysis`."""
    cube, period, config, windows = _analysis_parts(analysis)
    return gender_goal_indicators(cube, period, config=config, windows=windows)


def fairness_report(
    analysis: Any, *, benchmark_n: float | None = None,
    reference: Literal["man", "kvinna"] = "man",
) -> FairnessResult:  # fmt: skip
    """Every gender figure for an :class:`~risk_indicators.analysis.Analysis`.

    Shares per period and per rolling 12 months, the rate ratio, the benchmark ratio, the
    trend and goal status, crude and standardised ratios, the decomposition of the change
    from the 12 months a year earlier (from the same period a year earlier without windows),
    fairlearn selection rates, and, when the data have detection modes, the figures by mode.
    """
    cube, period, config, windows = _analysis_parts(analysis)
    detection = getattr(analysis, "detection", None)
    notes: list[str] = []
    p = analysis.period
    decomposition = None
    win = windows if windows is not None else None
    pairs = []
    if win is not None:
        from .periods import window_label

        pairs.append((win, window_label(p.shift(-p.freq)), window_label(p)))
    pairs.append((cube, p.shift(-p.freq).code, period))
    for frame, start, end in pairs:
        if start in set(frame["period"]) and end in set(frame["period"]):
            decomposition = share_change_decomposition(frame, start, end, config=config)
            break
    known = has_detection(detection)
    if detection is not None and not known:
        notes.append("No detection modes in the data: figures by detection mode are left out.")
    return FairnessResult(
        period=period,
        config=config,
        shares=female_share_youth(cube, config=config),
        shares_all_ages=female_share(cube, config=config),
        window_shares=female_share_youth(windows, config=config) if windows is not None else None,
        rate_ratio=gender_rate_ratio(cube, config=config, reference=reference),
        benchmark=benchmark_ratio_youth(cube, config=config, benchmark_n=benchmark_n),
        trend=female_share_youth_trend(cube, period, config=config),
        goal=goal_status(cube, period, config=config, windows=windows),
        standardised=standardised_rate_ratio(cube, period, config=config, reference=reference),
        decomposition=decomposition,
        parity=selection_rates(cube, config=config, detection=detection if known else None),
        by_detection=_by_detection(detection, cube, period, config)
        if known and detection is not None
        else None,
        notes=tuple(notes),
    )
