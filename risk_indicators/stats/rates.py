"""Shares, rates and ratios with their confidence intervals.

Methods (each chosen because it behaves well at the small counts of a small municipality):

- share: Wilson score interval (Wilson 1927), good coverage down to a few trials, no bounds
  outside [0, 1], and 0 or all successes handled without special cases.
- rate of a count: exact (Garwood 1936) Poisson interval in its chi-square form,
  ``low = chi2.ppf(alpha/2, 2k)/2``, ``high = chi2.ppf(1-alpha/2, 2k+2)/2``; conservative.
- ratio of two Poisson rates: Katz log interval, ``var(log RR) = 1/a + 1/b``
  (:func:`rate_ratio_katz`), or the exact conditional interval (:func:`rate_ratio_exact`):
  given ``a + b``, ``a`` is binomial, and the Clopper-Pearson interval of its proportion is
  mapped to the ratio scale.
- ratio of two binomial risks: Katz log interval, ``var(log RR) = 1/a - 1/n1 + 1/b - 1/n0``
  (:func:`risk_ratio_katz`).
- odds of a share against the odds of a benchmark share: Woolf log-odds interval
  (:func:`risk_indicators.stats.odds_ratio_to_benchmark`, in ``_benchmark``).

Perturbed counts (the cell-key method, ``noise_variance`` ``V`` > 0): each published count
carries independent noise of mean 0 and variance ``V`` beside its sampling variation (a
published 0 carries less, so using ``V`` for it too is conservative). Every interval is then
widened by the delta method, in the manner of Fay and Feuer's (1997) gamma intervals for
counts whose variance is not their mean: a share's Wilson interval uses the effective
sample size ``n / f`` (Kish), ``f = 1 + V (k^2 + (n-k)^2) / n^4 / v``, ``v`` its binomial
variance with Wilson's ``z^2 / (4 n^2)`` added (finite at 0 and n); a rate's exact interval
is that of the effective count ``k / f`` scaled by ``f = 1 + V / max(k, 1)``; a log ratio's
variance gains ``V / a^2 + V / b^2``, an exact ratio uses the effective counts. ``V = 0``
gives the usual intervals exactly.

Zeros and empty denominators never produce NaN or inf. Every function returns an
:class:`Estimate` (scalars) or a tidy DataFrame (``*_table``, array-likes) whose ``defined``
and ``reason`` say what could not be computed:

=============================  ==============================================================
case                           result
=============================  ==============================================================
trials 0 / population 0        estimate, interval None, ``defined`` False, reason given
share or rate with 0 events    estimate 0, low 0, exact or Wilson upper bound
ratio, 0 events in group 1     Katz: estimate 0, interval None (log 0), reason given;
                               exact: estimate 0, low 0 and a finite upper bound
ratio, 0 events in group 0     not defined (division by zero), reason given
benchmark, 0 or all successes  0 successes: estimate 0, interval None; all: not defined
=============================  ==============================================================

``defined`` is True when the point estimate exists; the interval may still be None (reason
given). In tables, missing numbers are ``pd.NA`` in nullable ``Float64`` columns, never NaN.

:class:`Estimate`, the ``REASON_*`` texts and the shared helpers live in
``risk_indicators.stats._estimate`` and are re-exported here.
"""

from __future__ import annotations

from typing import Any, Literal

import numpy as np
import pandas as pd
from scipy import stats

from risk_indicators.errors import UsageError

from ._estimate import (
    REASON_ALL_SUCCESSES,
    REASON_NO_EVENTS_KATZ,
    REASON_NO_EVENTS_REFERENCE,
    REASON_NO_POPULATION,
    REASON_NO_TRIALS,
    REASON_OVERFLOW,
    REASON_ZERO_ODDS,
    Estimate,
    _arr,
    _at_least,
    _check_alpha,
    _clean,
    _Columns,
    _first,
    _index_of,
    _katz,
    _kish_trials,
    _noise,
    _noise_factor,
    _reasons,
    _table,
    _where,
    _z,
)

