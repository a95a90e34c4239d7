"""The release ledger: everything ever published, so later releases cannot be differenced.

A ledger is one SQLite file (stdlib :mod:`sqlite3`). Each recorded release keeps, for every
cell of every table it held, the cell's keys, whether it was published (with the interval
a reader learns: the value itself, or ``value +- 2`` after rounding) or suppressed (primary
or secondary), and its *definition*: the sorted list of inner-cell variables it sums, e.g.
``persons|2024T1|A|15-17|man``. The structural links the audit used (window bounds,
``persons <= reports``, bounded indicator counts) are kept beside them. The audit of a
later release loads all of it, so a cell published in 2024T1's release with value ``v`` is
a constraint in the audit of 2024T2, and a cell suppressed then stays protected.

Fail closed by construction: a :class:`Release` is only made by
:func:`risk_indicators.disclosure.protect` after its audit passed, and
:meth:`Ledger.record` writes it in one transaction after the caller has written its files.
Recording the same release id again adds a new version; all versions stay history.

A ledger also keeps the fingerprint of the pseudonymisation key (a keyed digest of a fixed
text, :attr:`~risk_indicators.intake.Pseudonymiser.key_fingerprint`, which reveals nothing of
the key) of its first release from reports; a release made with another key is refused,
since its pseudonyms would not match the series' (:class:`~risk_indicators.errors.LedgerError`).
A file that is not a ledger, or one locked by another run for longer than
:data:`LOCK_TIMEOUT_SECONDS`, is a :class:`~risk_indicators.errors.LedgerError` as well.
"""

from __future__ import annotations

import functools
import hashlib
import json
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd

from risk_indicators.errors import DisclosureError, LedgerError

__all__ = ["CELL_COLUMNS", "LINK_COLUMNS", "LOCK_TIMEOUT_SECONDS", "Ledger", "LedgerSnapshot",
           "Release"]  # fmt: skip

#: How long a run waits for another run's transaction on the same ledger before it gives up.
LOCK_TIMEOUT_SECONDS = 30.0

CELL_COLUMNS = [
    "table", "period", "area", "age_band", "gender", "measure",
    "status", "low", "high", "definition",
]  # fmt: skip
LINK_COLUMNS = ["lo", "hi", "terms"]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS releases (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    release_id TEXT NOT NULL,
    version INTEGER NOT NULL,
    method TEXT NOT NULL,
    min_count INTEGER NOT NULL,
    recorded_at TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    UNIQUE (release_id, version)
);
CREATE TABLE IF NOT EXISTS cells (
    seq INTEGER NOT NULL REFERENCES releases (seq),
    tbl TEXT NOT NULL, period TEXT NOT NULL, area TEXT NOT NULL, age_band TEXT NOT NULL,
    gender TEXT NOT NULL, measure TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('published', 'rounded', 'primary', 'secondary')),
    low INTEGER, high INTEGER,
    definition TEXT NOT NULL,
    CHECK (low IS NULL OR high IS NULL OR low <= high)
);
CREATE TABLE IF NOT EXISTS links (
    seq INTEGER NOT NULL REFERENCES releases (seq),
    lo REAL, hi REAL, terms TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value TEXT NOT NULL);
"""
_KEY = "pseudonym_key"


@contextmanager
def _usable(path: Path) -> Iterator[None]:
    """SQLite's errors as a :class:`LedgerError` that names the file and the fix."""
    try:
        yield
    except sqlite3.OperationalError as exc:
        if "locked" in str(exc) or "busy" in str(exc):
            raise LedgerError(
                f"The release ledger {path} is locked by another run (waited "
                f"{LOCK_TIMEOUT_SECONDS:g} s): let that run finish, then run again."
            ) from None
        raise LedgerError(_unusable(path, exc)) from None
    except sqlite3.DatabaseError as exc:
        raise LedgerError(_unusable(path, exc)) from None


def _unusable(path: Path, exc: Exception) -> str:
    return (
        f"The release ledger {path} cannot be used ({exc}). Restore it from its backup; only "
        "for a new series give --ledger (or disclosure.ledger) a new file, since the releases "
        "recorded in this one would then not be protected against."
    )


