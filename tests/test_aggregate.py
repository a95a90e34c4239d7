"""Properties of the cube: additivity, windows, row order, counts input = records input."""

from __future__ import annotations

import warnings
from datetime import date

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import risk_indicators as ri
from risk_indicators.config import load_config
from risk_indicators.cube.aggregate import (
    KEYS,
    cube_from_person_periods,
    person_periods,
    window_cube,
)
from risk_indicators.periods import Period, period_grid

CFG = load_config()
AREAS = ["X", "Y"]


@st.composite
def valid_rows(draw: st.DrawFn) -> pd.DataFrame:
    n = draw(st.integers(1, 40))
    persons = draw(st.lists(st.sampled_from("abcdefgh"), min_size=n, max_size=n))
    days = draw(st.lists(st.integers(0, 730), min_size=n, max_size=n))
    ages = draw(st.lists(st.integers(10, 70), min_size=n, max_size=n))
    genders = draw(st.lists(st.sampled_from(["man", "kvinna", "okänt"]), min_size=n, max_size=n))
    areas = draw(st.lists(st.sampled_from(AREAS), min_size=n, max_size=n))
    frame = pd.DataFrame(
        {
            "row": np.arange(2, n + 2),
            "person": persons,
            "report_date": pd.Timestamp("2023-01-01") + pd.to_timedelta(days, unit="D"),
            "age": ages,
            "gender": genders,
            "area": areas,
            "detection": "okand",
        }
    )
    # one gender per person, as the reader guarantees
    frame["gender"] = frame.groupby("person")["gender"].transform("first")
    return frame


def _cubes(valid: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame, list[Period]]:
    pp = person_periods(valid, config=CFG)
    periods = period_grid(
        Period("tertial", int(pp["period"].min())), Period("tertial", int(pp["period"].max()))
    )
    cube = cube_from_person_periods(pp, periods=periods, areas=AREAS, config=CFG)
    windows = window_cube(pp, ends=periods, areas=AREAS, config=CFG)
    return cube, windows, periods


def _expected_margins(table: pd.DataFrame) -> pd.DataFrame:
    """Margins recomputed independently: for each margin row, the sum of matching cells."""
    inner = table.loc[(table[list(KEYS)] != "total").all(axis=1)]
    rows = []
    for pattern in table.loc[:, list(KEYS)].drop_duplicates().itertuples(index=False):
        if "total" not in pattern:
            continue
        mask = pd.Series(True, index=inner.index)
        for key, value in zip(KEYS, pattern, strict=True):
            if value != "total":
                mask &= inner[key] == value
        summed = inner.loc[mask].groupby("period")[["persons", "reports"]].sum()
        rows.append(summed.assign(**dict(zip(KEYS, pattern, strict=True))).reset_index())
    return pd.concat(rows, ignore_index=True)


@pytest.mark.slow
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(valid_rows())
def test_margins_are_sums_of_cells(valid: pd.DataFrame) -> None:
    cube, windows, _ = _cubes(valid)
    for table in (cube, windows):
        expected = _expected_margins(table).set_index(["period", *KEYS]).sort_index()
        got = table.set_index(["period", *KEYS]).loc[expected.index, ["persons", "reports"]]
        assert (got.to_numpy() == expected[["persons", "reports"]].to_numpy()).all()
        assert (table["persons"] <= table["reports"]).all()


@pytest.mark.slow
@settings(max_examples=60, deadline=None)
@given(valid_rows())
def test_persons_are_distinct_per_period(valid: pd.DataFrame) -> None:
    cube, _, periods = _cubes(valid)
    tertial = valid["report_date"].dt.year * 3 + (valid["report_date"].dt.month - 1) // 4
    for p in periods:
        total = cube.loc[
            (cube["period"] == p.code)
            & (cube["area"] == "total")
            & (cube["age_band"] == "total")
            & (cube["gender"] == "total")
        ]
        in_p = valid.loc[tertial == p.ordinal]
        assert int(total["persons"].iloc[0]) == in_p["person"].nunique()
        assert int(total["reports"].iloc[0]) == len(in_p)


@pytest.mark.slow
@settings(max_examples=40, deadline=None)
@given(valid_rows())
def test_window_counts_lie_between_max_and_sum_of_periods(valid: pd.DataFrame) -> None:
    """Every window cell is at most the sum of its period cells. It is at least their maximum
    where a person cannot change cell within the window: gender margins over all areas and
    ages (a person's age band and area can change between periods, so a person counted in a
    period cell may be counted in another cell of the window)."""
    from risk_indicators.periods import window_label

    cube, windows, periods = _cubes(valid)
    keyed = cube.set_index(["period", *KEYS])[["persons"]]
    for p in periods:
        covered = [q.code for q in p.window() if q.ordinal >= periods[0].ordinal]
        rows = windows.loc[windows["period"] == window_label(p)].set_index(list(KEYS))
        w = rows["persons"]
        per_period = pd.concat([keyed.loc[c]["persons"] for c in covered], axis=1)
        per_period = per_period.loc[w.index]
        assert (w <= per_period.sum(axis=1)).all()
        fixed = w.index.get_level_values("area") == "total"
        fixed &= w.index.get_level_values("age_band") == "total"
        assert (w[fixed] >= per_period.max(axis=1)[fixed]).all()
        # the total of a window is the number of distinct persons in its dates, and of reports
        # the number of rows in its dates
        in_window = valid.loc[
            (valid["report_date"] >= pd.Timestamp(p.window()[0].start))
            & (valid["report_date"] <= pd.Timestamp(p.end))
        ]
        assert w.loc[("total", "total", "total")] == in_window["person"].nunique()
        assert rows.loc[("total", "total", "total"), "reports"] == len(in_window)