__all__ = [
    "REASON_ALL_SUCCESSES",
    "REASON_NO_EVENTS_KATZ",
    "REASON_NO_EVENTS_REFERENCE",
    "REASON_NO_POPULATION",
    "REASON_NO_TRIALS",
    "REASON_OVERFLOW",
    "REASON_ZERO_ODDS",
    "Estimate",
    "poisson_rate",
    "poisson_rate_table",
    "rate_ratio_exact",
    "rate_ratio_katz",
    "rate_ratio_table",
    "risk_ratio_katz",
    "wilson_interval",
    "wilson_table",
]


# --------------------------------------------------------------------------- shares
def wilson_table(
    successes: Any, trials: Any, *, alpha: float = 0.05, noise_variance: float = 0.0
) -> pd.DataFrame:
    """Wilson score intervals for many shares at once.

    Parameters
    ----------
    successes, trials
        Array-likes (or scalars) of whole numbers, broadcast together; a Series index is kept.
    alpha
        1 - confidence level.
    noise_variance
        Variance of the perturbation of each count (the cell-key method; see the module).

    Returns
    -------
    DataFrame
        Columns ``estimate, ci_low, ci_high, n, defined, reason``; ``n`` is ``trials``.

    Examples
    --------
    >>> wilson_table([0, 3], [10, 10])["ci_high"].round(4).tolist()
    [0.2775, 0.6032]
    """
    cols = _wilson(successes, trials, alpha, "wilson_table", noise_variance)
    return _table(cols, _index_of(successes, trials))


def _wilson(successes: Any, trials: Any, alpha: float, func: str, noise: float = 0.0,
            trials_noise: float | None = None) -> _Columns:  # fmt: skip
    alpha = _check_alpha(alpha, func)
    k, n = np.broadcast_arrays(_arr(successes, "successes", func), _arr(trials, "trials", func))
    _at_least(k, n, ("successes", "trials"), func)
    z, ok = _z(alpha), n > 0
    nn = np.where(ok, n, 1.0)
    p = k / nn
    if _noise(noise, func) or (trials_noise is not None and _noise(trials_noise, func)):
        nn = _kish_trials(k, nn, z, noise, trials_noise)
    denom = 1 + z**2 / nn
    centre = (p + z**2 / (2 * nn)) / denom
    half = z * np.sqrt(p * (1 - p) / nn + z**2 / (4 * nn**2)) / denom
    # exact 0 and 1 at the edges; rounding could otherwise put p outside [low, high]
    low = np.where(k == 0, 0.0, np.clip(centre - half, 0.0, p))
    high = np.where(k == n, 1.0, np.clip(centre + half, p, 1.0))
    reason = _reasons(k.shape)
    reason[~ok] = REASON_NO_TRIALS
    est, low, high = _where(ok, p, low, high)
    return _clean(est, low, high, n, reason)


def wilson_interval(
    successes: int,
    trials: int,
    *,
    alpha: float = 0.05,
    noise_variance: float = 0.0,
    trials_noise_variance: float | None = None,
) -> Estimate:
    """Share ``successes / trials`` with its Wilson score interval.

    The Wilson interval inverts the score test of a binomial proportion; it assumes
    independent trials with a common probability. 0 successes give estimate 0 and low 0.
    ``noise_variance`` is that of each of the perturbed counts ``successes`` and ``trials -
    successes``; ``trials_noise_variance`` instead says that ``trials`` is a count perturbed
    on its own (a total beside its part): the noise then adds ``V/n^2 + k^2 V_n/n^4``.

    Examples
    --------
    >>> e = wilson_interval(8, 98)
    >>> round(e.estimate, 4), round(e.ci_low, 4), round(e.ci_high, 4)
    (0.0816, 0.0419, 0.1529)
    >>> wilson_interval(0, 0).defined
    False
    >>> round(wilson_interval(8, 98, noise_variance=1.0).ci_high, 4)  # perturbed counts
    0.1573
    """
    return _first(_wilson(successes, trials, alpha, "wilson_interval", noise_variance,
                          trials_noise_variance))  # fmt: skip


