"""Tests of risk_indicators.stats.trends against statsmodels, scipy, R and hand arithmetic.

R values were produced with R 4.x (``stats``, ``MASS``) by the call written beside them.
"""

from __future__ import annotations

import math
from typing import Any, Literal

import matplotlib
import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from scipy import stats
from statsmodels.discrete.discrete_model import NegativeBinomial
from statsmodels.stats import rates as sm_rates
from statsmodels.stats.proportion import proportion_confint

from risk_indicators.errors import UsageError
from risk_indicators.stats import counts_differ_p, shares_differ_p
from risk_indicators.stats.trends import compare_periods, mann_kendall, poisson_trend

matplotlib.use("Agg")

TERTIALS = [f"{year}T{t}" for year in (2021, 2022, 2023, 2024) for t in (1, 2, 3)]
# over-dispersed youth counts and youth population, 2021T1..2024T3
Y = pd.Series([2, 9, 1, 12, 0, 4, 15, 3, 1, 20, 6, 9], index=TERTIALS)
POP = pd.Series(
    [1510, 1525, 1530, 1544, 1560, 1571, 1580, 1602, 1610, 1633, 1640, 1652.0], index=TERTIALS
)
# under-dispersed counts (Pearson chi2/df = 0.192 < 1, so the floor applies)
X_UNDER = pd.Series([3, 0, 2, 4, 1, 3, 5, 2, 6, 7, 3, 8], index=TERTIALS)


def rel(a: Any, b: float, tol: float) -> bool:
    return a is not None and math.isclose(float(a), b, rel_tol=tol, abs_tol=tol)


def sm_design(n: int, freq: int, first: int = 0) -> np.ndarray:
    season = (np.arange(n) + first) % freq
    dummies = [(season == s).astype(float) for s in range(1, freq)]
    return np.column_stack([np.ones(n), np.arange(n) / freq, *dummies])


# --------------------------------------------------------------------------- poisson_trend
def test_quasipoisson_matches_statsmodels_scale_x2() -> None:
    r = poisson_trend(Y, population=POP)
    ref = sm.GLM(
        Y.to_numpy(), sm_design(12, 3), family=sm.families.Poisson(), offset=np.log(POP.to_numpy())
    ).fit(scale="X2", use_t=True, tol=1e-12)  # reference; dispersion 3.92 > 1, no floor
    low, high = ref.conf_int(alpha=0.05)[1]  # t with df_resid = 8
    assert rel(r.annual_change, math.expm1(ref.params[1]), 1e-10)
    assert rel(r.ci_low, math.expm1(low), 1e-10) and rel(r.ci_high, math.expm1(high), 1e-10)
    assert rel(r.p_value, float(ref.pvalues[1]), 1e-10)
    assert rel(r.dispersion, float(ref.scale), 1e-10)
    assert r.status == "ok" and r.reason == "" and r.n == 12


def test_quasipoisson_matches_r() -> None:
    r = poisson_trend(Y, population=POP)
    # R: m <- glm(y ~ t + s + offset(log(pop)), family = quasipoisson,
    #             control = glm.control(epsilon = 1e-14, maxit = 100))
    #    with t = (0:11)/3, s = factor((0:11) %% 3); q <- qt(0.975, 8)
    #    c(exp(b) - 1, exp(b - q*se) - 1, exp(b + q*se) - 1); summary(m)$dispersion
    assert rel(r.annual_change, 0.40258766459946771, 1e-9)
    assert rel(r.ci_low, -0.12877770277811207, 1e-8)
    assert rel(r.ci_high, 1.25803697077045529, 1e-8)
    assert rel(r.p_value, 0.13997332386263162, 1e-8)
    assert rel(r.dispersion, 3.9219240935583084, 1e-8)
    table = r.table.set_index("term")
    assert list(r.table.columns) == ["term", "estimate", "ci_low", "ci_high", "p_value", "n"]
    assert rel(table.loc["time_in_years", "estimate"], 0.33831886241457332, 1e-9)


