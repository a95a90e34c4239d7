"""Reading input tables (CSV, XLSX, Parquet, DataFrame) and writing outputs atomically.

Every value is read as text: the schema parses numbers (including the Swedish decimal comma),
dates and codes itself, so no value is guessed or rounded here. The returned frame keeps the
original header names; its index is the position of the data row in the source, so the row
number a spreadsheet shows is ``index + row_offset`` (header = row 1, first data row = 2).
Never reset that index before rows are reported.

Jobs live in private modules: file checks and dialect detection in ``_sniff``, values as text
in ``_cells``, and the writers in ``_atomic`` (temporary file in the destination folder moved
in place with ``os.replace``, so a reader sees either the old file or the new one, never half
a file). The writers are re-exported here.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from risk_indicators._atomic import (
    atomic_directory,
    atomic_write_bytes,
    atomic_write_text,
    sha256_file,
    write_csv,
    write_json,
)
from risk_indicators.errors import InputFileError, SchemaError

from ._cells import _arrow_to_text, _cell_to_text, _to_text
from ._csvhead import CSV_OPTIONS, check_title_rows, csv_errors, read_csv_header
from ._sniff import _check_duplicate_headers, _detect_encoding, _dialect, _existing_file, _no_header

__all__ = [
    "RawTable",
    "atomic_directory",
    "atomic_write_bytes",
    "atomic_write_text",
    "iter_parquet_batches",
    "parquet_metadata",
    "read_table",
    "sha256_file",
    "write_csv",
    "write_json",
]

_FIX_FORMAT = "use .csv, .xlsx or .parquet"


@dataclass(frozen=True, eq=False)
class RawTable:
    """A table exactly as read, every value as text.

    Attributes
    ----------
    frame
        One text column per source column, original header names; missing values are ``""``.
        The index is the data-row position in the source (kept when blank rows are left out).
    source
        The file name, or ``"<DataFrame>"``.
    sha256
        SHA-256 of the file bytes (``None`` for a DataFrame), for ``audit/run.json``.
    row_offset
        Spreadsheet row number = index + ``row_offset`` (2 for every format).
    dialect
        ``separator``, ``encoding`` and ``decimal`` (``","`` when the separator is ``";"``, as
        Swedish Excel writes it); ``None`` values for formats without a text dialect.
    blank_rows
        Rows of a CSV or XLSX file in which every cell is empty; a spreadsheet shows them as
        blank lines, so they are left out of ``frame`` (never counted as read rows).
    """

    frame: pd.DataFrame
    source: str
    sha256: str | None
    row_offset: int = 2
    dialect: dict[str, str | None] = field(default_factory=dict)
    blank_rows: int = 0

    @property
    def row_numbers(self) -> pd.Series:
        """Spreadsheet row number of every row of ``frame``."""
        return pd.Series(self.frame.index + self.row_offset, index=self.frame.index, name="row")


# ----------------------------------------------------------------------------------- reading
def read_table(
    path_or_frame: str | os.PathLike[str] | pd.DataFrame, *, what: str = "reports"
) -> RawTable:
    """Read a ``.csv``, ``.xlsx`` or ``.parquet`` file (or copy a DataFrame) as text.

    Parameters
    ----------
    path_or_frame
        A file path or a pandas DataFrame (copied, never mutated; its rows are numbered by
        position).
    what
        What the file holds (``"reports"``, ``"population"``, ``"counts"``); used in messages.

    Returns
    -------
    RawTable
        A header without data rows gives an empty frame: the caller decides whether that is an
        error.

    Raises
    ------
    InputFileError
        Missing, empty, undecodable or corrupt file, or an unknown extension (exit code 2);
        a CSV with a NUL byte anywhere, a header cell over ``csv.field_size_limit()``
        characters, or rows the parser cannot split (the message names the spreadsheet row);
        a CSV or XLSX whose column names are not in row 1 but in one of rows 2-10 (title
        rows above the header): the message names the row of the column names and says to
        delete the rows above it. Such rows are never skipped silently, so every row number
        in a message is the row the spreadsheet shows.

    Notes
    -----
    CSV: the encoding is UTF-8 (with or without BOM) when the bytes decode strictly as UTF-8,
    otherwise cp1252 (Windows Excel); the separator is whichever of ``,``, ``;`` or tab occurs
    most often in the header line. XLSX: the first sheet; dates become ``YYYY-MM-DD`` (with
    `` HH:MM:SS`` only when the time is not midnight) and integral numbers lose their ``.0``.

    Examples
    --------
    >>> raw = read_table(pd.DataFrame({"person_id": ["a1"], "age": [17]}))
    >>> raw.frame["age"].tolist(), raw.source
    (['17'], '<DataFrame>')
    """
    if isinstance(path_or_frame, pd.DataFrame):
        names = [str(c) for c in path_or_frame.columns]
        _check_duplicate_headers(names, "<DataFrame>", what)
        index = pd.RangeIndex(len(path_or_frame))
        frame = pd.DataFrame(
            {n: _to_text(path_or_frame.iloc[:, i]).set_axis(index) for i, n in enumerate(names)},
            index=index,
        )
        return RawTable(frame, "<DataFrame>", None, 2, _dialect(None, None))
    path = _existing_file(path_or_frame, what)
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return _read_csv(path, what)
    if suffix == ".xlsx":
        return _read_xlsx(path, what)
    if suffix == ".parquet":
        return _read_parquet(path, what)
    hint = " (an old Excel file: save it again as Excel Workbook .xlsx)" if suffix == ".xls" else ""
    raise InputFileError(
        f"The {what} file '{path.name}' has the extension '{suffix or '(none)'}', which cannot "
        f"be read{hint}; {_FIX_FORMAT}."
    )


def _read_csv(path: Path, what: str) -> RawTable:
    encoding, reported = _detect_encoding(path, what)
    separator, _ = read_csv_header(path, what, encoding)
    with csv_errors(path, what, separator):
        frame = pd.read_csv(path, sep=separator, encoding=encoding, **CSV_OPTIONS)
    frame.columns = [str(c) for c in frame.columns]
    frame, blank = _finish_spreadsheet(frame, path.name, what)
    return RawTable(frame, path.name, sha256_file(path), 2, _dialect(separator, reported), blank)


def _read_xlsx(path: Path, what: str) -> RawTable:
    import openpyxl

    try:
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types; the class name is enough to report
        raise InputFileError(
            f"The {what} file '{path.name}' cannot be opened as an Excel workbook "
            f"({type(exc).__name__}). It may be damaged, password protected or an old .xls "
            "file: open it in Excel and save it again as Excel Workbook (.xlsx)."
        ) from None
    try:
        sheet = workbook.worksheets[0]
        rows = [tuple(_cell_to_text(v) for v in row) for row in sheet.iter_rows(values_only=True)]
    except Exception as exc:
        raise InputFileError(
            f"The {what} file '{path.name}' could not be read ({type(exc).__name__}). Open it "
            "in Excel and save it again as Excel Workbook (.xlsx)."
        ) from None
    finally:
        workbook.close()
    check_title_rows(rows, path.name, what)
    if not rows or not any(rows[0]):
        raise _no_header(path, what)
    width = max(len(row) for row in rows)
    header = [h or f"Unnamed: {i}" for i, h in enumerate(rows[0] + ("",) * (width - len(rows[0])))]
    body = [row + ("",) * (width - len(row)) for row in rows[1:]]
    frame = pd.DataFrame(body, columns=header, dtype=object)
    if not body:
        frame = pd.DataFrame({name: pd.Series([], dtype=object) for name in header})
    frame, blank = _finish_spreadsheet(frame, path.name, what)
    return RawTable(frame, path.name, sha256_file(path), 2, _dialect(None, None), blank)


def _finish_spreadsheet(frame: pd.DataFrame, source: str, what: str) -> tuple[pd.DataFrame, int]:
    """Drop unnamed empty columns and blank rows (keeping the index) and make columns text."""
    keep = [
        i
        for i, name in enumerate(frame.columns)
        if not (str(name).startswith("Unnamed: ") and (frame.iloc[:, i] == "").all())
    ]
    frame = frame.iloc[:, keep]
    _check_duplicate_headers(list(frame.columns), source, what)
    frame = pd.DataFrame({c: _to_text(frame[c]) for c in frame.columns}, index=frame.index)
    if frame.shape[1] == 0:
        return frame, 0
    blank = np.logical_and.reduce([frame[c].str.strip().eq("").to_numpy() for c in frame.columns])
    return frame.loc[~blank], int(blank.sum())


def _open_parquet(path: Path, what: str) -> Any:
    import pyarrow.parquet as pq

    try:
        return pq.ParquetFile(path)
    except Exception as exc:
        raise InputFileError(
            f"The {what} file '{path.name}' cannot be read as Parquet ({type(exc).__name__}). "
            "It may be damaged or not a Parquet file; write it again (e.g. DataFrame.to_parquet)."
        ) from None


def _read_parquet(path: Path, what: str) -> RawTable:
    parquet = _open_parquet(path, what)
    if not parquet.schema_arrow.names:
        raise _no_header(path, what)
    try:
        table = parquet.read()
    except Exception as exc:
        raise InputFileError(
            f"The {what} file '{path.name}' could not be read ({type(exc).__name__}); write "
            "it again."
        ) from None
    _check_duplicate_headers(table.column_names, path.name, what)
    frame = _arrow_to_text(table)
    return RawTable(frame, path.name, sha256_file(path), 2, _dialect(None, None))


def parquet_metadata(path: str | os.PathLike[str], *, what: str = "reports") -> dict[str, Any]:
    """Return ``{"columns": [...], "num_rows": n}`` of a Parquet file without reading data."""
    parquet = _open_parquet(_existing_file(path, what), what)
    return {"columns": list(parquet.schema_arrow.names), "num_rows": parquet.metadata.num_rows}


def iter_parquet_batches(
    path: str | os.PathLike[str],
    *,
    batch_size: int = 1_000_000,
    columns: Sequence[str] | None = None,
    what: str = "reports",
) -> Iterator[pd.DataFrame]:
    """Yield a large Parquet file as text DataFrames of at most ``batch_size`` rows.

    Values are converted exactly as :func:`read_table` does; the index continues across
    batches, so the row number is ``index + 2`` as for the whole file.

    Parameters
    ----------
    path
        The ``.parquet`` file.
    batch_size
        Rows per batch (memory is roughly proportional to it).
    columns
        Read only these columns (exact names); ``None`` reads all.
    """
    if batch_size < 1:
        raise ValueError(f"batch_size must be a positive integer. Got {batch_size!r} instead.")
    file = _existing_file(path, what)
    parquet = _open_parquet(file, what)
    names = list(parquet.schema_arrow.names)
    if columns is not None:
        missing = [c for c in columns if c not in names]
        if missing:
            cases = pd.DataFrame(
                {
                    "row": [1] * len(missing),
                    "column": missing,
                    "reason": ["column missing"] * len(missing),
                }
            )
            raise SchemaError(
                f"The {what} file '{file.name}' has no column {', '.join(map(repr, missing))}. "
                f"Its columns are: {', '.join(names)}.",
                cases,
            )
    start = 0
    for batch in parquet.iter_batches(
        batch_size=batch_size, columns=list(columns) if columns else None
    ):
        yield _arrow_to_text(batch, start)
        start += batch.num_rows
