"""Tests of risk_indicators.stats.rates against statsmodels, scipy, R and hand arithmetic.

Reference values are either recorded with the exact call that produced them (R 4.x
``stats``, statsmodels 0.15) or computed in the test by the reference library itself.
"""

from __future__ import annotations

import math
import re
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats
from statsmodels.stats.contingency_tables import Table2x2
from statsmodels.stats.proportion import proportion_confint
from statsmodels.stats.rates import confint_poisson, confint_poisson_2indep

from risk_indicators.errors import UsageError
from risk_indicators.stats import odds_ratio_to_benchmark
from risk_indicators.stats.rates import (
    REASON_NO_EVENTS_REFERENCE,
    REASON_NO_POPULATION,
    REASON_NO_TRIALS,
    Estimate,
    poisson_rate,
    poisson_rate_table,
    rate_ratio_exact,
    rate_ratio_katz,
    rate_ratio_table,
    risk_ratio_katz,
    wilson_interval,
    wilson_table,
)

TOL = 1e-10
Z975 = 1.959963984540054  # scipy.stats.norm.ppf(0.975)


def close(a: Any, b: float, tol: float = TOL) -> bool:
    return a is not None and math.isclose(float(a), b, rel_tol=tol, abs_tol=tol)


# --------------------------------------------------------------------------- Wilson
def test_wilson_recorded_values() -> None:
    e = wilson_interval(8, 98)
    # statsmodels: proportion_confint(8, 98, method="wilson")
    # R: prop.test(8, 98, correct=FALSE)$conf.int -> 0.041944058967642008 0.152882871542335597
    assert close(e.estimate, 8 / 98)
    assert close(e.ci_low, 0.041944058967642)
    assert close(e.ci_high, 0.15288287154233565)
    assert e.n == 98 and e.defined and e.reason == ""


@pytest.mark.parametrize(
    ("k", "n"), [(0, 1), (1, 1), (0, 7), (7, 7), (1, 7), (3, 10), (8, 98), (49, 50), (5, 10_000)]
)
@pytest.mark.parametrize("alpha", [0.05, 0.10, 0.01])
def test_wilson_matches_statsmodels(k: int, n: int, alpha: float) -> None:
    low, high = proportion_confint(k, n, alpha=alpha, method="wilson")  # reference
    e = wilson_interval(k, n, alpha=alpha)
    assert close(e.ci_low, float(low)) and close(e.ci_high, float(high))


def test_wilson_zero_successes_hand() -> None:
    # k = 0: centre = half = (z^2/2n)/(1+z^2/n), so low = 0 and high = z^2/(n+z^2)
    e = wilson_interval(0, 20)
    assert e.estimate == 0.0 and e.ci_low == 0.0
    assert close(e.ci_high, Z975**2 / (20 + Z975**2))
    full = wilson_interval(20, 20)
    assert full.ci_high == 1.0 and close(full.ci_low, 20 / (20 + Z975**2))


def test_wilson_zero_trials_not_defined() -> None:
    e = wilson_interval(0, 0)
    assert e == Estimate(None, None, None, 0, False, REASON_NO_TRIALS)
    assert e.to_dict() == {
        "estimate": None,
        "ci_low": None,
        "ci_high": None,
        "n": 0,
        "defined": False,
        "reason": REASON_NO_TRIALS,
    }


def test_wilson_table_vectorised_keeps_index_and_has_no_nan() -> None:
    k = pd.Series([0, 3, 0], index=["a", "b", "c"])
    n = pd.Series([10, 10, 0], index=["a", "b", "c"])
    t = wilson_table(k, n)
    assert list(t.index) == ["a", "b", "c"]
    assert list(t.columns) == ["estimate", "ci_low", "ci_high", "n", "defined", "reason"]
    low, high = proportion_confint(3, 10, method="wilson")  # reference
    assert close(t.loc["b", "ci_low"], low) and close(t.loc["b", "ci_high"], high)
    assert t.loc["c", "estimate"] is pd.NA and t.loc["c", "reason"] == REASON_NO_TRIALS
    assert not t.loc["c", "defined"] and t.loc["a", "defined"]
    numeric = t[["estimate", "ci_low", "ci_high"]].to_numpy(dtype=float, na_value=0.0)
    assert np.all(np.isfinite(numeric))
    # a nullable column reports <NA>, never NaN, for the undefined row
    assert t["estimate"].dtype == "Float64" and int(t["estimate"].isna().sum()) == 1