def test_dispersion_floored_at_one_gives_poisson_interval() -> None:
    r = poisson_trend(X_UNDER)
    # R: glm(x ~ t + s, family = quasipoisson, control = glm.control(epsilon = 1e-14,
    # maxit = 100)) has dispersion 0.19201983334135675; floored to 1 the standard error is
    # the Poisson one, R: glm(x ~ t + s, family = poisson, control = <same>):
    # beta 0.4196176249910979483, se 0.1449297739992883027; interval with qt(0.975, 8)
    beta, se, q = 0.4196176249910979483, 0.1449297739992883027, stats.t.ppf(0.975, 8)
    assert r.dispersion == 1.0
    assert rel(r.annual_change, math.expm1(beta), 1e-9)
    assert rel(r.ci_low, math.expm1(beta - q * se), 1e-9)
    assert rel(r.ci_high, math.expm1(beta + q * se), 1e-9)
    assert rel(r.p_value, 2 * stats.t.sf(beta / se, 8), 1e-9)


def test_exact_exponential_series_hand() -> None:
    # counts double every year: mu_t = 2**t, t = 0..5 years, freq = 1. Exact fit, so
    # beta = ln 2 (annual change +100%), Pearson chi2 = 0 and the dispersion is floored at 1.
    # Poisson information with mu = 1, 2, 4, 8, 16, 32:
    #   sum mu = 63, sum t*mu = 258, sum t^2*mu = 1146, det = 63*1146 - 258^2 = 5634,
    #   var(beta) = 63/5634 = 0.0111821...; t quantile with 6 - 2 = 4 df = 2.7764451051977987
    y = pd.Series([1, 2, 4, 8, 16, 32], index=[str(y) for y in range(2019, 2025)])
    r = poisson_trend(y, freq=1)
    se, q = math.sqrt(63 / 5_634), 2.7764451051977987
    assert rel(r.annual_change, 1.0, 1e-8) and r.dispersion == 1.0
    assert rel(r.table.set_index("term").loc["time_in_years", "estimate"], math.log(2), 1e-8)
    assert rel(r.ci_low, math.exp(math.log(2) - q * se) - 1, 1e-8)
    assert rel(r.ci_high, math.exp(math.log(2) + q * se) - 1, 1e-8)
    fitted = r.fitted["fitted"].to_numpy(dtype=float)
    assert np.allclose(fitted, y.to_numpy(), rtol=1e-8)


def test_exact_seasonal_doubling_series() -> None:
    # each tertial doubles from one year to the next: 1,3,2 | 2,6,4 | 4,12,8. The term
    # beta*pos/3 is absorbed by the tertial effects, so beta = ln 2 exactly.
    y = pd.Series([1, 3, 2, 2, 6, 4, 4, 12, 8], index=TERTIALS[:9])
    r = poisson_trend(y)
    assert rel(r.annual_change, 1.0, 1e-8) and r.dispersion == 1.0


def test_period_of_year_parsed_from_labels() -> None:
    # series starting in T2: positions 1, 2, 0, 1, ...
    labels = [f"{2021 + (k + 1) // 3}T{(k + 1) % 3 + 1}" for k in range(12)]
    y = pd.Series(Y.to_numpy(), index=labels)
    assert labels[:4] == ["2021T2", "2021T3", "2022T1", "2022T2"]
    r = poisson_trend(y)
    ref = sm.GLM(y.to_numpy(), sm_design(12, 3, first=1), family=sm.families.Poisson()).fit(
        scale="X2", use_t=True, tol=1e-12
    )  # reference
    assert rel(r.annual_change, math.expm1(ref.params[1]), 1e-10)
    assert rel(r.ci_low, math.expm1(ref.conf_int()[1][0]), 1e-10)
    # the same with a plain index and the position given
    r2 = poisson_trend(pd.Series(Y.to_numpy()), first_period_of_year=1)
    assert rel(r2.annual_change, r.annual_change or 0.0, 1e-12)
    # months: 2019-05 is position 4 of 12
    months = [f"{2019 + (k + 4) // 12}-{(k + 4) % 12 + 1:02d}" for k in range(30)]
    ym = pd.Series(np.random.default_rng(3).poisson(4.0, 30), index=months)
    refm = sm.GLM(ym.to_numpy(), sm_design(30, 12, first=4), family=sm.families.Poisson()).fit(
        scale="X2", tol=1e-12
    )  # reference
    assert rel(poisson_trend(ym, freq=12).annual_change, math.expm1(refm.params[1]), 1e-9)


