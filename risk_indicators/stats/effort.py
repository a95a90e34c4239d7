r"""Police effort in the numbers: the youth trend with effort taken into account.

Narcotics offences are found mostly by police activity, so a count of reported young persons
rises when the police look more, even when drug use does not change. With the hours of police
activity of every period (the activity file, :func:`risk_indicators.intake.read_activity`)
the youth trend of CONTRACT 4 can be fitted with effort in the model:

.. math::

    \log \mu_t = b_0 + \beta\, t + C(\text{period of year}) + \gamma \log E_t
    + \log(\text{population}_t),

the same quasi-Poisson GLM as :func:`~risk_indicators.stats.poisson_trend` (dispersion
``max(Pearson chi2/df, 1)``, t interval with the residual degrees of freedom), with the log of
the effort :math:`E_t` (hours) as a **covariate** whose coefficient :math:`\gamma` (the
elasticity of reported persons to effort) is estimated from the data.

Why a covariate and not an offset (:math:`\gamma = 1`): an offset assumes that every reported
person is found in proportion to police hours. Only the police-initiated ones are; persons
reported by someone else are not. With a police-initiated share :math:`\pi`, twice the hours
give :math:`1 - \pi + 2\pi` times the persons (1.85 at :math:`\pi = 0.85`), not twice, so an
offset over-adjusts: in the validation study (``reports/validation.md``) an effort that
doubles halfway through a flat series makes the offset model report a false decline. The
covariate absorbs any elasticity; its price is a wider interval when effort and time move
together, and no answer at all when effort changes exactly in step with time (then the data
cannot tell effort from trend, and the result says so). ``method="offset"`` is kept for
research use.

What it assumes: effort acts on the log scale with one elasticity over the whole series; the
hours in the file measure the police presence that finds narcotics offences (ordinary patrol
included: a file with only the special activities makes a period without them look like no
effort at all); the youth series is municipality-wide, so the effort is too.

The periods: the adjusted trend uses the run of consecutive periods with known effort (hours
above 0) that ends with the last period of the series, and the result carries the unadjusted
trend over the *same* periods, so the two can be compared. When the effort does not vary
beyond the periods of the year, there is nothing to adjust: the adjusted trend equals the
unadjusted one and the result says so.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd
from scipy import stats

from risk_indicators._params import Interval, Options, check_param
from risk_indicators.errors import UsageError
from risk_indicators.periods import parse_period

from ._effort_fit import EffortMethod, _Adjusted, _adjusted_numbers
from .trends import TrendResult, poisson_trend

__all__ = [
    "EffortTrendResult",
    "effort_adjusted_trend",
    "effort_trend_replicates",
]

REASON_NO_EFFORT = "effort unknown: {what}"
REASON_LAST_UNKNOWN = "the effort of the last period {period} is unknown (no activity hours)"
NOTE_FLAT = (
    "the effort does not vary beyond the periods of the year: nothing to adjust, the adjusted "
    "trend equals the unadjusted one"
)
TERMS = ("annual_change_effort_adjusted", "annual_change_same_periods", "effort_elasticity")


@dataclass(frozen=True)
class EffortTrendResult:
    """The youth trend with police effort in the model, beside the unadjusted trend.

    Attributes
    ----------
    annual_change, ci_low, ci_high, p_value
        ``exp(beta) - 1`` of the adjusted model with its t interval and p-value; None when
        ``status`` is ``"insufficient_data"``.
    elasticity, elasticity_ci_low, elasticity_ci_high
        ``gamma``: the log change of reported persons per log change of effort (covariate
        method; 1 by assumption with the offset method, None when it cannot be estimated).
    dispersion
        ``max(Pearson chi2/df, 1)`` of the adjusted fit.
    method
        ``"covariate"`` or ``"offset"``.
    status, reason, note
        ``"ok"`` or ``"insufficient_data"``, why, and a remark (e.g. nothing to adjust).
    periods
        The periods fitted (consecutive, with known effort, ending with the series' last).
    unadjusted
        The trend of :func:`~risk_indicators.stats.poisson_trend` over the same periods.
    effort
        The hours per period of the series (NaN where unknown).
    table
        ``term, estimate, ci_low, ci_high, p_value, n`` for the terms
        ``annual_change_effort_adjusted``, ``annual_change_same_periods`` and
        ``effort_elasticity``; ``n`` is the number of periods.
    """

    annual_change: float | None
    ci_low: float | None
    ci_high: float | None
    p_value: float | None
    elasticity: float | None
    elasticity_ci_low: float | None
    elasticity_ci_high: float | None
    dispersion: float | None
    method: EffortMethod
    status: Literal["ok", "insufficient_data"]
    reason: str
    note: str
    periods: tuple[str, ...]
    unadjusted: TrendResult | None
    effort: pd.Series
    table: pd.DataFrame

    @property
    def n(self) -> int:
        """Number of periods fitted."""
        return len(self.periods)

    def summary(self) -> str:
        head = f"Effort-adjusted trend ({self.method}, {self.n} periods"
        head += f" from {self.periods[0]}): " if self.periods else "): "
        est, low, high = self.annual_change, self.ci_low, self.ci_high
        if est is None or low is None or high is None:
            return head + self.reason
        u = self.unadjusted
        text = head + f"annual change {est:+.1%} (CI {low:+.1%} to {high:+.1%})"
        if u is not None and u.annual_change is not None:
            text += f"; unadjusted over the same periods {u.annual_change:+.1%}"
            text += f" (CI {u.ci_low:+.1%} to {u.ci_high:+.1%})"
        if self.elasticity is not None:
            text += f"; elasticity {self.elasticity:.2f}"
        return text + (f"; {self.note}" if self.note else "")

    def plot(self, ax: Any = None) -> Any:
        """Effort hours per period (bars) with the reported young (points, right axis)."""
        import matplotlib.pyplot as plt

        if ax is None:
            _, ax = plt.subplots(figsize=(7, 3.5))
        x = np.arange(len(self.effort))
        ax.bar(x, self.effort.to_numpy(float), color="#9ecae1", label="effort (hours)")
        ax.set_xticks(x, [str(p) for p in self.effort.index], rotation=90)
        ax.set_ylabel("hours")
        if self.unadjusted is not None:
            right = ax.twinx()
            obs = self.unadjusted.fitted.set_index("period")["observed"]
            right.plot([list(self.effort.index).index(p) for p in obs.index],
                       obs.to_numpy(float), "o", color="black", label="reported")  # fmt: skip
            right.set_ylabel("persons")
        ax.set_title(self.summary(), fontsize=7)
        return ax


def _first_position(labels: pd.Index, freq: int) -> int:
    try:
        first = parse_period(str(labels[0]))
    except (ValueError, IndexError):
        return 0
    if first.freq != freq:
        raise UsageError(
            f"The period labels are {first.kind}s but freq={freq}; pass the matching freq."
        )
    return first.index - 1


def _numbers(values: Any, index: pd.Index) -> np.ndarray:
    aligned = pd.Series(values).reindex(index)
    return pd.to_numeric(aligned, errors="coerce").to_numpy(dtype=float, na_value=np.nan)


def _table(
    adjusted: _Adjusted | None, unadjusted: TrendResult | None, n: int, alpha: float,
    method: EffortMethod,
) -> tuple[pd.DataFrame, dict[str, float | None]]:  # fmt: skip
    values: dict[str, float | None] = dict.fromkeys(
        ("est", "low", "high", "p", "g", "g_low", "g_high"), None
    )
    rows = {t: [None, None, None, None] for t in TERMS}
    if adjusted is not None:
        crit = float(stats.t.isf(alpha / 2, adjusted.df))
        b, se = adjusted.beta, adjusted.se
        p = float(2 * stats.t.sf(abs(b / se), adjusted.df))
        values.update(est=math.expm1(b), low=math.expm1(b - crit * se),
                      high=math.expm1(b + crit * se), p=p)  # fmt: skip
        rows[TERMS[0]] = [values["est"], values["low"], values["high"], p]
        if adjusted.gamma is not None and adjusted.gamma_se is not None:
            g, gse = adjusted.gamma, adjusted.gamma_se
            values.update(g=g, g_low=g - crit * gse, g_high=g + crit * gse)
            rows[TERMS[2]] = [g, values["g_low"], values["g_high"],
                              float(2 * stats.t.sf(abs(g / gse), adjusted.df))]  # fmt: skip
        elif method == "offset":
            values.update(g=1.0)
            rows[TERMS[2]] = [1.0, None, None, None]
    if unadjusted is not None and unadjusted.status == "ok":
        rows[TERMS[1]] = [unadjusted.annual_change, unadjusted.ci_low, unadjusted.ci_high,
                          unadjusted.p_value]  # fmt: skip
    frame = pd.DataFrame(
        {"term": list(TERMS),
         **{c: pd.array([rows[t][i] for t in TERMS], dtype="Float64")
            for i, c in enumerate(("estimate", "ci_low", "ci_high", "p_value"))},
         "n": [n] * len(TERMS)}
    )  # fmt: skip
    return frame, values


def effort_adjusted_trend(
    series: pd.Series,
    effort: pd.Series | None,
    *,
    population: pd.Series | None = None,
    freq: int = 3,
    method: EffortMethod = "covariate",
    alpha: float = 0.05,
) -> EffortTrendResult:
    """Annual relative change of a count series with police effort in the model.

    Parameters
    ----------
    series
        Counts indexed by period labels in time order, consecutive (as for
        :func:`~risk_indicators.stats.poisson_trend`).
    effort
        Hours of police activity per period (same labels); NaN, missing or 0 is unknown.
        ``None``: no activity data (the result is ``insufficient_data``, "effort unknown").
    population
        Optional population per period: its log is the offset, so the trend is in the rate.
    freq
        Periods per year: 1, 3, 4 or 12.
    method
        ``"covariate"`` (default, see the module docstring: ``log(effort)`` with an estimated
        elasticity) or ``"offset"`` (elasticity fixed at 1).
    alpha
        1 - confidence level.

    Returns
    -------
    EffortTrendResult

    Examples
    --------
    Effort doubles from the fourth year while the police-initiated 80 % of the persons
    double with it and the rest do not (true use is flat):

    >>> labels = [f"{y}T{t}" for y in range(2019, 2025) for t in (1, 2, 3)]
    >>> hours = pd.Series([300.0] * 9 + [600.0] * 9, index=labels)
    >>> y = pd.Series([10, 9, 11, 10, 10, 9, 11, 10, 10] + [18, 17, 19, 18, 18, 17, 19, 18, 18],
    ...               index=labels)
    >>> r = effort_adjusted_trend(y, hours)
    >>> round(r.unadjusted.annual_change, 2), round(r.annual_change, 2), round(r.elasticity, 2)
    (0.16, 0.01, 0.8)
    """
    func = "effort_adjusted_trend"
    check_param(method, Options("covariate", "offset"), name="method", func=func)
    check_param(alpha, Interval(float, 0, 1, closed="neither"), name="alpha", func=func)
    series = pd.Series(series)
    index = series.index
    hours = (np.full(len(series), np.nan) if effort is None
             else _numbers(effort, index))  # fmt: skip
    if np.any(hours[np.isfinite(hours)] < 0):
        raise UsageError(f"The effort given to {func} must be hours >= 0 for every period.")
    known = np.isfinite(hours) & (hours > 0)
    effort_out = pd.Series(np.where(known, hours, np.nan), index=index, name="hours")

    def insufficient(reason: str, periods: tuple[str, ...] = (),
                     unadjusted: TrendResult | None = None) -> EffortTrendResult:  # fmt: skip
        table, _ = _table(None, unadjusted, len(periods), alpha, method)
        return EffortTrendResult(None, None, None, None, None, None, None, None, method,
                                 "insufficient_data", reason, "", periods, unadjusted,
                                 effort_out, table)  # fmt: skip

    if effort is None:
        return insufficient(REASON_NO_EFFORT.format(what="no activity data"))
    if len(series) == 0 or not known[-1]:
        last = str(index[-1]) if len(series) else "?"
        return insufficient(REASON_NO_EFFORT.format(what=REASON_LAST_UNKNOWN.format(period=last)))
    start = len(known) - int(np.argmin(known[::-1])) if not known.all() else 0
    span = series.iloc[start:]
    periods = tuple(str(p) for p in span.index)
    pop = None if population is None else pd.Series(population).reindex(index).iloc[start:]
    unadjusted = poisson_trend(span, population=pop, freq=freq, alpha=alpha)
    if unadjusted.status != "ok":
        return insufficient(unadjusted.reason, periods, unadjusted)
    y = unadjusted.fitted["observed"].to_numpy(float)
    offset = np.log(np.ones(len(y)) if pop is None else pop.to_numpy(float))
    got = _adjusted_numbers(y, np.log(hours[start:]), offset, freq,
                            _first_position(span.index, freq), method)  # fmt: skip
    if isinstance(got, str):
        return insufficient(got, periods, unadjusted)
    table, v = _table(got, unadjusted, len(periods), alpha, method)
    return EffortTrendResult(
        v["est"], v["low"], v["high"], v["p"], v["g"], v["g_low"], v["g_high"],
        got.dispersion, method, "ok", "", NOTE_FLAT if got.flat else "", periods, unadjusted,
        effort_out, table,
    )  # fmt: skip


def effort_trend_replicates(
    counts: np.ndarray,
    effort: np.ndarray,
    population: np.ndarray,
    *,
    freq: int = 3,
    method: EffortMethod = "covariate",
    alpha: float = 0.05,
) -> pd.DataFrame:
    """The adjusted trend of :func:`effort_adjusted_trend` for each row of ``counts`` (series
    starting in the first period of a year, effort known in every period), through the same
    fit: ``beta, ci_low, ci_high, p_value`` on the log scale and ``gamma`` (the elasticity),
    NaN where the trend is not estimable. For simulation studies."""
    func = "effort_trend_replicates"
    check_param(method, Options("covariate", "offset"), name="method", func=func)
    counts = np.asarray(counts, float)
    effort = np.broadcast_to(np.asarray(effort, float), counts.shape)
    offset = np.log(np.asarray(population, float))
    out = np.full((len(counts), 5), np.nan)
    for r, y in enumerate(counts):
        if np.count_nonzero(y) < 2 or len(y) < 2 * freq:
            continue
        got = _adjusted_numbers(y, np.log(effort[r]), offset, freq, 0, method)
        if isinstance(got, str):
            continue
        crit = float(stats.t.isf(alpha / 2, got.df))
        p = float(2 * stats.t.sf(abs(got.beta / got.se), got.df))
        gamma = np.nan if got.gamma is None else got.gamma
        out[r] = (got.beta, got.beta - crit * got.se, got.beta + crit * got.se, p, gamma)
    return pd.DataFrame(out, columns=["beta", "ci_low", "ci_high", "p_value", "gamma"])
