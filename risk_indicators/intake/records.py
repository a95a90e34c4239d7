"""Intake of police extracts: read -> validate -> pseudonymise, in one place.

:func:`read_reports` is the only function that sees raw person ids. It returns
:class:`Records`, whose tables carry pseudonyms only; the raw column is dropped before the
function returns, so nothing downstream can leak it.
"""

from __future__ import annotations

import os
import warnings
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd

from risk_indicators.config import Config, load_config
from risk_indicators.errors import DataError, DataWarning

from .io import RawTable, iter_parquet_batches, parquet_metadata, read_table, sha256_file
from .personnummer import classify_ids
from .pseudonymise import Pseudonymiser
from .schema import validate_population, validate_report_rows

__all__ = [
    "MAX_REJECTED_SHARE",
    "REJECTED_COLUMNS",
    "Records",
    "read_population",
    "read_reports",
    "validate_reports",
]

#: More rejected rows than this share of rows read makes the data fail (exit code 1):
#: beyond it the extract is broken, and publishing from the rest would mislead.
MAX_REJECTED_SHARE = 0.05
#: Parquet files with more rows than this are read and validated in batches of this size.
PARQUET_BATCH_ROWS = 250_000

VALID_COLUMNS = (
    "row",
    "person",
    "report_date",
    "age",
    "gender",
    "offence",
    "area",
    "detection",
    "report_id",
)
REJECTED_COLUMNS = ("row", "column", "reason", "person", "status")


@dataclass(frozen=True)
class Records:
    """Validated, pseudonymised report rows.

    Attributes
    ----------
    valid
        Used rows: ``row`` (spreadsheet row), ``person`` (pseudonym), ``report_date``,
        ``age`` (whole years on the report date), ``gender`` (``man``/``kvinna``/``okänt``,
        resolved per person), ``offence``, ``area``, ``detection``, ``report_id``.
    rejected
        One row per problem: ``row, column, reason, person, status`` where status is
        ``rejected`` or ``duplicate``; ``person`` is the pseudonym, never the raw id.
    accounting
        ``read``, ``used``, ``rejected``, ``duplicates`` (rows); read = used + rejected +
        duplicates.
    source, sha256
        The input file and its checksum.
    notes
        Data warnings given while reading (gender conflicts, derived ages).
    """

    valid: pd.DataFrame
    rejected: pd.DataFrame
    accounting: dict[str, int]
    source: str = "<DataFrame>"
    sha256: str | None = None
    notes: tuple[str, ...] = field(default=())

    @property
    def first_date(self) -> date | None:
        if self.valid.empty:
            return None
        return pd.Timestamp(self.valid["report_date"].min()).date()

    @property
    def last_date(self) -> date | None:
        if self.valid.empty:
            return None
        return pd.Timestamp(self.valid["report_date"].max()).date()


def _ages_on(birth: pd.Series, on: pd.Series) -> pd.Series:
    """Whole years from ``birth`` to ``on``; a 29 February birthday counts from 1 March in
    years without one."""
    b = pd.to_datetime(birth)
    d = pd.to_datetime(on)
    before = (d.dt.month < b.dt.month) | ((d.dt.month == b.dt.month) & (d.dt.day < b.dt.day))
    return (d.dt.year - b.dt.year - before.astype("int64")).astype("Float64")


def validate_reports(
    raw: RawTable,
    *,
    config: Config,
    pseudonymiser: Pseudonymiser,
    today: date | None = None,
) -> Records:
    """Validate and pseudonymise a raw reports table (see :func:`read_reports`)."""
    part = _check_rows(raw, config=config, pseudonymiser=pseudonymiser, today=today)
    return _finish([part], source=raw.source, sha256=raw.sha256)