@pytest.mark.parametrize("dead", [0, 1])
def test_all_zero_season_left_out_of_fit(dead: int) -> None:
    # One tertial has no reports in any year: its indicator's MLE is -inf. beta equals the
    # fit on the other two tertials' rows alone, and so do df_resid (= 8 - 3 = 5) and the
    # dispersion (Pearson chi2/df < 1 here, so floored at 1).
    values = np.array([4, 2, 1, 6, 3, 2, 3, 1, 5, 9, 2, 4], dtype=float)
    season = np.arange(12) % 3
    values[season == dead] = 0
    y = pd.Series(values.astype(int), index=TERTIALS)
    keep = season != dead
    live = [s for s in range(3) if s != dead]
    design = np.column_stack([np.ones(8), np.arange(12)[keep] / 3, season[keep] == live[1]])
    model = sm.GLM(values[keep], design.astype(float), family=sm.families.Poisson())
    x2 = model.fit(scale="X2", tol=1e-12)  # reference
    ref = model.fit(scale=max(x2.scale, 1.0), use_t=True, tol=1e-12)  # floored at 1
    r = poisson_trend(y)
    assert ref.df_resid == 5
    assert rel(r.annual_change, math.expm1(ref.params[1]), 1e-9)
    assert rel(r.ci_low, math.expm1(ref.conf_int()[1][0]), 1e-9)
    assert rel(r.ci_high, math.expm1(ref.conf_int()[1][1]), 1e-9)
    assert rel(r.dispersion, max(x2.scale, 1.0), 1e-9)
    fitted = r.fitted["fitted"].to_numpy(dtype=float)
    assert np.allclose(fitted[keep], ref.fittedvalues, rtol=1e-9)
    assert np.all(fitted[~keep] == 0.0) and r.fitted["ci_low"][~keep].isna().all()
    # the same beta as the full-data fit, where the dead indicator drifts far negative
    full = sm.GLM(values, sm_design(12, 3), family=sm.families.Poisson()).fit()
    assert rel(r.annual_change, math.expm1(full.params[1]), 1e-6)


@pytest.mark.parametrize(
    ("values", "freq", "reason"),
    [
        ([3, 1, 2, 4, 5], 3, "fewer than two years"),
        ([0] * 12, 3, "every period has a count of 0"),
        ([0, 0, 0, 0, 0, 0, 0, 4, 0, 0, 0, 0], 3, "only one period"),
        ([0, 0, 0, 0, 0, 0, 0, 0, 0, 2, 3, 1], 3, "last occurrence"),
        ([2, 1, 3, 0, 0, 0, 0, 0, 0, 0, 0, 0], 3, "first occurrence"),
        ([1, 2], 1, "no residual degrees of freedom"),
    ],
)
def test_insufficient_data(values: list[int], freq: int, reason: str) -> None:
    families: tuple[Literal["quasipoisson", "negbin"], ...] = ("quasipoisson", "negbin")
    for family in families:
        r = poisson_trend(pd.Series(values), freq=freq, family=family)
        assert r.status == "insufficient_data" and reason in r.reason
        assert r.annual_change is None and r.ci_low is None and r.p_value is None
        assert r.table["estimate"].isna().all() and r.table["estimate"].dtype == "Float64"
        assert "insufficient data" in r.summary()


