"""Canonical person ids of a batch's rows: the written forms of a personnummer read per row.

At national scale almost every person id is a personnummer written as ``YYMMDD-NNNN``,
``YYMMDD+NNNN``, ``YYYYMMDD-NNNN`` or without separator (10 or 12 digits). Those rows are
read straight from the Arrow buffers as a fixed-width digit matrix, one length at a time,
with no hash table of texts and nothing per row in Python: digits, separator, Luhn and the
calendar are checked in numpy, the century of a 10-digit form comes from the row's reference
date, and each row gets the integer ``YYYYMMDDNNNN``. A row is taken here only when it is a
valid personnummer; every other row (a local id, spaces, another length, a failed Luhn or
date) goes the general way, once per distinct text, through
:func:`risk_indicators.intake.personnummer.classify_codes`. Both ways give the same canonical
id, and ``tests/test_idrows.py`` checks that they agree on every row.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from risk_indicators._sorting import sorted_integers

from ._distinct import Distinct, distinct, text_buffers
from .personnummer import _DAYS_IN_MONTH, birth_dates_of, classify_codes, number_texts

__all__ = ["RowIds", "classify_rows"]

_LOCAL = 10**13  # keys of local ids: _LOCAL + their code; a personnummer's key is below it
_DOUBLED = np.array([0, 2, 4, 6, 8, 1, 3, 5, 7, 9], dtype=np.int8)  # Luhn: 2d's digit sum


@dataclass
class RowIds:
    """The person ids of a batch's rows as codes into distinct canonical ids.

    Attributes
    ----------
    codes
        Per row, the index of its canonical id in ``texts`` (int64).
    texts
        The distinct canonical ids (12 digits for a personnummer, else the stripped local
        id), a ``pyarrow`` string array.
    numbers
        Per distinct id, the personnummer as the integer ``YYYYMMDDNNNN``; -1 for a local id.
    empty
        Per row, whether the id is empty (missing, or only spaces).
    """

    codes: np.ndarray
    texts: Any
    numbers: np.ndarray
    empty: np.ndarray
    _column: Any
    _fast: np.ndarray
    _slow: Distinct | None

    def birth_dates(self, rows: np.ndarray) -> np.ndarray:
        """Birth dates of the given rows (``datetime64[D]``, NaT for local ids)."""
        return birth_dates_of(self.numbers[self.codes[rows]])

    def stripped(self) -> frozenset[str]:
        """Every non-empty stripped id of the batch (for the few messages that need it)."""
        found = set(self._column.filter(pa.array(self._fast)).to_pylist())
        if self._slow is not None:
            found |= set(self._slow.values.to_pylist())
        return frozenset(found - {""})

    def among(self, names: list[str]) -> set[str]:
        """The stripped ids of the batch that equal one of ``names``."""
        if not names:
            return set()
        value_set = pa.array(names, type=pa.string())
        hit = pc.is_in(self._column, value_set=value_set).fill_null(False)
        hit = hit.to_numpy(zero_copy_only=False) & self._fast  # a fast row has no spaces
        found = set(self._column.filter(pa.array(hit)).to_pylist())
        if self._slow is not None:
            slow = self._slow.values
            found |= set(slow.filter(pc.is_in(slow, value_set=value_set)).to_pylist())
        return found - {""}


def _value(columns: list[np.ndarray]) -> np.ndarray:
    """The number written by digit columns (most significant first)."""
    out = np.zeros(len(columns[0]), dtype=np.int64)
    for column in columns:
        out *= 10
        out += column
    return out


def _fast_rows(
    array: Any, ref_year: np.ndarray, ref_md: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Rows that are a valid personnummer in one of the four plain written forms, and their
    ``YYYYMMDDNNNN`` (-1 elsewhere). ``array`` is a string or large string array."""
    n = len(array)
    fast = np.zeros(n, dtype=bool)
    number = np.full(n, -1, dtype=np.int64)
    found = text_buffers(array)
    if found is None:
        return fast, number
    offsets, data = found
    length = np.diff(offsets)
    present = ~array.is_null().to_numpy(zero_copy_only=False) if array.null_count else None
    for size, century, separator in ((10, False, False), (11, False, True),
                                     (12, True, False), (13, True, True)):  # fmt: skip
        wanted = length == size
        if present is not None:
            wanted &= present
        at = np.flatnonzero(wanted)
        if not len(at):
            continue
        start = offsets[at].astype(np.int64)
        places = [k for k in range(size) if not (separator and k == size - 5)]
        # digits as uint8 columns: a character below '0' wraps past 9, so "<= 9" is the check
        d = [data[start + k] - np.uint8(48) for k in places]
        ok = np.ones(len(at), dtype=bool)
        for column in d:
            ok &= column <= 9
        plus = np.zeros(len(at), dtype=bool)
        if separator:
            mark = data[start + (size - 5)]
            ok &= (mark == 45) | (mark == 43)
            plus = mark == 43
        if century:
            ok &= ~plus  # "+" means a hundred years or more: a 12-digit form cannot say it
        tens = d[2:] if century else d  # the ten digits of the Luhn check and the date
        total = np.zeros(len(at), dtype=np.int16)
        for k, column in enumerate(tens):
            total += _DOUBLED[np.minimum(column, 9)] if k % 2 == 0 else column
        ok &= total % 10 == 0
        yy, mm, dd = _value(tens[0:2]), _value(tens[2:4]), _value(tens[4:6])
        day = np.where(dd > 60, dd - 60, dd)
        if century:
            year = _value(d[0:2]) * 100 + yy
        else:  # the latest year ending in yy not after the reference date, "+" a century less
            ry, rmd = ref_year[at], ref_md[at]
            year = ry - (ry - yy) % 100
            year = np.where((year == ry) & (mm * 100 + day > rmd), year - 100, year)
            year -= 100 * plus
        leap = (year % 4 == 0) & ((year % 100 != 0) | (year % 400 == 0))
        ok &= (year >= 1) & (mm >= 1) & (mm <= 12) & (day >= 1)
        ok &= day <= _DAYS_IN_MONTH[np.clip(mm - 1, 0, 11)] + (leap & (mm == 2))
        fast[at] = ok
        number[at] = np.where(ok, year * 10**8 + _value(tens[2:]), -1)
    return fast, number


