"""The effort statistics (issue 16): the effort-adjusted trend, the young per 100 activity
hours and the police-initiated share of the young.

References: the adjusted trend against a statsmodels Poisson GLM fitted here on the design
written out by hand (quasi-Poisson = Pearson chi2/df scale, t interval with df_resid, as the
contract's trend); the offset method against :func:`poisson_trend` with the effort folded into
the population (the same model by construction); the exact Poisson and Wilson intervals
against their closed forms with scipy quantiles.
"""

from __future__ import annotations

import math
import re

import numpy as np
import pandas as pd
import pytest
from scipy import stats
from statsmodels.genmod import families
from statsmodels.genmod.generalized_linear_model import GLM

from risk_indicators.config import load_config
from risk_indicators.errors import UsageError
from risk_indicators.stats import (
    DETECTION_MODES,
    effort_adjusted_trend,
    effort_trend_replicates,
    poisson_trend,
    police_initiated_share_youth,
    youth_per_100_activity_hours,
)

LABELS = [f"{y}T{t}" for y in range(2019, 2025) for t in (1, 2, 3)]
# an over-dispersed series (Pearson dispersion above 1, so the floor does not act)
Y = pd.Series([4, 14, 7, 15, 5, 16, 10, 3, 13, 12, 30, 11, 28, 14, 33, 15, 29, 13], index=LABELS)
HOURS = pd.Series([300.0, 320, 290, 310, 305, 330, 280, 300, 310,
                   600, 640, 590, 610, 580, 650, 600, 620, 590], index=LABELS)  # fmt: skip
POP = pd.Series(np.linspace(1500, 1600, 18), index=LABELS)


def _statsmodels_reference(y: np.ndarray, log_e: np.ndarray, pop: np.ndarray) -> dict:
    n = len(y)
    t = np.arange(n) / 3
    season = np.arange(n) % 3
    X = np.column_stack([np.ones(n), t, season == 1, season == 2, log_e - log_e.mean()])
    res = GLM(y, X.astype(float), family=families.Poisson(), offset=np.log(pop)).fit(
        scale="X2", tol=1e-12
    )
    return {"beta": res.params[1], "se": res.bse[1], "df": res.df_resid, "scale": res.scale,
            "gamma": res.params[4], "gamma_se": res.bse[4]}  # fmt: skip


def test_covariate_trend_equals_a_quasi_poisson_glm_with_log_effort() -> None:
    ref = _statsmodels_reference(Y.to_numpy(float), np.log(HOURS.to_numpy()), POP.to_numpy())
    assert ref["scale"] > 1  # so max(dispersion, 1) is the Pearson dispersion itself
    r = effort_adjusted_trend(Y, HOURS, population=POP)
    crit = stats.t.isf(0.025, ref["df"])
    assert r.status == "ok" and r.method == "covariate" and r.n == 18
    assert r.annual_change == pytest.approx(math.expm1(ref["beta"]), rel=1e-7)
    assert r.ci_low == pytest.approx(math.expm1(ref["beta"] - crit * ref["se"]), rel=1e-6)
    assert r.ci_high == pytest.approx(math.expm1(ref["beta"] + crit * ref["se"]), rel=1e-6)
    assert r.p_value == pytest.approx(2 * stats.t.sf(abs(ref["beta"] / ref["se"]), ref["df"]))
    assert r.elasticity == pytest.approx(ref["gamma"], rel=1e-6)
    assert r.elasticity_ci_low == pytest.approx(ref["gamma"] - crit * ref["gamma_se"], rel=1e-6)
    assert r.dispersion == pytest.approx(ref["scale"], rel=1e-6)
    # beside it: the contract's unadjusted trend over the same periods
    u = poisson_trend(Y, population=POP)
    assert r.unadjusted.annual_change == pytest.approx(u.annual_change)
    t = r.table.set_index("term")
    assert t.loc["annual_change_same_periods", "estimate"] == pytest.approx(u.annual_change)
    assert t.loc["effort_elasticity", "estimate"] == pytest.approx(r.elasticity)
    assert (t["n"] == 18).all()
    # effort that doubles with the counts: the unadjusted trend is large, the adjusted is not
    assert u.ci_low > 0 and r.ci_low < 0 < r.ci_high


def test_offset_method_is_the_trend_of_counts_per_population_times_effort() -> None:
    r = effort_adjusted_trend(Y, HOURS, population=POP, method="offset")
    same = poisson_trend(Y, population=POP * HOURS)
    assert r.annual_change == pytest.approx(same.annual_change, rel=1e-9)
    assert (r.ci_low, r.ci_high) == pytest.approx((same.ci_low, same.ci_high), rel=1e-9)
    assert r.elasticity == 1.0 and r.elasticity_ci_low is None


def test_flat_effort_changes_nothing_and_says_so() -> None:
    for effort in (pd.Series(400.0, index=LABELS),
                   pd.Series([400.0, 500.0, 450.0] * 6, index=LABELS)):  # season only  # fmt: skip
        r = effort_adjusted_trend(Y, effort, population=POP)
        u = poisson_trend(Y, population=POP)
        assert r.status == "ok" and "nothing to adjust" in r.note
        assert (r.annual_change, r.ci_low, r.ci_high) == pytest.approx(
            (u.annual_change, u.ci_low, u.ci_high), rel=1e-9
        )
        assert r.elasticity is None