def test_zeros_inside_the_series_are_used() -> None:
    y = pd.Series([0, 2, 0, 1, 0, 3, 2, 0, 4, 0, 5, 3], index=TERTIALS)
    ref = sm.GLM(y.to_numpy(), sm_design(12, 3), family=sm.families.Poisson()).fit(
        scale="X2", use_t=True, tol=1e-12
    )  # reference
    r = poisson_trend(y)
    assert rel(r.annual_change, math.expm1(ref.params[1]), 1e-9)
    assert rel(r.ci_low, math.expm1(ref.conf_int()[1][0]), 1e-9)


def test_negbin_matches_r_glm_nb_and_statsmodels() -> None:
    r = poisson_trend(Y, population=POP, family="negbin")
    beta = r.table.set_index("term").loc["time_in_years"]
    # R: library(MASS); nb <- glm.nb(y ~ t + s + offset(log(pop)),
    #    control = glm.control(epsilon = 1e-12, maxit = 100))
    #    coef(summary(nb))["t", ]: 0.28494367823331035, se 0.18130931638859027; 1/nb$theta
    se = 0.18130931638859027
    assert rel(beta["estimate"], 0.28494367823331035, 1e-7)
    assert rel(beta["ci_low"], 0.28494367823331035 - 1.959963984540054 * se, 1e-7)
    assert rel(r.p_value, 2 * stats.norm.sf(0.28494367823331035 / se), 1e-6)
    assert rel(r.dispersion, 0.29540393241595175, 1e-6)
    # statsmodels' discrete NB2 maximum likelihood (joint optimiser, another algorithm)
    ref = NegativeBinomial(
        Y.to_numpy(), sm_design(12, 3), offset=np.log(POP.to_numpy()), loglike_method="nb2"
    ).fit(method="nm", maxiter=20_000, xtol=1e-12, ftol=1e-14, disp=0)  # reference
    assert rel(beta["estimate"], float(ref.params[1]), 1e-6)
    assert rel(r.dispersion, float(ref.params[-1]), 1e-6)


def test_negbin_without_overdispersion_falls_back_to_poisson() -> None:
    r = poisson_trend(X_UNDER, family="negbin")
    # NB2 alpha MLE is at the boundary 0: the Poisson GLM with z inference. R:
    # glm(x ~ t + s, family = poisson, control = glm.control(epsilon = 1e-14, maxit = 100)):
    # beta 0.4196176249910979483, se 0.1449297739992883027, Pr(>|z|) 0.0037877592268107793
    beta, se = 0.4196176249910979483, 0.1449297739992883027
    assert r.dispersion == 0.0
    assert rel(r.ci_low, math.expm1(beta - 1.959963984540054 * se), 1e-9)
    assert rel(r.p_value, 0.0037877592268107793, 1e-9)


def test_fitted_band_and_plot() -> None:
    r = poisson_trend(Y, population=POP)
    f = r.fitted
    assert list(f.columns) == ["period", "observed", "population", "fitted", "ci_low", "ci_high"]
    assert f["period"].tolist() == TERTIALS
    assert (f["ci_low"] < f["fitted"]).all() and (f["fitted"] < f["ci_high"]).all()
    # the Poisson score equations make fitted totals equal observed totals
    assert math.isclose(float(f["fitted"].sum()), float(Y.sum()), rel_tol=1e-9)
    ax = r.plot()
    observed, fitted = ax.get_lines()[:2]
    assert list(observed.get_ydata()) == Y.tolist()
    assert np.allclose(fitted.get_ydata(), f["fitted"].to_numpy(dtype=float))
    assert "annual change +40.3%" in r.summary()


