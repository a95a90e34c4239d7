"""Swedish personnummer: parsing, canonical form, Luhn check, birth dates and ages.

A personnummer is written in many ways (``YYYYMMDD-NNNN``, ``YYMMDD-NNNN``, ``YYMMDD+NNNN``,
with or without separator). Every form is turned into the canonical 12 digits
``YYYYMMDDNNNN`` so that one person gets one pseudonym (:mod:`risk_indicators.intake.pseudonymise`);
any other value is a local id and is only stripped of surrounding spaces. A 10-digit form has
no century, so it is fixed from the date the id was recorded (the report date).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Any, Final

import numpy as np
import pandas as pd

__all__ = [
    "PERSONNUMMER_PATTERN",
    "CodedIds",
    "age_on",
    "ages_on",
    "birth_date_from_personnummer",
    "canonical_personnummer",
    "classify_codes",
    "classify_ids",
    "luhn_valid",
    "number_texts",
]

#: Anything that looks like a personnummer or samordningsnummer (10 or 12 digits, optional
#: ``-``/``+`` before the last four, month 01-12, day 00-39 or 60-99), used to scan outputs
#: for leaks and to blank values in messages. A match must not touch a digit or a hexadecimal
#: letter (a-f) and must not be the fraction of a decimal number, so hexadecimal pseudonyms,
#: SHA-256 sums and floats never match; digits glued to other letters ("pnr8112189876") do.
PERSONNUMMER_PATTERN: Final = re.compile(
    r"(?<![0-9A-Fa-f])(?<![0-9]\.)"
    r"(?:[0-9]{2})?[0-9]{2}(?:0[1-9]|1[0-2])(?:[0-3][0-9]|[6-9][0-9])[-+]?[0-9]{4}"
    r"(?![0-9A-Fa-f])(?!\.[0-9])"
)

_FORM = re.compile(r"([0-9]{2})?([0-9]{2})([0-9]{2})([0-9]{2})([-+]?)([0-9]{4})")
_ARROW_FORM = (
    r"^(?P<century>[0-9]{2})?(?P<yy>[0-9]{2})(?P<mm>[0-9]{2})(?P<dd>[0-9]{2})(?P<sep>[-+]?)"
    r"(?P<serial>[0-9]{4})$"
)
_DAYS_IN_MONTH = np.array([31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31])


def luhn_valid(digits10: str) -> bool:
    """Check the Luhn (mod 10) check digit of the 10-digit form ``YYMMDDNNNN``.

    Digits are weighted 2, 1, 2, 1, ... from the left, digits of products added
    (14 counts as 1 + 4), and the total must be a multiple of 10.

    Examples
    --------
    >>> luhn_valid("8112189876"), luhn_valid("8112189875")
    (True, False)
    """
    if len(digits10) != 10 or not (digits10.isascii() and digits10.isdigit()):
        return False
    total = 0
    for position, char in enumerate(digits10):
        product = int(char) * (2 - position % 2)
        total += product - 9 if product > 9 else product
    return total % 10 == 0


def canonical_personnummer(raw: object, *, reference_date: date | None) -> str | None:
    """Return the canonical ``YYYYMMDDNNNN`` of a personnummer, or None for anything else.

    Parameters
    ----------
    raw
        The id as written: ``YYYYMMDD-NNNN``, ``YYYYMMDDNNNN``, ``YYMMDD-NNNN``, ``YYMMDDNNNN``
        or ``YYMMDD+NNNN``; surrounding spaces are ignored. Samordningsnummer (day + 60) are
        accepted and keep their day (61-91) in the canonical form.
    reference_date
        The date the id was recorded (the report date). A 10-digit form gets the latest
        century in which the birth date is not after this date, one century earlier with
        ``+`` (the person is 100 or older). ``None`` uses today, which makes the century of a
        10-digit form depend on the day the code runs: pipelines pass the report date.

    Returns
    -------
    str or None
        None when the value is not a personnummer (wrong shape, failed Luhn check, a date
        that does not exist, ``+`` with a 12-digit form); the caller treats it as a local id.

    Examples
    --------
    >>> canonical_personnummer("811218-9876", reference_date=date(2024, 3, 1))
    '198112189876'
    >>> canonical_personnummer("121212+1212", reference_date=date(2024, 3, 1))
    '191212121212'
    """
    if not isinstance(raw, str):
        return None
    match = _FORM.fullmatch(raw.strip())
    if match is None:
        return None
    century, yy, mm, dd, sep, serial = match.groups()
    if not luhn_valid(yy + mm + dd + serial):
        return None
    month, day = int(mm), int(dd)
    day = day - 60 if day > 60 else day
    if century is not None:
        if sep == "+":
            return None
        year = int(century + yy)
    else:
        ref = reference_date if reference_date is not None else date.today()
        year = ref.year - (ref.year - int(yy)) % 100
        if year == ref.year and (month, day) > (ref.month, ref.day):
            year -= 100
        if sep == "+":
            year -= 100
    try:
        date(year, month, day)
    except ValueError:
        return None
    return f"{year:04d}{mm}{dd}{serial}"


def birth_date_from_personnummer(canonical: str) -> date:
    """Return the birth date of a canonical 12-digit personnummer (samordningsnummer: day - 60).

    Raises
    ------
    ValueError
        When ``canonical`` is not 12 ASCII digits with a real date.
    """
    if len(canonical) != 12 or not (canonical.isascii() and canonical.isdigit()):
        raise ValueError("A canonical personnummer has exactly 12 digits (YYYYMMDDNNNN).")
    day = int(canonical[6:8])
    return date(int(canonical[:4]), int(canonical[4:6]), day - 60 if day > 60 else day)


def age_on(birth: date, on: date) -> int:
    """Age in whole years on the date ``on`` (negative when ``on`` is before ``birth``).

    Convention: a birthday is reached when (month, day) of ``on`` is at least that of the
    birth, so a person born on 29 February turns a year older on 1 March in a year without
    29 February (and on 29 February in a leap year).

    Examples
    --------
    >>> age_on(date(2000, 2, 29), date(2023, 2, 28)), age_on(date(2000, 2, 29), date(2023, 3, 1))
    (22, 23)
    """
    return on.year - birth.year - int((on.month, on.day) < (birth.month, birth.day))


def ages_on(birth_dates: pd.Series, on_dates: pd.Series) -> pd.Series:
    """Vectorised :func:`age_on` for aligned datetime Series; missing dates give ``<NA>``."""
    birth = pd.to_datetime(birth_dates, errors="coerce")
    on = pd.to_datetime(on_dates, errors="coerce")
    before_birthday = (on.dt.month * 100 + on.dt.day) < (birth.dt.month * 100 + birth.dt.day)
    age = on.dt.year - birth.dt.year - before_birthday.astype(int)
    return age.where(birth.notna() & on.notna()).astype("Int64")


def _reference_parts(
    reference_dates: pd.Series | date | None, n: int, default_reference: date | None
) -> tuple[np.ndarray, np.ndarray]:
    """Year and month * 100 + day of every row's reference date (missing: the default)."""
    fallback = default_reference if default_reference is not None else date.today()
    if reference_dates is None or isinstance(reference_dates, date):
        ref = reference_dates if reference_dates is not None else fallback
        return np.full(n, ref.year, dtype=np.int64), np.full(n, ref.month * 100 + ref.day)
    refs = pd.to_datetime(pd.Series(reference_dates).reset_index(drop=True), errors="coerce")
    if len(refs) != n:
        raise ValueError(f"reference_dates has {len(refs)} values for {n} ids.")
    missing = refs.isna().to_numpy()
    year = np.where(missing, fallback.year, refs.dt.year.fillna(0).to_numpy(dtype=np.int64))
    month_day = (refs.dt.month * 100 + refs.dt.day).fillna(0).to_numpy(dtype=np.int64)
    return year, np.where(missing, fallback.month * 100 + fallback.day, month_day)


