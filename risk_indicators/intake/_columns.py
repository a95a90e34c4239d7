"""CONTRACT 1.1 checks of one batch of report rows, on Arrow columns, once per distinct value.

The columnar fast path of :func:`risk_indicators.intake.read_reports`. Each column of a batch
is dictionary-encoded (``pyarrow.compute.dictionary_encode``, any Arrow type); its distinct
values are turned into the text a user would type (exactly as
:func:`risk_indicators.intake.io.read_table` does, so a typed Parquet date and the text
``2024-03-17`` are the same value) and checked with the rules of
:func:`risk_indicators.intake.schema.validate_report_rows`; the result is mapped back to the
rows through the integer codes. A code column of ten million rows has a few distinct values,
a date column a few thousand: the checks cost nothing next to the scan. Only the columns that
hold one value per report (``person_id``, ``report_id``) are large; ``person_id`` in one of
the four plain personnummer forms is read per row straight from the Arrow buffers, any other
text once per distinct value (:func:`risk_indicators.intake._idrows.classify_rows`), and
``report_id`` is stripped only where it has surrounding spaces.

The checks, the reasons and their order are those of ``validate_report_rows``;
``tests/test_records.py`` compares the two paths row by row.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

from ._distinct import Distinct, distinct, strip_column
from ._idrows import RowIds, classify_rows
from ._problems import Problems, quoted
from .personnummer import PERSONNUMMER_PATTERN
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
)

#: Levels of the code columns, sorted as text (a Categorical column then sorts as text does).
GENDER_LEVELS = tuple(sorted(set(GENDER_CODES.values())))
OFFENCE_LEVELS = tuple(sorted(set(OFFENCE_CODES.values())))
DETECTION_LEVELS = tuple(sorted(set(DETECTION_CODES.values())))
_NAT = np.iinfo(np.int64).min


@dataclass
class CheckedBatch:
    """One batch after the row checks: per-row codes, and the problems found.

    ``person`` indexes ``person_texts`` (canonical ids of the batch; ``person_numbers`` the
    same as integers ``YYYYMMDDNNNN``, -1 for a local id); ``area`` indexes
    ``area_texts``; ``gender``, ``offence``, ``detection`` index the ``*_LEVELS``; ``date``
    is days since 1970 (``_NAT`` where missing); ``age`` is -1 where it cannot be known.
    """

    rows: np.ndarray
    person: np.ndarray
    person_texts: Any
    person_numbers: np.ndarray
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


def _year_md(days: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Year and month * 100 + day of days since 1970 (any value where ``_NAT``)."""
    x = np.where(days == _NAT, 0, days).astype("datetime64[D]")
    year = x.astype("datetime64[Y]")
    month = x.astype("datetime64[M]")
    md = (
        (month - year.astype("datetime64[M]")).astype(np.int64) * 100
        + 100
        + (x - month.astype("datetime64[D]")).astype(np.int64)
        + 1
    )
    return year.astype(np.int64) + 1970, md