# --------------------------------------------------------------------------- Poisson
@pytest.mark.parametrize("k", [0, 1, 2, 8, 37, 500])
@pytest.mark.parametrize("alpha", [0.05, 0.10])
def test_poisson_matches_chi2_formula_and_statsmodels(k: int, alpha: float) -> None:
    pop = 3_890
    e = poisson_rate(k, pop, per=10_000, alpha=alpha)
    # hand formula (Garwood, chi-square form); chi2 with 0 df is the point mass at 0
    low = 0.0 if k == 0 else stats.chi2.ppf(alpha / 2, 2 * k) / 2
    high = stats.chi2.ppf(1 - alpha / 2, 2 * k + 2) / 2
    assert close(e.ci_low, low / pop * 10_000) and close(e.ci_high, high / pop * 10_000)
    sm_low, sm_high = confint_poisson(k, pop, method="exact-c", alpha=alpha)  # reference
    assert close(e.ci_low, float(sm_low) * 10_000) and close(e.ci_high, float(sm_high) * 10_000)
    assert close(e.estimate, k / pop * 10_000) and e.n == k


def test_poisson_recorded_r_and_zero_hand() -> None:
    e = poisson_rate(8, 3_890, per=1)
    # R: poisson.test(8, 3890)$conf.int -> 0.00088787459556516758 0.00405223373269751001
    assert close(e.ci_low, 0.00088787459556516758) and close(e.ci_high, 0.00405223373269751001)
    zero = poisson_rate(0, 2_000)
    # k = 0: P(X = 0 | mu) = exp(-mu) = alpha/2 gives mu = -ln(0.025) = 3.6888794541139363
    assert zero.estimate == 0.0 and zero.ci_low == 0.0
    assert close(zero.ci_high, -math.log(0.025) / 2_000 * 10_000)


def test_poisson_zero_population_not_defined() -> None:
    for k in (0, 3):
        e = poisson_rate(k, 0)
        assert not e.defined and e.estimate is None and e.reason == REASON_NO_POPULATION
        assert e.n == k
    t = poisson_rate_table([0, 4], [0.0, 1_000.0], per=1_000)
    assert t["estimate"].isna().tolist() == [True, False]
    assert close(t["estimate"].iloc[1], 4.0)


# --------------------------------------------------------------------------- ratios
def test_katz_hand_worked_example() -> None:
    # 8 of 3,890 young women vs 90 of 4,100 young men.
    # RR = (8/3890)/(90/4100) = 32,800/350,100 = 0.0936875178520423
    # Poisson Katz: se = sqrt(1/8 + 1/90) = sqrt(0.1361111...) = 0.3689323...
    #   low = RR*exp(-1.959964*0.3689323) = RR*0.4852468 = 0.0454617
    #   high = RR*exp(+1.959964*0.3689323) = RR*2.0608005 = 0.1930712
    rr = 32_800 / 350_100
    se = math.sqrt(1 / 8 + 1 / 90)
    e = rate_ratio_katz(8, 3_890, 90, 4_100)
    assert close(e.estimate, rr)
    assert close(e.ci_low, rr * math.exp(-Z975 * se))
    assert close(e.ci_high, rr * math.exp(Z975 * se))
    assert e.ci_low is not None and e.ci_high is not None
    assert round(e.ci_low, 6) == 0.045462 and round(e.ci_high, 6) == 0.193071
    assert e.n == 98
    # statsmodels: confint_poisson_2indep(8, 3890, 90, 4100, method="wald-log")
    assert close(e.ci_low, 0.04546172495023122) and close(e.ci_high, 0.19307122663923684)
    # Binomial Katz: se = sqrt(1/8 - 1/3890 + 1/90 - 1/4100) = 0.3682528...
    se_b = math.sqrt(1 / 8 - 1 / 3_890 + 1 / 90 - 1 / 4_100)
    b = risk_ratio_katz(8, 3_890, 90, 4_100)
    assert close(b.ci_low, rr * math.exp(-Z975 * se_b))
    assert close(b.ci_high, rr * math.exp(Z975 * se_b))
    # statsmodels: Table2x2([[8, 3882], [90, 4010]]).riskratio_confint()
    assert close(b.ci_low, 0.04552231760295643) and close(b.ci_high, 0.1928142384540346)
    assert b.n == 3_890 + 4_100


