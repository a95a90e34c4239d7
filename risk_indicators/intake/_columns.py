"""CONTRACT 1.1 checks of one batch of report rows, on Arrow columns, once per distinct value.

The columnar fast path of :func:`risk_indicators.intake.read_reports`. Each column of a batch
is dictionary-encoded (``pyarrow.compute.dictionary_encode``, any Arrow type); its distinct
values are turned into the text a user would type (exactly as
:func:`risk_indicators.intake.io.read_table` does, so a typed Parquet date and the text
``2024-03-17`` are the same value) and checked with the rules of
:func:`risk_indicators.intake.schema.validate_report_rows`; the result is mapped back to the
rows through the integer codes. A code column of ten million rows has a few distinct values,
a date column a few thousand: the checks cost nothing next to the scan. Only the columns that
hold one value per report (``person_id``, ``report_id``) are large; ``person_id`` is parsed
once per distinct text and its century once per row (:func:`classify_codes`), ``report_id``
is stripped only where it has surrounding spaces.

The checks, the reasons and their order are those of ``validate_report_rows``;
``tests/test_records.py`` compares the two paths row by row.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from ._cells import _to_text
from .personnummer import PERSONNUMMER_PATTERN, CodedIds, classify_codes
from .schema import (
    DETECTION_CODES,
    EARLIEST_DATE,
    GENDER_CODES,
    OFFENCE_CODES,
    REPORT_COLUMNS,
    _parse_dates,
    _parse_int,
    map_columns,
    normalise_token,
    scrub,
)

#: Levels of the code columns, sorted as text (a Categorical column then sorts as text does).
GENDER_LEVELS = tuple(sorted(set(GENDER_CODES.values())))
OFFENCE_LEVELS = tuple(sorted(set(OFFENCE_CODES.values())))
DETECTION_LEVELS = tuple(sorted(set(DETECTION_CODES.values())))
_NAT = np.iinfo(np.int64).min
# surrounding characters that Python's str.strip() removes (Unicode White_Space and the
# separators 0x1c-0x1f): RE2 finds the few rows that have them, Python strips those
_EDGE_SPACE = r"^[\s\x1c-\x1f\x85\xa0\p{Z}]|[\s\x1c-\x1f\x85\xa0\p{Z}]$"


@dataclass(frozen=True)
class Distinct:
    """A column as integer codes into its distinct values, each as stripped text."""

    codes: np.ndarray
    texts: pd.Series  # stripped text of each distinct value; the last one is "" (nulls)

    def rows(self, per_value: np.ndarray) -> np.ndarray:
        """A per-value array mapped to the rows."""
        return np.asarray(per_value)[self.codes]


def distinct(column: Any) -> Distinct:
    """Dictionary-encode an Arrow column (nulls get the last code, whose text is ``""``)."""
    array = column.combine_chunks() if isinstance(column, pa.ChunkedArray) else column
    if pa.types.is_dictionary(array.type):
        array = array.cast(array.type.value_type)
    try:
        encoded = pc.dictionary_encode(array)
    except pa.ArrowNotImplementedError:  # an exotic type: the values as text, then encode
        encoded = pc.dictionary_encode(
            pa.array(_to_text(array.to_pandas()).to_numpy(), type=pa.string())
        )
    values = encoded.dictionary
    n_values = len(values)
    codes = encoded.indices.fill_null(n_values).to_numpy(zero_copy_only=False)
    if pa.types.is_string(values.type) or pa.types.is_large_string(values.type):
        text = pd.Series(values.to_numpy(zero_copy_only=False), dtype=object)
    else:
        text = _to_text(pd.Series(values.to_pandas()))
    stripped = pd.Series([*(str(t).strip() for t in text), ""], dtype=object)
    return Distinct(codes.astype(np.int64, copy=False), stripped)


def strip_column(column: Any) -> Any:
    """A text column stripped as ``str.strip`` does; Python runs only on rows that need it."""
    array = column.combine_chunks() if isinstance(column, pa.ChunkedArray) else column
    if not (pa.types.is_string(array.type) or pa.types.is_large_string(array.type)):
        return pa.array(_to_text(array.to_pandas()).str.strip().to_numpy(), type=pa.string())
    array = array.fill_null("").cast(pa.string())
    edge = pc.match_substring_regex(array, _EDGE_SPACE).to_numpy(zero_copy_only=False)
    if not edge.any():
        return array
    at = np.flatnonzero(edge)
    fixed = [str(v).strip() for v in array.take(pa.array(at)).to_pylist()]
    values = np.asarray(array.to_numpy(zero_copy_only=False), dtype=object)
    values[at] = fixed
    return pa.array(values, type=pa.string())


@dataclass
class CheckedBatch:
    """One batch after the row checks: per-row codes, and the problems found.

    ``person`` indexes ``person_texts`` (canonical ids of the batch); ``area`` indexes
    ``area_texts``; ``gender``, ``offence``, ``detection`` index the ``*_LEVELS``; ``date``
    is days since 1970 (``_NAT`` where missing); ``age`` is -1 where it cannot be known.
    """

    rows: np.ndarray
    person: np.ndarray
    person_texts: Any
    date: np.ndarray
    age: np.ndarray
    gender: np.ndarray
    offence: np.ndarray
    detection: np.ndarray
    area: np.ndarray
    area_texts: list[str]
    report_id: Any
    bad: np.ndarray
    problems: pd.DataFrame  # pos, column, reason


class _Problems:
    def __init__(self) -> None:
        self.parts: list[pd.DataFrame] = []

    def add(self, mask: np.ndarray, column: str, reasons: Any) -> None:
        """``reasons``: one text, or a per-row callable ``positions -> texts``."""
        positions = np.flatnonzero(mask)
        if positions.size == 0:
            return
        texts = [reasons] * positions.size if isinstance(reasons, str) else reasons(positions)
        self.parts.append(pd.DataFrame({"pos": positions, "column": column, "reason": texts}))

    def frame(self) -> pd.DataFrame:
        if not self.parts:
            return pd.DataFrame({"pos": pd.Series(dtype="int64"), "column": [], "reason": []})
        return pd.concat(self.parts, ignore_index=True)


def _quoted(d: Distinct, message: str) -> Any:
    """Reasons quoting each row's value, formatted once per distinct value reported."""

    def at(positions: np.ndarray) -> list[str]:
        codes = d.codes[positions]
        cache: dict[int, str] = {}
        out = []
        for c in codes:
            c = int(c)
            if c not in cache:
                cache[c] = scrub(message.format(value=str(d.texts.iloc[c])[:40]))
            out.append(cache[c])
        return out

    return at


