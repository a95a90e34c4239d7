"""Trends over periods: log-linear count trends, period comparisons and Mann-Kendall.

- :func:`poisson_trend`: the GLM of ``youth_trend_annual_change`` (CONTRACT 4),
  ``log(mu) = b0 + beta*time_in_years + C(period_of_year) + offset(log population)`` over every
  period, zeros included, reported as the annual relative change ``exp(beta) - 1``.
- :func:`compare_periods`: this period against the same period a year earlier and against the
  same period pooled over the three previous years (exact conditional rate ratio and test).
- :func:`mann_kendall`: distribution-free monotone trend test with Sen's slope.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd
import statsmodels.api as sm
from scipy import optimize, special, stats

from risk_indicators.errors import UsageError
from risk_indicators.periods import parse_period
from risk_indicators.rates import rate_ratio_table

__all__ = [
    "MannKendallResult",
    "TrendResult",
    "compare_periods",
    "mann_kendall",
    "poisson_trend",
]

Family = Literal["quasipoisson", "negbin"]
Status = Literal["ok", "insufficient_data"]

REASON_TOO_SHORT = "insufficient data: fewer than two years of periods ({n} < {need})"
REASON_ALL_ZERO = "insufficient data: every period has a count of 0"
REASON_ONE_PERIOD = "insufficient data: only one period has a count above 0"
REASON_EDGE = (
    "insufficient data: all counts fall in the {edge} occurrence of each period of the year, "
    "so the trend is infinite (the maximum likelihood estimate does not exist)"
)
REASON_NO_DF = "insufficient data: no residual degrees of freedom to estimate the dispersion"
REASON_NOT_CONVERGED = "insufficient data: the model fit did not converge"
_FREQS = (1, 3, 4, 12)
_COMPARE_COLUMNS = ["comparison", "estimate", "ci_low", "ci_high", "p_value", "n", "count",
                    "reference_count", "population", "reference_population", "defined",
                    "reason"]  # fmt: skip


@dataclass(frozen=True)
class _Fit:
    params: np.ndarray
    cov: np.ndarray  # covariance already scaled by the dispersion
    dispersion: float
    df_resid: float  # t degrees of freedom; inf for likelihood (z) inference


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


def _fit_quasipoisson(y: np.ndarray, X: np.ndarray, offset: np.ndarray) -> _Fit:
    """Poisson GLM by IRLS; covariance scaled by ``max(Pearson chi2 / df_resid, 1)``.

    The floor at 1 keeps under-dispersed (or perfectly fitting) series from getting
    intervals narrower than Poisson ones.
    """
    params, mu, cov = _glm(y, X, offset, sm.families.Poisson())
    df_resid = len(y) - X.shape[1]
    phi = max(float(np.sum((y - mu) ** 2 / mu)) / df_resid, 1.0)
    return _Fit(params, cov * phi, phi, float(df_resid))


def _glm(
    y: np.ndarray, X: np.ndarray, offset: np.ndarray, family: Any
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Poisson GLM (statsmodels IRLS): parameters, fitted means and the inverse Fisher
    information ``(X' diag(mu) X)^-1`` at the estimate itself (statsmodels' own covariance
    uses the weights of the step before, off by ~1e-9)."""
    res = sm.GLM(y, X, family=family, offset=offset).fit(tol=1e-12, maxiter=100)
    if not res.converged:
        raise np.linalg.LinAlgError(REASON_NOT_CONVERGED)
    params = np.asarray(res.params)
    mu = np.exp(X @ params + offset)
    return params, mu, np.linalg.inv(X.T @ (mu[:, None] * X))


def _nb_loglik(
    y: np.ndarray, X: np.ndarray, offset: np.ndarray, alpha: float, beta: np.ndarray
) -> float:
    with np.errstate(all="ignore"):
        mu = np.exp(X @ beta + offset)
        r, pos = 1 / alpha, y > 0
        # log Gamma(y+r) - log Gamma(r) as gammaln(y) - betaln(y, r) - log(y): stable for big r
        lg = np.zeros_like(y)
        lg[pos] = special.gammaln(y[pos]) - special.betaln(y[pos], r) - np.log(y[pos])
        ll = lg - special.gammaln(y + 1) + y * np.log(alpha * mu / (1 + alpha * mu))
        total = float(np.sum(ll - r * np.log1p(alpha * mu)))
    return total if math.isfinite(total) else -math.inf