def classify_rows(column: Any, ref_year: np.ndarray, ref_md: np.ndarray) -> RowIds:
    """The canonical id of every row of a person id column.

    Parameters
    ----------
    column
        An Arrow array or chunked array of person ids (any type; nulls are empty ids).
    ref_year, ref_md
        Per row, the year and month * 100 + day of the reference date that fixes the
        century of a 10-digit personnummer (the report date, today where it is missing).
    """
    array = column.combine_chunks() if isinstance(column, pa.ChunkedArray) else column
    if pa.types.is_dictionary(array.type):
        array = array.cast(array.type.value_type)
    if pa.types.is_string_view(array.type):
        array = array.cast(pa.string())
    if pa.types.is_string(array.type) or pa.types.is_large_string(array.type):
        fast, number = _fast_rows(array, np.asarray(ref_year), np.asarray(ref_md))
    else:  # numbers or dates: the general way, through their text
        fast, number = np.zeros(len(array), dtype=bool), np.full(len(array), -1, np.int64)
    key = number
    empty = np.zeros(len(array), dtype=bool)
    slow_rows = np.flatnonzero(~fast)
    slow = None
    local_texts = pa.array([], type=pa.string())
    if len(slow_rows):
        slow = distinct(array if len(slow_rows) == len(array) else array.take(pa.array(slow_rows)))
        coded = classify_codes(slow.codes, slow.values, ref_year[slow_rows], ref_md[slow_rows])
        numbers = coded.numbers[coded.codes]
        key[slow_rows] = np.where(numbers >= 0, numbers, _LOCAL + coded.codes)
        empty[slow_rows] = slow.rows(slow.empty)
        local_texts = coded.texts
    codes, keys = pd.factorize(key)
    is_number = keys < _LOCAL
    numbers = np.where(is_number, keys, -1)
    texts = number_texts(np.where(is_number, keys, 0))
    if not is_number.all():
        local = local_texts.take(pa.array(np.where(is_number, 0, keys - _LOCAL)))
        texts = pc.if_else(pa.array(is_number), texts, local)
    return RowIds(codes, texts, numbers, empty, array, fast, slow)


def sorted_codes(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``np.unique(values, return_inverse=True)`` of integers, with int32 codes.

    When every value and its position fit 63 bits together, they are packed into one key and
    sorted (:func:`~risk_indicators._sorting.sorted_integers`: Polars' sort on every core,
    numpy's below a million keys; numpy took 0.15 s for 4.4 million keys, the inverse of a
    hash table 0.4 s, ``np.unique`` 0.8 s); otherwise ``np.unique`` does it.
    """
    values = np.asarray(values, dtype=np.int64)
    n = len(values)
    if n == 0:
        return np.zeros(0, dtype=np.int32), values.copy()
    position_bits = max(int(n - 1).bit_length(), 1)
    if values.min() < 0 or int(values.max()).bit_length() + position_bits > 63:
        distinct, inverse = np.unique(values, return_inverse=True)
        return inverse.astype(np.int32), distinct
    packed = values << position_bits
    packed |= np.arange(n, dtype=np.int64)
    key = sorted_integers(packed)
    position = key & ((1 << position_bits) - 1)
    key = np.right_shift(key, position_bits, out=packed)  # the unsorted buffer is free now
    start = np.empty(n, dtype=bool)
    start[0] = True
    np.not_equal(key[1:], key[:-1], out=start[1:])
    codes = np.empty(n, dtype=np.int32)
    codes[position] = np.cumsum(start, dtype=np.int32) - 1
    return codes, key[start]
