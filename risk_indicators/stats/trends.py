"""Trends over periods: log-linear count trends.

- :func:`poisson_trend`: the GLM of ``youth_trend_annual_change`` (CONTRACT 4),
  ``log(mu) = b0 + beta*time_in_years + C(period_of_year) + offset(log population)`` over every
  period, zeros included, reported as the annual relative change ``exp(beta) - 1``. The
  quasi-Poisson and negative binomial fitters are in ``risk_indicators.stats._glm_fit``.

:func:`compare_periods` and :func:`mann_kendall` (with :class:`MannKendallResult`) live in
:mod:`risk_indicators.stats.comparisons` and are re-exported here, where they were first published.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd
from scipy import stats

from risk_indicators.errors import UsageError
from risk_indicators.periods import parse_period

from ._glm_fit import (
    REASON_NOT_CONVERGED,
    _Fit,
    _fit_negbin,
    _fit_quasipoisson,
    fit_warnings_ignored,
)
from .comparisons import MannKendallResult, Status, compare_periods, mann_kendall

__all__ = [
    "MannKendallResult",
    "TrendResult",
    "compare_periods",
    "mann_kendall",
    "poisson_trend",
    "trend_replicates",
]

Family = Literal["quasipoisson", "negbin"]

REASON_TOO_SHORT = "insufficient data: fewer than two years of periods ({n} < {need})"
REASON_ALL_ZERO = "insufficient data: every period has a count of 0"
REASON_ONE_PERIOD = "insufficient data: only one period has a count above 0"
REASON_EDGE = (
    "insufficient data: all counts fall in the {edge} occurrence of each period of the year, "
    "so the trend is infinite (the maximum likelihood estimate does not exist)"
)
REASON_NO_DF = "insufficient data: no residual degrees of freedom to estimate the dispersion"
_FREQS = (1, 3, 4, 12)


@dataclass(frozen=True)
class TrendResult:
    """Annual relative change of a count series from a log-linear GLM.

    Attributes
    ----------
    annual_change, ci_low, ci_high, p_value
        ``exp(beta) - 1`` with its interval and the two-sided p-value of ``beta = 0``; None
        when ``status`` is ``"insufficient_data"``.
    dispersion
        Quasi-Poisson: ``max(Pearson chi2 / df_resid, 1)``. Negative binomial: the NB2
        ``alpha`` of ``var = mu + alpha*mu**2`` (0 when at the boundary, i.e. Poisson).
    status, reason
        ``"ok"`` or ``"insufficient_data"`` and why.
    table
        Columns ``term, estimate, ci_low, ci_high, p_value, n``; terms ``annual_change`` and
        ``time_in_years`` (``beta``, log scale). ``n`` is the number of periods.
    fitted
        Per period: ``period, observed, population, fitted, ci_low, ci_high`` (fitted mean
        count and its pointwise confidence band, not a prediction interval).
    """

    annual_change: float | None
    ci_low: float | None
    ci_high: float | None
    p_value: float | None
    dispersion: float | None
    status: Status
    reason: str
    family: Family
    freq: int
    n: int
    table: pd.DataFrame
    fitted: pd.DataFrame

    def summary(self) -> str:
        head = f"Trend ({self.family}, {self.n} periods, {self.freq} per year): "
        est, low, high = self.annual_change, self.ci_low, self.ci_high
        if est is None or low is None or high is None:
            return head + self.reason
        return head + (
            f"annual change {est:+.1%} (CI {low:+.1%} to {high:+.1%}), "
            f"p = {self.p_value:.3g}, dispersion {self.dispersion:.3g}"
        )

    def plot(self, ax: Any = None) -> Any:
        """Observed counts (points), fitted mean (line) and its confidence band."""
        import matplotlib.pyplot as plt

        if ax is None:
            _, ax = plt.subplots(figsize=(7, 3.5))
        f = self.fitted
        x = np.arange(len(f))
        ax.plot(x, f["observed"].to_numpy(float), "o", color="black", label="observed")
        if self.status == "ok":
            ax.plot(x, f["fitted"].to_numpy(float, na_value=np.nan), "-", label="fitted")
            ax.fill_between(
                x,
                f["ci_low"].to_numpy(float, na_value=np.nan),
                f["ci_high"].to_numpy(float, na_value=np.nan),
                alpha=0.25,
                label="95% band",
            )
        ax.set_xticks(x, [str(p) for p in f["period"]], rotation=90)
        ax.set_ylabel("count")
        ax.set_title(self.summary(), fontsize=8)
        ax.legend(fontsize=8)
        return ax


# --------------------------------------------------------------------------- fitting
def _first_position(index: pd.Index, freq: int, first_period_of_year: int | None) -> int:
    """Position within the year (0-based) of the first period, from labels or the argument."""
    try:
        periods = [parse_period(str(label)) for label in index]
    except ValueError:
        periods = []
    if not periods:
        pos = 0 if first_period_of_year is None else first_period_of_year
        if not (isinstance(pos, int) and 0 <= pos < freq):
            raise UsageError(
                f"The 'first_period_of_year' parameter of poisson_trend must be an integer in "
                f"0..{freq - 1}. Got {first_period_of_year!r} instead."
            )
        return pos
    if any(p.freq != freq for p in periods):
        raise UsageError(
            f"The period labels are {periods[0].kind}s but freq={freq}; pass the matching freq."
        )
    if np.any(np.diff([p.ordinal for p in periods]) != 1):
        raise UsageError(
            "The periods must be consecutive and in time order; give periods without reports "
            "a count of 0."
        )
    pos = periods[0].index - 1
    if first_period_of_year is not None and first_period_of_year != pos:
        raise UsageError(
            f"first_period_of_year={first_period_of_year} contradicts the first label "
            f"{periods[0].code} (position {pos})."
        )
    return pos


def _design(n: int, freq: int, first_pos: int) -> tuple[np.ndarray, np.ndarray]:
    """Columns: intercept, time_in_years, one indicator per period of the year but the first."""
    season = (np.arange(n) + first_pos) % freq
    dummies = (season[:, None] == np.arange(1, freq)[None, :]).astype(float)
    return np.column_stack([np.ones(n), np.arange(n) / freq, dummies]), season


def _not_estimable(y: np.ndarray, season: np.ndarray, freq: int) -> str:
    """Reason why the trend cannot be estimated, or ''.

    The Poisson (and NB) likelihood has no finite maximum when some direction ``d`` of the
    coefficients gives ``x_i'd <= 0`` everywhere and ``= 0`` wherever ``y_i > 0``. For
    ``b0 + beta*t + g_season`` with ``beta != 0`` that happens exactly when, in every period
    of the year, the non-zero counts all sit in its last (``beta -> +inf``) or all in its
    first (``beta -> -inf``) occurrence. A single non-zero period leaves beta finite but
    resting on one count, so it is refused too.
    """
    if not np.any(y > 0):
        return REASON_ALL_ZERO
    if np.count_nonzero(y) < 2:
        return REASON_ONE_PERIOD
    idx = np.arange(len(y))
    for edge, pick in (("last", np.max), ("first", np.min)):
        if all(
            np.all(idx[(season == s) & (y > 0)] == pick(idx[season == s]))
            for s in range(freq)
            if np.any(season == s)
        ):
            return REASON_EDGE.format(edge=edge)
    return ""


def _trend_numbers(
    y: np.ndarray, offset: np.ndarray, freq: int, first_pos: int, family: Family
) -> tuple[_Fit | None, np.ndarray, np.ndarray, str]:
    """Fit on the informative periods; returns (fit, design, kept rows, reason)."""
    n = len(y)
    X, season = _design(n, freq, first_pos)
    if n < 2 * freq or n < 2:
        return None, X, np.ones(n, bool), REASON_TOO_SHORT.format(n=n, need=max(2 * freq, 2))
    reason = _not_estimable(y, season, freq)
    if reason:
        return None, X, np.ones(n, bool), reason
    # A period of the year with 0 in every year has its indicator's MLE at -inf and
    # carries no information on beta: leave it out so it does not inflate df_resid.
    live = np.array([np.any(y[season == s] > 0) for s in range(freq)])
    keep = live[season]
    cols = np.r_[True, True, live[1:]]
    if not live[0]:
        # the reference period of the year is left out; the first live one takes its place
        cols[2 + int(np.argmax(live[1:]))] = False
    Xk = X[np.ix_(keep, cols)]
    if keep.sum() - Xk.shape[1] < 1:
        return None, X, keep, REASON_NO_DF
    try:
        fitter = _fit_quasipoisson if family == "quasipoisson" else _fit_negbin
        with fit_warnings_ignored():
            fit = fitter(y[keep], Xk, offset[keep])
    except (np.linalg.LinAlgError, ValueError):
        return None, X, keep, REASON_NOT_CONVERGED
    full = np.zeros(X.shape[1])
    full[cols] = fit.params
    cov = np.zeros((X.shape[1], X.shape[1]))
    cov[np.ix_(cols, cols)] = fit.cov
    return _Fit(full, cov, fit.dispersion, fit.df_resid), X, keep, ""


def poisson_trend(
    series: pd.Series,
    *,
    population: pd.Series | None = None,
    freq: int = 3,
    family: Family = "quasipoisson",
    alpha: float = 0.05,
    first_period_of_year: int | None = None,
) -> TrendResult:
    """Annual relative change of a count series: log-linear GLM with seasonal terms.

    ``log(mu_t) = b0 + beta * t/freq + C(period_of_year) + log(population_t)`` over every
    period (zeros included); the result is ``exp(beta) - 1`` per year.

    Parameters
    ----------
    series
        Counts indexed by period labels in time order (``2019T1``, ``2019Q3``, ``2019-05``,
        ``2019``) or by anything else (then ``first_period_of_year`` gives the position of the
        first period within its year, default 0). Labelled periods must be consecutive.
    population
        Optional population per period (same index); its log is the offset, so the trend is
        in the rate. All values must be positive.
    freq
        Periods per year: 1, 3, 4 or 12.
    family
        ``"quasipoisson"`` (the contract's method, used for the published indicator): Poisson
        estimating equations, dispersion ``max(Pearson chi2/df_resid, 1)``, t-based interval
        with ``df_resid`` degrees of freedom. Robust to any over-dispersion with variance
        proportional to the mean and stable with few periods. ``"negbin"``: NB2 with alpha
        by maximum likelihood, Wald z interval; for research use on long series or large
        counts where the variance grows with the square of the mean. Falls back to Poisson
        when alpha is estimated at 0. The z interval ignores the uncertainty in alpha and
        undercovers in short series (about 87% for 12 tertials with alpha = 0.5 in our
        simulation), so the published indicator uses quasi-Poisson.
    alpha
        1 - confidence level.
    first_period_of_year
        Position (0-based) of the first period in its year when the labels do not say.

    Returns
    -------
    TrendResult
        ``status="insufficient_data"`` (numbers None, reason given) with fewer than
        ``2*freq`` periods, all counts 0, counts in only one period, all counts in the first
        or last year-occurrence of
        each period (infinite trend), or no residual degrees of freedom. Periods of the year
        with 0 in every year are left out of the fit (their MLE is at -inf; beta is unchanged).

    Examples
    --------
    >>> y = pd.Series([5, 3, 4, 6, 4, 5, 7, 5, 6], index=[f"{yr}T{t}" for yr in
    ...     (2021, 2022, 2023) for t in (1, 2, 3)])
    >>> r = poisson_trend(y)
    >>> r.status, round(r.annual_change, 3), r.dispersion
    ('ok', 0.223, 1.0)
    """
    func = "poisson_trend"
    if family not in ("quasipoisson", "negbin"):
        raise UsageError(
            f"The 'family' parameter of {func} must be one of 'negbin', 'quasipoisson'. "
            f"Got {family!r} instead."
        )
    if freq not in _FREQS:
        raise UsageError(
            f"The 'freq' parameter of {func} must be one of 1, 3, 4, 12. Got {freq!r} instead."
        )
    if not 0 < alpha < 1:
        raise UsageError(f"The 'alpha' parameter of {func} must be in (0, 1). Got {alpha!r}.")
    series = pd.Series(series)
    y = pd.to_numeric(series, errors="coerce").to_numpy(float)
    if np.any(~np.isfinite(y)) or np.any(y < 0) or np.any(y != np.round(y)):
        raise UsageError(f"The counts given to {func} must be non-negative whole numbers.")
    pop = np.ones(len(y))
    if population is not None:
        aligned = pd.Series(population).reindex(series.index)
        pop = pd.to_numeric(aligned, errors="coerce").to_numpy(float)
        if np.any(~np.isfinite(pop)) or np.any(pop <= 0):
            raise UsageError(
                f"The population given to {func} must be positive for every period of the "
                "series (same index)."
            )
    first_pos = _first_position(series.index, freq, first_period_of_year)
    offset = np.log(pop)
    fit, X, keep, reason = _trend_numbers(y, offset, freq, first_pos, family)
    pop_out = None if population is None else pop
    return _result(
        series, y, pop_out, X, keep, fit, reason, offset, alpha, family=family, freq=freq
    )


def _result(
    series: pd.Series, y: np.ndarray, pop: np.ndarray | None, X: np.ndarray, keep: np.ndarray,
    fit: _Fit | None, reason: str, offset: np.ndarray, alpha: float, **info: Any,
) -> TrendResult:  # fmt: skip
    n, terms = len(y), ["annual_change", "time_in_years"]
    na = pd.array([pd.NA] * n, dtype="Float64")
    fitted = pd.DataFrame(
        {"period": [str(p) for p in series.index], "observed": y.astype(np.int64),
         "population": na if pop is None else pd.array(pop, dtype="Float64"),
         "fitted": na, "ci_low": na, "ci_high": na}
    )  # fmt: skip
    if fit is None:
        cols = dict.fromkeys(
            ("estimate", "ci_low", "ci_high", "p_value"), pd.array([pd.NA] * 2, dtype="Float64")
        )
        table = pd.DataFrame({"term": terms, **cols, "n": [n, n]})
        return TrendResult(None, None, None, None, None, "insufficient_data", reason,
                           n=n, table=table, fitted=fitted, **info)  # fmt: skip
    beta, se = float(fit.params[1]), math.sqrt(float(fit.cov[1, 1]))
    # t with df_resid for quasi-likelihood; df_resid = inf (normal) for maximum likelihood
    dist = stats.norm if math.isinf(fit.df_resid) else stats.t(fit.df_resid)
    crit = float(dist.isf(alpha / 2))
    p = float(2 * dist.sf(abs(beta / se)))
    lo, hi = beta - crit * se, beta + crit * se
    est, low, high = math.expm1(beta), math.expm1(lo), math.expm1(hi)
    table = pd.DataFrame(
        {"term": terms, "estimate": [est, beta], "ci_low": [low, lo], "ci_high": [high, hi],
         "p_value": [p, p], "n": [n, n]}
    )  # fmt: skip
    eta = X @ fit.params + offset
    half = crit * np.sqrt(np.einsum("ij,jk,ik->i", X, fit.cov, X))
    fitted["fitted"] = pd.array(np.where(keep, np.exp(eta), 0.0), dtype="Float64")
    fitted["ci_low"] = pd.array(np.where(keep, np.exp(eta - half), np.nan), dtype="Float64")
    fitted["ci_high"] = pd.array(np.where(keep, np.exp(eta + half), np.nan), dtype="Float64")
    return TrendResult(est, low, high, p, fit.dispersion, "ok", reason, n=n, table=table,
                       fitted=fitted, **info)  # fmt: skip


def trend_replicates(
    counts: np.ndarray, population: np.ndarray, *, freq: int = 3, alpha: float = 0.05
) -> pd.DataFrame:
    """The quasi-Poisson trend of :func:`~risk_indicators.stats.trends.poisson_trend` for each row
    of ``counts`` (series starting in the first period of a year), through its fast path:
    ``beta, ci_low, ci_high, p_value`` on the log scale (log of the rate ratio a year), NaN
    where the trend is ``insufficient_data``."""
    offset = np.log(np.asarray(population, float))
    beta, se, df = (np.full(len(counts), np.nan) for _ in range(3))
    for r, y in enumerate(counts):
        fit = _trend_numbers(y, offset, freq, 0, "quasipoisson")[0]
        if fit is not None:
            beta[r], se[r], df[r] = fit.params[1], math.sqrt(fit.cov[1, 1]), fit.df_resid
    ok = np.isfinite(beta)
    crit, p = np.full_like(beta, np.nan), np.full_like(beta, np.nan)
    crit[ok] = stats.t.isf(alpha / 2, df[ok])
    p[ok] = 2 * stats.t.sf(np.abs(beta[ok] / se[ok]), df[ok])
    return pd.DataFrame(
        {"beta": beta, "ci_low": beta - crit * se, "ci_high": beta + crit * se, "p_value": p}
    )
