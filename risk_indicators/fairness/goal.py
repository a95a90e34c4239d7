"""The gender goal: the trend of the female share among young persons and the goal status.

- :func:`female_share_youth_trend` (CONTRACT 4): binomial GLM
  ``logit(share) ~ time_in_years`` over every period up to P that has young women or men
  (women successes, men failures), Wald 95% interval; the value is the change per year in
  the log-odds, ``exp`` of it the odds ratio per year.
- :func:`goal_status` (CONTRACT 4): ``met``, ``on_track``, ``not_on_track`` or
  ``insufficient_data`` for ``gender_goal.target_female_share`` by
  ``gender_goal.target_period``, by the rule in :data:`GOAL_RULE_EN` (also in Swedish,
  :data:`GOAL_RULE_SV`), with the smallest change in the share that the data could detect.

This module holds the goal status and the minimum detectable change; the trend lives in
``_share_trend`` and is re-exported here.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats
from statsmodels.stats.power import NormalIndPower

from risk_indicators.config import Config
from risk_indicators.errors import UsageError
from risk_indicators.periods import Period, parse_period, window_label
from risk_indicators.stats import noise_variance, wilson_interval

from ._gender_counts import COLOURS, gender_counts, period_of
from ._goal_rules import GOAL_RULE_EN, GOAL_RULE_PLAIN, GOAL_RULE_SV
from ._logit_trend import LogitFit, fit_logit_trend, logit_trend_problem
from ._share_trend import MIN_YEARS, ShareTrendResult, female_share_youth_trend

__all__ = [
    "GOAL_RULE_EN",
    "GOAL_RULE_PLAIN",
    "GOAL_RULE_SV",
    "GOAL_STATUSES",
    "GoalResult",
    "ShareTrendResult",
    "assess_goal",
    "detectable_change",
    "female_share_youth_trend",
    "goal_status",
    "yearly_windows",
]

GOAL_STATUSES = ("met", "on_track", "not_on_track", "cannot_tell_yet", "insufficient_data")
N_MIN = 20
MIN_WINDOWS = 3
#: The probability at or above which the goal is on track (and at or below 1 minus which it
#: is not on track).
CONFIDENCE = 0.9


# --------------------------------------------------------------------------- power
def detectable_change(
    share: float, n: float, *, alpha: float = 0.05, power: float = 0.8
) -> float | None:
    """Smallest increase of a share from ``share`` that a two-sided test could detect.

    Two independent samples of ``n`` persons each (e.g. this period and a period a year
    earlier), normal test on the arcsine scale: Cohen's ``h`` solved from
    ``statsmodels.stats.power.NormalIndPower`` (``h ~ (z_{1-alpha/2} + z_power) *
    sqrt(2/n)``) and mapped back, ``p1 = sin(asin(sqrt(p0)) + h/2)**2``. Returns ``p1 - p0``
    in share units (0.10 = 10 percentage points), or None when ``n < 2`` or ``p1`` would pass
    1.

    Examples
    --------
    >>> round(detectable_change(0.2, 40), 3)
    0.291
    """
    if not (0 < share < 1) or n < 2:
        return None
    h = float(NormalIndPower().solve_power(effect_size=None, nobs1=n, alpha=alpha,
                                           power=power, ratio=1.0))  # fmt: skip
    angle = math.asin(math.sqrt(share)) + h / 2
    if angle >= math.pi / 2:
        return None
    return math.sin(angle) ** 2 - share


# --------------------------------------------------------------------------- goal
@dataclass(frozen=True)
class GoalResult:
    """``goal_status`` with the numbers the rule used (see :data:`GOAL_RULE_EN`).

    Attributes
    ----------
    status
        ``met``, ``on_track``, ``not_on_track``, ``cannot_tell_yet`` or
        ``insufficient_data``.
    reason
        Why, in one sentence with the numbers.
    share, ci_low, ci_high, n
        Female share among young women and men in the 12 months ending with P, its
        Wilson interval and ``n`` = young women + men.
    probability
        The probability, under the quasi-binomial trend of the yearly windows, that the share
        at ``horizon`` is at least the target (None without a trend).
    projected, projected_low, projected_high
        The trend's share at ``horizon`` (the target period, or P once it has passed), with
        its 95% t interval.
    windows
        ``label, end, years_before_p, women, men, share``: the yearly 12-month windows the
        trend uses, oldest first.
    persons_per_year, persons_needed_per_year
        Young women and men per 12 months now, and how many a 12-month window would need for
        the same trend to give a probability of 0.9 or 0.1 (``cannot_tell_yet`` only; None
        when the trend lies on the target and no number would do).
    detectable_change_period, detectable_change_year
        Smallest increase of the share detectable with the given power when two periods, or
        two 12-month windows, of the current size are compared (:func:`detectable_change`).
    trend
        The per-period female-share trend (CONTRACT 4 ``female_share_youth_trend``).
    """

    status: str
    reason: str
    period: str
    target: float
    target_period: str
    share: float | None
    ci_low: float | None
    ci_high: float | None
    n: int
    probability: float | None
    projected: float | None
    projected_low: float | None
    projected_high: float | None
    horizon: str
    windows: pd.DataFrame
    dispersion: float | None
    persons_per_year: float
    persons_needed_per_year: int | None
    detectable_change_period: float | None
    detectable_change_year: float | None
    n_per_period: float
    trend: ShareTrendResult
    window: str

    @property
    def table(self) -> pd.DataFrame:
        rows = [("rolling_12_month_share", self.share, self.ci_low, self.ci_high, self.n),
                ("projected_share_at_target", self.projected, self.projected_low,
                 self.projected_high, len(self.windows)),
                ("probability_target_reached", self.probability, None, None, len(self.windows)),
                ("persons_needed_per_12_months", self.persons_needed_per_year, None, None,
                 round(self.persons_per_year)),
                ("trend_log_odds_per_year", self.trend.estimate, self.trend.ci_low,
                 self.trend.ci_high, self.trend.n),
                ("detectable_change_period", self.detectable_change_period, None, None,
                 round(self.n_per_period)),
                ("detectable_change_12_months", self.detectable_change_year, None, None,
                 self.n)]  # fmt: skip
        out = pd.DataFrame(rows, columns=["quantity", "estimate", "ci_low", "ci_high", "n"])
        for c in ("estimate", "ci_low", "ci_high"):
            out[c] = pd.array([None if v is None else float(v) for v in out[c].tolist()],
                              dtype="Float64")  # fmt: skip
        return out.assign(period=self.period, status=self.status, target=self.target,
                          target_period=self.target_period)  # fmt: skip

    def summary(self) -> str:
        share = "" if self.share is None else (
            f"; female share {self.share:.1%} (CI {self.ci_low:.1%}-{self.ci_high:.1%}, "
            f"n = {self.n}) in {self.window}")  # fmt: skip
        prob = "" if self.probability is None else (
            f"; probability {self.probability:.0%} that the share is at least "
            f"{self.target:.0%} in {self.horizon}")  # fmt: skip
        need = "" if self.persons_needed_per_year is None else (
            f"; telling would take about {self.persons_needed_per_year} young persons per 12 "
            f"months (now {self.persons_per_year:.0f})")  # fmt: skip
        return (f"Goal {self.target:.0%} by {self.target_period}: {self.status} "
                f"({self.reason}){share}{prob}{need}.")  # fmt: skip

    def plot(self, ax: Any = None) -> Any:
        """The yearly 12-month shares, the trend projected to the target period, the target."""
        import matplotlib.pyplot as plt

        if ax is None:
            _, ax = plt.subplots(figsize=(7, 3.5))
        w = self.windows
        x = w["years_before_p"].to_numpy(float)
        n = (w["women"] + w["men"]).to_numpy(float)
        ax.scatter(x, w["share"].to_numpy(float, na_value=np.nan), s=8 + n, color=COLOURS["kvinna"],
                   label="12-month share")  # fmt: skip
        if self.projected is not None:
            h = (_target_ordinal(self.horizon, period_of(self.period))
                 - period_of(self.period).ordinal) / period_of(self.period).freq  # fmt: skip
            ax.errorbar([h], [self.projected], yerr=[[self.projected - self.projected_low],
                        [self.projected_high - self.projected]], fmt="o", color="black",
                        label=f"trend at {self.horizon}")  # fmt: skip
        ax.axhline(self.target, color=COLOURS["standardised"], ls="--", label="target")
        ax.set_xlabel("years from P")
        ax.set_ylim(0, 1)
        ax.set_title(f"{self.status}: {self.reason}", fontsize=7)
        ax.legend(fontsize=8, frameon=False)
        return ax


def _target_ordinal(target_period: str, p: Period) -> int:
    """Ordinal, in the kind of ``p``, of the period that holds the target period's last day."""
    end = parse_period(target_period).end
    return end.year * p.freq + (end.month - 1) // p.months


