"""Input contracts and row-level validation of police extracts (CONTRACT 1.1 and 1.2).

Every check runs on the whole table before anything is reported, so one run lists every problem
(pandera's "collect, then raise" idea; written out here because each check must also name the
spreadsheet row, and pandera's lazy validation would stop at type coercion of text columns).

A row that breaks a rule is *rejected*: it is listed in ``rejected`` with its spreadsheet row
number (header = row 1), the column and the reason, never silently dropped or repaired. Rows that
repeat an earlier row are *duplicates* and count once. Always ``read = used + rejected +
duplicates``.

Decisions where the contract is silent:

- A duplicate is a row with the same ``report_id`` and person as an earlier row; without a
  ``report_id`` column, a row equal to an earlier one in every column is a duplicate (an export
  artefact: two real reports always have different case numbers).
- Ages given in the file win over ages derived from the personnummer or ``birth_date``.
- When ``area`` is absent or empty (and no areas are configured) the area is ``okänt``.
- ``okänt`` gender on some rows of a person does not conflict with a known gender on others.
- A report date after today is rejected (an extract cannot contain the future); so is a date
  before 1950-01-01 (a typing error, not a narcotics report).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

from risk_indicators.errors import SchemaError

from .io import RawTable
from .personnummer import PERSONNUMMER_PATTERN

__all__ = [
    "DETECTION_CODES",
    "GENDER_CODES",
    "OFFENCE_CODES",
    "REPORT_COLUMNS",
    "map_columns",
    "normalise_token",
    "scrub",
    "validate_report_rows",
]

# canonical name -> (accepted spellings after normalise_token, required)
REPORT_COLUMNS: dict[str, tuple[tuple[str, ...], bool]] = {
    "person_id": (("person_id", "person", "personnummer", "personid", "pnr"), True),
    "report_date": (("report_date", "anmalningsdatum", "datum", "anmalan_datum"), True),
    "age": (("age", "alder"), False),
    "birth_date": (("birth_date", "fodelsedatum", "fodelsedag"), False),
    "gender": (("gender", "kon", "sex"), True),
    "offence": (("offence", "offense", "brott", "brottskod"), True),
    "area": (("area", "omrade"), False),
    "detection": (("detection", "upptackt"), False),
    "report_id": (("report_id", "diarienummer", "diarienr"), False),
}
POPULATION_COLUMNS: dict[str, tuple[tuple[str, ...], bool]] = {
    "year": (("year", "ar"), True),
    "age": (("age", "alder"), False),
    "age_band": (("age_band", "aldersgrupp", "aldersklass"), False),
    "gender": (("gender", "kon", "sex"), True),
    "population": (("population", "folkmangd", "antal", "befolkning"), True),
    "area": (("area", "omrade", "kommun"), False),
}

GENDER_CODES: dict[str, str] = {
    **dict.fromkeys(("man", "m", "male", "pojke", "pojkar", "man_", "men"), "man"),
    **dict.fromkeys(("kvinna", "k", "f", "female", "flicka", "flickor", "kvinnor"), "kvinna"),
    **dict.fromkeys(("okant", "x", "unknown", ""), "okänt"),
}
OFFENCE_CODES: dict[str, str] = {
    **dict.fromkeys(("eget_bruk", "egetbruk", "bruk", "personal_use"), "eget_bruk"),
    **dict.fromkeys(("innehav", "possession"), "innehav"),
    **dict.fromkeys(("overlatelse", "supply"), "overlatelse"),
    **dict.fromkeys(("framstallning", "production"), "framstallning"),
    **dict.fromkeys(("annat", "other", "ovrigt"), "annat"),
}
DETECTION_CODES: dict[str, str] = {
    **dict.fromkeys(("polisinitierad", "polis", "police"), "polisinitierad"),
    **dict.fromkeys(("anmalan", "anmald", "reported"), "anmalan"),
    **dict.fromkeys(("okand", "okant", "unknown", ""), "okand"),
}
EARLIEST_DATE = pd.Timestamp("1950-01-01")


def normalise_token(text: str) -> str:
    """Lower case, å/ä -> a, ö -> o, spaces and dashes -> ``_``, BOM and quotes stripped.

    Examples
    --------
    >>> normalise_token(" Överlåtelse "), normalise_token("Eget bruk"), normalise_token("Kön")
    ('overlatelse', 'eget_bruk', 'kon')
    """
    text = text.replace("\ufeff", "").strip().strip('"').strip().lower()
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return re.sub(r"[\s\-]+", "_", text)


def scrub(text: str) -> str:
    """Replace anything that looks like a personnummer, so messages never carry one."""
    return PERSONNUMMER_PATTERN.sub("[personnummer not shown]", text)


def map_columns(
    columns: Sequence[str],
    spec: Mapping[str, tuple[tuple[str, ...], bool]],
    *,
    source: str,
) -> dict[str, str]:
    """Map canonical column names to the file's header names (case- and accent-insensitive).

    Raises
    ------
    SchemaError
        A required column is missing or a column is given twice under different names.
    """
    found: dict[str, str] = {}
    for header in columns:
        token = normalise_token(str(header))
        for canonical, (aliases, _required) in spec.items():
            if token in aliases:
                if canonical in found:
                    raise SchemaError(
                        f"{source}: the columns '{found[canonical]}' and '{header}' both mean "
                        f"'{canonical}'. Keep one of them."
                    )
                found[canonical] = str(header)
    missing = [c for c, (_a, required) in spec.items() if required and c not in found]
    if missing and not found:
        # the first row holds no known column name: probably data, so never echo it
        raise SchemaError(
            f"{source}: the first row is not a header (none of its cells is a known column "
            f"name). Add a header row with the columns {', '.join(missing)}.",
            pd.DataFrame({"row": 1, "column": missing, "reason": "missing header"}),
        )
    if missing:
        lines = [f"'{c}' (accepted names: {', '.join(spec[c][0])})" for c in missing]
        raise SchemaError(
            f"{source}: required column {' and '.join(lines)} is missing. Found columns: "
            f"{', '.join(scrub(str(c))[:40] for c in columns) or 'none'}. Rename the column "
            "in the file.",
            pd.DataFrame({"row": 1, "column": missing, "reason": "missing required column"}),
        )
    return found


class _Problems:
    """Collects (row position, column, reason) before anything is reported."""

    def __init__(self) -> None:
        self._parts: list[pd.DataFrame] = []

    def add(self, mask: np.ndarray, column: str, reasons: pd.Series | str | _Quoted) -> None:
        positions = np.flatnonzero(mask)
        if positions.size == 0:
            return
        if isinstance(reasons, str):
            texts = pd.Series([reasons] * positions.size)
        elif isinstance(reasons, _Quoted):
            texts = reasons.at(positions)
        else:
            texts = reasons.iloc[positions].reset_index(drop=True)
        self._parts.append(pd.DataFrame({"pos": positions, "column": column, "reason": texts}))

    def frame(self) -> pd.DataFrame:
        if not self._parts:
            return pd.DataFrame({"pos": pd.Series(dtype="int64"), "column": [], "reason": []})
        return pd.concat(self._parts, ignore_index=True)


@dataclass(frozen=True)
class _Quoted:
    """A message that quotes each row's value, formatted only for the rows reported (a
    national file has millions of good rows and a handful of bad ones)."""

    values: pd.Series
    message: str

    def at(self, positions: np.ndarray) -> pd.Series:
        quoted = self.values.iloc[positions]
        return pd.Series([scrub(self.message.format(value=str(v)[:40])) for v in quoted])


def _quoted(values: pd.Series, message: str) -> _Quoted:
    return _Quoted(values, message)


def _on_uniques(values: pd.Series, func: Callable[[str], str]) -> pd.Series:
    """``values.map(func)`` computed once per distinct value (columns repeat a few codes)."""
    codes, uniques = pd.factorize(values, use_na_sentinel=False)
    mapped = np.array([func(u) for u in uniques], dtype=object)
    return pd.Series(mapped[codes], index=values.index, dtype=object)


def _parse_int(text: pd.Series) -> pd.Series:
    """Whole numbers; a decimal comma or point with zero fraction is accepted ("17,0")."""
    cleaned = text.str.replace("\u00a0", "", regex=False).str.replace(" ", "", regex=False)
    cleaned = cleaned.str.replace(",", ".", regex=False)
    numbers = pd.to_numeric(cleaned, errors="coerce")
    whole = numbers.where(np.isfinite(numbers) & (numbers == np.round(numbers)))
    return whole.astype("Float64")


def _parse_dates(text: pd.Series) -> pd.Series:
    """ISO dates; a time part (``T10:22`` or `` 10:22:00``) is ignored."""
    day = text.str.strip().str.slice(0, 10)
    ok = day.str.fullmatch(r"\d{4}-\d{2}-\d{2}")
    parsed = pd.to_datetime(day.where(ok), format="%Y-%m-%d", errors="coerce")
    rest = text.str.strip().str.slice(10)
    bad_rest = ~rest.str.fullmatch(r"(?:[T ]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?")
    return parsed.where(~bad_rest)


def validate_report_rows(
    raw: RawTable,
    *,
    areas: Sequence[str] = (),
    today: date | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Check every row of a reports table; return (clean columns, problems).

    Parameters
    ----------
    raw
        The table as read by :func:`risk_indicators.intake.io.read_table` (text cells).
    areas
        Configured area names; when non-empty any other area is rejected.
    today
        Reports after this date are rejected (default: the real today).

    Returns
    -------
    clean
        One row per input row (same order, ``pos`` = position) with the columns
        ``person_raw`` (text, never to be written), ``report_date`` (datetime64),
        ``age`` (Float64, may be missing and then derived later), ``birth_date``,
        ``gender``, ``offence``, ``area``, ``detection``, ``report_id``.
    problems
        Columns ``pos, column, reason``; a row may have several problems.
    """
    columns = map_columns(list(raw.frame.columns), REPORT_COLUMNS, source=raw.source)
    frame = raw.frame
    n = len(frame)

    def col(name: str) -> pd.Series:
        if name in columns:
            return frame[columns[name]].fillna("").astype(str).str.strip().reset_index(drop=True)
        return pd.Series([""] * n, dtype=object)

    problems = _Problems()
    today_ts = pd.Timestamp(today or date.today())

    person = col("person_id")
    problems.add((person == "").to_numpy(), "person_id", "person_id is empty; fill it in.")

    date_text = col("report_date")
    report_date = _parse_dates(date_text)
    bad_date = report_date.isna().to_numpy()
    problems.add(
        bad_date,
        "report_date",
        _quoted(date_text, "report_date '{value}' is not an ISO date; write it as 2024-03-17."),
    )
    future = (report_date > today_ts).fillna(False).to_numpy()
    problems.add(future, "report_date", "report_date is in the future; check the date.")
    too_old = (report_date < EARLIEST_DATE).fillna(False).to_numpy()
    problems.add(too_old, "report_date", "report_date is before 1950; check the date.")

    age_text = col("age")
    age = _parse_int(age_text)
    given = (age_text != "").to_numpy()
    problems.add(
        given & age.isna().to_numpy(),
        "age",
        _quoted(age_text, "age '{value}' is not a whole number of years."),
    )
    out_of_range = given & ((age < 0) | (age > 110)).fillna(False).to_numpy()
    problems.add(out_of_range, "age", _quoted(age_text, "age {value} is outside 0-110; check it."))

    birth_text = col("birth_date")
    birth = _parse_dates(birth_text)
    has_birth = (birth_text != "").to_numpy()
    problems.add(
        has_birth & birth.isna().to_numpy(),
        "birth_date",
        _quoted(birth_text, "birth_date '{value}' is not an ISO date."),
    )

    gender, gender_bad = _codes(col("gender"), GENDER_CODES)
    problems.add(
        gender_bad,
        "gender",
        _quoted(col("gender"), "gender '{value}' is unknown; use man, kvinna or okänt."),
    )
    offence, offence_bad = _codes(col("offence"), OFFENCE_CODES)
    problems.add(
        offence_bad,
        "offence",
        _quoted(
            col("offence"),
            "offence '{value}' is unknown; use eget_bruk, innehav, overlatelse, "
            "framstallning or annat.",
        ),
    )
    detection, detection_bad = _codes(col("detection"), DETECTION_CODES)
    problems.add(
        detection_bad,
        "detection",
        _quoted(
            col("detection"),
            "detection '{value}' is unknown; use polisinitierad, anmalan or okand.",
        ),
    )

    area = col("area")
    if areas:
        lookup = {normalise_token(a): a for a in areas}
        canonical_area = _on_uniques(area, lambda a: lookup.get(normalise_token(a), ""))
        bad_area = (canonical_area == "").to_numpy()
        problems.add(
            bad_area,
            "area",
            _quoted(
                area,
                "area '{value}' is not one of the configured areas "
                f"({', '.join(areas)}); correct it or add it to 'areas' in the config.",
            ),
        )
        area = canonical_area
    else:
        area = area.where(area != "", "okänt")
    looks_like_id = area.str.contains(PERSONNUMMER_PATTERN).to_numpy()
    problems.add(
        looks_like_id,
        "area",
        "area looks like a personnummer; check the column order of the extract.",
    )
    bad_total = (area.str.lower() == "total").to_numpy()
    problems.add(bad_total, "area", "area 'total' is reserved for margins; rename it.")

    clean = pd.DataFrame(
        {
            "pos": np.arange(n),
            "person_raw": person,
            "report_date": report_date,
            "age": age,
            "age_given": given,
            "birth_date": birth,
            "gender": gender,
            "offence": offence,
            "area": area,
            "detection": detection,
            "report_id": col("report_id"),
        }
    )
    return clean, problems.frame()


def _codes(values: pd.Series, codes: Mapping[str, str]) -> tuple[pd.Series, np.ndarray]:
    mapped = _on_uniques(values, normalise_token).map(codes)
    return mapped.fillna(""), mapped.isna().to_numpy()