def _check_rows(
    raw: RawTable,
    *,
    config: Config,
    pseudonymiser: Pseudonymiser,
    today: date | None,
) -> tuple[pd.DataFrame, pd.DataFrame, int]:
    """Row-level checks and pseudonyms of a table or of one batch of a large file.

    Returns the rows that passed (columns of :data:`VALID_COLUMNS`, ages not yet whole
    numbers), the rejected rows (columns of :data:`REJECTED_COLUMNS`) and the rows read.
    Duplicates and gender conflicts span batches and are settled by :func:`_finish`.
    """
    clean, problems = validate_report_rows(raw, areas=config.areas, today=today)
    row_number = (raw.frame.index.to_numpy() + raw.row_offset).astype(np.int64)
    clean["row"] = row_number[clean["pos"].to_numpy()]

    has_date = clean["report_date"].notna()
    ids = classify_ids(clean["person_raw"], clean["report_date"].where(has_date))
    clean["person"] = pseudonymiser.pseudonymise(ids["id"], canonical=True).where(
        clean["person_raw"] != "", ""
    )
    clean = clean.drop(columns="person_raw")

    # age: the file's value, else birth_date, else the personnummer
    derived = _ages_on(clean["birth_date"].fillna(ids["birth_date"]), clean["report_date"])
    missing_age = ~clean.pop("age_given")
    clean["age"] = clean["age"].fillna(derived)
    cannot = (missing_age & clean["age"].isna()).to_numpy() & has_date.to_numpy()
    extra = pd.DataFrame(
        {
            "pos": np.flatnonzero(cannot),
            "column": "age",
            "reason": "age is missing and cannot be derived (no birth_date and person_id is "
            "not a valid personnummer); fill in the age.",
        }
    )
    derived_bad = (missing_age & ((clean["age"] < 0) | (clean["age"] > 110))).fillna(False)
    extra_range = pd.DataFrame(
        {
            "pos": np.flatnonzero(derived_bad.to_numpy()),
            "column": "age",
            "reason": "the age derived from the birth date is outside 0-110; check the date.",
        }
    )
    problems = pd.concat([problems, extra, extra_range], ignore_index=True)

    bad_pos = np.unique(problems["pos"].to_numpy(dtype=np.int64))
    is_bad = np.zeros(len(clean), dtype=bool)
    is_bad[bad_pos] = True

    positions = problems["pos"].to_numpy(dtype=np.int64)
    rejected = pd.DataFrame(
        {
            "row": row_number[positions],
            "column": problems["column"].to_numpy(dtype=object),
            "reason": problems["reason"].to_numpy(dtype=object),
            "person": clean["person"].to_numpy()[positions],
            "status": "rejected",
        }
    )
    good = clean.loc[~is_bad, list(VALID_COLUMNS)]
    return good, rejected, len(clean)


def _finish(
    parts: list[tuple[pd.DataFrame, pd.DataFrame, int]], *, source: str, sha256: str | None
) -> Records:
    """Duplicates, genders and the accounting over every batch."""
    good = _concat_freeing([p[0] for p in parts])
    rejected = pd.concat([p[1] for p in parts], ignore_index=True)
    read = sum(p[2] for p in parts)
    duplicated, dup_rows = _duplicates(good)
    # no defensive copies: at 10 million rows each one costs more than a gigabyte (pandas
    # copies on write, so the assignments below never touch ``good``)
    used = good.loc[~duplicated] if duplicated.any() else good
    del good
    used = used.assign(age=used["age"].astype("int64"))
    used, notes = _resolve_gender(used)

    accounting = {
        "read": read,
        "used": len(used),
        "rejected": int(rejected["row"].nunique()),
        "duplicates": len(dup_rows),
    }
    rejected_table = pd.concat(
        [rejected.loc[:, list(REJECTED_COLUMNS)], dup_rows], ignore_index=True
    ).sort_values(["row", "column"], kind="mergesort")
    text = ["column", "reason", "person", "status"]
    rejected_table[text] = rejected_table[text].astype(object)
    return Records(
        valid=used.loc[:, list(VALID_COLUMNS)].reset_index(drop=True),
        rejected=rejected_table.reset_index(drop=True),
        accounting=accounting,
        source=source,
        sha256=sha256,
        notes=tuple(notes),
    )


def _concat_freeing(frames: list[pd.DataFrame]) -> pd.DataFrame:
    """``pd.concat(frames)`` column by column, deleting each column from the inputs once it
    is copied (the inputs are the batches' own frames): memory peaks at the result plus one
    column instead of twice the checked rows (1.5 GB more at 10 million rows)."""
    if len(frames) == 1:
        return frames[0].reset_index(drop=True)
    columns = list(frames[0].columns)
    out = {}
    for column in columns:
        out[column] = pd.concat([f[column] for f in frames], ignore_index=True)
        for f in frames:
            del f[column]
    return pd.DataFrame(out, columns=columns)


