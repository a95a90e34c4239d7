"""Tests of risk_indicators.stats.alarms (farrington_flexible), a port of R farringtonFlexible.

Golden values come from R 4.2.2 / surveillance 1.20.3 and are stored, each under the R call
that produced it, in ``tests/results/results_farrington.py`` (made by
``tests/results/make_farrington_refs.R``); R is not needed to run these tests.
"""

from __future__ import annotations

import importlib.util
import math
from pathlib import Path
from typing import Any

import matplotlib
import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy import stats

from risk_indicators.errors import InsufficientDataError, UsageError
from risk_indicators.stats import _farrington_threshold as core
from risk_indicators.stats.alarms import (
    NOTE_LIMIT54,
    NOTE_NO_UPPER,
    FarringtonResult,
    farrington_flexible,
)

matplotlib.use("Agg")


def _load_results() -> Any:
    # by path, so that it works whatever pytest's import mode and whether tests/ is a package
    path = Path(__file__).parent / "results" / "results_farrington.py"
    spec = importlib.util.spec_from_file_location("results_farrington", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


R = _load_results()

CASES = sorted(k for k, v in vars(R).items() if isinstance(v, dict) and "kwargs" in v)
RTOL = 1e-6


def _r(values: list[float | None]) -> np.ndarray:
    return np.array([np.nan if v is None else v for v in values], dtype=float)


def _f(table: pd.DataFrame, col: str) -> np.ndarray:
    return table[col].astype("float64").to_numpy(na_value=np.nan)


def _run(name: str) -> tuple[dict[str, Any], pd.DataFrame]:
    case = getattr(R, name)
    y = getattr(R, case["series"])
    return case, farrington_flexible(y, freq=case["freq"], **case["kwargs"]).table


def test_reference_versions_are_recorded() -> None:
    assert R.SURVEILLANCE_VERSION == "1.20.3"
    assert R.R_VERSION == "4.2.2"


def test_golden_cases_cover_the_acceptance_matrix() -> None:
    kwargs = [getattr(R, c)["kwargs"] for c in CASES]
    methods = {kw.get("threshold_method", "delta") for kw in kwargs}
    assert methods == {"delta", "nbPlugin", "muan"}
    assert {kw.get("reweight", True) for kw in kwargs} == {True, False}
    assert {kw.get("trend", True) for kw in kwargs} == {True, False}
    assert any("population" in kw for kw in kwargs)
    assert {getattr(R, c)["freq"] for c in CASES} == {3, 4, 12, 52}
    assert sum(v == 0 for v in R.ZEROS_COUNTS) >= 25  # many zeros
    assert min(R.TERTIAL_COUNTS) >= 3 and max(R.TERTIAL_COUNTS) <= 25


@pytest.mark.parametrize("name", CASES)
def test_matches_r_farringtonflexible(name: str) -> None:
    case, t = _run(name)
    n = len(case["alarm"])
    assert len(t) == n
    # R's upperbound and expected are NA where limit54 holds back the alarm; we keep them
    for col in ("upperbound", "expected"):
        ref, ours = _r(case[col]), _f(t, col)
        defined = ~np.isnan(ref)
        np.testing.assert_allclose(ours[defined], ref[defined], rtol=RTOL, atol=0)
        masked = ~defined & ~np.isnan(ours)
        assert not t["enough_cases"].to_numpy()[masked].any()
    assert t["alarm"].tolist() == case["alarm"]
    assert t["trend"].tolist() == [bool(v) for v in case["trend"]]
    np.testing.assert_allclose(_f(t, "phi"), _r(case["phi"]), rtol=RTOL)
    # the score can be a difference of two near-equal numbers: absolute tolerance too
    np.testing.assert_allclose(_f(t, "score"), _r(case["score"]), rtol=RTOL, atol=1e-9)
    np.testing.assert_allclose(_f(t, "p_value"), _r(case["pvalue"]), rtol=RTOL, atol=1e-12)


def test_limit54_masks_exactly_where_r_does() -> None:
    case, t = _run("zeros_delta")  # limit54 = (5, 4) on a series of zeros
    r_na = np.isnan(_r(case["upperbound"]))
    assert r_na.sum() >= 10
    assert (~t["enough_cases"].to_numpy() == r_na).all()
    note = NOTE_LIMIT54.format(cases=5, periods=4)
    assert (t.loc[r_na, "note"] == note).all()
    assert not t.loc[r_na, "alarm"].any()


def test_all_zero_reference_reproduces_r_iteration_count() -> None:
    # Hand calculation: with 3 zero reference values glm.fit starts at mu = 0.1 and each IRLS
    # step lowers the intercept by exactly 1 (working response eta - 1), so mu_t = 0.1 e^-t and
    # the deviance is 2 * 3 * mu_t; it stops at the first t with
    # |dev_t - dev_{t-1}| / (dev_t + 0.1) < 1e-8.
    t = 1
    while 6 * 0.1 * math.exp(-t) * (math.e - 1) / (6 * 0.1 * math.exp(-t) + 0.1) >= 1e-8:
        t += 1
    assert t == 21  # R: glm(c(0, 0, 0) ~ 1, family = quasipoisson)$iter is 21
    case, table = _run("zeros_allzero_delta")
    zero_rows = np.flatnonzero(np.isclose(_r(case["expected"]), 0.1 * math.exp(-21), rtol=1e-9))
    assert zero_rows.size >= 8
    np.testing.assert_allclose(_f(table, "expected")[zero_rows], 0.1 * math.exp(-21), rtol=1e-9)
    # one case after zeros is an alarm when limit54 is off (R agrees, see the golden test)
    hits = table.iloc[zero_rows]
    assert (hits["alarm"] == (hits["observed"] > 0)).all()


def test_muan_upper_bound_undefined_after_zeros() -> None:
    _, t = _run("zeros_allzero_muan")
    undefined = t["upperbound"].isna()
    assert undefined.sum() >= 8
    assert (t.loc[undefined, "note"] == NOTE_NO_UPPER).all()
    assert t.loc[undefined, "expected"].isna().all()
    assert not t.loc[undefined, "alarm"].any()


def test_constant_series_hand_calculation() -> None:
    # 10 cases every quarter: mu = 10, Pearson chi2 = 0 so phi = max(0, 1) = 1 and se = 0.
    # Delta method with power 2/3: U = (10^(2/3) + z * sqrt(4/9 * 10^(1/3)))^(3/2).
    y = [10] * 16 + [20]
    res = farrington_flexible(y, freq=4, b=3, w=1, trend=False, reweight=False)
    row = res.table.iloc[-1]
    z = 1.6448536269514722  # qnorm(0.95)
    upper = (10 ** (2 / 3) + z * math.sqrt(4 / 9 * 10 ** (1 / 3))) ** 1.5
    assert row["expected"] == pytest.approx(10, rel=1e-9)
    assert row["phi"] == 1.0
    assert row["upperbound"] == pytest.approx(upper, rel=1e-9)
    assert row["n_reference"] == 9  # b * (2w + 1)
    assert row["alarm"]
    # nbPlugin with phi = 1 is the Poisson 95% quantile of mean 10: P(X<=14)=0.917, P(X<=15)=0.951
    res = farrington_flexible(y, freq=4, b=3, w=1, trend=False, threshold_method="nbPlugin")
    assert res.table.iloc[-1]["upperbound"] == 15


@pytest.mark.parametrize(
    ("name", "n_reference"),
    [
        ("tertial_delta", 15),  # b=5 windows of 2w+1=3
        ("tertial_w3", 15),  # windows of 7 overlap: k-18 ... k-4 once each
        ("tertial_seasonal", 15),  # w=0, 3 levels: every period k-15 ... k-1
        ("tertial_past0", 13),  # b=4 windows of 3 plus k-1 (nothing left out but k)
        ("agona_delta", 35),  # 5 * 7
        ("agona_noufaily", 237),  # k-263 ... k-27 (26 periods before k left out)
    ],
)
def test_number_of_reference_values(name: str, n_reference: int) -> None:
    _, t = _run(name)
    assert (t["n_reference"] == n_reference).all()


def test_glm_core_agrees_with_statsmodels() -> None:
    # Our IRLS is R's glm.fit; on regular data statsmodels' quasi-Poisson fit is the same model.
    rng = np.random.default_rng(3)
    t = np.arange(1.0, 31.0)
    x = np.column_stack([np.ones(30), t, (t % 3 == 0).astype(float)])
    y = rng.poisson(np.exp(1.5 + 0.02 * t)).astype(float)
    offset = np.log(np.linspace(900, 1100, 30)) - 7
    weights = rng.uniform(0.5, 1.5, 30)
    ours = core.glm_quasipoisson(x, y, offset, weights)
    assert ours is not None and ours.converged
    ref = sm.GLM(y, x, family=sm.families.Poisson(), offset=offset, var_weights=weights).fit(
        scale="X2", tol=1e-12
    )
    np.testing.assert_allclose(ours.coef, ref.params, rtol=1e-6)
    pearson = np.sum(weights * (y - ours.mu) ** 2 / ours.mu) / 27
    np.testing.assert_allclose(pearson, ref.scale, rtol=1e-6)
    np.testing.assert_allclose(ours.cov_unscaled * pearson, ref.cov_params(), rtol=1e-5)
    hat = ref.get_influence().hat_matrix_diag
    np.testing.assert_allclose(ours.hat, hat, rtol=1e-5)


def test_r_discrete_quantile_is_left_continuous() -> None:
    assert core._r_quantile(stats.poisson(10), 0.95) == 15
    # exactly at a cdf value the quantile is that point (R's fuzz keeps left continuity)
    p = float(stats.poisson(2).cdf(3))
    assert core._r_quantile(stats.poisson(2), p) == 3
    assert core._r_quantile(stats.poisson(1e-10), 0.95) == 0


# ---- properties ----------------------------------------------------------------------------


@st.composite
def _series(draw: st.DrawFn) -> tuple[list[int], int, dict[str, Any]]:
    freq = draw(st.sampled_from([3, 4, 12]))
    b = draw(st.integers(1, 3))
    w = draw(st.integers(0, min(2, freq)))
    need = b * freq + w
    n = need + draw(st.integers(1, 4))
    rate = draw(st.floats(0.0, 15.0))
    counts = draw(st.lists(st.integers(0, int(3 * rate) + 2), min_size=n, max_size=n))
    kw = {
        "b": b,
        "w": w,
        "alpha": draw(st.sampled_from([0.01, 0.05, 0.2])),
        "reweight": draw(st.booleans()),
        "trend": draw(st.booleans()),
        "limit54": (draw(st.integers(0, 6)), draw(st.integers(1, 4))),
        "threshold_method": draw(st.sampled_from(["delta", "nbPlugin", "muan"])),
    }
    return counts, freq, kw


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_series())
def test_properties(data: tuple[list[int], int, dict[str, Any]]) -> None:
    counts, freq, kw = data
    t = farrington_flexible(counts, freq=freq, **kw).table
    pos = t["period"].to_numpy(dtype=int)
    observed = t["observed"].to_numpy()
    expected, upper, phi = _f(t, "expected"), _f(t, "upperbound"), _f(t, "phi")
    enough, alarm = t["enough_cases"].to_numpy(), t["alarm"].to_numpy()
    done = ~np.isnan(upper)
    assert (expected[done] >= 0).all()
    cases, periods = kw["limit54"]
    window = [sum(counts[max(0, i - periods + 1) : i + 1]) for i in pos]
    np.testing.assert_array_equal(enough, np.array(window) >= cases)
    score = np.nan_to_num(_f(t, "score"), nan=-np.inf)
    np.testing.assert_array_equal(alarm, enough & (observed > 0) & (score > 1))
    if kw["threshold_method"] == "delta":
        assert (upper[done] >= expected[done]).all()
        np.testing.assert_array_equal(alarm[done], enough[done] & (observed[done] > upper[done]))
    elif kw["threshold_method"] == "nbPlugin":
        # upperbound is the 1 - alpha quantile of NB(mean expected, variance phi * expected)
        for mu, ph, u in zip(expected[done], phi[done], upper[done], strict=True):
            dist = stats.poisson(mu) if ph == 1 else stats.nbinom(mu / (ph - 1), 1 / ph)
            assert dist.cdf(u) >= (1 - kw["alpha"]) * (1 - 1e-12)
            assert u == 0 or dist.cdf(u - 1) < 1 - kw["alpha"]