def yearly_windows(cube: pd.DataFrame, windows: pd.DataFrame | None, period: str,
                   config: Config) -> tuple[pd.DataFrame, bool]:  # fmt: skip
    """Young women and men in the 12-month windows ending with P and whole years before it.

    From ``windows`` (distinct persons) when it holds the window ending with P; else (counts
    mode) the periods of each window summed, counting a person once per period; the flag
    says which. Only complete windows (all their periods in the cube) are used, and with
    ``gender_goal.baseline_period`` only those ending on or after the baseline's last day
    (the goal is judged over the promise, not over the years before it).
    """
    p = period_of(period)
    baseline = config.gender_goal.baseline_period
    first_end = parse_period(baseline).end if baseline else None
    ends: list[Period] = []
    distinct = windows is not None and window_label(p) in set(windows["period"])
    have = set(windows["period"]) if distinct and windows is not None else set(cube["period"])
    end = p
    while (window_label(end) in have) if distinct else all(q.code in have for q in end.window()):
        if first_end is not None and end.end < first_end:
            break
        ends.append(end)
        end = end.shift(-end.freq)
    rows = []
    for e in reversed(ends):
        if distinct and windows is not None:
            c = gender_counts(windows, config=config, periods=[window_label(e)])
        else:
            c = gender_counts(cube, config=config, periods=[q.code for q in e.window()])
        w, m = int(c["women"].sum()), int(c["men"].sum())
        rows.append({"label": window_label(e), "end": e.code,
                     "years_before_p": (e.ordinal - p.ordinal) / p.freq, "women": w, "men": m,
                     "share": w / (w + m) if w + m else None})  # fmt: skip
    frame = pd.DataFrame(rows, columns=["label", "end", "years_before_p", "women", "men",
                                        "share"])  # fmt: skip
    frame["share"] = pd.array(frame["share"].tolist(), dtype="Float64")
    return frame, distinct