def classify_ids(
    ids: pd.Series,
    reference_dates: pd.Series | date | None,
    *,
    default_reference: date | None = None,
) -> pd.DataFrame:
    """Split person ids into canonical personnummer and local ids, vectorised.

    Each distinct text is parsed once; only the century of 10-digit forms is computed per row,
    because it depends on the row's reference date. Gives the same result as
    :func:`canonical_personnummer` row by row.

    Parameters
    ----------
    ids
        The raw ids as text (missing values count as ``""``).
    reference_dates
        Per-row report dates aligned by position with ``ids``, one date for all rows, or
        ``None`` (``default_reference``).
    default_reference
        Used where a reference date is missing; ``None`` means today.

    Returns
    -------
    pandas.DataFrame
        Same index as ``ids``; ``id`` (canonical 12 digits, else the stripped local id),
        ``is_personnummer`` (bool) and ``birth_date`` (datetime, NaT for local ids).
    """
    raw_codes, raw_uniques = pd.factorize(pd.Series(ids).reset_index(drop=True))
    raw_texts = np.asarray(raw_uniques, dtype=object)
    stripped = np.array([str(u).strip() for u in raw_texts] + [""], dtype=object)
    strip_codes, uniques = pd.factorize(stripped)
    codes = strip_codes[raw_codes]  # a missing id (code -1) takes the final ""
    ref_year, ref_md = _reference_parts(reference_dates, len(codes), default_reference)
    coded = classify_codes(codes, np.asarray(uniques, dtype=object), ref_year, ref_md)
    out_id = np.asarray(coded.texts.to_numpy(zero_copy_only=False), dtype=object)[coded.codes]
    return pd.DataFrame(
        {
            "id": pd.Series(out_id, dtype=str),
            "is_personnummer": coded.is_personnummer,
            "birth_date": coded.birth_date.astype("datetime64[s]"),
        },
    ).set_axis(ids.index)