def _duplicates(good: pd.DataFrame) -> tuple[pd.Series, pd.DataFrame]:
    """Rows that repeat an earlier row: same person and ``report_id``; rows without a
    ``report_id`` repeat an earlier row only when every column is equal.

    Rows are compared by integer codes of their values (``pd.factorize``) sorted with
    ``numpy.lexsort``: grouping millions of strings in pandas costs gigabytes.
    """
    with_id = (good["report_id"] != "").to_numpy()
    id_cols = ["person", "report_id"]
    all_cols = ["person", "report_date", "age", "gender", "offence", "area", "detection"]
    row = good["row"].to_numpy(dtype=np.int64)
    dup = np.zeros(len(good), dtype=bool)
    first = row.copy()
    for mask, cols in ((with_id, id_cols), (~with_id, all_cols)):
        at = np.flatnonzero(mask)
        if not len(at):
            continue
        part = good if len(at) == len(good) else good.iloc[at]
        keys = [pd.factorize(part[c], use_na_sentinel=False)[0] for c in cols]
        dup[at], first[at] = _repeats(keys, row[at])
    at = np.flatnonzero(dup)
    table = pd.DataFrame(
        {
            "row": row[at],
            "column": np.where(with_id[at], "report_id", ""),
            "reason": [f"duplicate of row {r}; counted once." for r in first[at]],
            "person": good["person"].iloc[at].to_numpy(dtype=object),
            "status": "duplicate",
        }
    )
    return pd.Series(dup, index=good.index), table