def _nb_irls(
    y: np.ndarray, X: np.ndarray, offset: np.ndarray, alpha: float, beta: np.ndarray
) -> tuple[np.ndarray, float, np.ndarray]:
    """NB2 log-link GLM at fixed ``alpha`` by Newton-Raphson with step halving (numpy, far
    cheaper than a statsmodels fit per profile step). The log-likelihood is concave in
    ``beta``; the observed Hessian converges fast where Fisher scoring crawls on sparse data.
    Returns parameters, log-likelihood and the inverse expected information
    ``(X' W X)^-1``, ``W = mu/(1 + alpha*mu)`` (as R's ``glm.nb``)."""
    ll = _nb_loglik(y, X, offset, alpha, beta)
    for _ in range(200):
        mu = np.exp(X @ beta + offset)
        hess = X.T @ ((mu * (1 + alpha * y) / (1 + alpha * mu) ** 2)[:, None] * X)
        step = np.linalg.solve(hess, X.T @ ((y - mu) / (1 + alpha * mu)))
        for _ in range(40):
            new_ll = _nb_loglik(y, X, offset, alpha, beta + step)
            if new_ll >= ll - 1e-13 * abs(ll):
                break
            step = step / 2
        beta, gain, ll = beta + step, new_ll - ll, new_ll
        if np.max(np.abs(step)) < 1e-11 * (1 + np.max(np.abs(beta))) or abs(gain) < 1e-14:
            break
    else:
        raise np.linalg.LinAlgError(REASON_NOT_CONVERGED)
    mu = np.exp(X @ beta + offset)
    w = mu / (1 + alpha * mu)
    return beta, ll, np.linalg.inv(X.T @ (w[:, None] * X))


def _fit_negbin(y: np.ndarray, X: np.ndarray, offset: np.ndarray) -> _Fit:
    """NB2 (``var = mu + alpha*mu**2``) by maximum likelihood, Wald z inference.

    ``alpha`` maximises the profile log-likelihood (bounded Brent search on ``log alpha``
    over 1e-8..1e4); ``beta`` and its covariance are those of the NB2 GLM at that ``alpha``
    (expected information, as R's ``MASS::glm.nb``). When the likelihood does not rise from
    ``alpha = 0`` (score ``sum((y - mu)**2 - y) <= 0`` at the Poisson fit, i.e. no
    over-dispersion) or the maximum is at the lower end, the model is the Poisson GLM and
    ``alpha = 0``.
    """
    params, mu, cov = _glm(y, X, offset, sm.families.Poisson())
    if np.sum((y - mu) ** 2 - y) <= 0:
        return _Fit(params, cov, 0.0, math.inf)

    def neg_loglik(log_alpha: float) -> float:
        return -_nb_irls(y, X, offset, math.exp(log_alpha), params)[1]

    lo, hi = math.log(1e-8), math.log(1e4)
    opt = optimize.minimize_scalar(
        neg_loglik, bounds=(lo, hi), method="bounded", options={"xatol": 1e-9}
    )
    if opt.x > hi - 1e-3:
        raise np.linalg.LinAlgError(REASON_NOT_CONVERGED)
    if opt.x < lo + 1e-3:
        return _Fit(params, cov, 0.0, math.inf)
    alpha = math.exp(opt.x)
    beta, _, nb_cov = _nb_irls(y, X, offset, alpha, params)
    return _Fit(beta, nb_cov, alpha, math.inf)


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
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
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