@pytest.mark.parametrize(("a", "n1", "b", "n0"), [(1, 10, 1, 10), (3, 50, 12, 40), (30, 31, 2, 9)])
def test_risk_ratio_matches_table2x2(a: int, n1: int, b: int, n0: int) -> None:
    ref = Table2x2(np.array([[a, n1 - a], [b, n0 - b]])).riskratio_confint(method="normal")
    e = risk_ratio_katz(a, n1, b, n0)
    assert close(e.ci_low, float(ref[0])) and close(e.ci_high, float(ref[1]))


@pytest.mark.parametrize(("a", "p1", "b", "p0"), [(1, 100.0, 1, 100.0), (5, 2e3, 17, 3e3)])
def test_rate_ratio_katz_matches_statsmodels_wald_log(a: int, p1: float, b: int, p0: float) -> None:
    low, high = confint_poisson_2indep(a, p1, b, p0, method="wald-log")  # reference
    e = rate_ratio_katz(a, p1, b, p0)
    assert close(e.ci_low, float(low)) and close(e.ci_high, float(high))


def test_rate_ratio_exact_recorded_r() -> None:
    # R: poisson.test(c(8, 90), c(3890, 4100))$conf.int
    e = rate_ratio_exact(8, 3_890, 90, 4_100)
    assert close(e.ci_low, 0.039250415375402935) and close(e.ci_high, 0.192633761563832995)
    # R: poisson.test(c(12, 15), c(2000, 6000))$conf.int
    e = rate_ratio_exact(12, 2_000, 15, 6_000)
    assert close(e.ci_low, 1.0257584484536189) and close(e.ci_high, 5.4922269012785563)
    # R: poisson.test(c(0, 5), c(1000, 1000))$conf.int -> 0, 1.0912791051825459
    zero = rate_ratio_exact(0, 1_000, 5, 1_000)
    assert zero.estimate == 0.0 and zero.ci_low == 0.0 and close(zero.ci_high, 1.0912791051825459)
    assert zero.defined and zero.reason == ""


def test_rate_ratio_exact_is_clopper_pearson_mapped() -> None:
    a, b, p1, p0 = 7, 20, 1_500.0, 2_500.0
    pl, pu = proportion_confint(a, a + b, method="beta")  # reference: Clopper-Pearson
    e = rate_ratio_exact(a, p1, b, p0)
    assert close(e.ci_low, pl / (1 - pl) * p0 / p1) and close(e.ci_high, pu / (1 - pu) * p0 / p1)


def test_ratio_zero_counts_and_populations() -> None:
    k = rate_ratio_katz(0, 1_000, 5, 1_000)
    assert k.defined and k.estimate == 0.0 and k.ci_low is None and k.ci_high is None
    assert "Katz" in k.reason
    for func in (rate_ratio_katz, rate_ratio_exact):
        e = func(3, 1_000, 0, 1_000)
        assert not e.defined and e.estimate is None and e.reason == REASON_NO_EVENTS_REFERENCE
        e = func(0, 1_000, 0, 1_000)
        assert not e.defined and e.ci_high is None
        e = func(3, 0, 5, 1_000)
        assert not e.defined and e.reason == REASON_NO_POPULATION
    r = risk_ratio_katz(0, 0, 1, 5)
    assert not r.defined and r.reason == REASON_NO_TRIALS
    r = risk_ratio_katz(0, 10, 1, 5)
    assert r.estimate == 0.0 and r.ci_low is None


