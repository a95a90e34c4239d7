"""Faults around a run (issue 19): a corrupt, locked or other-key ledger, a folder that cannot be
written, a write failing mid-run, SIGTERM during the audit.

Each fault must end with the documented exit code and a message naming the file and the fix,
leave no partial ``public/`` and leave the ledger as it was (its bytes, or its releases).
The expectations are the rules of the README's "Release ledger" section, written out by hand.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import time
from pathlib import Path
from typing import Any

import pytest

import risk_indicators as ri
import risk_indicators.release._write as release_write
from risk_indicators.disclosure import Ledger
from risk_indicators.disclosure import ledger as ledger_module
from tests.test_cli import AREAS_TOML, NAMED_SOURCE_TOML, both, invoke, valid_rows, write_csv

pytestmark = pytest.mark.usefixtures("key_env")


def _args(tmp_path: Path, population: Path, ledger: Path, out: str = "out") -> list[Any]:
    config = tmp_path / "config.toml"
    config.write_text(AREAS_TOML + NAMED_SOURCE_TOML, encoding="utf-8")
    reports = tmp_path / "r.csv"
    if not reports.exists():
        write_csv(reports, valid_rows(40))
    return ["run", "--reports", reports, "--population", population, "--config", config,
            "--ledger", ledger, "--out", tmp_path / out, "-q"]  # fmt: skip


def _releases(ledger: Path) -> int:
    with sqlite3.connect(ledger) as con:
        return int(con.execute("SELECT COUNT(*) FROM releases").fetchone()[0])


def test_a_file_that_is_not_a_ledger_is_refused_and_left_as_it_was(
    tmp_path: Path, population_file: Path
) -> None:
    ledger = tmp_path / "releases.sqlite"
    ledger.write_bytes(b"not a database\n" * 100)
    result = invoke(*_args(tmp_path, population_file, ledger))
    assert result.exit_code == 2, both(result)
    assert f"The release ledger {ledger} cannot be used" in result.stderr
    assert "Restore it from its backup" in result.stderr and "Traceback" not in both(result)
    assert ledger.read_bytes() == b"not a database\n" * 100
    assert not (tmp_path / "out").exists()


def test_a_locked_ledger_is_refused_after_the_timeout(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ledger = tmp_path / "releases.sqlite"
    Ledger(ledger)
    monkeypatch.setattr(ledger_module, "LOCK_TIMEOUT_SECONDS", 0.2)
    holder = sqlite3.connect(ledger, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")  # another run in the middle of its transaction
    try:
        t0 = time.perf_counter()
        with pytest.raises(ri.LedgerError, match="is locked by another run"):
            Ledger(ledger).state()
        assert time.perf_counter() - t0 < 5  # it waited about the timeout, not forever
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert Ledger(ledger).state() == 0  # usable again once released


def test_a_key_other_than_the_ledgers_is_refused_before_anything_is_written(
    tmp_path: Path, population_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ledger = tmp_path / "releases.sqlite"
    first = invoke(*_args(tmp_path, population_file, ledger, out="first"))
    assert first.exit_code == 0, both(first)
    assert _releases(ledger) == 1
    before = ledger.read_bytes()

    monkeypatch.setenv("RISK_INDICATORS_KEY", "ab" * 32)
    other = invoke(*_args(tmp_path, population_file, ledger, out="second"))
    assert other.exit_code == 2, both(other)
    assert "holds releases made with another pseudonymisation key" in other.stderr
    assert "set the key those releases used" in other.stderr
    assert "ab" * 32 not in both(other)  # the key itself is never printed
    assert ledger.read_bytes() == before
    assert not (tmp_path / "second").exists()


def test_the_same_key_is_accepted_again(tmp_path: Path, population_file: Path) -> None:
    """The check must not refuse the series' own key (a rerun is recorded once)."""
    ledger = tmp_path / "releases.sqlite"
    for out in ("a", "b"):
        result = invoke(*_args(tmp_path, population_file, ledger, out=out))
        assert result.exit_code == 0, both(result)
        assert "Recorded" in result.stdout or result.stdout == ""
    assert _releases(ledger) == 1


def test_a_folder_that_cannot_be_written_is_a_usage_error(
    tmp_path: Path, population_file: Path
) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("x", encoding="utf-8")
    ledger = tmp_path / "releases.sqlite"
    args = _args(tmp_path, population_file, ledger)
    args[args.index("--out") + 1] = blocker / "2025T1"  # a folder inside a file
    result = invoke(*args)
    assert result.exit_code == 2, both(result)
    assert f"Cannot write the release folder {blocker / '2025T1'}" in result.stderr
    assert "choose a folder you may write (--out)" in result.stderr
    assert "Internal error" not in both(result)
    assert not ledger.exists()  # refused before the ledger was touched


def test_a_write_failing_mid_run_leaves_no_public_folder_and_the_ledger_unchanged(
    tmp_path: Path, population_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def disk_full(*args: object, **kwargs: object) -> None:
        raise OSError(28, "No space left on device", "report.xlsx")

    monkeypatch.setattr(release_write, "write_report", disk_full)
    ledger = tmp_path / "releases.sqlite"
    result = invoke(*_args(tmp_path, population_file, ledger))
    assert result.exit_code == 2, both(result)
    assert "No space left on device (report.xlsx)" in result.stderr
    assert "the ledger is unchanged" in result.stderr
    assert not (tmp_path / "out" / "public").exists()
    assert not [p for p in (tmp_path / "out").iterdir() if p.name.startswith(".public")]
    assert _releases(ledger) == 0


def test_sigterm_during_the_audit_unwinds_with_exit_130(
    tmp_path: Path, population_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A real SIGTERM to this process while the audit runs: the handler the command installs
    turns it into the same unwinding as Ctrl-C."""
    real = release_write.protect_analysis

    def audit_then_killed(*args: Any, **kwargs: Any) -> Any:
        os.kill(os.getpid(), signal.SIGTERM)
        time.sleep(5)  # the signal arrives during this
        return real(*args, **kwargs)

    monkeypatch.setattr(release_write, "protect_analysis", audit_then_killed)
    ledger = tmp_path / "releases.sqlite"
    before = signal.getsignal(signal.SIGTERM)
    t0 = time.perf_counter()
    result = invoke(*_args(tmp_path, population_file, ledger))
    assert time.perf_counter() - t0 < 5
    assert result.exit_code == 130, both(result)
    assert "Interrupted" in result.stderr and "Traceback" not in both(result)
    assert not (tmp_path / "out" / "public").exists()
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["internal"]
    assert _releases(ledger) == 0
    assert signal.getsignal(signal.SIGTERM) == before  # the handler is put back