# --------------------------------------------------------------------------- period comparison
def compare_periods(
    current_count: int,
    current_pop: float,
    reference_counts: Sequence[int],
    reference_pops: Sequence[float],
    *,
    alpha: float = 0.05,
) -> pd.DataFrame:
    """This period against the same period a year earlier and in the three previous years.

    Rate ratio ``(count/pop) / (count_ref/pop_ref)``, exact conditional inference: given
    ``m = count + count_ref``, ``count`` is binomial with ``pi = RR*pop/(RR*pop + pop_ref)``.
    Interval: Clopper-Pearson for ``pi`` mapped to the ratio (``rates.rate_ratio_exact``, as
    R's ``poisson.test``); statsmodels' ``confint_poisson_2indep`` has no exact method
    (``waldcc, score, score-log, wald-log, sqrtcc, mover``). p-value of ``RR = 1``: two-sided
    exact binomial test of ``pi = pop/(pop + pop_ref)``, as statsmodels
    ``test_poisson_2indep(method="exact-cond")``.

    Parameters
    ----------
    current_count, current_pop
        Count and population of this period.
    reference_counts, reference_pops
        The same period in earlier years, **oldest first**: the last element is one year
        earlier. The three-year row pools the last three (sums of counts and populations).
    alpha
        1 - confidence level.

    Returns
    -------
    DataFrame
        Rows ``comparison`` = ``previous_year``, ``previous_3_years``; columns
        ``estimate, ci_low, ci_high, p_value, n, count, reference_count, population,
        reference_population, defined, reason`` (``n = count + reference_count``). Without
        enough earlier years, or with 0 reference events, a row is not defined.

    Examples
    --------
    >>> t = compare_periods(12, 2_000, [4, 6, 5], [2_000, 2_000, 2_000])
    >>> t["estimate"].round(3).tolist()
    [2.4, 2.4]
    """
    counts, pops = list(reference_counts), list(reference_pops)
    if len(counts) != len(pops):
        raise UsageError("reference_counts and reference_pops must have the same length.")
    rows = []
    for label, k in (("previous_year", 1), ("previous_3_years", 3)):
        ok = len(counts) >= k
        ref_c = float(sum(counts[-k:])) if ok else 0.0
        ref_p = float(sum(pops[-k:])) if ok else 0.0
        ratio = rate_ratio_table(
            current_count, current_pop, ref_c, ref_p, method="exact", alpha=alpha
        )
        est = ratio.iloc[0].to_dict()
        m, p_value = int(current_count + ref_c), pd.NA
        if ok and m > 0 and current_pop > 0 and ref_p > 0:
            share = current_pop / (current_pop + ref_p)
            p_value = stats.binomtest(int(current_count), m, share).pvalue
        if not ok:
            why = f"not defined: fewer than {k} earlier year(s) of the same period"
            est.update(estimate=pd.NA, ci_low=pd.NA, ci_high=pd.NA, defined=False, reason=why)
        rows.append(
            {"comparison": label, **est, "p_value": p_value, "count": int(current_count),
             "reference_count": int(ref_c), "population": float(current_pop),
             "reference_population": ref_p}
        )  # fmt: skip
    out = pd.DataFrame(rows)
    for c in ("estimate", "ci_low", "ci_high", "p_value"):
        out[c] = out[c].astype("Float64")
    return out[_COMPARE_COLUMNS]


