"""The synthetic generator's true probability of another report within 12 months (issue 17).

References are the generator's own model: with ``return_share = 0`` nobody returns in a later
period, so the truth is the closed form ``min(kappa q, 0.9)`` with the propensity ``q``
recomputed here by hand from the model's formula; with returns, the realised outcome of every
report is one draw from the law the truth estimates, so over independent seeds the mean of
(outcome - truth) is 0 within Monte Carlo error.
"""

from __future__ import annotations

import dataclasses
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import risk_indicators as ri
from risk_indicators.errors import UsageError
from risk_indicators.synthetic import (
    TRUTH_COLUMNS,
    SynthParams,
    generate,
    rereport_truth,
    write_synthetic,
)

OFFENCES = ("eget_bruk", "innehav", "overlatelse", "framstallning", "annat")


def _outcomes(reports: pd.DataFrame, truth: pd.DataFrame) -> pd.Series:
    """For each truth row: another report of the person dated in [day, day + 12 months]."""
    rec = ri.read_reports(reports, key=ri.DEMO_KEY)
    rows = rec.valid[["person", "report_date"]].assign(
        report_date=lambda d: pd.to_datetime(d["report_date"])
    )
    known = truth.dropna(subset=["probability"])[["person", "report_date"]].reset_index()
    pairs = known.merge(rows, on="person", suffixes=("", "_other"))
    later = (pairs["report_date_other"] >= pairs["report_date"]) & (
        pairs["report_date_other"] <= pairs["report_date"] + pd.DateOffset(months=12)
    )
    count = later.groupby(pairs["index"]).sum()
    return (count > 1).astype(int)  # the report itself is one of them


def test_truth_is_the_closed_form_without_returns() -> None:
    params = SynthParams.municipal(return_share=0.0, rate_level=0.03)
    t = rereport_truth(params, seed=3, start="2023-01-01", end="2024-12-31", replicates=10)
    known = t.table.dropna(subset=["probability"])
    assert len(known) > 50
    # propensity by hand: logit q = -0.6 - 0.25 (age - 25)/10 - 0.4 [kvinna] + offence + detection
    eta = (
        -0.6
        - 0.25 * (known["age"] - 25) / 10
        - 0.4 * (known["gender"] == "kvinna")
        + known["offence"].map(dict(zip(OFFENCES, (0.0, 0.2, 0.5, 0.3, 0.0), strict=True)))
        + known["detection"].map({"polisinitierad": 0.3, "anmalan": 0.0})
    )
    q = 1 / (1 + np.exp(-eta))
    np.testing.assert_allclose(known["propensity"], q, rtol=1e-12)  # everyone is new
    np.testing.assert_allclose(known["probability"], np.minimum(0.6 * q, 0.9), rtol=1e-12)
    assert (known["later_periods"] == 0).all() and (known["mcse"] == 0).all()
    assert (known["probability_half"] == known["probability"]).all()
    # and the data agree: outcomes are independent Bernoulli(truth) here
    y = _outcomes(t.data.reports, t.table)
    p = known["probability"].to_numpy()
    z = (y.to_numpy().sum() - p.sum()) / math.sqrt((p * (1 - p)).sum())
    assert abs(z) < 3


def test_same_reports_as_generate_and_pseudonyms_of_read_reports() -> None:
    params = SynthParams.municipal()
    t = rereport_truth(params, seed=5, start="2022-01-01", end="2023-12-31", replicates=3)
    g = generate(params, seed=5, start="2022-01-01", end="2023-12-31")
    pd.testing.assert_frame_equal(t.data.reports, g.reports)
    assert t.data.truth == g.truth
    assert tuple(t.table.columns) == TRUTH_COLUMNS
    persons = set(ri.read_reports(g.reports, key=ri.DEMO_KEY).valid["person"])
    assert set(t.table["person"]) == persons
    # one row per person and period: the person's first report there
    assert not t.table.duplicated(["person", "period"]).any()
    late = t.table[t.table["report_date"] + pd.DateOffset(months=12) > pd.Timestamp("2023-12-31")]
    assert late["probability"].isna().all()
    early = t.table.drop(late.index)
    assert early["probability"].notna().all()
    assert ((early["mcse"] <= 0.5 / math.sqrt(3) + 1e-12) & (early["probability"] <= 1)).all()


@pytest.mark.slow
def test_truth_is_unbiased_over_seeds() -> None:
    """Mean over persons of (outcome - truth) per seed; seeds are independent, so their mean
    is 0 within 3 standard errors (estimated from the seeds' spread)."""
    params = SynthParams.municipal(rate_level=0.03)
    periods = ["2023T1", "2023T2", "2023T3"]
    diffs = []
    for seed in range(12):
        t = rereport_truth(params, seed=seed, start="2022-01-01", end="2024-04-30",
                           replicates=10, periods=periods)  # fmt: skip
        known = t.table.dropna(subset=["probability"])
        y = _outcomes(t.data.reports, t.table).to_numpy()
        diffs.append(float((y - known["probability"].to_numpy()).mean()))
    d = np.asarray(diffs)
    se = d.std(ddof=1) / math.sqrt(d.size)
    assert abs(d.mean()) < 3 * se + 1e-9, (d.mean(), se)
    assert se < 0.02  # the check has power: a bias of 0.06 would fail it


def test_write_synthetic_adds_the_truth_file_only(tmp_path: Path) -> None:
    plain, withtruth = tmp_path / "a", tmp_path / "b"
    write_synthetic(plain, years=2)
    files = write_synthetic(withtruth, years=2, rereport_replicates=4)
    assert (withtruth / "rereport_truth.csv") in files
    for name in ("reports.csv", "population.csv", "config.toml"):
        assert (plain / name).read_bytes() == (withtruth / name).read_bytes()
    csv = pd.read_csv(withtruth / "rereport_truth.csv")
    assert list(csv.columns) == list(TRUTH_COLUMNS)
    assert csv["person"].str.fullmatch(r"p_[0-9a-f]{32}").all()
    assert not csv.astype(str).apply(lambda c: c.str.contains(r"\d{6}-\d{4}")).any().any()


def test_only_areas_keeps_the_model_of_each_area() -> None:
    nation = SynthParams.national()
    small = nation.only_areas(nation.areas[5:7])
    assert small.area_rate_factor == nation.area_rate_factor[5:7]
    assert all(op.area in small.areas for op in small.operations)
    assert dataclasses.replace(small, areas=nation.areas[5:7]) == small
    with pytest.raises(UsageError, match="'areas' parameter of only_areas"):
        nation.only_areas(["Norrby"])


def test_bad_options() -> None:
    with pytest.raises(UsageError, match="'replicates' parameter of rereport_truth"):
        rereport_truth(SynthParams.municipal(), seed=1, replicates=0)
    with pytest.raises(UsageError, match="'periods' parameter of rereport_truth"):
        rereport_truth(SynthParams.municipal(), seed=1, periods=["1999T1"])