def test_trend_input_errors() -> None:
    with pytest.raises(UsageError, match="'family' parameter of poisson_trend"):
        poisson_trend(Y, family="poisson")  # type: ignore[arg-type]
    with pytest.raises(UsageError, match="'freq' parameter of poisson_trend"):
        poisson_trend(Y, freq=2)
    with pytest.raises(UsageError, match="labels are tertials but freq=4"):
        poisson_trend(Y, freq=4)
    with pytest.raises(UsageError, match="consecutive"):
        poisson_trend(Y.drop("2022T2"))
    with pytest.raises(UsageError, match="contradicts"):
        poisson_trend(Y, first_period_of_year=2)
    with pytest.raises(UsageError, match="population given to poisson_trend"):
        poisson_trend(Y, population=POP.iloc[:-1])
    with pytest.raises(UsageError, match="non-negative whole numbers"):
        poisson_trend(Y.astype(float).replace(9.0, 9.5))


def test_quasipoisson_coverage_monte_carlo() -> None:
    # 400 replicates of 4 years of tertials with a true annual change of +10%:
    # coverage >= 0.95 - 3*sqrt(0.95*0.05/400) = 0.917
    rng = np.random.default_rng(20240101)
    t = np.arange(12) / 3
    mu = 6 * np.exp(math.log(1.1) * t) * np.tile([1.0, 0.7, 1.2], 4)
    reps, hits = 400, 0
    for _ in range(reps):
        r = poisson_trend(pd.Series(rng.poisson(mu), index=TERTIALS))
        assert r.ci_low is not None and r.ci_high is not None
        hits += r.ci_low <= 0.1 <= r.ci_high
    assert hits / reps >= 0.95 - 3 * math.sqrt(0.95 * 0.05 / reps)


# --------------------------------------------------------------------------- compare_periods
def test_compare_periods_recorded_r_and_statsmodels() -> None:
    t = compare_periods(12, 2_000, [6, 5, 4], [2_000, 2_000, 2_000]).set_index("comparison")
    prev, three = t.loc["previous_year"], t.loc["previous_3_years"]
    # a year earlier: 4 of 2,000. R: poisson.test(c(12, 4), c(2000, 2000))
    assert rel(prev["estimate"], 3.0, 1e-12)
    assert rel(prev["ci_low"], 0.90923198088491586, 1e-10)
    assert rel(prev["ci_high"], 12.76234446547931967, 1e-10)
    assert rel(prev["p_value"], 0.076812744140625042, 1e-10)
    p_sm = sm_rates.test_poisson_2indep(
        12, 2_000, 4, 2_000, method="exact-cond"
    ).pvalue  # reference
    assert rel(prev["p_value"], float(p_sm), 1e-12)
    # three years pooled: 15 of 6,000. R: poisson.test(c(12, 15), c(2000, 6000))
    assert rel(three["estimate"], 2.4, 1e-12)
    assert rel(three["ci_low"], 1.0257584484536189, 1e-10)
    assert rel(three["ci_high"], 5.4922269012785563, 1e-10)
    assert rel(three["p_value"], 0.02585533294451809, 1e-10)
    assert three["n"] == 27 and three["reference_population"] == 6_000.0


def _hypergeometric_p(a: int, b: int, c: int, d: int) -> float:
    """Fisher's two-sided p of [[a, b], [c, d]] by hand: the tables with the same margins
    no more probable than the observed one (R's fisher.test rule, relative tolerance 1e-7)."""
    r1, r2, c1 = a + b, c + d, a + c
    h = [math.comb(r1, x) * math.comb(r2, c1 - x) / math.comb(r1 + r2, c1)
         for x in range(max(0, c1 - r2), min(r1, c1) + 1)]  # fmt: skip
    observed = math.comb(r1, a) * math.comb(r2, c1 - a) / math.comb(r1 + r2, c1)
    return sum(q for q in h if q <= observed * (1 + 1e-7))


