"""Tests of risk_indicators.fairness, .goal and .standardise.

Reference values come from hand arithmetic written beside them, from scipy/statsmodels called
in the test, or from R 4.2.2 (``stats``; ``metafor`` 3.8-1) with the call written beside the
recorded number.
"""

from __future__ import annotations

import itertools
import math
import re
import warnings
from dataclasses import replace
from typing import Any

import matplotlib
import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from scipy import special, stats
from statsmodels.stats import rates as sm_rates
from statsmodels.stats.power import NormalIndPower
from statsmodels.stats.proportion import proportion_confint
from statsmodels.tools.sm_exceptions import PerfectSeparationWarning

import risk_indicators as ri
from risk_indicators.cube.aggregate import add_margins
from risk_indicators.errors import UsageError
from risk_indicators.fairness._report import (
    benchmark_ratio_youth,
    detection_cubes,
    fairness_coverage,
    fairness_report,
    female_share,
    female_share_youth,
    gender_rate_ratio,
    goal_indicators,
    selection_rates,
    share_change_decomposition,
)
from risk_indicators.fairness.goal import (
    GOAL_RULE_EN,
    GOAL_RULE_PLAIN,
    GOAL_RULE_SV,
    GOAL_STATUSES,
    detectable_change,
    female_share_youth_trend,
    goal_status,
)
from risk_indicators.fairness.standardise import (
    gender_counts,
    gender_time_glm,
    mantel_haenszel_rate_ratio,
    standardised_rate_ratio,
)
from risk_indicators.stats.indicators import Indicator, slice_indicators

matplotlib.use("Agg")

CFG = ri.load_config()
Z = stats.norm.isf(0.025)
BANDS = CFG.age_band_labels
TERTIALS = [f"{y}T{t}" for y in (2021, 2022, 2023, 2024) for t in (1, 2, 3)]


def close(a: Any, b: float, tol: float = 1e-10) -> bool:
    return a is not None and not pd.isna(a) and math.isclose(float(a), b, rel_tol=tol,
                                                              abs_tol=tol)  # fmt: skip


def make_cube(
    cells: dict[tuple[str, str, str, str], tuple[int, float]],
    periods: list[str],
    *,
    areas: tuple[str, ...] = ("A",),
    default_pop: float = 1000.0,
) -> pd.DataFrame:
    """A cube with margins: ``cells[(period, area, band, gender)] = (persons, population)``;
    other man/kvinna cells have 0 persons and ``default_pop``, okänt has no population."""
    rows = []
    for p, a, band, g in itertools.product(periods, areas, BANDS, ("man", "kvinna", "okänt")):
        persons, pop = cells.get((p, a, band, g), (0, default_pop))
        rows.append((p, a, band, g, persons, persons, np.nan if g == "okänt" else pop))
    inner = pd.DataFrame(rows, columns=["period", "area", "age_band", "gender", "persons",
                                        "reports", "population"])  # fmt: skip
    cube = add_margins(inner, measures=("persons", "reports", "population"))
    cube["population"] = pd.array(
        np.where(cube["gender"] == "okänt", np.nan, cube["population"]), dtype="Int64"
    )
    return cube


def youth_cube(women: list[int], men: list[int], periods: list[str],
               pop: float = 1000.0) -> pd.DataFrame:  # fmt: skip
    """Young women and men per period, all in band 18-20 of one area."""
    cells = {}
    for p, w, m in zip(periods, women, men, strict=True):
        cells[(p, "A", "18-20", "kvinna")] = (w, pop)
        cells[(p, "A", "18-20", "man")] = (m, pop)
    return make_cube(cells, periods)


@pytest.fixture(scope="module")
def demo() -> ri.Analysis:
    from risk_indicators import demo_data_dir
    from risk_indicators.intake.pseudonymise import DEMO_KEY

    d = demo_data_dir()
    cfg = ri.load_config(d / "config.toml")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        records = ri.read_reports(d / "reports.csv", config=cfg, key=DEMO_KEY)
        return ri.analyse(records, ri.read_population(d / "population.csv", config=cfg),
                          config=cfg)  # fmt: skip


@pytest.fixture(scope="module")
def report(demo: ri.Analysis) -> Any:
    return fairness_report(demo)


# --------------------------------------------------------------------------- rate ratio
def test_hand_worked_rate_ratio_8_of_3890_against_90_of_4100() -> None:
    # young women 8 of 3,890 and young men 90 of 4,100, all in band 18-20; the other youth
    # bands have neither persons nor population
    cells = {("2024T1", "A", "18-20", "kvinna"): (8, 3890.0),
             ("2024T1", "A", "18-20", "man"): (90, 4100.0)}  # fmt: skip
    for band, g in itertools.product(("15-17", "21-24"), ("kvinna", "man")):
        cells[("2024T1", "A", band, g)] = (0, 0.0)
    cube = make_cube(cells, ["2024T1"])
    r = gender_rate_ratio(cube, config=CFG).table.iloc[0]
    # RR = (8/3890) / (90/4100) = 32,800 / 350,100 = 0.09368751785...
    rr = 32_800 / 350_100
    assert close(r["estimate"], rr)
    # Katz: se(log RR) = sqrt(1/8 + 1/90) = sqrt(0.136111) = 0.368932;
    # log RR = -2.367791; -2.367791 -+ 1.959964 * 0.368932 = -3.090886, -1.644696
    # exp: 0.045462, 0.193071
    se = math.sqrt(1 / 8 + 1 / 90)
    assert close(r["ci_low"], rr * math.exp(-Z * se)) and round(r["ci_low"], 6) == 0.045462
    assert close(r["ci_high"], rr * math.exp(Z * se)) and round(r["ci_high"], 6) == 0.193071
    # exact conditional: given m = 98, women ~ Bin(98, pi), pi = RR*3890 / (RR*3890 + 4100);
    # Clopper-Pearson pi_L = Beta(0.025; 8, 91), pi_U = Beta(0.975; 9, 90);
    # RR = pi/(1-pi) * 4100/3890
    pl, pu = stats.beta.ppf(0.025, 8, 91), stats.beta.ppf(0.975, 9, 90)
    assert close(r["exact_ci_low"], pl / (1 - pl) * 4100 / 3890)
    assert close(r["exact_ci_high"], pu / (1 - pu) * 4100 / 3890)
    # R: poisson.test(c(8, 90), c(3890, 4100))$conf.int -> 0.039250415375402935 0.192633761563832995
    assert close(r["exact_ci_low"], 0.039250415375402935, 1e-9)
    assert close(r["exact_ci_high"], 0.192633761563832995, 1e-9)
    # R: poisson.test(c(8, 90), c(3890, 4100))$p.value -> 5.2081209184457491e-18
    assert close(r["p_value"], 5.2081209184457491e-18, 1e-9)
    ref = sm_rates.test_poisson_2indep(8, 3890, 90, 4100, method="exact-cond").pvalue
    assert close(r["p_value"], float(ref), 1e-12)
    assert r["n"] == 98 and r["count"] == 8 and r["reference_count"] == 90
    assert r["reference"] == "man" and r["gender"] == "kvinna"
    # reference group women: the reciprocal, same p-value
    inv = gender_rate_ratio(cube, config=CFG, reference="kvinna").table.iloc[0]
    assert close(inv["estimate"], 1 / rr) and close(inv["ci_low"], 1 / r["ci_high"])
    assert inv["gender"] == "man" and close(inv["p_value"], float(ref), 1e-12)


