"""The header row of an input table, and the messages of a CSV that is not a regular table.

Shared by :func:`risk_indicators.intake.io.read_table` (the whole file) and
:mod:`risk_indicators.intake._sources` (a CSV in batches), so both say the same:

- Row 1 holds the column names. When it holds no known column name (of any input kind) and
  one of rows 2-10 does (two or more), the rows above are a title, an extract date or blank
  rows: the file is refused (:class:`~risk_indicators.errors.InputFileError`, exit code 2)
  naming the row of the column names and saying to delete the rows above it. Nothing is
  skipped silently: an analyst then sees every row the file holds in the row numbers of the
  messages, as the spreadsheet shows them.
- A header cell longer than ``csv.field_size_limit()`` characters (a broken export or the
  wrong file) is refused too, as is a CSV that the parser cannot split into rows (the row a
  spreadsheet shows, header = row 1; pandas counts its "row" from 0).
"""

from __future__ import annotations

import csv
import functools
import re
import warnings
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pandas as pd

from risk_indicators.errors import InputFileError

from ._sniff import _check_duplicate_headers, _detect_separator, _no_header

#: Rows searched for the column names when row 1 holds none (title rows are few).
TITLE_SCAN = 10


@functools.cache
def _known_names() -> frozenset[str]:
    """Every accepted column name of every input kind, as ``normalise_token`` gives it."""
    from .activity import ACTIVITY_COLUMNS
    from .counts import COUNT_COLUMNS
    from .schema import POPULATION_COLUMNS, REPORT_COLUMNS

    specs = (REPORT_COLUMNS, POPULATION_COLUMNS, COUNT_COLUMNS, ACTIVITY_COLUMNS)
    return frozenset(alias for spec in specs for aliases, _ in spec.values() for alias in aliases)


def _known(cells: Sequence[object]) -> int:
    """How many distinct cells are known column names."""
    from .schema import normalise_token

    names = _known_names()
    return len({t for c in cells if c and (t := normalise_token(str(c))) in names})


def check_title_rows(rows: Iterable[Sequence[object]], source: str, what: str) -> None:
    """Refuse a table whose column names are below row 1 (``rows`` are rows 1, 2, ...).

    Only the first :data:`TITLE_SCAN` rows are looked at, and only when row 1 holds no known
    column name; a row below counts as the header when two or more of its cells are known
    names (one known word in a data row is not enough)."""
    for number, cells in enumerate(rows, start=1):
        if number > TITLE_SCAN:
            return
        if number == 1:
            if _known(cells):
                return
        elif _known(cells) >= 2:
            above = "row 1" if number == 2 else f"rows 1-{number - 1}"
            raise InputFileError(
                f"The {what} file '{source}' has its column names in row {number}, not in row "
                f"1: {above} above {'it holds' if number == 2 else 'them hold'} something else "
                "(a title, a date or a blank row). "
                f"Delete {above} so that row 1 holds the column names, and save the file again."
            )


def _cells(line: str, separator: str) -> list[str]:
    """The cells of one CSV line (a line that is not CSV has none)."""
    try:
        return next(csv.reader([line.rstrip("\r\n")], delimiter=separator), [])
    except csv.Error:
        return []


def _header_cells(line: str, separator: str, path: Path, what: str) -> list[str]:
    try:
        return next(csv.reader([line.rstrip("\r\n")], delimiter=separator))
    except csv.Error as exc:
        if "field limit" in str(exc):
            why = f"a cell of more than {csv.field_size_limit()} characters"
        else:
            why = f"text that cannot be read as CSV ({exc})"
        raise InputFileError(
            f"The {what} file '{path.name}' has {why} in its header row (row 1), which must "
            f"hold the column names. Check that it is the {what} file and a CSV export, and "
            "export it again with the column names in row 1."
        ) from None


def read_csv_header(path: Path, what: str, encoding: str) -> tuple[str, list[str]]:
    """The separator and the column names of a CSV file (row 1), after the checks above."""
    with path.open("r", encoding=encoding, errors="replace", newline="") as fh:
        header_line = fh.readline()
        separator = _detect_separator(header_line)
        names = _header_cells(header_line, separator, path, what) if header_line.strip() else []
        if not _known(names):
            rows = [names]
            for _ in range(TITLE_SCAN - 1):
                line = fh.readline()
                if not line:
                    break
                rows.append(_cells(line, _detect_separator(line)))
            check_title_rows(rows, path.name, what)
    if not header_line.strip():
        raise _no_header(path, what)
    # pandas renames a repeated header to "x.1"; catch it first so nothing is silently renamed
    _check_duplicate_headers([n or f"Unnamed: {i}" for i, n in enumerate(names)], path.name, what)
    return separator, names


def not_regular(exc: Exception, path: Path, what: str, separator: str) -> InputFileError:
    """The message of a pandas ``ParserError`` (or ``ParserWarning``) of a CSV file.

    pandas names the line number, never the content of the line; its warning (no line
    number) only comes when the first data row is longer than the header."""
    detail = str(exc).replace("Error tokenizing data. C error: ", "").strip().rstrip(".")
    fix = ""
    if isinstance(exc, pd.errors.ParserWarning):
        detail = "row 2 has more fields than the header"
    quote = re.fullmatch(r"EOF inside string starting at row (\d+)", detail)
    if quote:  # pandas counts this row from 0 (the header); a spreadsheet from 1
        detail = f"the quote that opens a value in row {int(quote[1]) + 1} is never closed"
        fix = "Close or remove that quote. "
    return InputFileError(
        f"The {what} file '{path.name}' is not a regular table ({detail}). {fix}Every row "
        f"needs as many '{separator}'-separated fields as the header; quote values that "
        f"contain '{separator}'."
    )


#: How every CSV is read: each value as its text (nothing becomes NaN), blank lines kept so
#: that row numbers stay those a spreadsheet shows, no column taken as the index.
CSV_OPTIONS: dict[str, Any] = {"dtype": str, "keep_default_na": False, "na_filter": False,
                               "skip_blank_lines": False, "index_col": False}  # fmt: skip


@contextmanager
def csv_errors(path: Path, what: str, separator: str) -> Iterator[None]:
    """pandas' errors while reading a CSV, as the package's
    :class:`~risk_indicators.errors.InputFileError` naming the file, the row and the fix.

    A ``ParserWarning`` (the first data row longer than the header) is an error too. Do not
    let ``StopIteration`` cross the block (``next(it, None)``): a generator-based context
    manager would swallow it.
    """
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", pd.errors.ParserWarning)
            yield
    except UnicodeDecodeError as exc:
        raise InputFileError(
            f"The {what} file '{path.name}' could not be decoded as UTF-8 or Windows-1252 text "
            f"(byte position {exc.start}). Save it again as 'CSV UTF-8'."
        ) from None
    except pd.errors.EmptyDataError:
        raise _no_header(path, what) from None
    except (pd.errors.ParserError, pd.errors.ParserWarning) as exc:
        raise not_regular(exc, path, what, separator) from None
