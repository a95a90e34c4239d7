"""Police effort in the synthetic model and the acceptance study of issue 16.

Known truths: the generator's documented operation factor ``(1 - pi_g) + pi_g * w`` (pi = 0.85
for men, 0.65 for women), written out here; the activity file's hours proportional to the
mean day weight; and, in the study, the true trend of use (0 or +10 % a year). Simulation
bounds are 3 Monte Carlo standard errors at the replicate count used.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from risk_indicators.synthetic import (
    PATROL_HOURS_PER_DAY,
    SynthParams,
    activity_frame,
    effort_operations,
    expected_persons,
    generate,
    simulate,
    with_effort,
)
from risk_indicators.synthetic._effort_study import effort_study
from risk_indicators.synthetic._run import _grid

START, END = "2024-01-01", "2024-12-31"


def _params() -> SynthParams:
    return SynthParams.municipal(operations=())


def test_an_effort_series_multiplies_police_initiated_detection_only() -> None:
    base = _params()
    doubled = with_effort(base, {"2024T2": 2.0})
    pop = generate(base, seed=4, start=START, end=END).population
    a = expected_persons(base, pop, start=START, end=END)
    b = expected_persons(doubled, pop, start=START, end=END)
    ratio = (b["expected"] / a["expected"]).where(a["expected"] > 0)
    for gender, pi in (("man", 0.85), ("kvinna", 0.65)):
        in_t2 = ratio[(a["period"] == "2024T2") & (a["gender"] == gender)].dropna()
        others = ratio[(a["period"] != "2024T2") & (a["gender"] == gender)].dropna()
        assert np.allclose(in_t2, (1 - pi) + pi * 2.0)
        assert np.allclose(others, 1.0)
    truth = generate(doubled, seed=4, start=START, end=END).truth["operation_factor"]
    factors = pd.DataFrame(truth["data"], columns=truth["columns"])
    assert set(factors["period"]) == {"2024T2"} and np.allclose(factors["mean_day_weight"], 2.0)


def test_effort_periods_must_be_tertials_with_positive_factors() -> None:
    from risk_indicators.errors import UsageError

    with pytest.raises(UsageError, match="tertial like 2024T1"):
        effort_operations(_params(), {"2024Q1": 2.0})
    with pytest.raises(UsageError, match="positive number"):
        effort_operations(_params(), {"2024T1": 0.0})
    assert effort_operations(_params(), {"2024T1": 1.0}) == ()


def test_activity_hours_follow_the_effort() -> None:
    params = with_effort(_params(), {"2024T3": 2.0})
    grid = _grid(params, START, END)
    acts = activity_frame(params, grid)
    hours = acts.loc[acts["unit"] == "timmar"].groupby("period")["amount"].sum()
    days = {"2024T1": 121, "2024T2": 123, "2024T3": 122}
    # H hours a day for the municipality, doubled in T3 (rounding: a tenth per area and row)
    for period, d in days.items():
        factor = 2.0 if period == "2024T3" else 1.0
        assert hours[period] == pytest.approx(PATROL_HOURS_PER_DAY * d * factor, abs=0.3)
    t3 = acts.loc[acts["period"] == "2024T3"]
    assert set(t3.loc[t3["unit"] == "timmar", "activity"]) == {"patrull", "hot_spot"}
    # what the promise lists, in occasions: walks in the two named areas in T2 and T3
    walks = acts.loc[acts["activity"] == "trygghetsvandring"]
    assert sorted(zip(walks["period"], walks["area"], strict=True)) == [
        ("2024T2", "Skillingaryd"), ("2024T2", "Vaggeryd"),
        ("2024T3", "Skillingaryd"), ("2024T3", "Vaggeryd")]  # fmt: skip
    assert generate(params, seed=1, start=START, end=END).activity.equals(acts)


def _cell(rows: list[dict], scenario: str, estimator: str) -> dict:
    return next(r for r in rows if r["setting"] == scenario and r["estimator"] == estimator)


@pytest.mark.slow
def test_acceptance_adjusted_trend_separates_effort_from_use() -> None:
    """Effort doubles halfway with flat use: the adjusted 95 % interval covers 0 in at least
    95 % - 3 MC SE of the replicates while the unadjusted trend is "significant" in most; a
    true trend with flat effort: both recover it (coverage >= 95 % - 3 MC SE)."""
    reps = 250
    bound = 0.95 - 3 * math.sqrt(0.95 * 0.05 / reps)  # 0.9087
    rows = effort_study(
        reps,
        20211001,
        lambda: None,
        scenarios=["effort x2, flat use", "trend +10 %/year, hot-spot weeks only"],
    )
    adjusted = _cell(rows, "effort x2, flat use", "effort_adjusted")
    unadjusted = _cell(rows, "effort x2, flat use", "youth_trend_annual_change")
    assert adjusted["defined"] == reps and adjusted["truth"] == 0
    assert adjusted["coverage"] >= bound
    # "most": above one half by more than 3 MC SE
    assert unadjusted["rate"] - 3 * unadjusted["rate_mcse"] > 0.5
    for estimator in ("youth_trend_annual_change", "effort_adjusted"):
        row = _cell(rows, "trend +10 %/year, hot-spot weeks only", estimator)
        assert row["truth"] == pytest.approx(0.10)
        assert row["coverage"] >= bound
        assert abs(row["bias"]) < 0.03  # the mean estimate recovers the +10 %


def test_simulate_runs_the_effort_study_with_its_own_stream() -> None:
    res = simulate(replicates=10, include=("effort",))
    t = res.table
    assert set(t["study"]) == {"effort"} and len(t) == 12
    assert set(t["estimator"]) == {"youth_trend_annual_change", "effort_adjusted",
                                   "effort_adjusted_offset"}  # fmt: skip
    assert "Police effort" in res.summary()