# ---- inputs, errors and the result object --------------------------------------------------


def test_series_labels_kept_and_input_not_mutated() -> None:
    labels = [f"{2015 + i // 3}T{i % 3 + 1}" for i in range(30)]
    y = pd.Series(R.TERTIAL_COUNTS, index=labels)
    before = y.copy()
    t = farrington_flexible(y, freq=3, b=5, w=1).table
    pd.testing.assert_series_equal(y, before)
    assert t["period"].tolist() == labels[16:]
    ref = farrington_flexible(R.TERTIAL_COUNTS, freq=3, b=5, w=1).table
    np.testing.assert_array_equal(_f(t, "upperbound"), _f(ref, "upperbound"))


def test_short_history_rows_say_how_much_is_lacking() -> None:
    res = farrington_flexible(R.TERTIAL_COUNTS, freq=3, b=5, w=1, range=[0, 14, 16])
    t = res.table
    assert t["history_note"].iloc[0].startswith("not evaluated: 5.33 years of history lacking")
    assert "(14 of the 16 earlier periods" in t["history_note"].iloc[1]
    assert t.iloc[:2]["upperbound"].isna().all() and not t.iloc[:2]["alarm"].any()
    assert t["history_note"].iloc[2] == ""
    case, _ = _run("tertial_delta")
    first_r_upper = _r(case["upperbound"])[0]
    assert t["upperbound"].iloc[2] == pytest.approx(first_r_upper, rel=RTOL)