def test_rate_ratio_zero_women_and_empty_period() -> None:
    cube = youth_cube([0, 0], [12, 0], ["2024T1", "2024T2"], pop=1100)
    t = gender_rate_ratio(cube, config=CFG).table
    first, empty = t.iloc[0], t.iloc[1]
    # 0 women: estimate 0, Katz interval not defined (log 0), exact interval [0, upper]
    assert first["estimate"] == 0.0 and pd.isna(first["ci_low"]) and "log(0)" in first["reason"]
    assert first["exact_ci_low"] == 0.0 and first["exact_ci_high"] > 0
    # women and men have the same youth population (1000 + 1100 + 1000), so given 12 persons
    # the women are Bin(12, 0.5): two-sided exact p = P(0) + P(12) = 2 * 0.5^12 = 0.000488
    assert close(first["p_value"], 2 * 0.5**12, 1e-9)
    # nobody at all: nothing defined, no NaN anywhere
    assert pd.isna(empty["estimate"]) and pd.isna(empty["p_value"]) and empty["reason"]
    assert t["estimate"].dtype == "Float64"


def test_rate_ratio_rejects_bad_reference_and_period() -> None:
    cube = youth_cube([1], [2], ["2024T1"])
    with pytest.raises(UsageError, match="'reference' parameter of gender_rate_ratio"):
        gender_rate_ratio(cube, config=CFG, reference="okänt")  # type: ignore[arg-type]
    with pytest.raises(UsageError, match="not in the cube"):
        gender_rate_ratio(cube, "2030T1", config=CFG)


# --------------------------------------------------------------------------- shares
def test_female_share_reuses_slice_indicators_on_periods_and_windows(demo: ri.Analysis) -> None:
    p = demo.period.code
    shares = female_share_youth(demo.cube, config=CFG).table.set_index("period")
    published = demo.results["period"]["female_share_youth"]
    assert close(shares.at[p, "estimate"], float(published.value))
    assert close(shares.at[p, "ci_low"], float(published.ci_low))
    # the counts beside it: women / (women + men) by hand from the cube
    c = demo.cube
    sel = (c["period"] == p) & (c["area"] == "total") & c["age_band"].isin(CFG.youth_bands)
    w = int(c.loc[sel & (c["gender"] == "kvinna"), "persons"].sum())
    m = int(c.loc[sel & (c["gender"] == "man"), "persons"].sum())
    assert shares.at[p, "women"] == w and shares.at[p, "men"] == m
    assert close(shares.at[p, "estimate"], w / (w + m))
    assert demo.windows is not None
    label = demo.labels["rolling_12_months"]
    win = female_share_youth(demo.windows, label, config=CFG).table.iloc[0]
    assert close(
        win["estimate"], float(demo.results["rolling_12_months"]["female_share_youth"].value)
    )
    allages = female_share(demo.cube, p, config=CFG).table.iloc[0]
    assert close(allages["estimate"], float(demo.results["period"]["female_share"].value))
    assert allages["age_band"] == "total" and win["age_band"] == "15-24"


def test_female_share_no_persons_is_not_defined() -> None:
    t = female_share_youth(youth_cube([0], [0], ["2024T1"]), config=CFG).table.iloc[0]
    assert pd.isna(t["estimate"]) and "no trials" in t["reason"] and t["n"] == 0


# --------------------------------------------------------------------------- benchmark
def test_benchmark_ratio_with_and_without_benchmark_uncertainty() -> None:
    cube = youth_cube([8], [90], ["2024T1"])
    fixed = benchmark_ratio_youth(cube, config=CFG)
    r = fixed.table.iloc[0]
    # OR = (8/90) / (0.35/0.65) = 0.0888889 / 0.5384615 = 0.1650794
    odds = (8 / 90) / (0.35 / 0.65)
    assert close(r["estimate"], odds)
    # fixed benchmark: the Wilson limits of 8/98 on the odds scale (statsmodels reference)
    low, _ = proportion_confint(8, 98, alpha=0.05, method="wilson")
    assert close(r["ci_low"], (low / (1 - low)) / (0.35 / 0.65))
    # with a survey of m = 400 young users: v_b = 1/(0.35*400) + 1/(0.65*400)
    #   = 0.0071429 + 0.0038462 = 0.0109890, added to 1/8 + 1/90
    wide = benchmark_ratio_youth(cube, config=CFG, benchmark_n=400).table.iloc[0]
    v = 1 / 8 + 1 / 90 + 1 / (0.35 * 400) + 1 / (0.65 * 400)
    assert close(wide["ci_high"], odds * math.exp(Z * math.sqrt(v)))
    assert wide["ci_high"] > r["ci_high"] and close(wide["estimate"], odds)
    summary = fixed.summary()
    assert CFG.gender_goal.benchmark_source in summary and "treated as exact" in summary
    assert "n = 400" in benchmark_ratio_youth(cube, config=CFG, benchmark_n=400).summary()


# --------------------------------------------------------------------------- trend
def test_trend_two_period_hand_example() -> None:
    # 2023T1: 2 women, 18 men; 2024T1: 4 women, 16 men; periods between have no young persons
    periods = ["2023T1", "2023T2", "2023T3", "2024T1"]
    cube = youth_cube([2, 0, 0, 4], [18, 0, 0, 16], periods)
    t = female_share_youth_trend(cube, config=CFG, min_years=1, method="binomial")
    # two points one year apart: the logistic line passes through both,
    # slope = logit(0.2) - logit(0.1) = log(4/16) - log(2/18) = log(2.25) = 0.8109302
    # se = sqrt(1/2 + 1/18 + 1/4 + 1/16) = sqrt(0.8680556) = 0.9316950
    b, se = math.log(2.25), math.sqrt(1 / 2 + 1 / 18 + 1 / 4 + 1 / 16)
    assert close(t.estimate, b, 1e-8) and close(t.ci_low, b - Z * se, 1e-8)
    assert close(t.ci_high, b + Z * se, 1e-8) and close(t.odds_ratio, 2.25, 1e-8)
    assert close(t.p_value, 2 * stats.norm.sf(b / se), 1e-8)
    assert t.periods == 2 and t.n == 40 and t.status == "ok"
    assert close(t.intercept, math.log(2 / 18), 1e-8)  # log-odds at time 0 (2023T1)


