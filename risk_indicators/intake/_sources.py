"""Every input a researcher may hand to :func:`read_reports`, as batches of Arrow tables.

Accepted: a ``.csv``, ``.xlsx`` or ``.parquet`` path; a pandas DataFrame; anything that
speaks the Arrow C stream interface (``__arrow_c_stream__``: a ``pyarrow.Table`` or
``RecordBatchReader``, a Polars ``DataFrame``, a DuckDB relation), and a Polars
``LazyFrame`` (collected first). Each batch comes with the spreadsheet row number of each of
its rows (header = row 1, so the first data row is 2; for Parquet and the other tables, the
data row index + 2). Parquet and CSV files are read ``batch_rows`` rows at a time, so a
file larger than memory streams; the batches give the same result as the whole
(``tests/test_records.py``). XLSX workbooks are read whole (Excel holds at most a million
rows).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from risk_indicators.errors import InputFileError

from ._cells import _to_text
from ._csvhead import CSV_OPTIONS, csv_errors, read_csv_header
from ._sniff import _check_duplicate_headers, _detect_encoding, _existing_file, _no_header
from .io import RawTable, _finish_spreadsheet, _open_parquet, read_table, sha256_file
from .schema import REPORT_COLUMNS, normalise_token

#: Columns with one value per report: reading them as dictionaries would hash every row
_ONE_PER_REPORT = ("person_id", "report_id")

Batch = tuple[Any, np.ndarray]


@dataclass
class ReportSource:
    """Where the rows come from: a name for messages, the file checksum, the batches."""

    name: str
    sha256: str | None
    batches: Iterator[Batch]


def column_to_arrow(series: pd.Series) -> Any:
    """A pandas column as Arrow, its type kept; a column of mixed Python objects as text
    (the text a user would type, as :func:`risk_indicators.intake.io.read_table` gives)."""
    try:
        return pa.array(series, from_pandas=True)
    except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError, OverflowError):
        return pa.array(_to_text(series).to_numpy(dtype=object), type=pa.string())


def frame_to_arrow(frame: pd.DataFrame) -> Any:
    names = [str(c) for c in frame.columns]
    arrays = [column_to_arrow(frame.iloc[:, i].reset_index(drop=True)) for i in range(len(names))]
    return pa.Table.from_arrays(arrays, names=names) if names else pa.table({})


def _slices(table: Any, rows: np.ndarray, batch_rows: int) -> Iterator[Batch]:
    for start in range(0, max(table.num_rows, 1), batch_rows):
        yield table.slice(start, batch_rows), rows[start : start + batch_rows]


def _from_frame(frame: pd.DataFrame, batch_rows: int) -> Iterator[Batch]:
    rows = np.arange(len(frame), dtype=np.int64) + 2
    for start in range(0, max(len(frame), 1), batch_rows):
        part = frame.iloc[start : start + batch_rows]
        yield frame_to_arrow(part), rows[start : start + batch_rows]


def _from_stream(reader: Any, batch_rows: int) -> Iterator[Batch]:
    """Re-chunk a stream of record batches to ``batch_rows`` rows, numbering rows."""
    start = 0
    pending: list[Any] = []
    held = 0
    schema = reader.schema
    for batch in reader:
        pending.append(batch)
        held += batch.num_rows
        while held >= batch_rows:
            table = pa.Table.from_batches(pending, schema=schema)
            head, tail = table.slice(0, batch_rows), table.slice(batch_rows)
            yield head, np.arange(start, start + batch_rows, dtype=np.int64) + 2
            start += batch_rows
            pending, held = tail.to_batches(), tail.num_rows
    if held or start == 0:
        table = pa.Table.from_batches(pending, schema=schema)
        yield table, np.arange(start, start + table.num_rows, dtype=np.int64) + 2


def _coded_text_columns(schema: Any) -> list[str]:
    """The text columns of a Parquet file that hold report columns with few distinct values
    (codes, dates as text, areas): read as Arrow dictionaries, they are checked per value."""
    wide = {a for c in _ONE_PER_REPORT for a in REPORT_COLUMNS[c][0]}
    known = {a for c, (aliases, _r) in REPORT_COLUMNS.items() for a in aliases}
    return [
        f.name
        for f in schema
        if (pa.types.is_string(f.type) or pa.types.is_large_string(f.type))
        and normalise_token(f.name) in known - wide
    ]


def _parquet_batches(path: Path, what: str, batch_rows: int) -> Iterator[Batch]:
    parquet = _open_parquet(path, what)
    names = list(parquet.schema_arrow.names)
    if not names:
        raise _no_header(path, what)
    _check_duplicate_headers(names, path.name, what)
    coded = _coded_text_columns(parquet.schema_arrow)
    if coded:  # decoded from the file's dictionary pages: no text per row, no hashing
        parquet = pq.ParquetFile(path, read_dictionary=coded)
    start = 0
    batches = parquet.iter_batches(batch_size=batch_rows)
    while True:
        try:
            batch = next(batches)
        except StopIteration:
            break
        except Exception as exc:
            raise InputFileError(
                f"The {what} file '{path.name}' could not be read ({type(exc).__name__}); "
                "write it again."
            ) from None
        yield batch, np.arange(start, start + batch.num_rows, dtype=np.int64) + 2
        start += batch.num_rows
    if start == 0:
        empty = pa.Table.from_batches([], schema=parquet.schema_arrow)
        yield empty, np.zeros(0, dtype=np.int64)


def _csv_batches(path: Path, what: str, batch_rows: int) -> Iterator[Batch]:
    """A CSV file ``batch_rows`` rows at a time, each value as text exactly as
    :func:`~risk_indicators.intake.io.read_table` reads it (blank lines are not rows)."""
    encoding, _ = _detect_encoding(path, what)
    separator, names = read_csv_header(path, what, encoding)

    # pandas reads ahead while the reader is made, so its errors can come from either call
    with csv_errors(path, what, separator):
        reader = pd.read_csv(path, sep=separator, encoding=encoding, chunksize=batch_rows,
                             **CSV_OPTIONS)  # fmt: skip
    seen = False
    while True:
        with csv_errors(path, what, separator):
            frame = next(reader, None)
        if frame is None:
            break
        seen = True
        frame.columns = [str(c) for c in frame.columns]
        # unnamed empty columns are left out per batch; they never name a report column
        frame, _ = _finish_spreadsheet(frame, path.name, what)
        yield frame_to_arrow(frame), frame.index.to_numpy(dtype=np.int64) + 2
    if not seen:
        header = [n or f"Unnamed: {i}" for i, n in enumerate(names)]
        yield pa.table({n: pa.array([], type=pa.string()) for n in header}), np.zeros(0, np.int64)


def open_reports(obj: Any, *, batch_rows: int, what: str = "reports") -> ReportSource:
    """The batches of any accepted input (see the module docstring)."""
    if isinstance(obj, RawTable):
        rows = obj.frame.index.to_numpy(dtype=np.int64) + obj.row_offset
        return ReportSource(
            obj.source, obj.sha256, _slices(frame_to_arrow(obj.frame), rows, batch_rows)
        )
    if isinstance(obj, pd.DataFrame):
        _check_duplicate_headers([str(c) for c in obj.columns], "<DataFrame>", what)
        return ReportSource("<DataFrame>", None, _from_frame(obj, batch_rows))
    if isinstance(obj, str | os.PathLike):
        path = _existing_file(obj, what)
        suffix = path.suffix.lower()
        if suffix == ".parquet":
            _open_parquet(path, what)
            return ReportSource(
                path.name, sha256_file(path), _parquet_batches(path, what, batch_rows)
            )
        if suffix == ".csv":
            return ReportSource(path.name, sha256_file(path), _csv_batches(path, what, batch_rows))
        raw = read_table(path, what=what)  # .xlsx, or a message for any other extension
        return open_reports(raw, batch_rows=batch_rows, what=what)
    kind = type(obj)
    name = f"<{kind.__module__.split('.')[0]}.{kind.__name__}>"
    if hasattr(obj, "collect") and not hasattr(obj, "__arrow_c_stream__"):
        obj = obj.collect()  # a Polars LazyFrame
    if isinstance(obj, pa.RecordBatch):
        obj = pa.Table.from_batches([obj])
    if hasattr(obj, "__arrow_c_stream__"):
        reader = pa.RecordBatchReader.from_stream(obj)
        _check_duplicate_headers([str(n) for n in reader.schema.names], name, what)
        return ReportSource(name, None, _from_stream(reader, batch_rows))
    raise InputFileError(
        f"The {what} cannot be read from a {kind.__name__}: give a .csv, .xlsx or .parquet "
        "path, a pandas or Polars DataFrame, a pyarrow Table or a DuckDB relation."
    )