# --------------------------------------------------------------------------- Mann-Kendall
@dataclass(frozen=True)
class MannKendallResult:
    """Mann-Kendall trend test with Sen's slope.

    Attributes
    ----------
    s, var_s, z, p_value, tau
        Kendall's S, its tie-corrected variance, the (continuity-corrected) normal score, the
        two-sided p-value and ``tau = S / (n(n-1)/2)``.
    slope, slope_ci_low, slope_ci_high, intercept
        Sen's slope per period (median of pairwise slopes) with the Gilbert (1987) interval,
        and the intercept ``median(y) - slope*median(t)`` (t = 0, 1, ...).
    """

    s: int | None
    var_s: float | None
    z: float | None
    p_value: float | None
    tau: float | None
    slope: float | None
    slope_ci_low: float | None
    slope_ci_high: float | None
    intercept: float | None
    n: int
    status: Status
    reason: str

    @property
    def table(self) -> pd.DataFrame:
        vals = [self.slope, self.slope_ci_low, self.slope_ci_high, self.p_value]
        names = ("estimate", "ci_low", "ci_high", "p_value")
        cols = {c: pd.array([v], dtype="Float64") for c, v in zip(names, vals, strict=True)}
        return pd.DataFrame({"term": ["sen_slope"], **cols, "n": [self.n]})

    def summary(self) -> str:
        if self.status != "ok":
            return f"Mann-Kendall (n = {self.n}): {self.reason}"
        return (
            f"Mann-Kendall (n = {self.n}): S = {self.s}, Z = {self.z:.3f}, p = {self.p_value:.3g}; "
            f"Sen's slope {self.slope:.4g} per period (CI {self.slope_ci_low:.4g} to "
            f"{self.slope_ci_high:.4g})"
        )


def mann_kendall(series: Any, *, alpha: float = 0.05, continuity: bool = True) -> MannKendallResult:
    """Mann-Kendall test of a monotone trend, with Sen's slope and its Gilbert interval.

    ``S = sum_{i<j} sign(y_j - y_i)``; ``var S = [n(n-1)(2n+5) - sum t(t-1)(2t+5)] / 18`` over
    groups of ``t`` tied values; ``Z = (S - sign(S)) / sqrt(var S)`` with the continuity
    correction (``continuity=False``: ``S / sqrt(var S)``, as ``scipy.stats.kendalltau``
    against the time index). Assumes independent observations (no serial correlation); the
    normal approximation is rough for ``n < 10``. Sen's slope is the median of the
    ``N' = n(n-1)/2`` pairwise slopes; its interval takes the ``M1``-th and ``(M2+1)``-th
    ordered slopes, ``M1,2 = (N' -+ z_{1-alpha/2} sqrt(var S))/2`` rounded to the nearest
    integer (Gilbert 1987, 16.5; as ``scipy.stats.theilslopes``).

    Examples
    --------
    >>> r = mann_kendall([1, 2, 2, 3, 5, 4])
    >>> r.s, round(r.var_s, 4), round(r.p_value, 4), round(r.slope, 4)
    (12, 27.3333, 0.0354, 0.6667)
    """
    y = np.asarray(pd.Series(series), dtype=float)
    if np.any(~np.isfinite(y)):
        raise UsageError("The series given to mann_kendall must not contain missing values.")
    n = len(y)
    if n < 3:
        why = f"insufficient data: {n} values, at least 3 are needed"
        return MannKendallResult(None, None, None, None, None, None, None, None, None, n,
                                 "insufficient_data", why)  # fmt: skip
    i, j = np.triu_indices(n, k=1)
    diff = y[j] - y[i]
    s = int(np.sign(diff).sum())
    _, ties = np.unique(y, return_counts=True)
    var_s = float((n * (n - 1) * (2 * n + 5) - np.sum(ties * (ties - 1) * (2 * ties + 5))) / 18)
    if var_s > 0:
        z = (s - np.sign(s)) / math.sqrt(var_s) if continuity else s / math.sqrt(var_s)
    else:  # every value equal: no evidence of any trend
        z = 0.0
    p = float(2 * stats.norm.sf(abs(z)))
    slopes = np.sort(diff / (j - i))
    n_pairs = len(slopes)
    c = stats.norm.isf(alpha / 2) * math.sqrt(var_s)
    lo_idx = max(int(np.round((n_pairs - c) / 2)) - 1, 0)
    hi_idx = min(int(np.round((n_pairs + c) / 2)), n_pairs - 1)
    slope = float(np.median(slopes))
    intercept = float(np.median(y) - slope * (n - 1) / 2)
    low, high = float(slopes[lo_idx]), float(slopes[hi_idx])
    return MannKendallResult(s, var_s, float(z), p, s / n_pairs, slope, low, high, intercept, n,
                             "ok", "")  # fmt: skip