def test_trend_matches_r_and_statsmodels_freq_weights() -> None:
    w = [2, 3, 1, 4, 5, 3, 6, 4, 7]
    m = [18, 15, 16, 14, 12, 15, 13, 12, 11]
    periods = TERTIALS[:9]
    t = female_share_youth_trend(youth_cube(w, m, periods), config=CFG, method="binomial")
    # R: b <- glm(cbind(w, m) ~ t, family=binomial), t = (0:8)/3
    #    coef(summary(b))["t", 1:2] -> 0.572375065811324 0.233043015308197
    #    confint.default(b)["t", ] -> 0.115619148958641 1.02913098266401
    # R's covariance uses the IRLS weights of the step before convergence (epsilon 1e-8);
    # ours is the inverse information at the estimate, so the limits agree to ~1e-7
    assert close(t.estimate, 0.572375065811324, 1e-8)
    assert close(t.ci_low, 0.115619148958641, 1e-6)
    assert close(t.ci_high, 1.02913098266401, 1e-6)
    assert close(t.intercept, -2.101051312484926, 1e-8)
    # statsmodels on the long format: one row per woman (y=1) and man (y=0) count
    time = np.arange(9) / 3
    y = np.r_[np.ones(9), np.zeros(9)]
    X = sm.add_constant(np.r_[time, time])
    ref = sm.GLM(y, X, family=sm.families.Binomial(), freq_weights=np.r_[w, m]).fit()  # reference
    assert close(t.estimate, float(ref.params[1]), 1e-7)
    assert close(t.ci_high - t.ci_low, 2 * Z * float(ref.bse[1]), 1e-6)
    assert close(t.p_value, float(ref.pvalues[1]), 1e-6)
    assert t.table["term"].tolist() == ["log_odds_per_year", "odds_ratio_per_year"]
    assert close(t.table["estimate"].iloc[1], math.exp(t.estimate))


@pytest.mark.parametrize(
    ("women", "men"),
    [
        ([1, 6, 0, 7, 2, 8, 1, 9, 3], [19, 12, 18, 10, 17, 9, 16, 8, 14]),  # extra variation
        ([2, 3, 2, 3, 2, 3, 2, 3, 2], [18, 17, 18, 17, 18, 17, 18, 17, 18]),  # less than binomial
    ],
)
def test_quasi_binomial_trend_matches_statsmodels_x2_scale_with_floor(
    women: list[int], men: list[int]
) -> None:
    # reference: statsmodels GLM on the shares with var_weights = n and scale="X2" is R's
    # quasibinomial (Pearson X2/df; the two-column endog form of statsmodels scales X2 by
    # another weight and is not); our dispersion is floored at 1, intervals use t, df = 7
    time = np.arange(9) / 3
    X = sm.add_constant(time)
    n = np.add(women, men)
    ref = sm.GLM(np.divide(women, n), X, family=sm.families.Binomial(),
                 var_weights=n).fit(scale="X2")  # fmt: skip
    phi = float(ref.scale)
    se = float(ref.bse[1]) * math.sqrt(max(phi, 1.0) / phi)
    q = stats.t.ppf(0.975, 7)
    t = female_share_youth_trend(youth_cube(women, men, TERTIALS[:9]), config=CFG)
    assert t.method == "quasi" and t.df == 7 and close(t.dispersion, phi, 1e-6)
    assert close(t.estimate, float(ref.params[1]), 1e-7)
    assert close(t.ci_low, float(ref.params[1]) - q * se, 1e-6)
    assert close(t.ci_high, float(ref.params[1]) + q * se, 1e-6)
    assert close(t.p_value, 2 * stats.t.sf(abs(float(ref.params[1])) / se, 7), 1e-6)
    assert (phi > 1) == (women[0] == 1)  # the two cases: one above, one below the floor


@pytest.mark.parametrize(
    ("women", "men", "words"),
    [
        ([0] * 6, [3] * 6, "no young woman"),
        ([0, 0, 0, 2, 1, 3], [4, 2, 1, 0, 0, 0], "separate periods"),
        ([1, 0, 0, 0, 0, 0], [2, 0, 0, 0, 0, 0], "fewer than 3 periods"),
        ([1, 0, 0, 0, 0, 2], [2, 0, 0, 0, 0, 3], "the dispersion needs one more"),
    ],
)
def test_trend_insufficient_data(women: list[int], men: list[int], words: str) -> None:
    t = female_share_youth_trend(youth_cube(women, men, TERTIALS[:6]), config=CFG)
    assert t.status == "insufficient_data" and words in t.reason and t.estimate is None
    short = female_share_youth_trend(youth_cube([1, 2], [3, 4], TERTIALS[:2]), config=CFG)
    assert "fewer than 6 periods" in short.reason


# --------------------------------------------------------------------------- goal
def _reference_goal_probability(
    women: list[int], men: list[int], h: float, target: float = 0.25
) -> tuple[float, float, float, int]:
    """P(share at h >= target) from statsmodels: quasi-binomial GLM of yearly shares on years
    before P (var_weights = n, scale X2 = R's quasibinomial), dispersion floored at 1, t with
    windows - 2 df. Returns (probability, eta_h, se_h, df)."""
    k = len(women)
    years = np.arange(k, dtype=float) - (k - 1)
    n = np.add(women, men)
    X = sm.add_constant(years)
    with warnings.catch_warnings():  # an exact fit of a flat series looks like separation
        warnings.simplefilter("ignore", PerfectSeparationWarning)
        ref = sm.GLM(np.divide(women, n), X, family=sm.families.Binomial(),
                     var_weights=n).fit()  # fmt: skip
    # R's quasibinomial dispersion X2/df (statsmodels' scale="X2" of the same fit), floored;
    # a perfectly flat series has X2 = 0, so the binomial covariance is scaled by hand
    phi = max(float(ref.pearson_chi2) / (k - 2), 1.0)
    cov = np.asarray(ref.cov_params()) * phi
    x = np.array([1.0, h])
    eta, se = float(x @ ref.params), math.sqrt(float(x @ cov @ x))
    z = (math.log(target / (1 - target)) - eta) / se
    return float(stats.t.sf(z, k - 2)), eta, se, k - 2