def _repeats(keys: list[np.ndarray], row: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For rows keyed by ``keys`` (integer codes): whether an earlier row has the same key,
    and the ``row`` of the first row with that key."""
    n = len(row)
    # lexsort sorts by its last key first; the position last keeps file order within a key
    order = np.lexsort([np.arange(n), *keys[::-1]])
    start = np.ones(n, dtype=bool)
    for k in keys:
        ks = k[order]
        start[1:] &= ks[1:] == ks[:-1]
    start = ~start
    start[0] = True
    group = np.cumsum(start) - 1
    dup = np.empty(n, dtype=bool)
    dup[order] = ~start
    first = np.empty(n, dtype=np.int64)
    first[order] = row[order[start]][group]
    return dup, first


def _resolve_gender(used: pd.DataFrame) -> tuple[pd.DataFrame, list[str]]:
    """Give every person one gender: the most frequent known value on their rows (ties: the
    value of the latest report). ``okänt`` counts only when no known value exists. Persons
    and genders are grouped by integer codes (see :func:`_duplicates`)."""
    known = (used["gender"] != "okänt").to_numpy()
    if not known.any():
        return used, []
    person, _ = pd.factorize(used["person"], use_na_sentinel=False)
    gender, levels = pd.factorize(used["gender"], use_na_sentinel=False)
    rows = pd.DataFrame(
        {
            "person": person[known],
            "gender": gender[known],
            "date": used["report_date"].to_numpy()[known],
            "row": used["row"].to_numpy()[known],
        }
    )
    tally = (
        rows.groupby(["person", "gender"], sort=False)
        .agg(n=("row", "size"), latest=("date", "max"), last_row=("row", "max"))
        .reset_index()
        .sort_values(["person", "n", "latest", "last_row"], ascending=[True, False, False, False])
    )
    best = tally.drop_duplicates("person", keep="first")
    conflicted = int(tally["person"].duplicated().sum())
    chosen = np.full(int(person.max()) + 1, -1, dtype=np.int64)
    chosen[best["person"].to_numpy()] = best["gender"].to_numpy()
    pick = chosen[person]
    # codes, then one take: text as Python objects would cost half a gigabyte per 10 M rows
    resolved = pd.Series(levels.take(np.where(pick >= 0, pick, gender)), index=used.index)
    out = used.assign(gender=resolved.astype(used["gender"].dtype))
    notes = []
    if conflicted:
        note = (
            f"{conflicted} persons have rows with different genders; the most frequent gender "
            "(ties: the latest report) is used for each."
        )
        warnings.warn(note, DataWarning, stacklevel=3)
        notes.append(note)
    return out, notes


def read_reports(
    path_or_frame: str | os.PathLike[str] | pd.DataFrame,
    *,
    config: Config | None = None,
    key: bytes | None = None,
    today: date | None = None,
    max_rejected_share: float = MAX_REJECTED_SHARE,
    batch_rows: int = PARQUET_BATCH_ROWS,
) -> Records:
    """Read, validate and pseudonymise a reports file (CONTRACT 1.1).

    A Parquet file with more than ``batch_rows`` rows is read and validated in batches of
    that size, so memory holds the compact checked rows, not the whole file as text;
    duplicates and gender conflicts are then settled over all batches. The result is the same
    as reading the file whole.

    Parameters
    ----------
    path_or_frame
        ``.csv``, ``.xlsx`` or ``.parquet`` file, or a DataFrame.
    config
        Run configuration (areas, age bands); defaults to :func:`load_config`.
    key
        Secret key of the keyed MAC; default: the environment variable named by
        ``config.pseudonymisation.key_env``.
    today
        Reports dated after this day are rejected (default: today).
    max_rejected_share
        Above this share of rejected rows the data fail with :class:`DataError`.
    batch_rows
        Rows per batch for large Parquet files.

    Returns
    -------
    Records

    Raises
    ------
    InputFileError, SchemaError
        Unreadable file or missing required column (exit code 2).
    KeyMissingError
        No key given and the environment variable is not set (exit code 2).
    DataError
        No usable row, or too many rejected rows (exit code 1).

    Examples
    --------
    >>> frame = pd.DataFrame({"person_id": ["a1", "a1", "b2"],
    ...                       "report_date": ["2024-01-05", "2024-02-01", "2024-03-03"],
    ...                       "age": ["17", "17", "230"], "gender": ["K", "K", "man"],
    ...                       "offence": ["Eget bruk"] * 3})
    >>> rec = read_reports(frame, key=b"0" * 32, max_rejected_share=1.0)
    >>> rec.accounting
    {'read': 3, 'used': 2, 'rejected': 1, 'duplicates': 0}
    """
    from .pseudonymise import key_from_env

    config = config or load_config()
    secret = key if key is not None else key_from_env(config.pseudonymisation.key_env)
    pseudonymiser = Pseudonymiser(secret)
    if _is_large_parquet(path_or_frame, batch_rows):
        path = Path(path_or_frame)  # type: ignore[arg-type]
        parts = [
            _check_rows(
                RawTable(frame=batch, source=path.name, sha256=None),
                config=config,
                pseudonymiser=pseudonymiser,
                today=today,
            )
            for batch in iter_parquet_batches(path, batch_size=batch_rows)
        ]
        records = _finish(parts, source=path.name, sha256=sha256_file(path))
        raw_source = path.name
    else:
        raw = read_table(path_or_frame, what="reports")
        records = validate_reports(raw, config=config, pseudonymiser=pseudonymiser, today=today)
        raw_source = raw.source
    acc = records.accounting
    if acc["read"] == 0:
        raise DataError(
            f"{raw.source}: the file has a header but no data rows; nothing to analyse."
        )
    if acc["used"] == 0:
        raise DataError(
            f"{raw_source}: none of the {acc['read']} rows can be used; see "
            "audit/rejected_rows.csv or run 'risk-indicators validate' for the reasons."
        )
    if acc["rejected"] > max_rejected_share * acc["read"]:
        raise DataError(
            f"{raw_source}: {acc['rejected']} of {acc['read']} rows were rejected, more than "
            f"{max_rejected_share:.0%}. Fix the extract (see the list of problems) and run again."
        )
    return records


def _is_large_parquet(path_or_frame: object, batch_rows: int) -> bool:
    if not isinstance(path_or_frame, str | os.PathLike):
        return False
    path = Path(path_or_frame)
    if path.suffix.lower() != ".parquet" or not path.is_file():
        return False
    return int(parquet_metadata(path)["num_rows"]) > batch_rows


def read_population(
    path_or_frame: str | os.PathLike[str] | pd.DataFrame | Path,
    *,
    config: Config | None = None,
) -> pd.DataFrame:
    """Read a population table (CONTRACT 1.2) as ``year, area, age_band, gender, population``.

    Single years of age are summed into the config's age bands; ``area`` is ``total`` when
    the file has no area column.
    """
    config = config or load_config()
    raw = read_table(path_or_frame, what="population")
    if raw.frame.empty:
        raise DataError(f"{raw.source}: the population file has no data rows.")
    return validate_population(raw, age_edges=config.age_bands, band_labels=config.age_band_labels)