# --------------------------------------------------------------------------- rates
def poisson_rate_table(count: Any, population: Any, *, per: float = 10_000, alpha: float = 0.05,
                       noise_variance: float = 0.0) -> pd.DataFrame:  # fmt: skip
    """Rates per ``per`` inhabitants with exact (Garwood) Poisson intervals, vectorised.

    Returns
    -------
    DataFrame
        Columns ``estimate, ci_low, ci_high, n, defined, reason``; ``n`` is ``count``.
    """
    cols = _poisson(count, population, per, alpha, "poisson_rate_table", noise_variance)
    return _table(cols, _index_of(count, population))


def _poisson(
    count: Any, population: Any, per: float, alpha: float, func: str, noise: float = 0.0
) -> _Columns:
    alpha = _check_alpha(alpha, func)
    if not (isinstance(per, int | float) and per > 0):
        raise UsageError(f"The 'per' parameter of {func} must be positive. Got {per!r} instead.")
    k, pop = np.broadcast_arrays(
        _arr(count, "count", func), _arr(population, "population", func, whole=False)
    )
    ok = pop > 0
    with np.errstate(over="ignore"):  # absurdly small populations are caught in _table
        scale = per / np.where(ok, pop, 1.0)
    # the effective count k / f of variance k + V (Fay and Feuer), its bounds scaled back
    f = _noise_factor(k, noise) if _noise(noise, func) else np.ones(k.shape)
    # chi2 with 0 degrees of freedom is degenerate at 0, the exact lower bound for k = 0
    low_k = np.where(k > 0, stats.chi2.ppf(alpha / 2, 2 * np.maximum(k / f, 1e-12)) / 2, 0.0)
    high_k = stats.chi2.ppf(1 - alpha / 2, 2 * k / f + 2) / 2 * f
    low_k = low_k * f
    reason = _reasons(k.shape)
    reason[~ok] = REASON_NO_POPULATION
    # a population near 0 can overflow; _table reports such a rate as not defined
    with np.errstate(invalid="ignore", over="ignore"):
        est, low, high = _where(ok, k * scale, low_k * scale, high_k * scale)
    return _clean(est, low, high, k, reason)


def poisson_rate(count: int, population: float, *, per: float = 10_000, alpha: float = 0.05,
                 noise_variance: float = 0.0) -> Estimate:  # fmt: skip
    """Rate ``count / population * per`` with the exact (Garwood) Poisson interval.

    Assumes the count is Poisson with mean ``rate * population``; the interval is the
    chi-square (gamma) form of the central exact interval, so its coverage is at least
    ``1 - alpha``. A count of 0 gives estimate 0, low 0 and high ``chi2.ppf(1-alpha/2, 2)/2``
    events (3.689 at 95%).

    Examples
    --------
    >>> e = poisson_rate(0, 2_000)
    >>> e.estimate, e.ci_low, round(e.ci_high, 3)
    (0.0, 0.0, 18.444)
    """
    return _first(_poisson(count, population, per, alpha, "poisson_rate", noise_variance))


# --------------------------------------------------------------------------- ratios
RatioMethod = Literal["katz", "exact"]