def _days(stamps: pd.Series) -> np.ndarray:
    """Days since 1970 of parsed dates (``_NAT`` where missing)."""
    values = stamps.to_numpy(dtype="datetime64[D]")
    out = values.astype(np.int64)
    out[np.isnat(values)] = _NAT
    return out


def _code_column(
    d: Distinct | None, codes: Mapping[str, str], levels: Sequence[str]
) -> tuple[np.ndarray, np.ndarray]:
    """Level index per row and whether the value is unknown (an absent column is ``""``)."""
    if d is None:
        code = levels.index(codes[""])
        return np.array([code], dtype=np.int8), np.zeros(1, dtype=bool)
    mapped = [codes.get(normalise_token(t)) for t in d.texts]
    index = np.array([levels.index(m) if m is not None else -1 for m in mapped], dtype=np.int8)
    return index, index < 0


def ages_between(birth: np.ndarray, on: np.ndarray) -> np.ndarray:
    """Whole years from ``birth`` to ``on`` (days since 1970; ``_NAT`` gives ``_NAT``); a 29
    February birthday counts from 1 March in years without one."""
    missing = (birth == _NAT) | (on == _NAT)
    b = np.where(missing, 0, birth).astype("datetime64[D]")
    d = np.where(missing, 0, on).astype("datetime64[D]")

    def parts(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        year = x.astype("datetime64[Y]")
        month = x.astype("datetime64[M]")
        md = (month - year.astype("datetime64[M]")).astype(np.int64) * 100 + (
            x - month.astype("datetime64[D]")
        ).astype(np.int64)
        return year.astype(np.int64), md

    by, bmd = parts(b)
    dy, dmd = parts(d)
    age = dy - by - (dmd < bmd)
    return np.where(missing, _NAT, age)


def check_batch(
    table: Any,
    rows: np.ndarray,
    *,
    source: str,
    areas: Sequence[str] = (),
    today: date | None = None,
) -> CheckedBatch:
    """Check every row of an Arrow table of reports (CONTRACT 1.1), once per distinct value.

    Parameters
    ----------
    table
        A ``pyarrow.Table`` or ``RecordBatch`` with the file's header names, any types.
    rows
        The spreadsheet row number of every row.
    source, areas, today
        As for :func:`risk_indicators.intake.schema.validate_report_rows`.
    """
    names = [str(c) for c in table.schema.names]
    columns = map_columns(names, REPORT_COLUMNS, source=source)
    n = table.num_rows
    today_ts = pd.Timestamp(today or date.today())

    def col(name: str) -> Distinct | None:
        return distinct(table.column(names.index(columns[name]))) if name in columns else None

    def empty() -> Distinct:
        return Distinct(np.zeros(n, dtype=np.int64), pd.Series([""], dtype=object))

    problems = _Problems()
    person = col("person_id") or empty()
    problems.add(person.rows(person.texts == ""), "person_id", "person_id is empty; fill it in.")

    dates = col("report_date") or empty()
    parsed = _parse_dates(dates.texts)
    date_values = _days(parsed)
    per_row_date = dates.rows(date_values)
    bad_value = parsed.isna().to_numpy()
    problems.add(
        dates.rows(bad_value),
        "report_date",
        _quoted(dates, "report_date '{value}' is not an ISO date; write it as 2024-03-17."),
    )
    future = (parsed > today_ts).fillna(False).to_numpy()
    problems.add(dates.rows(future), "report_date", "report_date is in the future; check the date.")
    too_old = (parsed < EARLIEST_DATE).fillna(False).to_numpy()
    problems.add(dates.rows(too_old), "report_date", "report_date is before 1950; check the date.")

    ages = col("age") or empty()
    age_value = _parse_int(ages.texts)
    age_given = (ages.texts != "").to_numpy()
    age_bad = age_given & age_value.isna().to_numpy()
    problems.add(
        ages.rows(age_bad), "age", _quoted(ages, "age '{value}' is not a whole number of years.")
    )
    out_of_range = age_given & ((age_value < 0) | (age_value > 110)).fillna(False).to_numpy()
    problems.add(
        ages.rows(out_of_range), "age", _quoted(ages, "age {value} is outside 0-110; check it.")
    )

    births = col("birth_date") or empty()
    birth_parsed = _parse_dates(births.texts)
    birth_bad = (births.texts != "").to_numpy() & birth_parsed.isna().to_numpy()
    problems.add(
        births.rows(birth_bad),
        "birth_date",
        _quoted(births, "birth_date '{value}' is not an ISO date."),
    )

    code_parts = {}
    for name, codes, levels, message in (
        ("gender", GENDER_CODES, GENDER_LEVELS, "gender '{value}' is unknown; use man, kvinna "
         "or okänt."),
        ("offence", OFFENCE_CODES, OFFENCE_LEVELS, "offence '{value}' is unknown; use eget_bruk, "
         "innehav, overlatelse, framstallning or annat."),
        ("detection", DETECTION_CODES, DETECTION_LEVELS, "detection '{value}' is unknown; use "
         "polisinitierad, anmalan or okand."),
    ):  # fmt: skip
        d = col(name)
        index, unknown = _code_column(d, codes, levels)
        if d is None:
            code_parts[name] = np.full(n, index[0], dtype=np.int8)
            continue
        problems.add(d.rows(unknown), name, _quoted(d, message))
        code_parts[name] = d.rows(index)

    area = col("area") or empty()
    if areas:
        lookup = {normalise_token(a): a for a in areas}
        area_text = [lookup.get(normalise_token(a), "") for a in area.texts]
        bad_area = np.array([a == "" for a in area_text])
        problems.add(
            area.rows(bad_area),
            "area",
            _quoted(
                area,
                "area '{value}' is not one of the configured areas "
                f"({', '.join(areas)}); correct it or add it to 'areas' in the config.",
            ),
        )
    else:
        area_text = [a if a != "" else "okänt" for a in area.texts]
    looks_like_id = np.array([PERSONNUMMER_PATTERN.search(a) is not None for a in area_text])
    problems.add(
        area.rows(looks_like_id),
        "area",
        "area looks like a personnummer; check the column order of the extract.",
    )
    is_total = np.array([a.lower() == "total" for a in area_text])
    problems.add(area.rows(is_total), "area", "area 'total' is reserved for margins; rename it.")

    # canonical ids: the century of a 10-digit personnummer comes from the row's report date
    has_date = per_row_date != _NAT
    ref = np.where(has_date, per_row_date, np.int64(0)).astype("datetime64[D]")
    fallback = date.today()
    ref_year = np.where(has_date, ref.astype("datetime64[Y]").astype(np.int64) + 1970, 0)
    ref_month = ref.astype("datetime64[M]")
    ref_md = (ref_month - ref.astype("datetime64[Y]").astype("datetime64[M]")).astype(
        np.int64
    ) * 100 + 100 + (ref - ref_month.astype("datetime64[D]")).astype(np.int64) + 1
    ref_year = np.where(has_date, ref_year, fallback.year)
    ref_md = np.where(has_date, ref_md, fallback.month * 100 + fallback.day)
    ids: CodedIds = classify_codes(
        person.codes, person.texts.to_numpy(dtype=object), ref_year, ref_md
    )

    # age: the file's value, else birth_date, else the personnummer
    birth_days = births.rows(_days(birth_parsed))
    birth_days = np.where(birth_days == _NAT, _days(pd.Series(ids.birth_date)), birth_days)
    derived = ages_between(birth_days, per_row_date)
    given_rows = ages.rows(age_given)
    file_age = ages.rows(age_value.clip(-(10**6), 10**6).fillna(-(10**9)).to_numpy(dtype=np.int64))
    file_ok = given_rows & (file_age != -(10**9))
    age = np.where(file_ok, file_age, derived)
    missing_age = ~given_rows
    cannot = missing_age & (age == _NAT) & has_date
    problems.add(
        cannot,
        "age",
        "age is missing and cannot be derived (no birth_date and person_id is not a valid "
        "personnummer); fill in the age.",
    )
    derived_bad = missing_age & (age != _NAT) & ((age < 0) | (age > 110))
    problems.add(
        derived_bad, "age", "the age derived from the birth date is outside 0-110; check the date."
    )

    found = problems.frame()
    bad = np.zeros(n, dtype=bool)
    bad[found["pos"].to_numpy(dtype=np.int64)] = True
    report_id = (
        strip_column(table.column(names.index(columns["report_id"])))
        if "report_id" in columns
        else pa.array([""] * n, type=pa.string())
    )
    return CheckedBatch(
        rows=np.asarray(rows, dtype=np.int64),
        person=ids.codes,
        person_texts=ids.texts,
        date=per_row_date,
        age=np.where(age == _NAT, -1, age),
        gender=code_parts["gender"],
        offence=code_parts["offence"],
        detection=code_parts["detection"],
        area=area.codes,
        area_texts=area_text,
        report_id=report_id,
        bad=bad,
        problems=found,
    )