def test_goal_status_met_on_track_not_on_track_cannot_tell_insufficient() -> None:
    p12 = TERTIALS  # 2021T1..2024T3: yearly windows end 2021T3..2024T3; target 25% by 2026T3
    # met: 10 women, 10 men a period: 30 of 60 in 12 months, Wilson lower limit 0.377 >= 0.25
    met = goal_status(youth_cube([10] * 12, [10] * 12, p12), config=CFG)
    assert met.status == "met" and met.n == 60
    assert met.ci_low is not None and met.ci_low >= 0.25
    # on track: yearly shares 3/60, 9/60, 15/60, 21/60 rising steeply (the last one's Wilson
    # lower limit 0.24 is below the target, so not met); 2026T3 is 2 years on
    women = [1] * 3 + [3] * 3 + [5] * 3 + [7] * 3
    men = [19] * 3 + [17] * 3 + [15] * 3 + [13] * 3
    on = goal_status(youth_cube(women, men, p12), config=CFG)
    want, eta, se, df = _reference_goal_probability([3, 9, 15, 21], [57, 51, 45, 39], 2.0)
    assert on.probability is not None and close(on.probability, want, 1e-6)
    assert want >= 0.9 and on.status == "on_track" and on.horizon == "2026T3"
    assert close(on.projected, float(special.expit(eta)), 1e-7)
    q = stats.t.ppf(0.975, df)
    assert close(on.projected_high, float(special.expit(eta + q * se)), 1e-6)
    assert on.windows["women"].tolist() == [3, 9, 15, 21] and on.persons_needed_per_year is None
    # not on track: a flat 5% share (6 of 120 a year); with 4 windows (t with 2 df) a flat
    # 10% of 60 a year still leaves a probability of 0.13
    flat = goal_status(youth_cube([2] * 12, [38] * 12, p12), config=CFG)
    want_flat = _reference_goal_probability([6] * 4, [114] * 4, 2.0)[0]
    assert flat.status == "not_on_track" and close(flat.probability, want_flat, 1e-6)
    assert want_flat <= 0.1
    # cannot tell yet: a flat 20% share (12 of 60 a year) against the target 25%
    mid = goal_status(youth_cube([4] * 12, [16] * 12, p12), config=CFG)
    want_mid, eta, se, df = _reference_goal_probability([12] * 4, [48] * 4, 2.0)
    assert 0.1 < want_mid < 0.9 and mid.status == "cannot_tell_yet"
    assert close(mid.probability, want_mid, 1e-6)
    # persons needed: se shrinks as 1/sqrt(persons); |z| must reach t_0.9(df)
    z = (math.log(0.25 / 0.75) - eta) / se
    assert mid.persons_needed_per_year == math.ceil((stats.t.ppf(0.9, df) / z) ** 2 * 240 / 4)
    assert mid.persons_per_year == 60
    # insufficient: one year of data, or fewer than 20 young persons in 12 months
    one = goal_status(youth_cube([2] * 3, [6] * 3, p12[:3]), config=CFG)
    assert one.status == "insufficient_data" and "needs 3" in one.reason
    few = goal_status(youth_cube([1] * 12, [5] * 12, p12), config=CFG)
    assert few.status == "insufficient_data" and few.n == 18 and "fewer than 20" in few.reason
    # no woman ever: the trend cannot be estimated, the upper limit is below the target
    none = goal_status(youth_cube([0] * 12, [10] * 12, p12), config=CFG)
    assert none.status == "not_on_track" and "cannot be estimated" in none.reason
    # women only in the last year, men only before: no finite trend; the 12-month interval
    # (6 women of 26: 0.23, Wilson 0.11-0.42) includes the target
    sep = goal_status(youth_cube([0] * 9 + [2, 2, 2], [10] * 9 + [20, 0, 0], p12), config=CFG)
    assert sep.status == "insufficient_data" and "cannot be estimated" in sep.reason
    assert sep.ci_low is not None and sep.ci_high is not None
    assert sep.ci_low < 0.25 < sep.ci_high


def test_goal_baseline_keeps_the_windows_from_the_promise_on() -> None:
    """``gender_goal.baseline_period``: only the yearly windows ending on or after the
    baseline's last day enter the trend (reference: the same statsmodels trend on those
    windows' counts, by hand)."""
    women = [1] * 3 + [3] * 3 + [5] * 3 + [7] * 3
    men = [19] * 3 + [17] * 3 + [15] * 3 + [13] * 3
    cube = youth_cube(women, men, TERTIALS)  # yearly windows end 2021T3 .. 2024T3
    late = replace(CFG, gender_goal=replace(CFG.gender_goal, baseline_period="2022T2"))
    g = goal_status(cube, config=late)
    # 2022T2 ends 2022-08-31: the window ending 2021T3 is before it, 2022T3 on are kept
    assert g.windows["end"].tolist() == ["2022T3", "2023T3", "2024T3"]
    want = _reference_goal_probability([9, 15, 21], [51, 45, 39], 2.0)[0]
    assert close(g.probability, want, 1e-6)
    # a baseline at or before the data's first window changes nothing
    early = replace(CFG, gender_goal=replace(CFG.gender_goal, baseline_period="2019T1"))
    assert goal_status(cube, config=early).windows["end"].tolist() == [
        "2021T3", "2022T3", "2023T3", "2024T3"]
    # a baseline after P leaves no window: too few data, said so
    after = replace(CFG, gender_goal=replace(CFG.gender_goal, baseline_period="2025T1"))
    assert goal_status(cube, config=after).status == "insufficient_data"
    with pytest.raises(ri.ConfigError, match=r"gender_goal\.baseline_period"):
        ri.load_config(gender_goal={"baseline_period": "2021X9"})


def test_goal_uses_windows_when_given_and_reads_the_target_from_config() -> None:
    cube = youth_cube([2] * 12, [18] * 12, TERTIALS)
    # a window cube holding distinct persons in 2024T1-2024T3: 30 women of 50
    windows = youth_cube([30], [20], ["2024T1-2024T3"])
    g = goal_status(cube, config=CFG, windows=windows)
    assert g.window == "2024T1-2024T3" and g.n == 50 and g.status == "met"
    low = ri.load_config(language="en")
    assert low.gender_goal.target_female_share == 0.25 and g.target == 0.25
    assert g.target_period == CFG.gender_goal.target_period
    assert set(g.table["quantity"]) >= {"rolling_12_month_share", "probability_target_reached"}
    # without windows (counts mode) the periods are summed, and the label says so
    assert goal_status(cube, config=CFG).window == "2024T1-2024T3 (sum of periods)"


def test_goal_projects_to_p_once_the_target_has_passed_and_converts_the_target_kind() -> None:
    women = [1] * 3 + [2] * 3 + [3] * 3 + [4] * 3
    men = [19] * 3 + [18] * 3 + [17] * 3 + [16] * 3
    cube = youth_cube(women, men, TERTIALS)
    passed = replace(CFG, gender_goal=replace(CFG.gender_goal, target_period="2022T3"))
    g = goal_status(cube, config=passed)
    want = _reference_goal_probability([3, 6, 9, 12], [57, 54, 51, 48], 0.0)[0]
    assert g.horizon == "2024T3" and close(g.probability, want, 1e-6) and "in 2024T3" in g.reason
    # quarters: the tertial target 2026T3 ends on 31 December 2026, i.e. in 2026Q4
    quarters = [f"{y}Q{q}" for y in (2022, 2023, 2024) for q in (1, 2, 3, 4)]
    qcfg = ri.load_config(period="quarter")
    gq = goal_status(youth_cube(women, men, quarters), config=qcfg)
    assert gq.horizon == "2026Q4"