def rate_ratio_table(
    count1: Any,
    pop1: Any,
    count0: Any,
    pop0: Any,
    *,
    method: RatioMethod = "katz",
    alpha: float = 0.05,
    noise_variance: float | tuple[float, float] = 0.0,
) -> pd.DataFrame:
    """Ratios of two Poisson rates, ``(count1/pop1) / (count0/pop0)``, vectorised.

    Parameters
    ----------
    count1, pop1, count0, pop0
        Array-likes or scalars, broadcast together; group 1 is the numerator.
    method
        ``"katz"``: ``log RR +- z*sqrt(1/count1 + 1/count0)``, the delta-method interval for
        independent Poisson counts (the contract's method). ``"exact"``: given
        ``m = count1 + count0``, ``count1`` is binomial with proportion
        ``pi = RR*pop1 / (RR*pop1 + pop0)``; the Clopper-Pearson interval of ``pi`` mapped to
        ``RR = pi/(1-pi) * pop0/pop1`` (the interval of R's two-sample ``poisson.test``),
        exact and conservative, with a finite upper bound when ``count1 = 0``.
    alpha
        1 - confidence level.
    noise_variance
        Of each perturbed count, or ``(count1's, count0's)``: Katz adds ``V/a^2 + V/b^2``,
        exact uses the effective counts ``k / (1 + V/k)``.

    Returns
    -------
    DataFrame
        Columns ``estimate, ci_low, ci_high, n, defined, reason``; ``n = count1 + count0``.
        ``count0 = 0`` or a zero population: not defined. ``count1 = 0``: estimate 0; Katz
        gives no interval, exact gives ``[0, upper]``.
    """
    cols = _rate_ratio(count1, pop1, count0, pop0, method, alpha, "rate_ratio_table",
                       noise_variance)  # fmt: skip
    return _table(cols, _index_of(count1, pop1, count0, pop0))


def _rate_ratio(
    count1: Any,
    pop1: Any,
    count0: Any,
    pop0: Any,
    method: str,
    alpha: float,
    func: str,
    noise: float | tuple[float, float] = 0.0,
) -> _Columns:
    alpha = _check_alpha(alpha, func)
    if method not in ("katz", "exact"):
        raise UsageError(
            f"The 'method' parameter of {func} must be one of 'exact', 'katz'. "
            f"Got {method!r} instead."
        )
    a, p1, b, p0 = np.broadcast_arrays(
        _arr(count1, "count1", func),
        _arr(pop1, "pop1", func, whole=False),
        _arr(count0, "count0", func),
        _arr(pop0, "pop0", func, whole=False),
    )
    pops = (p1 > 0) & (p0 > 0)
    bb = np.where(b > 0, b, 1.0)
    n1, n0 = noise if isinstance(noise, tuple) else (noise, noise)  # per count, or both
    noisy = _noise(n1, func) | _noise(n0, func)  # checked: numbers >= 0
    with np.errstate(all="ignore"):  # overflow on absurd populations is caught in _table
        est = a / bb * (np.where(pops, p0, 1.0) / np.where(pops, p1, 1.0))
        if method == "katz":
            aa = np.where(a > 0, a, 1.0)
            var = 1 / aa + 1 / bb + (n1 / aa**2 + n0 / bb**2 if noisy else 0)
            est, low, high = _katz(a, b, est, var, _z(alpha))
        else:
            scale = np.where(pops, p0, 1.0) / np.where(pops, p1, 1.0)
            # perturbed counts: the effective counts k / (1 + V / k) (Fay and Feuer)
            ae = a / _noise_factor(a, n1) if noisy else a
            be = b / _noise_factor(b, n0) if noisy else b
            pi_low = np.where(a > 0, stats.beta.ppf(alpha / 2, np.maximum(ae, 1e-9), be + 1), 0.0)
            pi_high = stats.beta.ppf(1 - alpha / 2, ae + 1, np.where(b > 0, be, 1.0))
            # quantiles can round a hair past the estimate; keep low <= estimate <= high
            low = np.minimum(pi_low / (1 - pi_low) * scale, est)
            high = np.maximum(pi_high / (1 - pi_high) * scale, est)
            # no reference events: no estimate and no upper limit, but the lower limit
            # exists (R poisson.test(c(3, 0)) gives [0.413, Inf])
            zero_ref = np.where(a > 0, pi_low / (1 - pi_low) * scale, np.nan)
            est, high = _where(b > 0, est, high)
            low = np.where(b > 0, low, zero_ref)
    reason = _reasons(a.shape)
    if method == "katz":
        reason[(a == 0) & (b > 0)] = REASON_NO_EVENTS_KATZ
    reason[b == 0] = REASON_NO_EVENTS_REFERENCE
    reason[~pops] = REASON_NO_POPULATION
    est, low, high = _where(pops, est, low, high)
    return _clean(est, low, high, a + b, reason)