def test_nothing_to_evaluate_raises() -> None:
    with pytest.raises(InsufficientDataError, match=r"needs b=5 years of 3 periods plus w=1"):
        farrington_flexible([3, 4, 5] * 5, freq=3, b=5, w=1)
    with pytest.raises(InsufficientDataError, match="cannot evaluate any period"):
        farrington_flexible(R.TERTIAL_COUNTS, freq=3, b=5, w=1, range=[0, 15])


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        (
            {"threshold_method": "nb"},
            "The 'threshold_method' parameter of farrington_flexible "
            "must be one of 'delta', 'nbPlugin', 'muan'. Got 'nb' instead.",
        ),
        ({"power_transform": "log"}, "'power_transform' parameter .* Got 'log' instead"),
        ({"fit_fun": "glm"}, "'fit_fun' parameter"),
        ({"b": 0}, r"'b' parameter .* an int in the range \[1, inf\). Got 0 instead"),
        ({"w": -1}, "'w' parameter"),
        ({"w": 4}, "must be at most freq=3"),
        ({"no_periods": 4}, "Number of factors too big"),
        ({"alpha": 0.5}, r"'alpha' parameter .* \(0.0, 0.5\). Got 0.5 instead"),
        ({"reweight": "yes"}, "'reweight' parameter"),
        ({"trend": 1}, "'trend' parameter"),
        ({"limit54": (5,)}, "'limit54' parameter .* pair"),
        ({"limit54": (-1, 4)}, r"'limit54\[0\]' parameter"),
        ({"limit54": (5, 0)}, r"'limit54\[1\]' parameter"),
        ({"past_periods_not_included": -2}, "'past_periods_not_included' parameter"),
        ({"range": [30]}, r"positions in \[0, 29\]. Got 30"),
        ({"weights_threshold": 0}, "'weights_threshold' parameter"),
        ({"p_threshold_trend": 1.5}, r"'p_threshold_trend' .* range \(0, 1\]. Got 1.5"),
        ({"population": [1000] * 29}, "'population' parameter .* of length 30"),
        ({"population": [0] * 30}, "'population' parameter .* positive numbers"),
    ],
)
def test_invalid_options(kwargs: dict, message: str) -> None:
    base = {"freq": 3, "b": 5, "w": 1}
    with pytest.raises(UsageError, match=message):
        farrington_flexible(R.TERTIAL_COUNTS, **{**base, **kwargs})