def goal_status(
    cube: pd.DataFrame,
    period: str | None = None,
    *,
    config: Config,
    windows: pd.DataFrame | None = None,
    n_min: int = N_MIN,
    min_years: int = MIN_YEARS,
    alpha: float = 0.05,
    power: float = 0.8,
    confidence: float = CONFIDENCE,
) -> GoalResult:
    """Whether the female share among young persons meets the goal (CONTRACT 4, issue 15).

    Rule (:data:`GOAL_RULE_EN`; T = ``gender_goal.target_female_share``): the share is
    measured in the 12-month windows ending with P and whole years before it
    (:func:`yearly_windows`; they do not overlap, so a person reported once counts once);

    1. ``insufficient_data`` with fewer than ``n_min`` (20) young women and men in the 12
       months ending with P;
    2. ``met`` when the Wilson 95% lower limit of that share is at least T;
    3. ``insufficient_data`` with fewer than 3 windows (a trend with a dispersion needs 3);
    4. otherwise a quasi-binomial logistic trend of the windows' shares on time
       (:func:`._logit_trend.fit_logit_trend`) gives ``probability`` = P(share at the target
       period >= T) = ``1 - F_t((logit T - eta_h) / se_h)`` with ``df = windows - 2``:
       ``on_track`` at or above ``confidence`` (0.9), ``not_on_track`` at or below
       ``1 - confidence``, ``cannot_tell_yet`` between;
    5. when no trend can be fitted: ``not_on_track`` if the Wilson upper limit is below T,
       else ``insufficient_data``.

    Why a probability and not the projection's point estimate: at 15 young persons a tertial
    the projected log-odds have a standard error near 0.35 (about +-8 points at 0.25), and the
    point estimate called a flat 0.20 on track in 22% of series (issue 15). ``on_track`` is
    a one-sided test of ``share(h) <= T`` at level 0.1, so a truth below the target is called
    on track at most about 10% of the time (more if the linear trend is wrong, e.g. a
    plateau); the operating characteristics are in ``reports/validation.md`` (the goal
    study). ``persons_needed_per_year`` assumes the standard error shrinks as
    ``1/sqrt(persons)`` with the shares and the dispersion unchanged. The probability is a
    statement about the trend's share, not about the share a single window will show.
    ``min_years`` applies to the per-period trend kept in ``trend``.
    """
    func = "goal_status"
    labels = list(dict.fromkeys(cube["period"]))
    period = str(labels[-1]) if period is None else period
    if period not in labels:
        raise UsageError(f"The period {period!r} given to {func} is not in the cube.")
    if not (isinstance(n_min, int) and n_min >= 1):
        raise UsageError(f"The 'n_min' parameter of {func} must be a positive integer. "
                         f"Got {n_min!r} instead.")  # fmt: skip
    if not 0.5 < confidence < 1:
        raise UsageError(f"The 'confidence' parameter of {func} must be in (0.5, 1). "
                         f"Got {confidence!r} instead.")  # fmt: skip
    goal = config.gender_goal
    target, target_period = goal.target_female_share, goal.target_period
    p = period_of(period)
    trend = female_share_youth_trend(cube, period, config=config, alpha=alpha,
                                     min_years=min_years)  # fmt: skip
    yearly, distinct = yearly_windows(cube, windows, period, config)
    current = yearly.iloc[-1] if len(yearly) else None
    w = int(current["women"]) if current is not None else 0
    m = int(current["men"]) if current is not None else 0
    window = window_label(p) + ("" if distinct or current is None else " (sum of periods)")
    n = w + m
    noise = noise_variance(cube, cells=len(config.youth_bands))  # perturbed counts: widen
    est = wilson_interval(w, n, alpha=alpha, noise_variance=noise)
    recent = gender_counts(cube, config=config, periods=[q.code for q in p.window()])
    n_period = float((recent["women"] + recent["men"]).mean()) if len(recent) else 0.0
    base = est.estimate if est.estimate is not None and 0 < est.estimate < 1 else target
    horizon = p.shift(max(_target_ordinal(target_period, p), p.ordinal) - p.ordinal)
    h = (horizon.ordinal - p.ordinal) / p.freq
    wo, me = yearly["women"].to_numpy(float), yearly["men"].to_numpy(float)
    tt = yearly["years_before_p"].to_numpy(float)
    a = assess_goal(wo, me, tt, horizon_years=h, target=target, n_min=n_min, alpha=alpha,
                    confidence=confidence, window=window, horizon=horizon.code,
                    noise_variance=noise)  # fmt: skip
    status, reason, prob, proj, needed, fit = a
    k = len(yearly)
    projected, projected_low, projected_high = proj if proj is not None else (None, None, None)
    return GoalResult(
        status=status, reason=reason, period=period, target=target,
        target_period=target_period, share=est.estimate, ci_low=est.ci_low,
        ci_high=est.ci_high, n=n, probability=prob, projected=projected,
        projected_low=projected_low, projected_high=projected_high, horizon=horizon.code,
        windows=yearly, dispersion=None if fit is None else fit.pearson_dispersion,
        persons_per_year=float((wo + me).sum() / k) if k else 0.0,
        persons_needed_per_year=needed if status == "cannot_tell_yet" else None,
        detectable_change_period=detectable_change(base, n_period, alpha=alpha, power=power),
        detectable_change_year=detectable_change(base, n, alpha=alpha, power=power),
        n_per_period=n_period, trend=trend, window=window,
    )  # fmt: skip