def test_rate_ratio_table_vectorised() -> None:
    t = rate_ratio_table([8, 0, 3], [3_890, 100, 50], [90, 4, 0], [4_100, 100, 50], method="exact")
    assert t["defined"].tolist() == [True, True, False]
    assert close(t["ci_high"].iloc[0], 0.192633761563832995)  # R poisson.test as above
    assert t["ci_high"].isna().tolist() == [False, False, True]


# --------------------------------------------------------------------------- benchmark
def test_benchmark_odds_ratio_hand_and_table2x2() -> None:
    # 8 young women among 98 young persons; benchmark share of women among users 0.30.
    # OR = (8/90)/(0.3/0.7) = 0.0888889/0.4285714 = 0.2074074; with a fixed benchmark the
    # interval is the share's Wilson interval on the odds scale (issue 15), reference:
    # statsmodels proportion_confint(8, 98, method="wilson")
    e = odds_ratio_to_benchmark(8, 98, 0.3)
    low, high = proportion_confint(8, 98, alpha=0.05, method="wilson")
    odds_ratio = (8 / 90) / (0.3 / 0.7)
    assert close(e.estimate, odds_ratio)
    assert close(e.ci_low, (low / (1 - low)) / (0.3 / 0.7))
    assert close(e.ci_high, (high / (1 - high)) / (0.3 / 0.7))
    # with the benchmark from a survey of 1,000 users the Woolf interval of the 2x2 table
    # statsmodels: Table2x2([[8, 90], [300, 700]]).oddsratio_confint()
    s = odds_ratio_to_benchmark(8, 98, 0.3, benchmark_n=1_000)
    assert close(s.estimate, 0.2074074074074074)
    assert close(s.ci_low, 0.09938991659401733) and close(s.ci_high, 0.4328188826556646)


def test_benchmark_zero_and_all_successes() -> None:
    # fixed benchmark: 0 of 12 has lower limit 0 and the Wilson upper limit z^2/(n+z^2)
    e = odds_ratio_to_benchmark(0, 12, 0.3)
    upper = Z975**2 / (12 + Z975**2)
    assert e.estimate == 0.0 and e.ci_low == 0.0 and e.defined
    assert close(e.ci_high, (upper / (1 - upper)) / (0.3 / 0.7))
    # 12 of 12: no estimate, no upper limit, the lower limit 12/(12+z^2) on the odds scale
    e = odds_ratio_to_benchmark(12, 12, 0.3)
    lower = 12 / (12 + Z975**2)
    assert not e.defined and e.estimate is None and "infinite" in e.reason
    assert e.ci_high is None and close(e.ci_low, (lower / (1 - lower)) / (0.3 / 0.7))
    # with a surveyed benchmark (Woolf) 0 gives no interval
    e = odds_ratio_to_benchmark(0, 12, 0.3, benchmark_n=500)
    assert e.estimate == 0.0 and e.ci_low is None and e.defined and e.reason
    e = odds_ratio_to_benchmark(0, 0, 0.3)
    assert not e.defined and e.reason == REASON_NO_TRIALS


# --------------------------------------------------------------------------- errors
def test_input_errors() -> None:
    with pytest.raises(UsageError, match="'successes' cannot exceed 'trials'"):
        wilson_interval(5, 4)
    with pytest.raises(UsageError, match="'successes' parameter of wilson_interval"):
        wilson_interval(-1, 4)
    with pytest.raises(UsageError, match="non-negative whole numbers"):
        poisson_rate(1.5, 100)  # type: ignore[arg-type]
    with pytest.raises(UsageError, match="'alpha' parameter of rate_ratio_katz"):
        rate_ratio_katz(1, 10, 1, 10, alpha=1.5)
    with pytest.raises(
        UsageError, match=re.escape("must be one of 'exact', 'katz'. Got 'wald' instead.")
    ):
        rate_ratio_table(1, 10, 1, 10, method="wald")  # type: ignore[arg-type]
    with pytest.raises(UsageError, match="'benchmark_share' parameter"):
        odds_ratio_to_benchmark(1, 10, 1.0)
    with pytest.raises(UsageError, match="'benchmark_n' parameter"):
        odds_ratio_to_benchmark(1, 10, 0.5, benchmark_n=0)
    with pytest.raises(UsageError, match="no missing values"):
        poisson_rate_table([1, np.nan], [10, 10])


