"""Checks of an input file before it is parsed: it exists, is text, and its dialect.

A missing, empty or binary file (a NUL byte anywhere in a CSV), a workbook saved as ``.csv``
and a repeated header are reported here in plain words
(:class:`~risk_indicators.errors.InputFileError`, exit code 2); the encoding (strict UTF-8,
else cp1252 as Windows Excel writes it) and the separator (``,``, ``;`` or tab, from the
header line) are detected for :mod:`risk_indicators.intake.io`.
"""

from __future__ import annotations

import codecs
import itertools
import os
import zipfile
from collections.abc import Sequence
from pathlib import Path

from risk_indicators.errors import InputFileError

_CHUNK = 1 << 20
_SEPARATORS = (",", ";", "\t")


def _existing_file(path_like: str | os.PathLike[str], what: str) -> Path:
    path = Path(path_like)
    if not path.exists():
        raise InputFileError(
            f"The {what} file '{path}' was not found. Check the path and the file name "
            f"(relative paths start in {Path.cwd()})."
        )
    if path.is_dir():
        raise InputFileError(f"The {what} path '{path}' is a folder; give the file inside it.")
    if path.stat().st_size == 0:
        raise InputFileError(
            f"The {what} file '{path.name}' is empty (0 bytes). Export it again with a header "
            "row and the data rows."
        )
    return path


def _dialect(separator: str | None, encoding: str | None) -> dict[str, str | None]:
    decimal = None if separator is None else ("," if separator == ";" else ".")
    return {"separator": separator, "encoding": encoding, "decimal": decimal}


def _no_header(path: Path, what: str) -> InputFileError:
    return InputFileError(
        f"The {what} file '{path.name}' has no header row. The first row must hold the column "
        "names."
    )


def _column_letter(number: int) -> str:
    letters = ""
    while number:
        number, rest = divmod(number - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _check_duplicate_headers(names: Sequence[str], source: str, what: str) -> None:
    # The message gives positions, not the name: in a file without a header row the "names"
    # are the first data row and may hold a person id.
    first: dict[str, int] = {}
    for number, name in enumerate(names, start=1):
        if name in first:
            a, b = first[name], number
            raise InputFileError(
                f"The {what} file '{source}' has two columns with the same name: columns {a} "
                f"and {b} ({_column_letter(a)} and {_column_letter(b)} in Excel). Rename or "
                "remove one of them, and check that the first row holds the column names."
            )
        first[name] = number


def _not_text(path: Path, what: str, line: int | None = None) -> InputFileError:
    why = (
        " (UTF-16 or binary)"
        if line is None
        else f": it holds a NUL byte (a binary zero) in line {line}, so it is damaged or not "
        "a CSV export"
    )
    return InputFileError(
        f"The {what} file '{path.name}' is not plain text{why}. Save it again as "
        "'CSV UTF-8 (comma delimited)'."
    )


def _is_other_archive(path: Path) -> bool:
    """Whether a file that starts like a zip is a zip archive but not an Excel workbook."""
    try:
        with zipfile.ZipFile(path) as archive:
            names = archive.namelist()
    except (zipfile.BadZipFile, OSError, ValueError):
        return False  # damaged: it may still be a workbook, as its first bytes say
    return bool(names) and not any(n.startswith("xl/") for n in names)


def _line_of(path: Path, offset: int) -> int:
    """The line (1-based) of byte ``offset``; read again only when a message needs it."""
    lines, done = 1, 0
    with path.open("rb") as fh:
        while done < offset:
            chunk = fh.read(min(_CHUNK, offset - done))
            if not chunk:
                break
            lines += chunk.count(b"\n")
            done += len(chunk)
    return lines


def _detect_encoding(path: Path, what: str) -> tuple[str, str]:
    """Return (encoding for reading, encoding to report) and fail early on non-text files.

    The whole file is read once, in chunks of 1 MiB (never held whole): every chunk is
    checked for a NUL byte (a text file has none; a late one would end up inside a value)
    and decoded as strict UTF-8, so a late "å" in cp1252 is caught.
    """
    with path.open("rb") as fh:
        head = fh.read(_CHUNK)
        if head.startswith(b"PK\x03\x04") and not _is_other_archive(path):
            raise InputFileError(
                f"The {what} file '{path.name}' is an Excel workbook saved with the extension "
                ".csv. Rename it to .xlsx or save it again as CSV."
            )
        if head.startswith((b"\xff\xfe", b"\xfe\xff")) or b"\x00" in head:
            raise _not_text(path, what)
        decoder: codecs.IncrementalDecoder | None = codecs.getincrementaldecoder("utf-8")(
            errors="strict"
        )
        offset = 0
        for chunk in itertools.chain([head], iter(lambda: fh.read(_CHUNK), b"")):
            nul = chunk.find(b"\x00")
            if nul >= 0:
                raise _not_text(path, what, _line_of(path, offset + nul))
            if decoder is not None:
                try:
                    decoder.decode(chunk)
                except UnicodeDecodeError:
                    decoder = None  # cp1252; the rest is still checked for NUL bytes
            offset += len(chunk)
        if decoder is not None:
            try:
                decoder.decode(b"", final=True)
            except UnicodeDecodeError:
                decoder = None
    if decoder is None:
        return "cp1252", "cp1252"
    return "utf-8-sig", ("utf-8-sig" if head.startswith(codecs.BOM_UTF8) else "utf-8")


def _detect_separator(header_line: str) -> str:
    counts = {sep: 0 for sep in _SEPARATORS}
    quoted = False
    for char in header_line:
        if char == '"':
            quoted = not quoted
        elif not quoted and char in counts:
            counts[char] += 1
    best = max(_SEPARATORS, key=lambda sep: counts[sep])  # ties keep the earlier: comma
    return best if counts[best] > 0 else ","
