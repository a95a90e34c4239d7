"""Person ids read per row (``_idrows``) equal the scalar reference, row by row.

The reference is :func:`risk_indicators.intake.personnummer.canonical_personnummer`, the
character-by-character parser (Luhn by hand, ``datetime.date`` for the calendar), applied to
each row with the row's own reference date; a row it rejects keeps its stripped text.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from hypothesis import given, settings
from hypothesis import strategies as st

from risk_indicators.intake._distinct import distinct
from risk_indicators.intake._idrows import classify_rows, sorted_codes
from risk_indicators.intake.personnummer import (
    birth_date_from_personnummer,
    canonical_personnummer,
    number_texts,
)


def _luhn_digit(nine: str) -> str:
    # the check digit that makes the Luhn sum of the ten digits a multiple of ten (by hand)
    total = 0
    for position, char in enumerate(nine):
        product = int(char) * (2 - position % 2)
        total += product - 9 if product > 9 else product
    return str((10 - total % 10) % 10)


@st.composite
def written_id(draw: st.DrawFn) -> str | None:
    born = draw(st.dates(min_value=date(1890, 1, 1), max_value=date(2030, 12, 31)))
    day = born.day + (60 if draw(st.booleans()) else 0)  # samordningsnummer
    serial = f"{draw(st.integers(0, 999)):03d}"
    nine = f"{born.year % 100:02d}{born.month:02d}{day:02d}{serial}"
    check = _luhn_digit(nine)
    if draw(st.integers(0, 4)) == 0:
        check = str((int(check) + draw(st.integers(1, 9))) % 10)  # a failed Luhn check
    ten = nine + check
    century = f"{born.year // 100:02d}"
    form = draw(st.sampled_from([
        ten, ten[:6] + "-" + ten[6:], ten[:6] + "+" + ten[6:], century + ten,
        century + ten[:6] + "-" + ten[6:], century + ten[:6] + "+" + ten[6:],
        f" {ten[:6]}-{ten[6:]} ", ten[:6] + "/" + ten[6:], ten[:5] + "x" + ten[6:],
        "١" + ten[1:], ten[:9], century + ten + "1", "", "   ", None, "lokal-17", "K 2",
        ten[:2] + "0230" + ten[6:], ten[:2] + "1301" + ten[6:],
    ]))  # fmt: skip
    return form


@settings(max_examples=150, deadline=None)
@given(
    ids=st.lists(written_id(), min_size=1, max_size=80),
    refs=st.lists(st.dates(min_value=date(1950, 1, 1), max_value=date(2030, 12, 31)),
                  min_size=80, max_size=80),
    large=st.booleans(),
    offset=st.integers(0, 3),
)
def test_every_row_gets_the_reference_canonical_id(
    ids: list[str | None], refs: list[date], large: bool, offset: int
) -> None:
    kind = pa.large_string() if large else pa.string()
    column = pa.array(["pad"] * offset + ids, type=kind).slice(offset)  # buffers at an offset
    ref = refs[: len(ids)]
    rows = classify_rows(column, np.array([d.year for d in ref]),
                         np.array([d.month * 100 + d.day for d in ref]))  # fmt: skip
    got = np.asarray(rows.texts.to_pylist(), dtype=object)[rows.codes]
    for k, (raw, on) in enumerate(zip(ids, ref, strict=True)):
        canonical = canonical_personnummer(raw, reference_date=on) if raw is not None else None
        expected = canonical if canonical is not None else (raw or "").strip()
        assert got[k] == expected, (raw, on)
        number = rows.numbers[rows.codes[k]]
        assert (number >= 0) == (canonical is not None)
        if canonical is not None:
            assert number == int(canonical)
            assert rows.birth_dates(np.array([k]))[0] == np.datetime64(
                birth_date_from_personnummer(canonical)
            )
        assert rows.empty[k] == (expected == "")
    assert len(set(rows.texts.to_pylist())) == len(rows.texts)  # one code per canonical id


def test_ids_of_other_types_and_the_stripped_set() -> None:
    numbers = pa.array([8112189876, None, 17], type=pa.int64())  # read through their text
    rows = classify_rows(numbers, np.full(3, 2024), np.full(3, 301))
    assert np.asarray(rows.texts.to_pylist(), dtype=object)[rows.codes].tolist() == [
        "198112189876", "", "17"]  # fmt: skip
    texts = pa.array(["811218-9876", " lokal ", "8112189876"])
    rows = classify_rows(texts, np.full(3, 2024), np.full(3, 301))
    assert rows.stripped() == {"811218-9876", "lokal", "8112189876"}
    assert rows.among(["lokal", "8112189876", "annat"]) == {"lokal", "8112189876"}
    assert rows.codes[0] == rows.codes[2]  # two written forms, one person


@settings(max_examples=100, deadline=None)
@given(st.lists(st.integers(0, 2**62), max_size=200), st.booleans())
def test_sorted_codes_equal_numpy_unique(values: list[int], small: bool) -> None:
    array = np.array(values, dtype=np.int64) % (1000 if small else 2**62)
    codes, distinct_values = sorted_codes(array)
    reference, inverse = np.unique(array, return_inverse=True)
    assert distinct_values.tolist() == reference.tolist()
    assert codes.tolist() == inverse.tolist()
    assert codes.dtype == np.int32


def test_number_texts_are_twelve_zero_padded_digits() -> None:
    numbers = np.array([0, 5, 199001011234, 999912319999, 201212121212])
    assert number_texts(numbers).to_pylist() == [f"{n:012d}" for n in numbers]


def test_a_dictionary_column_gives_the_codes_of_its_text() -> None:
    # a Parquet column read as a dictionary: entries that strip alike, unused ones, nulls
    dictionary = pa.array(["man", " man", "kvinna", "", "oanvänd", None])
    indices = pa.array([0, 1, None, 2, 3, 5, 0], type=pa.int32())
    column = pa.DictionaryArray.from_arrays(indices, dictionary)
    got = distinct(column)
    plain = distinct(column.cast(pa.string()))
    texts = lambda d: np.asarray(d.values.to_pylist(), dtype=object)[d.codes].tolist()  # noqa: E731
    assert texts(got) == texts(plain) == ["man", "man", "", "kvinna", "", "", "man"]
    assert got.codes[0] == got.codes[1]
    assert pc.count_distinct(got.values).as_py() == len(got.values)