def ages_between(birth: np.ndarray, on: np.ndarray) -> np.ndarray:
    """Whole years from ``birth`` to ``on`` (days since 1970; ``_NAT`` gives ``_NAT``); a 29
    February birthday counts from 1 March in years without one."""
    missing = (birth == _NAT) | (on == _NAT)
    by, bmd = _year_md(birth)
    dy, dmd = _year_md(on)
    return np.where(missing, _NAT, dy - by - (dmd < bmd))


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
        return Distinct(np.zeros(n, dtype=np.int64), pa.array([""], type=pa.string()))

    problems = Problems()
    dates = col("report_date") or empty()
    # canonical ids: the century of a 10-digit personnummer comes from the row's report date
    # (year and month * 100 + day are computed once per distinct date, today where missing)
    fallback = date.today()
    parsed = _parse_dates(dates.texts)
    date_values = _days(parsed)
    per_row_date = dates.rows(date_values)
    year_of, md_of = _year_md(date_values)
    ref_year = np.where(date_values == _NAT, fallback.year, year_of)
    ref_md = np.where(date_values == _NAT, fallback.month * 100 + fallback.day, md_of)
    person: RowIds = (
        classify_rows(table.column(names.index(columns["person_id"])),
                      dates.rows(ref_year), dates.rows(ref_md))
        if "person_id" in columns
        else classify_rows(pa.array([""] * n, type=pa.string()), dates.rows(ref_year),
                           dates.rows(ref_md))
    )  # fmt: skip

    @functools.cache
    def ids() -> frozenset[str]:  # built only when a rejected value is to be quoted
        return person.stripped()
    problems.add(person.empty, "person_id", "person_id is empty; fill it in.")
    bad_value = parsed.isna().to_numpy()
    problems.add(
        dates.rows(bad_value),
        "report_date",
        quoted(dates, "report_date '{value}' is not an ISO date; write it as 2024-03-17.",
                ids),
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
        ages.rows(age_bad), "age",
        quoted(ages, "age '{value}' is not a whole number of years.", ids),
    )
    out_of_range = age_given & ((age_value < 0) | (age_value > 110)).fillna(False).to_numpy()
    problems.add(
        ages.rows(out_of_range), "age",
        quoted(ages, "age {value} is outside 0-110; check it.", ids),
    )

    births = col("birth_date") or empty()
    birth_parsed = _parse_dates(births.texts)
    birth_bad = (births.texts != "").to_numpy() & birth_parsed.isna().to_numpy()
    problems.add(
        births.rows(birth_bad),
        "birth_date",
        quoted(births, "birth_date '{value}' is not an ISO date.", ids),
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
        problems.add(d.rows(unknown), name, quoted(d, message, ids))
        code_parts[name] = d.rows(index)

    area = col("area") or empty()
    if areas:
        lookup = {normalise_token(a): a for a in areas}
        area_text = [lookup.get(normalise_token(a), "") for a in area.texts]
        bad_area = np.array([a == "" for a in area_text])
        problems.add(
            area.rows(bad_area),
            "area",
            quoted(
                area,
                "area '{value}' is not one of the configured areas "
                f"({', '.join(areas)}); correct it or add it to 'areas' in the config.",
                ids,
            ),
        )
    else:
        area_text = [a if a != "" else "okänt" for a in area.texts]
    looks_like_id = np.array([PERSONNUMMER_PATTERN.search(a) is not None for a in area_text])
    if not areas:  # free area names become labels: one of the file's ids must not be one
        # (Arrow's hash lookups, the few area names as the set: a Python set of the ids
        # would cost more than every other check of the batch)
        ids_named = person.among([a.strip() for a in area.texts if a.strip()])
        looks_like_id |= np.array([a.strip() in ids_named for a in area.texts], dtype=bool)
    problems.add(
        area.rows(looks_like_id),
        "area",
        "area looks like a personnummer or is a person id of the file; check the column "
        "order of the extract.",
    )
    is_total = np.array([a.lower() == "total" for a in area_text])
    problems.add(area.rows(is_total), "area", "area 'total' is reserved for margins; rename it.")

    has_date = per_row_date != _NAT

    # age: the file's value, else birth_date, else the personnummer (derived only where the
    # file has no age)
    given_rows = ages.rows(age_given)
    file_age = ages.rows(age_value.clip(-(10**6), 10**6).fillna(-(10**9)).to_numpy(np.int64))
    file_ok = given_rows & (file_age != -(10**9))
    age = np.where(file_ok, file_age, _NAT)
    need = np.flatnonzero(~file_ok)
    if len(need):
        birth_days = births.rows(_days(birth_parsed))[need]
        from_id = _days(pd.Series(person.birth_dates(need)))
        birth_days = np.where(birth_days == _NAT, from_id, birth_days)
        age[need] = ages_between(birth_days, per_row_date[need])
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
        person=person.codes.astype(np.int32),
        person_texts=person.texts,
        person_numbers=person.numbers,
        date=np.where(per_row_date == _NAT, np.iinfo(np.int32).min, per_row_date).astype(np.int32),
        age=np.where((age == _NAT) | (age < -1) | (age > 10_000), -1, age).astype(np.int16),
        gender=code_parts["gender"],
        offence=code_parts["offence"],
        detection=code_parts["detection"],
        area=area.codes.astype(np.int32),
        area_texts=area_text,
        report_id=report_id,
        bad=bad,
        problems=found,
    )
