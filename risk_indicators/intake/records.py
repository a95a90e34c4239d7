"""Intake of police extracts: read -> validate -> pseudonymise, in one place.

:func:`read_reports` is the only function that sees raw person ids. It returns
:class:`Records`, whose tables carry pseudonyms only; the raw column is dropped before the
function returns, so nothing downstream can leak it.
"""

from __future__ import annotations

import logging
import os
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd

from risk_indicators._params import Interval, check_param
from risk_indicators.config import Config, load_config
from risk_indicators.errors import DataError, RejectedRowsError, SchemaError

from ._columns import check_batch
from ._mac import usable_cores
from ._memory import release_memory
from ._population_schema import validate_population
from ._settle import REJECTED_COLUMNS, settle
from ._sources import open_reports
from .io import RawTable, read_table
from .pseudonymise import Pseudonymiser

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
#: Rows per batch: Parquet and CSV files (and large tables) are read and checked this many
#: rows at a time, so memory holds the compact checked rows, not the whole file as text.
BATCH_ROWS = 500_000
PARQUET_BATCH_ROWS = BATCH_ROWS  # the name of earlier releases
#: Progress of a long intake: one line per checked batch (the command line shows it).
progress = logging.getLogger("risk_indicators.progress")


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
    #: Identifies the pseudonymisation (algorithm, digest bits, keyed digest of a fixed text)
    #: without revealing the key; a release ledger refuses records of another key.
    key_fingerprint: str | None = None

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


def validate_reports(
    raw: RawTable | Any,
    *,
    config: Config,
    pseudonymiser: Pseudonymiser,
    today: date | None = None,
    batch_rows: int = BATCH_ROWS,
) -> Records:
    """Validate and pseudonymise a reports table (see :func:`read_reports`).

    ``raw`` is a :class:`RawTable` or any input :func:`read_reports` accepts; it is checked
    ``batch_rows`` rows at a time on the columnar path (``_columns``, ``_settle``).
    """
    source = open_reports(raw, batch_rows=batch_rows)
    done = 0

    def check(batch: tuple[Any, Any]) -> Any:
        return check_batch(batch[0], batch[1], source=source.name, areas=config.areas,
                           today=today)  # fmt: skip

    def checked(batch: tuple[Any, Any]) -> None:
        nonlocal done
        done += len(batch[1])
        if done >= batch_rows:  # a file of one batch needs no progress
            progress.info("  %s: %s rows checked", source.name, f"{done:,}")

    parts = _in_threads(check, source.batches, collected=checked)
    release_memory()  # the batches' intermediate arrays, before the batches are settled
    valid, rejected, accounting, notes = settle(parts, pseudonymiser=pseudonymiser,
                                                source=source.name)  # fmt: skip
    release_memory()
    return Records(
        valid=valid,
        rejected=rejected,
        accounting=accounting,
        source=source.name,
        sha256=source.sha256,
        notes=tuple(notes),
    )


def _in_threads(
    func: Callable[[Any], Any],
    items: Iterator[Any],
    *,
    collected: Callable[[Any], None] = lambda item: None,
) -> list[Any]:
    """``[func(x) for x in items]`` on up to :func:`usable_cores` threads, in order, holding
    at most one item per thread (Arrow, Polars and numpy release the interpreter lock).

    ``collected(x)`` is called on this thread, in the order of ``items``, once ``func(x)`` is
    done: progress reports the same lines whichever thread finishes first.
    """
    workers = min(usable_cores(), 8)
    out: list[Any] = []
    if workers == 1:
        for item in items:
            out.append(func(item))
            collected(item)
        return out
    pending: deque[tuple[Any, Any]] = deque()
    with ThreadPoolExecutor(max_workers=workers) as pool:
        for item in items:
            if len(pending) >= workers:
                earlier, future = pending.popleft()
                out.append(future.result())
                collected(earlier)
            pending.append((item, pool.submit(func, item)))
        while pending:
            earlier, future = pending.popleft()
            out.append(future.result())
            collected(earlier)
    return out


def read_reports(
    path_or_frame: str | os.PathLike[str] | pd.DataFrame | Any,
    *,
    config: Config | None = None,
    key: bytes | None = None,
    today: date | None = None,
    max_rejected_share: float = MAX_REJECTED_SHARE,
    batch_rows: int = BATCH_ROWS,
) -> Records:
    """Read, validate and pseudonymise a reports file (CONTRACT 1.1).

    Every rule of CONTRACT 1.1 is checked on a columnar path (Apache Arrow compute, Polars
    for hash-based duplicates): each column is dictionary-encoded and its distinct values are
    checked once, person ids are parsed once per distinct text and pseudonymised once per
    distinct canonical id on every usable core. Parquet and CSV files (and large tables) are
    read and checked ``batch_rows`` rows at a time, so memory holds the compact checked rows,
    not the whole file as text; duplicates and gender conflicts are then settled over all
    batches. The result is the same as reading the file whole, for any batch size.

    Parameters
    ----------
    path_or_frame
        ``.csv``, ``.xlsx`` or ``.parquet`` file; a pandas or Polars DataFrame (or LazyFrame),
        a ``pyarrow.Table`` or ``RecordBatchReader``, a DuckDB relation, or anything with
        ``__arrow_c_stream__``. Rows of a table are numbered as in a file: index + 2.
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
        Rows per batch (memory of the intake grows with it; the result does not change).

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
    check_param(batch_rows, Interval(int, 1, None), name="batch_rows", func="read_reports")
    records = validate_reports(
        path_or_frame,
        config=config,
        pseudonymiser=pseudonymiser,
        today=today,
        batch_rows=batch_rows,
    )
    raw_source = records.source
    acc = records.accounting
    if acc["read"] == 0:
        raise DataError(
            f"{raw_source}: the file has a header but no data rows; nothing to analyse."
        )
    if acc["used"] == 0:
        raise RejectedRowsError(
            f"{raw_source}: none of the {acc['read']} rows can be used; see "
            "audit/rejected_rows.csv or run 'risk-indicators validate' for the reasons.",
            records.rejected,
        )
    if acc["rejected"] > max_rejected_share * acc["read"]:
        raise RejectedRowsError(
            f"{raw_source}: {acc['rejected']} of {acc['read']} rows were rejected, more than "
            f"{max_rejected_share:.0%}. Fix the extract (see the list of problems) and run again.",
            records.rejected,
        )
    fingerprint = (f"{pseudonymiser.algorithm}-{pseudonymiser.digest_bits}-"
                   f"{pseudonymiser.key_fingerprint}")  # fmt: skip
    return replace(records, key_fingerprint=fingerprint)


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
    if raw.frame.empty:  # unusable like a missing file: every rate needs it
        raise SchemaError(
            f"{raw.source}: the population file has no data rows. Add the population by year, "
            "age (or age_band) and gender, e.g. from SCB's table of the population on 31 "
            "December."
        )
    return validate_population(raw, age_edges=config.age_bands, band_labels=config.age_band_labels,
                               areas=config.areas)  # fmt: skip