def rate_ratio_katz(count1: int, pop1: float, count0: int, pop0: float, *, alpha: float = 0.05,
                    noise_variance: float = 0.0) -> Estimate:  # fmt: skip
    """Ratio of two Poisson rates with the Katz log interval.

    ``(count1/pop1) / (count0/pop0)``, ``log RR +- z * sqrt(1/count1 + 1/count0)``. Use it
    for rates per population (e.g. young women's rate over young men's). With ``count1 = 0``
    the estimate is 0 and the interval is not defined (:func:`rate_ratio_exact` gives a finite
    exact upper bound); with ``count0 = 0`` or a zero population nothing is defined.
    ``n = count1 + count0``. See :func:`rate_ratio_table`.

    Examples
    --------
    >>> e = rate_ratio_katz(8, 3_890, 90, 4_100)
    >>> round(e.estimate, 4), round(e.ci_low, 4), round(e.ci_high, 4)
    (0.0937, 0.0455, 0.1931)
    """
    return _first(_rate_ratio(count1, pop1, count0, pop0, "katz", alpha, "rate_ratio_katz",
                              noise_variance))  # fmt: skip


def rate_ratio_exact(
    count1: int, pop1: float, count0: int, pop0: float, *, alpha: float = 0.05
) -> Estimate:
    """Ratio of two Poisson rates with the exact conditional (Clopper-Pearson) interval.

    See :func:`rate_ratio_table` with ``method="exact"``.

    Examples
    --------
    >>> e = rate_ratio_exact(0, 1_000, 5, 1_000)
    >>> e.estimate, e.ci_low, round(e.ci_high, 4)
    (0.0, 0.0, 1.0913)
    """
    return _first(_rate_ratio(count1, pop1, count0, pop0, "exact", alpha, "rate_ratio_exact"))


def risk_ratio_katz(
    events1: int, trials1: int, events0: int, trials0: int, *, alpha: float = 0.05
) -> Estimate:
    """Ratio of two binomial risks, ``(events1/trials1) / (events0/trials0)``, Katz interval.

    ``log RR +- z * sqrt(1/a - 1/n1 + 1/b - 1/n0)`` (Katz et al. 1978), as
    ``statsmodels`` ``Table2x2.riskratio_confint(method="normal")``. Use it when each group is
    a fixed number of persons of whom some have the event. Zeros as in
    :func:`rate_ratio_katz`; 0 trials in a group: not defined. ``n = trials1 + trials0``.

    Examples
    --------
    >>> e = risk_ratio_katz(8, 3_890, 90, 4_100)
    >>> round(e.estimate, 4), round(e.ci_low, 4), round(e.ci_high, 4)
    (0.0937, 0.0455, 0.1928)
    """
    func = "risk_ratio_katz"
    alpha = _check_alpha(alpha, func)
    a, b = _arr(events1, "events1", func), _arr(events0, "events0", func)
    n1, n0 = _arr(trials1, "trials1", func), _arr(trials0, "trials0", func)
    _at_least(a, n1, ("events1", "trials1"), func)
    _at_least(b, n0, ("events0", "trials0"), func)
    if n1[0] == 0 or n0[0] == 0:
        return Estimate(None, None, None, int(n1[0] + n0[0]), False, REASON_NO_TRIALS)
    aa, bb = np.where(a > 0, a, 1.0), np.where(b > 0, b, 1.0)
    est, low, high = _katz(a, b, (a / n1) / (bb / n0), 1 / aa - 1 / n1 + 1 / bb - 1 / n0, _z(alpha))
    reason = _reasons(a.shape)
    reason[(a == 0) & (b > 0)] = REASON_NO_EVENTS_KATZ
    reason[b == 0] = REASON_NO_EVENTS_REFERENCE
    return _first(_clean(est, low, high, n1 + n0, reason))


# --------------------------------------------------------------------------- benchmark