def test_overflow_is_not_defined_never_inf() -> None:
    e = poisson_rate(3, 1e-320)  # 3 / 1e-320 * 10,000 overflows a float
    assert not e.defined and e.estimate is None and "overflows" in e.reason
    r = rate_ratio_katz(3, 1e-320, 5, 1_000)
    assert not r.defined and "overflows" in r.reason


# --------------------------------------------------------------------------- properties
def _ordered(e: Estimate) -> bool:
    values = [e.estimate, e.ci_low, e.ci_high]
    if not e.defined:
        return e.estimate is None and bool(e.reason)
    if any(v is not None and not math.isfinite(v) for v in values):
        return False
    assert e.estimate is not None
    if e.ci_low is None or e.ci_high is None:
        return bool(e.reason)
    return e.ci_low <= e.estimate <= e.ci_high


counts = st.integers(min_value=0, max_value=5_000)
pops = st.floats(min_value=0.0, max_value=1e7, allow_nan=False)
alphas = st.sampled_from([0.01, 0.05, 0.1, 0.5])


@settings(max_examples=200, deadline=None)
@given(k=counts, extra=counts, alpha=alphas)
def test_property_wilson(k: int, extra: int, alpha: float) -> None:
    assert _ordered(wilson_interval(k, k + extra, alpha=alpha))


@settings(max_examples=200, deadline=None)
@given(k=counts, pop=pops, alpha=alphas)
def test_property_poisson(k: int, pop: float, alpha: float) -> None:
    assert _ordered(poisson_rate(k, pop, alpha=alpha))


@settings(max_examples=200, deadline=None)
@given(a=counts, b=counts, p1=pops, p0=pops, alpha=alphas)
def test_property_rate_ratios(a: int, b: int, p1: float, p0: float, alpha: float) -> None:
    assert _ordered(rate_ratio_katz(a, p1, b, p0, alpha=alpha))
    assert _ordered(rate_ratio_exact(a, p1, b, p0, alpha=alpha))


@settings(max_examples=200, deadline=None)
@given(a=counts, x1=counts, b=counts, x0=counts, alpha=alphas)
def test_property_risk_ratio(a: int, x1: int, b: int, x0: int, alpha: float) -> None:
    assert _ordered(risk_ratio_katz(a, a + x1, b, b + x0, alpha=alpha))


@settings(max_examples=200, deadline=None)
@given(
    k=counts,
    extra=counts,
    s=st.floats(min_value=0.01, max_value=0.99),
    m=st.one_of(st.none(), st.integers(min_value=1, max_value=10_000)),
)
def test_property_benchmark(k: int, extra: int, s: float, m: int | None) -> None:
    assert _ordered(odds_ratio_to_benchmark(k, k + extra, s, benchmark_n=m))


def test_exact_rate_ratio_with_no_reference_events_has_a_lower_limit() -> None:
    # R: poisson.test(c(3, 0), c(1, 1))$conf.int -> 0.4130 Inf. By hand: conditional on
    # 3 events, pi = RR/(1 + RR) has Clopper-Pearson lower limit 0.025^(1/3) = 0.292402,
    # RR_low = 0.292402 / 0.707598 = 0.413231; no estimate and no upper limit
    e = rate_ratio_exact(3, 1_000, 0, 1_000)
    pi = 0.025 ** (1 / 3)
    assert e.estimate is None and e.ci_high is None and close(e.ci_low, pi / (1 - pi))
    assert round(e.ci_low, 3) == 0.413
    # unequal populations scale it: 3 events in 2,000 against 0 in 1,000
    half = rate_ratio_exact(3, 2_000, 0, 1_000)
    assert close(half.ci_low, pi / (1 - pi) / 2)
    # no events at all: nothing
    none = rate_ratio_exact(0, 1_000, 0, 1_000)
    assert none.ci_low is None and none.estimate is None