@dataclass(frozen=True)
class CodedIds:
    """Canonical ids of rows given as codes into distinct texts (see :func:`classify_codes`).

    Attributes
    ----------
    codes
        Per row, the index of the row's canonical id in ``texts``.
    texts
        The distinct canonical ids (12 digits for a personnummer, else the local id), a
        ``pyarrow.StringArray``.
    is_personnummer
        Per row, whether the id is a valid personnummer.
    birth_date
        Per row, the birth date (``datetime64[D]``, NaT for local ids).
    numbers
        Per distinct id, the canonical personnummer as the integer ``YYYYMMDDNNNN``; -1 for
        a local id.
    """

    codes: np.ndarray
    texts: Any
    is_personnummer: np.ndarray
    birth_date: np.ndarray
    numbers: np.ndarray


def classify_codes(
    codes: np.ndarray, uniques: Any, ref_year: np.ndarray, ref_md: np.ndarray
) -> CodedIds:
    """:func:`classify_ids` on ids given as ``codes`` into stripped distinct texts.

    Each distinct text is parsed once (RE2 through pyarrow for the shape, then fixed-width
    digit arithmetic in numpy); only the century of 10-digit forms is computed per row (it
    depends on the row's reference date, given as ``ref_year`` and ``ref_md`` = month * 100
    + day). A canonical personnummer is the integer ``YYYYMMDDNNNN`` until its text is
    built once per distinct id.

    ``uniques`` is a sequence or ``pyarrow`` string array of distinct texts; ``codes`` index it.
    """
    import pyarrow as pa

    codes = np.asarray(codes, dtype=np.int64)
    texts = uniques if isinstance(uniques, pa.Array) else pa.array(list(uniques), pa.string())
    form = _parse_forms(texts)
    shaped = form["ok"]
    ok = shaped[codes]
    yy, mm, dd = (form[k][codes] for k in ("yy", "mm", "dd"))
    day = np.where(dd > 60, dd - 60, dd)
    ten = (shaped & ~form["has_century"])[codes]  # only these need the row's reference date
    year = (form["century"] * 100 + form["yy"])[codes]
    if ten.any():
        guess = ref_year - (ref_year - yy) % 100
        guess = np.where((guess == ref_year) & (mm * 100 + day > ref_md), guess - 100, guess)
        year = np.where(ten, guess - 100 * form["plus"][codes], year)
    leap = (year % 4 == 0) & ((year % 100 != 0) | (year % 400 == 0))
    month_index = np.clip(mm - 1, 0, 11)
    plus_century = (form["has_century"] & form["plus"])[codes]
    ok &= ~plus_century & (year >= 1) & (mm >= 1) & (mm <= 12) & (day >= 1)
    ok &= day <= _DAYS_IN_MONTH[month_index] + (leap & (mm == 2))
    # one integer key per canonical id: YYYYMMDDNNNN for a personnummer; local ids after them
    number = year * 10**8 + form["rest"][codes]
    key = np.where(ok, number, 10**13 + codes)
    final_codes, keys = pd.factorize(key)
    is_pnr = keys < 10**13
    local = texts.take(pa.array(np.where(is_pnr, 0, keys - 10**13)))
    canonical = pa.compute.if_else(pa.array(is_pnr), number_texts(np.where(is_pnr, keys, 0)), local)
    months = (np.where(ok, year, 1970) - 1970) * 12 + month_index
    birth = months.astype("datetime64[M]").astype("datetime64[D]") + (np.where(ok, day, 1) - 1)
    birth = np.where(ok, birth, np.datetime64("NaT")).astype("datetime64[D]")
    return CodedIds(codes=final_codes, texts=canonical, is_personnummer=ok, birth_date=birth,
                    numbers=np.where(is_pnr, keys, -1))


