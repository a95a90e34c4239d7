"""Comparisons of periods and distribution-free trend tests.

- :func:`compare_periods`: this period against the same period a year earlier and against the
  same period pooled over the three previous years (exact conditional rate ratio and test).
- :func:`counts_differ_p` and :func:`shares_differ_p`: exact tests of two published counts
  and of two shares (the report's "within chance variation" beside each arrow).
- :func:`mann_kendall`: distribution-free monotone trend test with Sen's slope.

The GLM trend (:func:`~risk_indicators.stats.trends.poisson_trend`) is in
:mod:`risk_indicators.stats.trends`, which also re-exports these names.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd
from scipy import stats

from risk_indicators.errors import UsageError

from ._estimate import _check_alpha, _kish_trials, _noise_factor, _z
from .rates import rate_ratio_table

__all__ = [
    "MannKendallResult",
    "compare_periods",
    "counts_differ_p",
    "mann_kendall",
    "shares_differ_p",
]

Status = Literal["ok", "insufficient_data"]

_COMPARE_COLUMNS = ["comparison", "estimate", "ci_low", "ci_high", "p_value", "n", "count",
                    "reference_count", "population", "reference_population", "defined",
                    "reason"]  # fmt: skip


# --------------------------------------------------------------------------- period comparison
def compare_periods(
    current_count: int,
    current_pop: float,
    reference_counts: Sequence[int],
    reference_pops: Sequence[float],
    *,
    alpha: float = 0.05,
    noise_variance: float = 0.0,
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
    noise_variance
        Of each count when the counts are perturbed (the cell-key method; a pooled
        reference of k years has k times it): the interval uses the effective counts
        ``k / (1 + V/k)`` (:func:`~risk_indicators.stats.rate_ratio_table`) and the test
        their nearest whole numbers, an approximation.

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
        noise = (noise_variance, k * noise_variance)
        ratio = rate_ratio_table(current_count, current_pop, ref_c, ref_p, method="exact",
                                 alpha=alpha, noise_variance=noise)  # fmt: skip
        est = ratio.iloc[0].to_dict()
        x = round(current_count / _noise_factor(current_count, noise[0]))
        m = x + round(ref_c / _noise_factor(ref_c, noise[1]))
        p_value = pd.NA
        if ok and m > 0 and current_pop > 0 and ref_p > 0:
            share = current_pop / (current_pop + ref_p)
            p_value = stats.binomtest(int(x), int(m), share).pvalue
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


def counts_differ_p(count: float, reference_count: float, *, noise_variance: float = 0.0
                    ) -> float | None:  # fmt: skip
    """Two-sided p-value that two counts have the same expectation.

    Exact conditional test: given ``m = count + reference_count``, ``count`` is binomial
    ``(m, 1/2)`` under equal expectations (as R's ``poisson.test(c(count, reference_count))``).
    It compares counts, not rates: for a municipality whose population changes by about a
    percent a year it says whether the number reported changed more than chance. Assumes
    independent persons (Poisson counts). Perturbed counts (cell-key, ``noise_variance`` V
    each) keep their proportion and enter with the effective total ``m^2 / (m + 2V)`` (the
    sum's variance ``m + 2V`` at the same mean), rounded: the noise can only weaken the
    evidence. None when both counts are 0.

    Examples
    --------
    >>> round(counts_differ_p(30, 27), 4)  # Binomial(57, 1/2) probabilities <= P(30), summed
    0.7914
    """
    m = float(count) + float(reference_count)
    if m <= 0:
        return None
    m_eff = round(m * m / (m + 2 * noise_variance))
    x = min(round(float(count) / m * m_eff), m_eff)
    return float(stats.binomtest(x, m_eff, 0.5).pvalue) if m_eff > 0 else 1.0


def shares_differ_p(k: float, n: float, reference_k: float, reference_n: float, *,
                    noise_variance: float = 0.0, trials_noise_variance: float | None = None,
                    alpha: float = 0.05) -> float | None:  # fmt: skip
    """Two-sided p-value that two shares ``k/n`` and ``reference_k/reference_n`` are equal.

    Fisher's exact test of the 2x2 table ``[[k, n-k], [reference_k, reference_n-reference_k]]``
    (as R's ``fisher.test``: the tables with the same margins no more probable than the
    observed one), chosen because the counts are small (a few young women a period), where
    the chi-squared approximation fails; it is conservative. Assumes independent persons.
    Perturbed counts (cell-key; ``noise_variance`` and ``trials_noise_variance`` as in
    :func:`~risk_indicators.stats.wilson_interval`) keep each share and enter with Kish's
    effective number of trials, the one that widens the share's published interval
    (``alpha`` its level), rounded: the noise can only weaken the evidence. None when a
    share is not defined (``n`` 0).

    Examples
    --------
    >>> round(shares_differ_p(4, 13, 3, 20), 4)  # hypergeometric tables, summed by hand
    0.3926
    """
    if n <= 0 or reference_n <= 0:
        return None
    z, rows = _z(_check_alpha(alpha, "shares_differ_p")), []
    for successes, trials in ((float(k), float(n)), (float(reference_k), float(reference_n))):
        successes = min(max(successes, 0.0), trials)
        if noise_variance or trials_noise_variance:
            trials_eff = max(round(_kish_trials(successes, trials, z, noise_variance,
                                                trials_noise_variance)), 1)  # fmt: skip
        else:
            trials_eff = round(trials)
        hits = min(round(successes / trials * trials_eff), trials_eff)
        rows.append([hits, trials_eff - hits])
    return float(stats.fisher_exact(rows).pvalue)


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