@pytest.mark.parametrize(
    "bad", [[1, 2, -1], [1.5, 2, 3], [1, np.nan, 3], [[1, 2], [3, 4]], ["a", "b"], None]
)
def test_invalid_counts(bad: list) -> None:
    with pytest.raises(UsageError, match=r"'observed' parameter .* non-negative whole counts"):
        farrington_flexible(bad, freq=3, b=1, w=0)


def test_freq_must_be_positive_int() -> None:
    with pytest.raises(UsageError, match=r"'freq' parameter .* Got 0 instead"):
        farrington_flexible(R.TERTIAL_COUNTS, freq=0)


def test_zero_observed_never_alarms() -> None:
    y = [0] * 20 + [0, 0]
    t = farrington_flexible(y, freq=4, b=3, w=1, limit54=(0, 1)).table
    assert not t["alarm"].any()
    assert (t["observed"] == 0).all()


def test_result_summary_and_plot() -> None:
    res = farrington_flexible(R.TERTIAL_COUNTS, freq=3, b=5, w=1)
    assert isinstance(res, FarringtonResult)
    text = res.summary()
    assert "14 of 14 periods evaluated; 1 alarm(s)." in text
    row = res.table[res.table["alarm"]].iloc[0]
    assert f"alarm {row['period']}: observed {row['observed']}" in text
    ax = res.plot()
    assert len(ax.patches) == len(res.table)  # one bar per period
    markers = [line for line in ax.get_lines() if line.get_marker() == "v"]
    assert np.asarray(markers[0].get_xdata()).size == int(res.table["alarm"].sum())
    with pytest.raises(AttributeError):
        res.table = pd.DataFrame()  # type: ignore[misc]