def test_detectable_change_against_the_normal_formula() -> None:
    # Cohen's h at 80% power, two-sided 5%, n per group: h = (z_0.975 + z_0.8) * sqrt(2/n)
    # (the far tail adds < 1e-6 power); p1 = sin(asin(sqrt(p0)) + h/2)^2
    n, p0 = 40, 0.2
    h = (Z + stats.norm.ppf(0.8)) * math.sqrt(2 / n)
    p1 = math.sin(math.asin(math.sqrt(p0)) + h / 2) ** 2
    got = detectable_change(p0, n)
    assert got is not None and close(got, p1 - p0, 1e-6)
    # the power at that change is 0.8 (statsmodels, reference)
    effect = 2 * math.asin(math.sqrt(p0 + got)) - 2 * math.asin(math.sqrt(p0))
    # (solve_power stops at a tolerance of about 1e-7)
    assert close(NormalIndPower().power(effect, nobs1=n, alpha=0.05), 0.8, 1e-6)
    assert detectable_change(0.2, 1) is None and detectable_change(0.0, 50) is None


def test_goal_rule_texts_name_every_status() -> None:
    for status in ("met", "on_track", "not_on_track", "cannot_tell_yet", "insufficient_data"):
        assert status in GOAL_RULE_EN and status in GOAL_RULE_SV
    # the readers' version says the same five outcomes in words, with no code or symbol
    words = {"sv": ("För lite data", "uppnått", "På väg", "Inte på väg", "går det inte att säga"),
             "en": ("Too little data", "is met", "On track:", "Not on track:",
                    "cannot be told yet")}  # fmt: skip
    for lang, rule in GOAL_RULE_PLAIN.items():
        assert all(w in rule for w in words[lang]), lang
        assert not re.search(r"_|\b[TP]\b|GLM", rule), lang


# --------------------------------------------------------------------------- decomposition
def test_decomposition_adds_up_exactly_and_reads_in_both_languages() -> None:
    cube = youth_cube([4, 6], [18, 9], ["2024T1", "2024T2"])
    d = share_change_decomposition(cube, "2024T1", "2024T2", config=CFG)
    assert d.change is not None and d.from_women is not None and d.from_men is not None
    assert d.from_women + d.from_men == d.change  # exact
    # independent: logit(6/15) - logit(4/22) = log(6/9) - log(4/18) = log(3) = 1.0986123
    s0, s1 = 4 / 22, 6 / 15
    assert close(d.change, math.log(s1 / (1 - s1)) - math.log(s0 / (1 - s0)), 1e-12)
    assert close(d.change, math.log(3), 1e-12)
    assert close(d.from_women, math.log(6 / 4), 1e-12) and close(d.from_men, math.log(2), 1e-12)
    t = d.table
    assert t["estimate"].iloc[0] + t["estimate"].iloc[1] == t["estimate"].iloc[2]
    en, sv = d.sentence("en"), d.sentence("sv")
    assert "more women were reported (4 → 6)" in en and "fewer men were reported (18 → 9)" in en
    assert "+1.10" in en and "+1,10" in sv and "fler kvinnor rapporterades" in sv
    assert "18,2 %" in sv and "18.2%" in en
    plain = d.sentence("sv", plain=True)  # 4/22 = 18.2 %, 6/15 = 40.0 %, no log-odds
    assert plain == ("Andelen kvinnor bland unga rapporterade personer gick från 18,2 % (4 av 22) "
                     "under T1 2024 till 40,0 % (6 av 15) under T2 2024: fler kvinnor (4 → 6) och "
                     "färre män (18 → 9) rapporterades.")  # fmt: skip


def test_decomposition_with_a_zero_is_not_defined() -> None:
    cube = youth_cube([0, 3], [5, 5], ["2024T1", "2024T2"])
    d = share_change_decomposition(cube, "2024T1", "2024T2", config=CFG)
    assert d.change is None and "no young women were reported in 2024T1" in d.reason
    assert "log(0)" in d.sentence("en")
    assert "inga unga kvinnor rapporterades under T1 2024" in d.sentence("sv")
    assert d.table["estimate"].isna().all()


# --------------------------------------------------------------------------- standardisation
def test_mantel_haenszel_matches_metafor_and_katz() -> None:
    # Doll & Hill smoking and coronary deaths by age. R (metafor 3.8-1):
    # rma.mh(x1i=c(32,104,206,186,102), t1i=c(52407,43248,28612,12663,5317),
    #        x2i=c(2,12,28,28,31), t2i=c(18790,10673,5710,2585,1462), measure="IRR")
    # -> IRR 1.424682016751439, CI 1.154703100746796 1.757784184992870, se(log) 0.107198596014487
    e = mantel_haenszel_rate_ratio(
        [32, 104, 206, 186, 102],
        [52407, 43248, 28612, 12663, 5317],
        [2, 12, 28, 28, 31],
        [18790, 10673, 5710, 2585, 1462],
    )
    assert close(e.estimate, 1.424682016751439, 1e-12)
    assert close(e.ci_low, 1.154703100746796, 1e-12)
    assert close(e.ci_high, 1.757784184992870, 1e-12)
    # one stratum: the crude ratio with the Katz variance 1/a + 1/b
    one = mantel_haenszel_rate_ratio([8], [3890], [90], [4100])
    rr = (8 / 3890) / (90 / 4100)
    assert close(one.estimate, rr, 1e-12)
    assert close(one.ci_low, rr * math.exp(-Z * math.sqrt(1 / 8 + 1 / 90)), 1e-12)


def test_mantel_haenszel_hand_example_with_zeros() -> None:
    # stratum 1: a=1, N1=100, b=20, N0=1000, T=1100; stratum 2: a=10, N1=1000, b=2, N0=100
    # R = 1*1000/1100 + 10*100/1100 = 2000/1100; S = 20*100/1100 + 2*1000/1100 = 4000/1100
    # RR = 0.5; V = 21*100*1000/1100^2 + 12*1000*100/1100^2 = 3,300,000/1,210,000 = 2.7272727
    # var(log RR) = V / (R*S) = 2.7272727 / (1.8181818*3.6363636) = 0.4125
    e = mantel_haenszel_rate_ratio([1, 10], [100, 1000], [20, 2], [1000, 100])
    assert close(e.estimate, 0.5, 1e-12)
    assert close(e.ci_high, 0.5 * math.exp(Z * math.sqrt(0.4125)), 1e-12)
    zero = mantel_haenszel_rate_ratio([0, 0], [100, 1000], [20, 2], [1000, 100])
    assert zero.estimate == 0.0 and zero.ci_low is None and "log(0)" in zero.reason
    none = mantel_haenszel_rate_ratio([3, 1], [100, 1000], [0, 0], [1000, 100])
    assert none.estimate is None and not none.defined
    # a stratum without population in either group is left out
    part = mantel_haenszel_rate_ratio([1, 10, 7], [100, 1000, 0], [20, 2, 3], [1000, 100, 50])
    assert close(part.estimate, 0.5, 1e-12)