def test_counts_differ_p_is_the_exact_conditional_test_of_statsmodels() -> None:
    for x, y in ((30, 27), (14, 4), (0, 5), (3, 9)):
        ref = sm_rates.test_poisson_2indep(x, 1, y, 1, method="exact-cond").pvalue
        assert counts_differ_p(x, y) == pytest.approx(ref, rel=1e-9), (x, y)
    # 0 against 5 by hand: two tails of Binomial(5, 1/2) at 0 and 5
    assert counts_differ_p(0, 5) == pytest.approx(2 / 32)
    assert counts_differ_p(0, 0) is None
    # perturbed (V = 1 each): 14 and 4 keep their proportion in m^2 / (m + 2) = 324/20 -> 16
    assert counts_differ_p(14, 4, noise_variance=1.0) == pytest.approx(
        sm_rates.test_poisson_2indep(12, 1, 4, 1, method="exact-cond").pvalue, rel=1e-9
    )
    assert counts_differ_p(14, 4, noise_variance=1.0) > counts_differ_p(14, 4)


def test_shares_differ_p_is_fishers_exact_test_by_hand() -> None:
    for k, n, k0, n0 in ((4, 13, 3, 20), (7, 14, 1, 14), (0, 5, 0, 7), (5, 5, 0, 6)):
        assert shares_differ_p(k, n, k0, n0) == pytest.approx(
            _hypergeometric_p(k, n - k, k0, n0 - k0), rel=1e-9), (k, n, k0, n0)  # fmt: skip
    assert shares_differ_p(0, 5, 0, 7) == pytest.approx(1.0)  # an empty column: no evidence
    assert shares_differ_p(3, 0, 1, 5) is None  # a share of no one is not defined
    # perturbed: each share kept, Kish's effective trials (those of the Wilson interval);
    # 7 of 14 -> 5 of 10 and 1 of 14 -> 0 of 6 at V = 3
    assert shares_differ_p(7, 14, 1, 14, noise_variance=3.0) == pytest.approx(
        _hypergeometric_p(5, 5, 0, 6), rel=1e-9
    )
    for k, n, k0, n0 in ((7, 14, 1, 14), (9, 15, 1, 16), (12, 40, 2, 38)):
        assert shares_differ_p(k, n, k0, n0, noise_variance=1.0) >= shares_differ_p(k, n, k0, n0)


def test_compare_periods_hand_zero_count() -> None:
    # 0 now vs 5 a year earlier, equal populations. Given 5 events in all, the number now is
    # Binomial(5, 1/2): P(0) = 1/32, two-sided p = 2/32 = 0.0625. Upper limit: Clopper-Pearson
    # pi_u = 1 - 0.025**(1/5), RR_u = pi_u/(1 - pi_u) = 1.0912791051825459 (R poisson.test).
    t = compare_periods(0, 1_000, [5], [1_000]).set_index("comparison")
    prev = t.loc["previous_year"]
    pi_u = 1 - 0.025 ** (1 / 5)
    assert prev["estimate"] == 0.0 and prev["ci_low"] == 0.0
    assert rel(prev["ci_high"], pi_u / (1 - pi_u), 1e-10)
    assert rel(prev["p_value"], 0.0625, 1e-12)
    _, pu = proportion_confint(0, 5, method="beta")  # reference: Clopper-Pearson
    assert rel(prev["ci_high"], pu / (1 - pu), 1e-10)
    three = t.loc["previous_3_years"]
    assert not three["defined"] and three["estimate"] is pd.NA and "fewer than 3" in three["reason"]


def test_compare_periods_not_defined_cases() -> None:
    t = compare_periods(3, 1_000, [], [])
    assert not t["defined"].any() and t["estimate"].isna().all()
    t = compare_periods(3, 1_000, [0, 0, 0], [900, 950, 1_000])
    assert not t["defined"].any() and t["reason"].str.contains("reference group").all()
    # the test is still defined: 3 of 3 events now, H0 share 1000/1950 resp. 1000/3850
    assert rel(t["p_value"].iloc[0], stats.binomtest(3, 3, 1_000 / 2_000).pvalue, 1e-12)
    numeric = t[["estimate", "ci_low", "ci_high", "p_value"]].to_numpy(float, na_value=0.0)
    assert np.all(np.isfinite(numeric))
    with pytest.raises(UsageError, match="same length"):
        compare_periods(3, 1_000, [1, 2], [1_000])