def _guarded(method: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(method)
    def wrapper(self: Ledger, *args: Any, **kwargs: Any) -> Any:
        with _usable(self.path):
            return method(self, *args, **kwargs)

    return wrapper


@dataclass(frozen=True)
class Release:
    """What one release published, ready to be recorded once its files are written.

    Attributes
    ----------
    release_id
        E.g. ``"2024T1 tertial report"``; recording the same id again adds a version.
    method
        ``"suppress"`` or ``"round"``.
    min_count
        The threshold ``T`` the release was protected with.
    cells
        One row per table cell (columns :data:`CELL_COLUMNS`): ``low``/``high`` are what a
        reader learns about a published cell and are missing for suppressed ones.
    links
        Structural relations (columns :data:`LINK_COLUMNS`): ``lo <= sum(coef * var) <= hi``
        with ``terms`` a JSON list of ``[variable, coef]``; missing bounds are infinite.
    based_on
        The ledger state (:meth:`Ledger.state`) the audit saw; recording fails if the
        ledger changed since, because the audit did not include the newer releases.
    """

    release_id: str
    method: str
    min_count: int
    cells: pd.DataFrame
    links: pd.DataFrame
    based_on: int = 0

    def fingerprint(self) -> str:
        """SHA-256 of the content (cells and links, not the ledger state)."""
        h = hashlib.sha256()
        h.update(f"{self.method}|{self.min_count}|".encode())
        h.update(self.cells[CELL_COLUMNS].to_csv(index=False).encode())
        h.update(self.links[LINK_COLUMNS].to_csv(index=False).encode())
        return h.hexdigest()


@dataclass(frozen=True)
class LedgerSnapshot:
    """Every recorded cell and link, read in one transaction, with the state it reflects."""

    cells: pd.DataFrame
    links: pd.DataFrame
    state: int


class Ledger:
    """A SQLite file of every published cell of every release.

    Parameters
    ----------
    path
        The SQLite file; created with its tables on first use.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> ledger = Ledger(pathlib.Path(tempfile.mkdtemp()) / "releases.sqlite")
    >>> ledger.state(), len(ledger.history())
    (0, 0)
    """

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        if self.path.is_dir():
            raise LedgerError(f"The release ledger {self.path} is a folder: give a file name.")
        if not self.path.parent.is_dir():
            raise LedgerError(
                f"The folder of the release ledger {self.path} does not exist: create it, or "
                "give --ledger a file in an existing folder."
            )
        with _usable(self.path), closing(self._connect()) as con:
            con.executescript(_SCHEMA)

    def _connect(self) -> sqlite3.Connection:
        # autocommit mode: transactions are opened explicitly with BEGIN IMMEDIATE
        return sqlite3.connect(self.path, isolation_level=None, timeout=LOCK_TIMEOUT_SECONDS)

    @_guarded
    def check_key(self, fingerprint: str | None) -> None:
        """Refuse a key other than the one of the ledger's earlier releases.

        Parameters
        ----------
        fingerprint
            The key's fingerprint (algorithm, digest bits and keyed digest); ``None`` (a
            release from counts, without pseudonyms) is not checked.

        Raises
        ------
        LedgerError
            The ledger's releases were made with another key.
        """
        if fingerprint is None:
            return
        with closing(self._connect()) as con:
            _check_key(con, self.path, fingerprint)

    @_guarded
    def state(self) -> int:
        """The sequence number of the last recorded release (0 when empty)."""
        with closing(self._connect()) as con:
            return _state(con)

    @_guarded
    def releases(self) -> pd.DataFrame:
        """One row per recorded release version."""
        with closing(self._connect()) as con:
            return pd.read_sql_query(
                "SELECT release_id, version, method, min_count, recorded_at FROM releases "
                "ORDER BY seq",
                con,
            )

    def history(self) -> pd.DataFrame:
        """Every recorded cell with its ``release_id`` and ``version``."""
        return self.snapshot().cells

    @_guarded
    def snapshot(self) -> LedgerSnapshot:
        """Cells, links and state, read consistently in one transaction."""
        with closing(self._connect()) as con:
            con.execute("BEGIN")
            try:
                cells = pd.read_sql_query(
                    'SELECT r.release_id, r.version, c.tbl AS "table", c.period, c.area, '
                    "c.age_band, c.gender, c.measure, c.status, c.low, c.high, c.definition "
                    "FROM cells c JOIN releases r USING (seq) ORDER BY c.rowid",
                    con,
                )
                links = pd.read_sql_query("SELECT lo, hi, terms FROM links ORDER BY rowid", con)
                state = _state(con)
            finally:
                con.execute("COMMIT")
        return LedgerSnapshot(cells, links, state)

    @_guarded
    def record(
        self,
        release: Release,
        *,
        recorded_at: str | None = None,
        key_fingerprint: str | None = None,
    ) -> tuple[int, bool]:
        """Record a release in one transaction; its version and whether it is new.

        Call this only after the release's files were written. An identical release
        (same id and content as its latest version) is not recorded twice: rerunning a
        period on unchanged inputs leaves the ledger as it was. A release with the same id and
        other content (revised data, another config) is a new version; the earlier ones stay,
        since they may have been published.

        ``key_fingerprint`` (see :meth:`check_key`) is checked in the same transaction and
        kept when the ledger has none yet.

        Raises
        ------
        DisclosureError
            If the ledger gained a release after the audit of this one (audit again).
        LedgerError
            The ledger was made with another key, is locked or is not a ledger.
        """
        stamp = recorded_at or datetime.now(UTC).isoformat(timespec="seconds")
        fingerprint = release.fingerprint()
        with closing(self._connect()) as con:
            con.execute("BEGIN IMMEDIATE")
            try:
                if _state(con) != release.based_on:
                    raise DisclosureError(
                        f"The release ledger {self.path.name} changed after release "
                        f"'{release.release_id}' was audited; run the release again so that "
                        "its audit includes the newer releases."
                    )
                if key_fingerprint is not None:
                    _check_key(con, self.path, key_fingerprint)
                    con.execute("INSERT OR IGNORE INTO meta VALUES (?, ?)", (_KEY, key_fingerprint))
                last = con.execute(
                    "SELECT version, fingerprint FROM releases WHERE release_id = ? "
                    "ORDER BY version DESC LIMIT 1",
                    (release.release_id,),
                ).fetchone()
                if last is not None and last[1] == fingerprint:
                    con.execute("COMMIT")
                    return int(last[0]), False
                version = 1 if last is None else int(last[0]) + 1
                cur = con.execute(
                    "INSERT INTO releases (release_id, version, method, min_count, "
                    "recorded_at, fingerprint) VALUES (?, ?, ?, ?, ?, ?)",
                    (release.release_id, version, release.method, release.min_count, stamp,
                     fingerprint),
                )  # fmt: skip
                seq = int(cur.lastrowid or 0)
                self._insert_cells(con, seq, release.cells)
                self._insert_links(con, seq, release.links)
                con.execute("COMMIT")
            except BaseException:
                con.execute("ROLLBACK")
                raise
        return version, True

    @staticmethod
    def _insert_cells(con: sqlite3.Connection, seq: int, cells: pd.DataFrame) -> None:
        rows = [
            (seq, *(_opt(v) for v in row))
            for row in cells[CELL_COLUMNS].itertuples(index=False, name=None)
        ]
        con.executemany(f"INSERT INTO cells VALUES ({', '.join('?' * 11)})", rows)

    @staticmethod
    def _insert_links(con: sqlite3.Connection, seq: int, links: pd.DataFrame) -> None:
        rows = [
            (seq, _opt(lo), _opt(hi), terms)
            for lo, hi, terms in links[LINK_COLUMNS].itertuples(index=False, name=None)
        ]
        con.executemany("INSERT INTO links VALUES (?, ?, ?, ?)", rows)


def _check_key(con: sqlite3.Connection, path: Path, fingerprint: str) -> None:
    row = con.execute("SELECT value FROM meta WHERE name = ?", (_KEY,)).fetchone()
    if row is not None and row[0] != fingerprint:
        raise LedgerError(
            f"The release ledger {path} holds releases made with another pseudonymisation key "
            f"(fingerprint {row[0]}, this run {fingerprint}): set the key those releases used, "
            "or, for a new series on purpose, give --ledger a new file."
        )


def _state(con: sqlite3.Connection) -> int:
    row = con.execute("SELECT COALESCE(MAX(seq), 0) FROM releases").fetchone()
    return int(row[0])


def _opt(value: object) -> object:
    """Missing or infinite numbers are stored as NULL; numpy scalars as Python numbers."""
    if value is None or value is pd.NA:
        return None
    if isinstance(value, float) and (value != value or value in (float("inf"), float("-inf"))):
        return None
    if hasattr(value, "item"):
        return _opt(value.item())
    return value


def terms_json(terms: list[tuple[str, float]]) -> str:
    """Canonical JSON of link terms (sorted by variable)."""
    return json.dumps(sorted([name, float(coef)] for name, coef in terms))