def assess_goal(women: np.ndarray, men: np.ndarray, years_before_p: np.ndarray, *,
                horizon_years: float, target: float, n_min: int = N_MIN, alpha: float = 0.05,
                confidence: float = CONFIDENCE, window: str = "the 12 months ending with P",
                horizon: str = "the target period", noise_variance: float = 0.0) -> tuple[
                    str, str, float | None, tuple[float, float, float] | None, int | None,
                    LogitFit | None]:  # fmt: skip
    """The rule of :func:`goal_status` on the yearly windows' counts (oldest first, the last
    ends with P): status, reason, probability, projected share with its interval, persons
    needed per 12 months, and the fit. The goal study of ``simulate`` calls it directly.
    ``noise_variance``: of each perturbed count (cell-key), widening the interval "met"
    rests on (the fit's dispersion already holds the noise of the windows)."""
    k = len(women)
    problem = logit_trend_problem(women, men, years_before_p, method="quasi") if k else "no window"
    fit = None if problem else fit_logit_trend(women, men, years_before_p, method="quasi")
    prob = proj = needed = None
    if fit is not None:
        eta, se = fit.eta(horizon_years)
        z = (math.log(target / (1 - target)) - eta) / se if se > 0 else math.inf
        prob = 1 - fit.cdf(z)
        proj = fit.share(horizon_years, alpha=alpha)
        q = float(stats.t.isf(1 - confidence, fit.df) if fit.df else stats.norm.isf(1 - confidence))
        if abs(z) > 1e-6 and (1 - confidence) < prob < confidence:
            needed = math.ceil((q / abs(z)) ** 2 * float((women + men).sum()) / k)
    w = int(women[-1]) if k else 0
    n = w + (int(men[-1]) if k else 0)
    # met: the Wilson interval at the effective sample size n / phi (the design effect of the
    # extra variation the windows show; phi = 1 without it), so that a share that varies more
    # than binomially is not declared met on one lucky window
    phi = fit.dispersion if fit is not None else 1.0
    est = _wilson_effective(w, n, phi, alpha, noise_variance)
    status, reason = _decide(n=n, n_min=n_min, window=window, est=est, target=target, k=k,
                             prob=prob, confidence=confidence, horizon=horizon,
                             problem=problem)  # fmt: skip
    return status, reason, prob, proj, needed if status == "cannot_tell_yet" else None, fit