def _simpson_cells(periods: list[str], a_a: list[int], b_a: list[int], a_b: list[int],
                   b_b: list[int]) -> pd.DataFrame:  # fmt: skip
    # band 15-17: 100 women, 1,000 men; band 18-20: 1,000 women, 100 men; band 21-24 empty
    cells = {}
    for p, wa, ma, wb, mb in zip(periods, a_a, b_a, a_b, b_b, strict=True):
        cells[(p, "A", "15-17", "kvinna")] = (wa, 100.0)
        cells[(p, "A", "15-17", "man")] = (ma, 1000.0)
        cells[(p, "A", "18-20", "kvinna")] = (wb, 1000.0)
        cells[(p, "A", "18-20", "man")] = (mb, 100.0)
        cells[(p, "A", "21-24", "kvinna")] = (0, 0.0)
        cells[(p, "A", "21-24", "man")] = (0, 0.0)
    return make_cube(cells, periods)


def test_simpsons_paradox_is_flagged() -> None:
    # 2024T1: a = (1, 10), b = (20, 2): crude 11/22 = 0.5, MH = 0.5 (hand example above)
    # 2024T2: a = (5, 6), b = (40, 1): crude (11/1100)/(41/1100) = 0.2683 (falls);
    #   MH: R = 5*1000/1100 + 6*100/1100 = 5600/1100, S = 40*100/1100 + 1*1000/1100 = 5000/1100
    #   RR_MH = 5600/5000 = 1.12 (rises); within bands 0.5 -> 1.25 and 0.5 -> 0.6, both rise
    cube = _simpson_cells(["2024T1", "2024T2"], [1, 5], [20, 40], [10, 6], [2, 1])
    s = standardised_rate_ratio(cube, config=CFG)
    comp = s.comparison.set_index("period")
    assert close(comp.at["2024T1", "crude"], 0.5) and close(comp.at["2024T1", "standardised"], 0.5)
    assert close(comp.at["2024T2", "crude"], 11 / 41) and close(
        comp.at["2024T2", "standardised"], 1.12
    )
    ch = s.change("2024T1", "2024T2")
    assert ch["direction_differs"] and ch["crude_change"] < 1 < ch["standardised_change"]
    assert (
        bool(comp.at["2024T2", "direction_differs"]) and not comp.at["2024T1", "direction_differs"]
    )
    assert "disagree in direction in: 2024T2" in s.summary()


def test_simpsons_paradox_in_the_glm_trends() -> None:
    # Six tertials. Young women move from band 15-17 (high rates) to band 18-20 (low rates):
    # women's population 1000 - 150k and 200 + 150k, men's 600 in each band. Counts are the
    # model's means x4, rounded: men 0.05 and 0.005 a person (120 and 12), women half the
    # men's rate times exp(0.1 k), so the ratio rises 10% a year within each band...
    women_a, women_b = [100, 94, 85, 74, 60, 41], [2, 4, 6, 9, 12, 16]
    cells = {}
    for k, p in enumerate(TERTIALS[:6]):
        cells[(p, "A", "15-17", "kvinna")] = (women_a[k], 1000.0 - 150 * k)
        cells[(p, "A", "18-20", "kvinna")] = (women_b[k], 200.0 + 150 * k)
        cells[(p, "A", "15-17", "man")] = (120, 600.0)
        cells[(p, "A", "18-20", "man")] = (12, 600.0)
        for g in ("kvinna", "man"):
            cells[(p, "A", "21-24", g)] = (0, 0.0)
    # ...while the crude ratio falls: women 102 -> 57 of 1,200, men 132 of 1,200 throughout
    s = standardised_rate_ratio(make_cube(cells, TERTIALS[:6]), config=CFG)
    assert s.crude_glm.ratio_change is not None and s.crude_glm.ratio_change < 1
    assert s.glm.ratio_change is not None and s.glm.ratio_change > 1
    assert s.trend_direction_differs and "opposite directions" in s.summary()
    comp = s.comparison
    assert comp["crude"].iloc[-1] < comp["crude"].iloc[0]
    assert comp["standardised"].iloc[-1] > comp["standardised"].iloc[0]


def _glm_cube() -> pd.DataFrame:
    y = [3, 2, 3, 2, 3, 4, 0, 2, 2, 2, 0, 3, 1, 6, 3, 3, 0, 6, 0, 3, 2, 3, 4, 5, 1, 2, 2, 2, 1,
         4, 3, 6, 2, 2, 3, 1, 1, 4, 4, 7, 1, 5, 2, 1, 3, 6, 2, 3]  # fmt: skip
    pops = {("A", "15-17"): (300, 320), ("A", "18-20"): (280, 300), ("B", "15-17"): (350, 360),
            ("B", "18-20"): (330, 340)}  # fmt: skip
    cells, i = {}, 0
    for p in TERTIALS[:6]:
        for area in ("A", "B"):
            for band in ("15-17", "18-20"):
                pw, pm = pops[(area, band)]
                cells[(p, area, band, "kvinna")] = (y[i], float(pw))
                cells[(p, area, band, "man")] = (y[i + 1], float(pm))
                i += 2
    return make_cube(cells, TERTIALS[:6], areas=("A", "B"))


def test_gender_time_glm_matches_r() -> None:
    # R: d has one row per cell (t = (k - 5)/3, g = 1 for women), then
    # glm(y ~ g * t + factor(band) + factor(area) + offset(log(pop)), family=poisson, data=d)
    #   g:t  -0.0453715881451283  se 0.322588482491365
    #   g    -0.5948767993462667  se 0.316403173612670
    # family=quasipoisson: dispersion 0.793241252324005 on 42 df (< 1, so the floor gives the
    # Poisson standard errors, with t(42) quantiles)
    cube = _glm_cube()
    r = gender_time_glm(cube, config=CFG, family="poisson")
    tab = r.table.set_index("term")
    assert close(tab.at["gender:time", "estimate"], -0.0453715881451283, 1e-7)
    assert close(tab.at["gender", "estimate"], -0.5948767993462667, 1e-8)
    half = tab.at["gender:time", "ci_high"] - tab.at["gender:time", "estimate"]
    assert close(half, Z * 0.322588482491365, 1e-6)
    assert close(r.ratio_at_period, math.exp(-0.5948767993462667), 1e-8)
    assert r.strata == ("area", "age_band") and r.n == 48  # band 21-24 has no persons: left out
    q = gender_time_glm(cube, config=CFG)
    assert close(q.dispersion, 0.793241252324005, 1e-6)
    qt = q.table.set_index("term")
    t42 = stats.t(42).isf(0.025)
    assert close(qt.at["gender:time", "ci_high"] - qt.at["gender:time", "estimate"],
                 t42 * 0.322588482491365, 1e-6)  # fmt: skip