# --------------------------------------------------------------------------- Mann-Kendall
def test_mann_kendall_hand_example_with_ties() -> None:
    y = [1, 2, 2, 3, 5, 4]
    # signs of y_j - y_i for i < j:
    #   i=0: +1 +1 +1 +1 +1 = 5;  i=1: 0 +1 +1 +1 = 3;  i=2: +1 +1 +1 = 3;
    #   i=3: +1 +1 = 2;  i=4: -1            -> S = 12
    # var S = [6*5*17 - 2*1*9]/18 = (510 - 18)/18 = 27.3333 (one pair of tied 2s)
    # Z = (12 - 1)/sqrt(27.3333) = 2.104003; p = 2*(1 - Phi(2.104003)) = 0.035378
    # pairwise slopes sorted: -1, 0, .5, .5, .5, .5, .6, 2/3, 2/3, 1, 1, 1, 1, 1.5, 2
    # Sen = 8th of 15 = 2/3. C = 1.959964*sqrt(27.3333) = 10.2470, M1 = (15 - C)/2 = 2.38 -> 2,
    # M2 = (15 + C)/2 = 12.62 -> 13: limits are the 2nd and 14th slopes, 0 and 1.5.
    r = mann_kendall(y)
    assert r.s == 12 and rel(r.var_s, 492 / 18, 1e-12)
    assert rel(r.z, 11 / math.sqrt(492 / 18), 1e-12)
    assert rel(r.p_value, 2 * stats.norm.sf(11 / math.sqrt(492 / 18)), 1e-12)
    assert r.p_value is not None and round(r.p_value, 6) == 0.035378
    assert rel(r.slope, 2 / 3, 1e-12) and r.slope_ci_low == 0.0 and r.slope_ci_high == 1.5
    assert rel(r.tau, 12 / 15, 1e-12) and r.status == "ok"


@pytest.mark.parametrize(
    "y",
    [
        [1, 2, 2, 3, 5, 4],
        [5, 3, 3, 3, 2, 4, 1, 0, 0, 2],
        list(np.random.default_rng(7).poisson(3, 25)),
        list(np.random.default_rng(8).normal(0, 1, 40) + np.linspace(0, 2, 40)),
    ],
)
def test_mann_kendall_matches_scipy(y: list[float]) -> None:
    n = len(y)
    tau_b, p_b = stats.kendalltau(np.arange(n), y, method="asymptotic")  # reference
    ties = np.unique(y, return_counts=True)[1]
    n0, n2 = n * (n - 1) / 2, float(np.sum(ties * (ties - 1) / 2))
    r = mann_kendall(y, continuity=False)
    # tau_b = S / sqrt(n0 * (n0 - n2)) with no ties in the time index
    assert rel(r.s, tau_b * math.sqrt(n0 * (n0 - n2)), 1e-9)
    assert rel(r.p_value, p_b, 1e-9)
    ts = stats.theilslopes(y)  # reference: Sen's slope, interval and intercept
    assert rel(r.slope, ts.slope, 1e-12) and rel(r.intercept, ts.intercept, 1e-12)
    assert rel(r.slope_ci_low, ts.low_slope, 1e-12)
    assert rel(r.slope_ci_high, ts.high_slope, 1e-12)


def test_mann_kendall_edge_cases() -> None:
    flat = mann_kendall([2, 2, 2, 2, 2])
    assert flat.s == 0 and flat.var_s == 0.0 and flat.p_value == 1.0 and flat.slope == 0.0
    short = mann_kendall([1, 2])
    assert short.status == "insufficient_data" and short.p_value is None and short.reason
    assert short.table["estimate"].isna().all()
    assert "Sen's slope" in mann_kendall([1, 2, 2, 3, 5, 4]).summary()
    with pytest.raises(UsageError, match="missing values"):
        mann_kendall([1.0, np.nan, 3.0])