@pytest.mark.slow
@settings(max_examples=40, deadline=None)
@given(valid_rows(), st.randoms(use_true_random=False))
def test_row_order_does_not_matter(valid: pd.DataFrame, rnd: object) -> None:
    order = list(range(len(valid)))
    rnd.shuffle(order)  # type: ignore[attr-defined]
    shuffled = valid.iloc[order].reset_index(drop=True)
    a, wa, _ = _cubes(valid)
    b, wb, _ = _cubes(shuffled)
    pd.testing.assert_frame_equal(a, b)
    pd.testing.assert_frame_equal(wa, wb)


def _population() -> pd.DataFrame:
    rows = [
        (y, band, g, 100 + 7 * i)
        for y in (2023, 2024)
        for i, band in enumerate(CFG.age_band_labels)
        for g in ("man", "kvinna")
    ]
    return ri.read_population(
        pd.DataFrame(rows, columns=["year", "age_band", "gender", "population"])
    )


@pytest.mark.slow
@settings(max_examples=12, deadline=None)
@given(valid_rows())
def test_counts_input_equals_records_input(valid: pd.DataFrame) -> None:
    records = ri.Records(
        valid=valid.assign(offence="innehav", report_id=""),
        rejected=pd.DataFrame(),
        accounting={"read": len(valid), "used": len(valid), "rejected": 0, "duplicates": 0},
    )
    # exact counts in both (the default cell-key method perturbs records, not counts)
    cfg = load_config(areas=AREAS, disclosure={"method": "suppression"})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ri.DataWarning)
        from_records = ri.analyse(
            records,
            _population(),
            config=cfg,
            period=Period("tertial", int(person_periods(valid, config=cfg)["period"].max())).code,
        )
        inner = from_records.cube.loc[(from_records.cube[list(KEYS)] != "total").all(axis=1)]
        counts = inner.loc[:, ["period", *KEYS, "persons", "reports"]]
        from_counts = ri.analyse(counts, _population(), config=cfg, period=from_records.period.code)
    pd.testing.assert_frame_equal(from_records.cube, from_counts.cube)

    def numbers(results: dict[str, ri.indicators.Indicator]) -> dict[str, tuple[object, ...]]:
        # person-level only: new persons and the 12-month figures; goal_status uses the
        # 12-month window, which counts mode can only approximate by summing periods (a
        # person may count twice); the detection split comes from the records' detection
        # column, which a counts table does not have
        person_level = ("new_persons_youth", "goal_status", "female_share_youth_12m",
                        "rate_ratio_female_male_youth_12m",
                        "police_initiated_share_youth")  # fmt: skip
        return {
            k: (v.value, v.ci_low, v.ci_high, v.n)
            for k, v in results.items()
            if k not in person_level
        }

    assert numbers(from_records.results["period"]) == numbers(from_counts.results["period"])
    if "same_period_last_year" in from_records.results:
        assert numbers(from_records.results["same_period_last_year"]) == numbers(
            from_counts.results["same_period_last_year"]
        )


@pytest.mark.parametrize("seed", [1, 22, 333])
def test_cube_equals_the_generators_own_count(seed: int) -> None:
    """Every inner cell equals the true count that the generator computed from its own
    person list (truth.json), for several seeds, defects included (they must be rejected)."""
    from risk_indicators.synthetic._generator import SynthParams, generate, truth_table

    data = generate(
        SynthParams.municipal(), seed=seed, start="2021-01-01", end="2023-12-31", defects=True
    )
    cfg = load_config(areas=["Skillingaryd", "Vaggeryd", "Övriga"])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ri.DataWarning)
        records = ri.read_reports(
            data.reports, config=cfg, key=b"s" * 16, today=date(2024, 1, 1), max_rejected_share=1.0
        )
        cube = ri.aggregate(records, ri.read_population(data.population, config=cfg), config=cfg)
    truth = truth_table(data.truth, "cells").set_index(["period", *KEYS])
    got = cube.set_index(["period", *KEYS]).loc[truth.index]
    assert (got["persons"].to_numpy() == truth["persons"].to_numpy()).all()
    assert (got["reports"].to_numpy() == truth["reports"].to_numpy()).all()
    rows = data.truth["rows"]
    assert records.accounting == {k: rows[k] for k in ("read", "used", "rejected", "duplicates")}


def test_person_periods_columns_can_be_edited() -> None:
    # the frame wraps its arrays without a copy: none of them may be a read-only view
    from risk_indicators.cube import person_periods

    data = ri.demo_data_dir()
    cfg = ri.load_config()
    rec = ri.read_reports(data / "reports.csv", config=cfg, key=b"0" * 32)
    pp = person_periods(rec.valid, config=cfg)
    for column in ("period", "age", "reports", "first_date", "last_date"):
        pp.loc[0, column] = pp.loc[1, column]
        assert pp.loc[0, column] == pp.loc[1, column]