def test_gender_time_glm_insufficient_and_bad_options() -> None:
    cube = youth_cube([0] * 6, [3] * 6, TERTIALS[:6])
    r = gender_time_glm(cube, config=CFG)
    assert r.status == "insufficient_data" and "young women" in r.reason
    assert r.table["estimate"].isna().all()
    with pytest.raises(UsageError, match="'by' parameter of gender_time_glm"):
        gender_time_glm(cube, config=CFG, strata=("county",))  # type: ignore[arg-type]
    with pytest.raises(UsageError, match="'family' parameter of gender_time_glm"):
        gender_time_glm(cube, config=CFG, family="negbin")  # type: ignore[arg-type]


def test_gender_counts_margins_and_missing_population() -> None:
    cube = _glm_cube()
    g = gender_counts(cube, config=CFG, by=("area",))
    assert list(g.columns) == ["period", "area", "women", "men", "pop_women", "pop_men"]
    first = g.iloc[0]
    # 2021T1, area A, youth: women 3 + 3 (bands 15-17, 18-20), population 300 + 280 + 1000
    assert first["women"] == 6 and first["pop_women"] == 1580.0
    holes = cube.copy()
    holes.loc[(holes["area"] == "A") & (holes["age_band"] == "15-17"), "population"] = pd.NA
    g2 = gender_counts(holes, config=CFG, by=("area",))
    assert math.isnan(g2.iloc[0]["pop_women"]) and g2.iloc[1]["pop_women"] == 1680.0


# --------------------------------------------------------------------------- fairlearn
def test_the_metric_frame_is_made_only_when_asked(demo: ri.Analysis) -> None:
    res = selection_rates(demo.cube, config=CFG)
    assert "_fairlearn" not in vars(res)  # the follow-up needs only overall and headline
    first = res.table
    assert "_fairlearn" in vars(res) and res.table is first  # made once, then kept
    # the headline needs no MetricFrame: persons / population of the last period, pooled
    assert res.headline["period"] == str(res.overall["period"].iloc[-1])


def test_fairlearn_rates_equal_count_formulas(demo: ri.Analysis) -> None:
    res = selection_rates(demo.cube, config=CFG)
    t = res.table
    assert np.max(np.abs(t["estimate"].to_numpy(float) - t["persons"] / t["population"])) < 1e-12
    # parity ratio per control group = min/max of the two rates; difference = max - min
    wide = t.pivot_table(index=["period", "age_band"], columns="gender", values="estimate")
    par = res.parity.set_index(["period", "age_band"])
    lo, hi = wide.min(axis=1), wide.max(axis=1)
    ok = hi > 0
    assert np.allclose(par.loc[ok[ok].index, "ratio"].to_numpy(float), (lo / hi)[ok], atol=1e-12)
    assert np.allclose(par["difference"].to_numpy(float), (hi - lo).reindex(par.index), atol=1e-12)
    # headline demographic_parity_ratio of P: the youth bands pooled, persons / population
    c = demo.cube
    sel = (
        (c["period"] == demo.period.code)
        & (c["area"] == "total")
        & c["age_band"].isin(CFG.youth_bands)
    )
    rate = {
        g: c.loc[sel & (c["gender"] == g), "persons"].sum()
        / c.loc[sel & (c["gender"] == g), "population"].sum()
        for g in ("man", "kvinna")
    }
    assert close(res.headline["demographic_parity_ratio"], min(rate.values()) / max(rate.values()),
                 1e-12)  # fmt: skip
    assert close(res.headline["demographic_parity_difference"],
                 abs(rate["man"] - rate["kvinna"]), 1e-12)  # fmt: skip
    # analytic intervals, not fairlearn's bootstrap: Wilson per group
    row = t.iloc[5]
    w = ri_wilson(int(row["persons"]), int(row["population"]))
    assert close(row["ci_low"], w[0]) and close(row["ci_high"], w[1])
    assert res.frame.by_group.shape[0] == len(t)
    # never NaN: undefined ratios are <NA>
    assert res.parity["ratio"].dtype == "Float64"


def ri_wilson(k: int, n: int) -> tuple[float, float]:
    from statsmodels.stats.proportion import proportion_confint

    low, high = proportion_confint(k, n, method="wilson")  # reference
    return float(low), float(high)


def test_fairlearn_by_detection_mode(demo: ri.Analysis) -> None:
    assert demo.detection is not None
    res = selection_rates(demo.cube, config=CFG, detection=demo.detection)
    t = res.table
    assert set(t["detection"]) == {"polisinitierad", "anmalan", "okand"}
    # a rate by mode = persons found that way / the population of the age and gender cell
    d, c = demo.detection, demo.cube
    row = t.loc[(t["detection"] == "polisinitierad") & (t["gender"] == "man")].iloc[-1]
    persons = d.loc[
        (d["period"] == row["period"])
        & (d["detection"] == "polisinitierad")
        & (d["age_band"] == row["age_band"])
        & (d["gender"] == "man"),
        "persons",
    ]
    pop = c.loc[
        (c["period"] == row["period"])
        & (c["area"] == "total")
        & (c["age_band"] == row["age_band"])
        & (c["gender"] == "man"),
        "population",
    ]
    assert abs(row["estimate"] - int(persons.iloc[0]) / int(pop.iloc[0])) < 1e-12


# --------------------------------------------------------------------------- detection mode
def test_figures_by_detection_mode(demo: ri.Analysis, report: Any) -> None:
    assert demo.detection is not None
    cubes = detection_cubes(demo.detection, demo.cube)
    p = demo.period.code
    d = demo.detection
    sel = (
        (d["period"] == p)
        & (d["detection"] == "polisinitierad")
        & d["age_band"].isin(CFG.youth_bands)
    )
    w = int(d.loc[sel & (d["gender"] == "kvinna"), "persons"].sum())
    m = int(d.loc[sel & (d["gender"] == "man"), "persons"].sum())
    share = female_share_youth(cubes["polisinitierad"], p, config=CFG).table.iloc[0]
    assert share["women"] == w and share["men"] == m
    if w + m:
        assert close(share["estimate"], w / (w + m))
    # the modes add up to the total of the detection cube, which equals the main cube
    totals = sum(gender_counts(cubes[k], config=CFG, periods=[p])["women"].iloc[0]
                 for k in ("polisinitierad", "anmalan", "okand"))  # fmt: skip
    main = gender_counts(demo.cube, config=CFG, periods=[p])["women"].iloc[0]
    assert totals == main
    rep = report
    assert rep.by_detection is not None
    by = rep.by_detection
    got = by.loc[(by["figure"] == "female_share_youth") & (by["detection"] == "polisinitierad")
                 & (by["period"] == p)].iloc[0]  # fmt: skip
    assert got["n"] == w + m
    assert set(by["figure"]) >= {"rate_ratio_female_male_youth", "female_share_youth_trend",
                                 "rate_ratio_mantel_haenszel", "benchmark_ratio_youth"}  # fmt: skip
    numeric = by[["estimate", "ci_low", "ci_high"]].to_numpy(float, na_value=0.0)
    assert np.all(np.isfinite(numeric))


