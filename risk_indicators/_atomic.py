"""Atomic writes of output files and folders, and the SHA-256 of a file.

Writes go to a temporary file in the destination folder and are moved in place with
``os.replace``, so a reader sees either the old file or the new one, never half a file.
Re-exported by :mod:`risk_indicators.intake.io`, which is where callers import them from.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import io
import json
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

__all__ = [
    "atomic_directory",
    "atomic_write_bytes",
    "atomic_write_text",
    "sha256_file",
    "write_csv",
    "write_json",
]

_CHUNK = 1 << 20
# The umask is read once: reading it means setting it, which is not thread safe.
_UMASK = os.umask(0)
os.umask(_UMASK)


def sha256_file(path: str | os.PathLike[str]) -> str:
    """Return the hexadecimal SHA-256 of a file's bytes, read in 1 MiB chunks."""
    digest = hashlib.sha256()
    with Path(path).open("rb") as fh:
        for chunk in iter(lambda: fh.read(_CHUNK), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _fsync_dir(folder: Path) -> None:
    if os.name != "posix":  # directories cannot be opened for fsync on Windows
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def atomic_write_bytes(path: str | os.PathLike[str], data: bytes) -> None:
    """Write ``data`` to ``path`` atomically (temporary file in the same folder + ``os.replace``).

    The parent folder is created when missing. On any error the temporary file is removed and
    an existing ``path`` is left as it was.
    """
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp_name, 0o666 & ~_UMASK)  # mkstemp creates 0600; match a normal new file
        os.replace(tmp_name, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp_name)
        raise
    _fsync_dir(target.parent)


def atomic_write_text(path: str | os.PathLike[str], text: str) -> None:
    """Write ``text`` atomically as UTF-8 without BOM, newlines kept as ``"\\n"``."""
    atomic_write_bytes(path, text.encode("utf-8"))


def write_csv(df: pd.DataFrame, path: str | os.PathLike[str]) -> None:
    """Write a tidy table as CSV: UTF-8, comma, dot decimal, ``"\\n"``, no index.

    Floats are written with ``%.10g`` so the bytes do not depend on the last bits of a
    computation; missing values are empty cells.
    """
    buffer = io.StringIO()
    df.to_csv(buffer, index=False, sep=",", decimal=".", float_format="%.10g", lineterminator="\n")
    atomic_write_text(path, buffer.getvalue())


def _json_default(value: Any) -> Any:
    if value is pd.NaT or value is pd.NA:
        raise ValueError("Out of range value: a missing value (NaT or NA) has no JSON form")
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.floating):
        return float(value)
    if isinstance(value, np.bool_):
        return bool(value)
    if isinstance(value, dt.date | dt.datetime | pd.Timestamp):
        return value.isoformat()
    if isinstance(value, Path):
        return str(value)
    raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")


def write_json(obj: Any, path: str | os.PathLike[str]) -> None:
    """Write ``obj`` as JSON (insertion order, indent 2, UTF-8 text, final newline).

    Raises
    ------
    ValueError
        When ``obj`` holds NaN, infinity, NaT or NA: published files say "not defined".
    """
    try:
        text = json.dumps(obj, indent=2, ensure_ascii=False, allow_nan=False, default=_json_default)
    except ValueError as exc:
        if "Out of range" not in str(exc):
            raise
        raise ValueError(
            f"Cannot write '{Path(path).name}': it holds NaN, infinity or a missing value "
            f"({exc}). Write null with a reason ('not defined') instead."
        ) from None
    atomic_write_text(path, text + "\n")


@contextlib.contextmanager
def atomic_directory(final_dir: str | os.PathLike[str]) -> Iterator[Path]:
    """Build a folder elsewhere and swap it in only when the block succeeds.

    Yields a temporary sibling folder of ``final_dir``. When the block ends without an
    exception, an existing ``final_dir`` is renamed away, the new folder renamed in and the old
    one removed. When the block raises, the temporary folder is removed and ``final_dir`` is
    left untouched. A killed process may leave a hidden ``.<name>.tmp-*`` sibling behind.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> out = pathlib.Path(tempfile.mkdtemp()) / "public"
    >>> with atomic_directory(out) as tmp:
    ...     atomic_write_text(tmp / "a.txt", "ok\\n")
    >>> (out / "a.txt").read_text()
    'ok\\n'
    """
    final = Path(final_dir)
    final.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(dir=final.parent, prefix=f".{final.name}.tmp-"))
    try:
        yield tmp
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    os.chmod(tmp, 0o777 & ~_UMASK)
    old: Path | None = None
    if final.exists():
        old = Path(tempfile.mkdtemp(dir=final.parent, prefix=f".{final.name}.old-"))
        os.rmdir(old)
        os.replace(final, old)
    try:
        os.replace(tmp, final)
    except BaseException:
        if old is not None:
            os.replace(old, final)
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    _fsync_dir(final.parent)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)