def number_texts(numbers: np.ndarray) -> Any:
    """The 12-digit texts of integers ``YYYYMMDDNNNN`` (a ``pyarrow`` string array), built
    four digits at a time from a table of the 10,000 four-digit texts."""
    import pyarrow as pa

    numbers = np.asarray(numbers, dtype=np.int64)
    quads = np.empty((len(numbers), 3), dtype=np.uint32)
    quads[:, 0] = _FOUR_DIGITS[numbers // 10**8 % 10**4]
    quads[:, 1] = _FOUR_DIGITS[numbers // 10**4 % 10**4]
    quads[:, 2] = _FOUR_DIGITS[numbers % 10**4]
    return pa.FixedSizeBinaryArray.from_buffers(
        pa.binary(12), len(numbers), [None, pa.py_buffer(quads)]
    ).cast(pa.string())


#: The ASCII bytes of "0000" to "9999", each as one uint32 in memory order.
_FOUR_DIGITS = np.frombuffer(
    "".join(f"{k:04d}" for k in range(10_000)).encode("ascii"), dtype=np.uint32
)


def birth_dates_of(numbers: np.ndarray) -> np.ndarray:
    """Birth dates (``datetime64[D]``) of canonical personnummer given as ``YYYYMMDDNNNN``
    (a samordningsnummer's day less 60); NaT where the number is -1 (a local id)."""
    numbers = np.asarray(numbers, dtype=np.int64)
    ok = numbers >= 0
    year = np.where(ok, numbers // 10**8, 1970)
    month = np.where(ok, numbers // 10**6 % 100, 1)
    day = np.where(ok, numbers // 10**4 % 100, 1)
    day = np.where(day > 60, day - 60, day)
    months = (year - 1970) * 12 + month - 1
    birth = months.astype("datetime64[M]").astype("datetime64[D]") + (day - 1)
    return np.where(ok, birth, np.datetime64("NaT")).astype("datetime64[D]")


def _parse_forms(texts: Any) -> dict[str, np.ndarray]:
    """Split distinct texts (a ``pyarrow`` string array) into the parts of a personnummer.

    The shape is matched by RE2 (pyarrow); the shaped texts, without separator and padded to
    12 characters, are read as a fixed-width digit matrix, so nothing runs per text in Python.
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    n = len(texts)
    shaped = pc.match_substring_regex(texts, _ARROW_FORM).fill_null(False)
    shaped = shaped.to_numpy(zero_copy_only=False)
    at = np.flatnonzero(shaped)
    part = texts.take(pa.array(at))
    plus_sub = pc.match_substring(part, "+").to_numpy(zero_copy_only=False)
    bare = pc.replace_substring(pc.replace_substring(part, "-", ""), "+", "")
    has_century_sub = pc.utf8_length(bare).to_numpy(zero_copy_only=False) == 12
    padded = pc.utf8_lpad(bare, 12, "0").cast(pa.binary()).cast(pa.binary(12))
    raw = np.frombuffer(padded.buffers()[1], dtype=np.uint8, count=12 * len(at), offset=0)
    d = raw.reshape(len(at), 12).astype(np.int32)  # digits: int32, in place
    d -= 48

    def number(first: int, width: int) -> np.ndarray:
        out = np.zeros(n, dtype=np.int64)
        value = np.zeros(len(at), dtype=np.int64)
        for k in range(first, first + width):
            value = value * 10 + d[:, k]
        out[at] = value
        return out

    # Luhn over the last ten digits, a column at a time (a sum along rows of ten values
    # runs at a tenth of numpy's speed): doubled digits through their digit sums
    doubled = np.array([0, 2, 4, 6, 8, 1, 3, 5, 7, 9], dtype=np.int64)
    total = np.zeros(len(at), dtype=np.int64)
    for k in range(2, 12):
        total += doubled[d[:, k]] if k % 2 == 0 else d[:, k]
    luhn = total % 10 == 0
    ok = np.zeros(n, dtype=bool)
    ok[at] = luhn
    has_century = np.zeros(n, dtype=bool)
    has_century[at] = has_century_sub
    plus = np.zeros(n, dtype=bool)
    plus[at] = plus_sub
    return {
        "ok": ok,
        "century": np.where(has_century, number(0, 2), 0),
        "yy": number(2, 2),
        "mm": number(4, 2),
        "dd": number(6, 2),
        "has_century": has_century,
        "plus": plus,
        "rest": number(4, 8),
    }


def _luhn_vector(tens: np.ndarray) -> np.ndarray:
    if len(tens) == 0:
        return np.zeros(0, dtype=bool)
    digits = np.frombuffer("".join(tens).encode("ascii"), dtype=np.uint8).reshape(-1, 10) - 48
    products = digits.astype(np.int64) * np.array([2, 1] * 5)
    return ((products - 9 * (products > 9)).sum(axis=1) % 10) == 0