def _wilson_effective(w: int, n: int, phi: float, alpha: float, noise: float = 0.0) -> Any:
    """Wilson interval of ``w / n`` computed with ``n / phi`` persons (``phi >= 1``): the
    share itself is unchanged, the interval wider by about ``sqrt(phi)``; ``noise`` widens
    it further as :func:`~risk_indicators.stats.wilson_interval` does."""
    if phi <= 1 or n == 0:
        return wilson_interval(w, n, alpha=alpha, noise_variance=noise)
    z = float(stats.norm.isf(alpha / 2))
    p, ne = w / n, n / phi
    sampling = p * (1 - p) / ne + z * z / (4 * ne * ne)
    ne = ne / (1 + noise * (w * w + (n - w) ** 2) / n**4 / sampling)
    centre = (p + z * z / (2 * ne)) / (1 + z * z / ne)
    half = z * math.sqrt(p * (1 - p) / ne + z * z / (4 * ne * ne)) / (1 + z * z / ne)
    return replace(wilson_interval(w, n, alpha=alpha), ci_low=max(0.0, centre - half),
                   ci_high=min(1.0, centre + half))  # fmt: skip


def _decide(*, n: int, n_min: int, window: str, est: Any, target: float, k: int,
            prob: float | None, confidence: float, horizon: str,
            problem: str) -> tuple[str, str]:  # fmt: skip
    """The status and its reason (the rule of :func:`goal_status`)."""
    if n < n_min:
        return "insufficient_data", f"fewer than {n_min} young women and men in {window}"
    if est.ci_low is not None and est.ci_low >= target:
        return "met", f"the lower 95% limit of the 12-month share is at least {target:.0%}"
    if k < MIN_WINDOWS:
        return "insufficient_data", (f"the data hold {k} yearly 12-month windows up to P; the "
                                     f"trend needs {MIN_WINDOWS}")  # fmt: skip
    if prob is None:
        if est.ci_high is not None and est.ci_high < target:
            return "not_on_track", (
                f"the trend cannot be estimated ({problem}) and the upper 95% limit of the "
                f"12-month share is below {target:.0%}"
            )
        return "insufficient_data", (
            f"the trend cannot be estimated ({problem}) and the 12-month interval includes "
            f"the target {target:.0%}"
        )
    said = (f"the trend gives a probability of {prob:.0%} that the share is at least "
            f"{target:.0%} in {horizon}")  # fmt: skip
    if prob >= confidence:
        return "on_track", said
    if prob <= 1 - confidence:
        return "not_on_track", said
    return "cannot_tell_yet", said + ": the data cannot tell yet"