# --------------------------------------------------------------------------- bundle
def test_fairness_indicators_and_report(demo: ri.Analysis, report: Any) -> None:
    ind = goal_indicators(fairness_report(demo))
    assert set(ind) == {"female_share_youth_trend", "goal_status"}
    assert all(isinstance(v, Indicator) for v in ind.values())
    trend = female_share_youth_trend(demo.cube, demo.period.code, config=CFG)
    assert ind["female_share_youth_trend"].value == trend.estimate
    assert ind["female_share_youth_trend"].n == trend.periods
    assert ind["goal_status"].value in GOAL_STATUSES
    assert ind["goal_status"].n is None and ind["goal_status"].uses == ()
    json = ind["goal_status"].to_json()
    assert json["value"] == ind["goal_status"].value and json["n"] is None
    rep = report
    head = rep.table.set_index("figure")
    pub = slice_indicators(demo.cube, demo.period.code, config=CFG)
    assert close(head.at["rate_ratio_female_male_youth", "estimate"],
                 float(pub["rate_ratio_female_male_youth"].value))  # fmt: skip
    assert close(head.at["benchmark_ratio_youth", "estimate"],
                 float(pub["benchmark_ratio_youth"].value))  # fmt: skip
    assert rep.decomposition is not None
    d = rep.decomposition
    assert d.from_women is not None and d.from_men is not None
    assert d.from_women + d.from_men == d.change
    long = rep.report_table().set_index(["measure", "scope", "group"])
    rr = rep.rate_ratio.table.iloc[-1]
    assert close(long.loc[("rate_ratio_exact", "period", "total"), "ci_low"], rr["exact_ci_low"])
    assert close(long.loc[("rate_ratio_katz", "period", "total"), "ci_low"], rr["ci_low"])
    assert ("female_share_youth", "rolling_12_months", "total") in long.index
    assert close(long.loc[("demographic_parity_ratio", "period", "total"), "estimate"],
                 rep.parity.headline["demographic_parity_ratio"])  # fmt: skip
    goal = rep.report_goal()
    assert goal["status"] == rep.goal.status and goal["rule"]["sv"] == GOAL_RULE_PLAIN["sv"]
    assert goal["min_detectable_change"] == rep.goal.detectable_change_year
    text = rep.summary("sv")
    assert "Andelen kvinnor" in text and rep.goal.status in text


def test_plots_draw_the_data(report: Any) -> None:
    import matplotlib.pyplot as plt

    rep = report
    n = len(rep.shares.table)
    ax = rep.shares.plot()
    assert len(ax.get_xticks()) == n
    ax = rep.goal.plot()
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert "target" in labels and "12-month share" in labels
    for obj in (rep.rate_ratio, rep.benchmark, rep.standardised, rep.parity, rep.trend,
                rep.standardised.glm):  # fmt: skip
        assert obj.plot() is not None and obj.summary()
    assert rep.decomposition is not None
    bars = rep.decomposition.plot().patches
    assert len(bars) == 3 and math.isclose(bars[0].get_height() + bars[1].get_height(),
                                           bars[2].get_height())  # fmt: skip
    plt.close("all")


# --------------------------------------------------------------------------- coverage
def test_interval_coverage_with_expected_counts_of_five_or_more() -> None:
    R = 2000
    cov = fairness_coverage(R, seed=20240501)
    bound = 0.95 - 3 * math.sqrt(0.95 * 0.05 / R)
    big = cov.loc[cov["expected_women"] >= 5]
    assert len(big) == 12 and (big["replicates"] == R).all()
    for _, r in big.iterrows():
        # exact and Wilson: at least nominal within MC error; Katz: with expected counts of 5
        # and more it is slightly conservative (observed 0.95-0.97), so the same bound holds
        assert r["coverage_all"] >= bound, (r["estimator"], r["setting"], r["coverage_all"])
    exact = cov.loc[cov["estimator"] == "rate_ratio_exact"]
    assert (exact["defined"] == R).all()  # the exact interval exists even with 0 women
    katz_small = cov.loc[(cov["estimator"] == "rate_ratio_katz") & (cov["expected_women"] == 1)]
    # P(0 women | mean 1) = exp(-1) = 0.368: the Katz interval is missing that often
    assert (abs(katz_small["defined"] / R - (1 - math.exp(-1))) < 4 * math.sqrt(0.25 / R)).all()
    assert set(cov.columns) >= {"study", "estimator", "truth", "coverage", "coverage_mcse"}


def test_coverage_rejects_bad_replicates() -> None:
    with pytest.raises(UsageError, match="'replicates' parameter of fairness_coverage"):
        fairness_coverage(0)


def test_the_pooled_parity_by_period_equals_fairlearns_metricframe() -> None:
    """``overall`` (ratio and difference per period, youth bands pooled) is computed with
    pandas; the reference is fairlearn's MetricFrame with the period as control feature on
    the same weighted rows (what it was computed with before)."""
    import numpy as np

    from risk_indicators.fairness import _parity

    d = ri.demo_data_dir()
    cfg = ri.load_config(d / "config.toml", disclosure={"method": "suppression"})
    records = ri.read_reports(d / "reports.csv", config=cfg, key=ri.DEMO_KEY)
    analysis = ri.analyse(records, ri.read_population(d / "population.csv", config=cfg),
                          config=cfg)  # fmt: skip
    for detection in (None, analysis.detection):
        cells, _ = _parity._parity_cells(analysis.cube, cfg, detection)
        rows = cells.loc[np.repeat(np.arange(len(cells)), 2)].reset_index(drop=True)
        y = np.tile([1, 0], len(cells))
        w = np.where(y == 1, rows["persons"], rows["population"] - rows["persons"]).astype(float)
        mf = _parity._metric_frame(y, w, rows["gender"], rows[["period"]])
        got = _parity._pooled_parity(cells).set_index("period")
        assert list(got.index) == [str(p) for p in mf.ratio().index]
        assert np.allclose(got["demographic_parity_ratio"].astype(float),
                           mf.ratio()["selection_rate"].astype(float), equal_nan=True)
        assert np.allclose(got["demographic_parity_difference"].astype(float),
                           mf.difference()["selection_rate"].astype(float), equal_nan=True)
