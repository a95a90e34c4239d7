"""Tests of periods: assignment, order, labels, windows."""

from __future__ import annotations

from datetime import date, timedelta

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from risk_indicators.periods import (
    Period,
    assign_periods,
    last_complete_period,
    parse_period,
    period_grid,
    window_label,
)

KINDS = ("tertial", "quarter", "month", "year")


@given(
    day=st.dates(min_value=date(1950, 1, 1), max_value=date(2100, 12, 31)),
    kind=st.sampled_from(KINDS),
)
def test_every_date_lies_in_its_period(day: date, kind: str) -> None:
    ordinal = int(assign_periods(pd.Series([pd.Timestamp(day)]), kind=kind).iloc[0])  # type: ignore[arg-type]
    p = Period(kind, ordinal)  # type: ignore[arg-type]
    assert p.start <= day <= p.end
    assert parse_period(p.code) == p
    # the day after the end belongs to the next period
    assert Period(kind, ordinal + 1).start == p.end + timedelta(days=1)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("day", "kind", "code"),
    [
        ("2024-02-29", "tertial", "2024T1"),  # leap day
        ("2024-04-30", "tertial", "2024T1"),
        ("2024-05-01", "tertial", "2024T2"),
        ("2024-08-31", "tertial", "2024T2"),
        ("2024-12-31", "tertial", "2024T3"),  # year end
        ("2025-01-01", "tertial", "2025T1"),
        ("2024-03-31", "quarter", "2024Q1"),
        ("2024-10-01", "quarter", "2024Q4"),
        ("2024-12-31", "month", "2024-12"),
        ("2024-12-31", "year", "2024"),
    ],
)
def test_hand_checked_assignments(day: str, kind: str, code: str) -> None:
    ordinal = assign_periods(pd.Series([pd.Timestamp(day)]), kind=kind).iloc[0]  # type: ignore[arg-type]
    assert Period(kind, int(ordinal)).code == code  # type: ignore[arg-type]


def test_ends_of_periods() -> None:
    assert parse_period("2024T1").end == date(2024, 4, 30)
    assert parse_period("2023T3").end == date(2023, 12, 31)
    assert parse_period("2024Q1").end == date(2024, 3, 31)
    assert parse_period("2024-02").end == date(2024, 2, 29)
    assert parse_period("2023-02").end == date(2023, 2, 28)


def test_order_is_by_time_not_text() -> None:
    months = [parse_period(c) for c in ("2024-10", "2024-09", "2024-11")]
    assert [p.code for p in sorted(months)] == ["2024-09", "2024-10", "2024-11"]
    assert [p.code for p in period_grid(parse_period("2023T2"), parse_period("2024T2"))] == [
        "2023T2",
        "2023T3",
        "2024T1",
        "2024T2",
    ]


def test_labels_in_both_languages() -> None:
    p = parse_period("2024T1")
    assert p.label_sv() == "T1 2024"
    assert p.label_sv(long=True) == "tertial 1 2024 (jan-apr)"
    assert p.label_en() == "T1 2024 (Jan-Apr)"
    assert parse_period("2024T3").label_sv(long=True) == "tertial 3 2024 (sep-dec)"
    assert parse_period("2024Q2").label_sv() == "K2 2024"
    assert parse_period("2024Q2").label_en() == "Q2 2024 (Apr-Jun)"
    assert parse_period("2024-05").label_sv() == "maj 2024"
    assert parse_period("2024").label_en() == "2024"


def test_rolling_windows() -> None:
    p = parse_period("2024T1")
    assert [q.code for q in p.window()] == ["2023T2", "2023T3", "2024T1"]
    assert window_label(p) == "2023T2-2024T1"
    assert window_label(parse_period("2024-03")) == "2023-04-2024-03"
    assert [q.code for q in parse_period("2024").window()] == ["2024"]


@pytest.mark.parametrize("bad", ["2024T4", "2024Q0", "2024-13", "24T1", "T1 2024", ""])
def test_bad_codes_are_refused(bad: str) -> None:
    with pytest.raises(ValueError, match="is not a period"):
        parse_period(bad)


def test_kind_mismatch_is_refused() -> None:
    with pytest.raises(ValueError, match="is a quarter, expected a tertial"):
        parse_period("2024Q1", "tertial")


def test_last_complete_period_rule() -> None:
    # issue 15: T2 (May-August) is complete only when the data reach 31 August, or the
    # extract date says the extract was taken after it
    assert last_complete_period(date(2025, 8, 31), kind="tertial").code == "2025T2"
    assert last_complete_period(date(2025, 8, 20), kind="tertial").code == "2025T1"
    assert last_complete_period(date(2025, 7, 31), kind="tertial").code == "2025T1"
    assert last_complete_period(date(2025, 3, 31), kind="quarter").code == "2025Q1"
    assert last_complete_period(date(2025, 3, 30), kind="quarter").code == "2024Q4"
    taken = date(2025, 9, 1)
    assert last_complete_period(date(2025, 8, 20), kind="tertial", extract_date=taken).code == (
        "2025T2"
    )
    early = date(2025, 8, 30)  # an extract taken before the period ended
    assert last_complete_period(date(2025, 8, 20), kind="tertial", extract_date=early).code == (
        "2025T1"
    )