def test_effort_in_step_with_time_cannot_be_told_from_a_trend() -> None:
    effort = pd.Series(300 * np.exp(0.1 * np.arange(18)), index=LABELS)
    r = effort_adjusted_trend(Y, effort)
    assert r.status == "insufficient_data" and "in step with time" in r.reason
    assert r.annual_change is None and r.unadjusted is not None


def test_the_fit_uses_the_last_run_of_periods_with_known_effort() -> None:
    gap = HOURS.copy()
    gap.iloc[[0, 4]] = [np.nan, 0.0]  # 0 hours is unknown, not "no police"
    r = effort_adjusted_trend(Y, gap, population=POP)
    assert r.periods == tuple(LABELS[5:])
    u = poisson_trend(Y.iloc[5:], population=POP.iloc[5:])
    assert r.unadjusted.annual_change == pytest.approx(u.annual_change)
    last = HOURS.copy()
    last.iloc[-1] = np.nan
    r = effort_adjusted_trend(Y, last)
    assert r.status == "insufficient_data"
    assert (
        r.reason == "effort unknown: the effort of the last period 2024T3 is unknown (no "
        "activity hours)"
    )
    none = effort_adjusted_trend(Y, None)
    assert none.reason == "effort unknown: no activity data" and none.n == 0


def test_a_short_series_is_insufficient_like_the_trend() -> None:
    r = effort_adjusted_trend(Y.iloc[:5], HOURS.iloc[:5])
    assert r.status == "insufficient_data"
    assert r.reason == poisson_trend(Y.iloc[:5]).reason


def test_bad_options_use_the_one_wording() -> None:
    wording = (
        "The 'method' parameter of effort_adjusted_trend must be one of 'covariate', "
        "'offset'. Got 'elastic' instead."
    )
    with pytest.raises(UsageError, match=re.escape(wording)):
        effort_adjusted_trend(Y, HOURS, method="elastic")  # type: ignore[arg-type]
    with pytest.raises(UsageError, match="hours >= 0"):
        effort_adjusted_trend(Y, -HOURS)


def test_replicates_are_the_same_fit() -> None:
    rng = np.random.default_rng(3)
    counts = rng.poisson(Y.to_numpy(float), size=(5, 18)).astype(float)
    fast = effort_trend_replicates(counts, HOURS.to_numpy(), POP.to_numpy())
    for i, row in enumerate(counts):
        r = effort_adjusted_trend(pd.Series(row, index=LABELS), HOURS, population=POP)
        assert math.expm1(fast.at[i, "beta"]) == pytest.approx(r.annual_change, rel=1e-9)
        assert math.expm1(fast.at[i, "ci_low"]) == pytest.approx(r.ci_low, rel=1e-9)
        assert fast.at[i, "gamma"] == pytest.approx(r.elasticity, rel=1e-9)


def test_youth_per_100_hours_is_the_exact_poisson_rate() -> None:
    e = youth_per_100_activity_hours(12, 400.0)
    # Garwood: [chi2(0.025; 2k)/2, chi2(0.975; 2k+2)/2] events over 4 hundred hours
    assert e.estimate == 3.0
    assert e.ci_low == pytest.approx(stats.chi2.ppf(0.025, 24) / 2 / 4)
    assert e.ci_high == pytest.approx(stats.chi2.ppf(0.975, 26) / 2 / 4)
    zero = youth_per_100_activity_hours(0, 250.0)
    assert zero.estimate == 0 and zero.ci_high == pytest.approx(stats.chi2.ppf(0.975, 2) / 2 / 2.5)
    for hours in (None, 0.0, float("nan")):
        missing = youth_per_100_activity_hours(7, hours)
        assert missing.estimate is None and "effort unknown" in missing.reason


def test_police_initiated_share_counts_the_young_of_known_mode_and_gender() -> None:
    cfg = load_config()
    rows = [
        ("2024T1", "polisinitierad", "15-17", "man", 6), ("2024T1", "polisinitierad", "21-24",
        "kvinna", 2), ("2024T1", "anmalan", "18-20", "man", 3), ("2024T1", "okand", "15-17",
        "man", 9), ("2024T1", "polisinitierad", "15-17", "okänt", 4),
        ("2024T1", "polisinitierad", "30-39", "man", 5), ("2023T3", "anmalan", "15-17", "man", 8),
        ("2024T1", "total", "total", "total", 99),
    ]  # fmt: skip
    det = pd.DataFrame(rows, columns=["period", "detection", "age_band", "gender", "persons"])
    e = police_initiated_share_youth(det, "2024T1", config=cfg)
    # young women and men: police 6 + 2 = 8, reported 3; unknown mode, unknown gender, ages
    # 30-39, another period and margins left out. Wilson by its closed form:
    x, n, z = 8, 11, stats.norm.isf(0.025)
    centre = (x + z**2 / 2) / (n + z**2)
    half = z * math.sqrt(x * (n - x) / n + z**2 / 4) / (n + z**2)
    assert (e.estimate, e.n) == (8 / 11, 11)
    assert (e.ci_low, e.ci_high) == pytest.approx((centre - half, centre + half))
    assert DETECTION_MODES == ("polisinitierad", "anmalan", "okand")
    empty = police_initiated_share_youth(det, "2022T1", config=cfg)
    assert empty.estimate is None
