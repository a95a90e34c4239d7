"""One release: an analysis -> disclosure control -> report -> the files of CONTRACT 3.

Order of work, so that a failure publishes nothing (fail closed):

1. ``internal/`` (exact figures) and ``audit/`` are written, each folder built in a temporary
   sibling and swapped in whole;
2. every published count is protected and audited against this release and every earlier one
   in the ledger (:mod:`risk_indicators.disclosure`); a failed audit raises
   :class:`~risk_indicators.errors.DisclosureError` after ``audit/`` is written, and
   ``public/`` is not touched;
3. ``public/`` is built in a temporary folder; the release is recorded in the ledger (one
   SQLite transaction) and only then the folder is swapped in.

Internal and public files are byte-identical for identical inputs: no timestamps in them,
fixed float formatting, rows in a fixed order, deterministic figures and workbook.
"""

from __future__ import annotations

import contextlib
import logging
import os
import tempfile
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from risk_indicators._atomic import atomic_directory, write_csv, write_json
from risk_indicators._version import __version__
from risk_indicators.analysis import Analysis
from risk_indicators.disclosure import AUDIT_COLUMNS, Ledger, Protection
from risk_indicators.errors import DisclosureError, LedgerError, OutputError
from risk_indicators.intake import REJECTED_COLUMNS, Records
from risk_indicators.report import PublicRelease, write_report

from ._effort import effort_view
from ._protection import check_one_method, protect_analysis
from ._public import public_view

__all__ = ["check_release_target", "counts_csv_table", "ledger_path", "write_release"]

#: The long steps' progress, shown by the command line (stderr, or its live line).
progress = logging.getLogger("risk_indicators.progress")

COUNT_COLUMNS = ["period", "area", "age_band", "gender", "persons", "reports", "population"]


def counts_csv_table(analysis: Analysis) -> pd.DataFrame:
    """The cube as written to ``internal/counts.csv`` (periods, then the 12-month windows),
    exact also when the release publishes perturbed counts."""
    if analysis.exact_counts is not None:
        return analysis.exact_counts.loc[:, COUNT_COLUMNS].reset_index(drop=True)
    parts = [analysis.cube.loc[:, COUNT_COLUMNS]]
    if analysis.windows is not None:
        parts.append(analysis.windows.loc[:, COUNT_COLUMNS])
    return pd.concat(parts, ignore_index=True)


def ledger_path(out: str | os.PathLike[str], configured: str = "") -> Path:
    """The release ledger: the configured path, else ``releases.sqlite`` beside ``out``."""
    if configured:
        return Path(configured)
    return Path(out).resolve().parent / "releases.sqlite"


def check_release_target(
    out: str | os.PathLike[str],
    *,
    ledger: str | os.PathLike[str],
    key_fingerprint: str | None = None,
) -> Ledger:
    """The release ledger, once the release folder and the ledger are known to be usable.

    Called before the long work (and again by :func:`write_release`), so that a folder that
    cannot be written, a corrupt or locked ledger, or a key other than the ledger's fails at
    once, before anything is written.

    Raises
    ------
    OutputError
        ``out`` cannot be created or written (exit code 2).
    LedgerError
        The ledger is not a ledger, is locked, or holds releases of another key (exit code 2).
    """
    root = Path(out)
    made = not root.exists()
    try:
        root.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=root):
            pass
    except OSError as exc:
        raise _output_error(root, exc) from None
    try:
        book = Ledger(ledger)
        book.check_key(key_fingerprint)
    except LedgerError:
        if made:  # leave no empty release folder behind
            with contextlib.suppress(OSError):
                root.rmdir()
        raise
    return book


def _output_error(root: Path, exc: OSError, *, recorded: bool = False) -> OutputError:
    reason = exc.strerror or type(exc).__name__
    where = f" ({exc.filename})" if exc.filename else ""
    ledger = ("the release was recorded in the ledger, which then protects it as if it had "
              "been published" if recorded else "the ledger is unchanged")  # fmt: skip
    return OutputError(
        f"Cannot write the release folder {root}: {reason}{where}. No partial public/ folder "
        f"is left and {ledger}. Free space or choose a folder you may write (--out), then run "
        "again."
    )


def _run_json(
    analysis: Analysis,
    *,
    inputs: Mapping[str, Any] | None,
    timings: Mapping[str, float],
    protection: Protection | None,
    ledger: Path,
) -> dict[str, Any]:
    return {
        "package": "risk_indicators",
        "package_version": __version__,
        "period": analysis.period.code,
        "mode": analysis.mode,
        "config": analysis.config.to_dict(),
        "inputs": dict(inputs or {k: {"sha256": v} for k, v in analysis.inputs.items()}),
        "rows": dict(analysis.accounting),
        "notes": list(analysis.notes),
        "disclosure": {
            "ledger": str(ledger),
            "summary": protection.summary() if protection is not None else "audit failed",
        },
        "timings_seconds": {k: round(v, 3) for k, v in timings.items()},
    }


def write_release(
    analysis: Analysis,
    out: str | os.PathLike[str],
    *,
    records: Records | None = None,
    timings: Mapping[str, float] | None = None,
    inputs: Mapping[str, Any] | None = None,
    ledger: str | os.PathLike[str] | None = None,
    draft: bool = False,
    on_record: Callable[[str], None] | None = None,
    counts_parquet: bool = False,
) -> Path:
    """Write ``internal/``, ``audit/`` and, when the audit passes, ``public/`` under ``out``.

    Parameters
    ----------
    analysis
        From :func:`risk_indicators.analyse`.
    out
        The release folder, e.g. ``reports/2024T1``.
    records
        The records the analysis used; their rejected rows go to ``audit/rejected_rows.csv``.
    timings
        Seconds per step so far, for ``audit/run.json``.
    inputs
        Input files (name -> {file, sha256}) for ``audit/run.json``.
    ledger
        The release ledger (default: ``disclosure.ledger`` of the config, else
        ``releases.sqlite`` in the folder that holds ``out``).
    draft
        A trial release: audited against the ledger like any release, but not recorded in
        it, and marked as a draft in every file (not for publication).
    on_record
        Called with one sentence saying what the ledger did (recorded as a new version, or
        nothing because the same release is already there, or nothing for a draft).
    counts_parquet
        Also write the cube as ``internal/counts.parquet`` (the same table as ``counts.csv``,
        typed; for researchers who read it with Arrow, Polars or DuckDB).

    Returns
    -------
    pathlib.Path
        The release folder.

    Raises
    ------
    DisclosureError
        The disclosure audit failed: ``internal/`` and ``audit/`` are written, ``public/`` is
        not (exit code 1).
    OutputError
        A folder could not be written (exit code 2); no partial folder is left.
    LedgerError
        The ledger is corrupt or locked, or its releases were made with another key or
        another disclosure method (exit code 2); nothing is written.
    """
    root = Path(out)
    ledger_file = Path(ledger) if ledger else ledger_path(root, analysis.config.disclosure.ledger)
    fingerprint = records.key_fingerprint if records is not None else None
    book = check_release_target(root, ledger=ledger_file, key_fingerprint=fingerprint)
    check_one_method(analysis, book)  # before anything is written
    recorded: list[bool] = []
    try:
        said = _write_folders(
            analysis, root, book, records=records, fingerprint=fingerprint, timings=timings,
            inputs=inputs, draft=draft, counts_parquet=counts_parquet, recorded=recorded,
        )  # fmt: skip
    except OSError as exc:
        raise _output_error(root, exc, recorded=bool(recorded)) from None
    if on_record is not None:
        on_record(said)
    return root


def _write_folders(
    analysis: Analysis,
    root: Path,
    book: Ledger,
    *,
    records: Records | None,
    fingerprint: str | None,
    timings: Mapping[str, float] | None,
    inputs: Mapping[str, Any] | None,
    draft: bool,
    counts_parquet: bool,
    recorded: list[bool],
) -> str:
    """``internal/``, ``audit/`` and ``public/`` in that order; what the ledger did."""
    steps = dict(timings or {})
    ledger_file = book.path
    with atomic_directory(root / "internal") as tmp:
        counts = counts_csv_table(analysis)
        write_csv(counts, tmp / "counts.csv")
        write_json(_marked(analysis.to_json(), draft), tmp / "indicators.json")
        if counts_parquet:
            counts.to_parquet(tmp / "counts.parquet", index=False)

    t0 = time.perf_counter()
    protection: Protection | None = None
    failure: DisclosureError | None = None
    try:
        protection = protect_analysis(analysis, ledger=book)
    except DisclosureError as exc:
        failure = exc
    steps["disclosure"] = time.perf_counter() - t0

    with atomic_directory(root / "audit") as tmp:
        no_rows = pd.DataFrame(columns=list(REJECTED_COLUMNS))
        rejected = records.rejected if records is not None else no_rows
        write_csv(rejected, tmp / "rejected_rows.csv")
        audit = protection.audit if protection is not None else pd.DataFrame(columns=AUDIT_COLUMNS)
        write_csv(audit, tmp / "disclosure.csv")
        run = _run_json(
            analysis, inputs=inputs, timings=steps, protection=protection, ledger=ledger_file
        )
        write_json(_marked(run, draft), tmp / "run.json")
    if failure is not None or protection is None:
        raise failure or DisclosureError("The disclosure audit did not run; nothing published.")

    progress.info("  writing public/: report, workbook, figures and tables")
    release = _public_release(analysis, protection, inputs=inputs, draft=draft)
    with atomic_directory(root / "public") as tmp:
        write_json(release.indicators, tmp / "indicators.json")
        write_report(release, tmp)
        if draft:
            said = f"Draft: not recorded in the release ledger {ledger_file.name}."
        else:
            version, new = book.record(protection.release, key_fingerprint=fingerprint)
            recorded.append(True)
            said = (
                f"Recorded in the release ledger {ledger_file.name} as version {version} of "
                f"'{protection.release.release_id}'"
                + ("; earlier versions stay there (they may have been published)."
                   if new and version > 1 else "." if new else
                   ": already there with the same content, not recorded again.")
            )  # fmt: skip
    return said


def _marked(obj: dict[str, Any], draft: bool) -> dict[str, Any]:
    """A draft's JSON says so first."""
    return {"draft": True, **obj} if draft else obj


def _rounded_rows(indicators: dict[str, Any], protection: Protection) -> dict[str, Any]:
    """With the cell-key method the input row counts are published rounded to tens: they are
    report counts of all periods, so two releases' exact counts would give a new period's
    reports exactly, and they bound its persons (suppression audits them instead). The rows
    read are the sum of the rounded parts, so that read = used + rejected + duplicates holds
    in the published numbers too (CONTRACT 1.1)."""
    if protection.method != "cell_key" or "rows" not in indicators:
        return indicators
    rows = {k: 10 * ((int(v) + 5) // 10) if isinstance(v, int) else v
            for k, v in indicators["rows"].items()}  # fmt: skip
    parts = ("used", "rejected", "duplicates")
    if "read" in rows and all(isinstance(rows.get(k), int) for k in parts):
        rows["read"] = sum(rows[k] for k in parts)
    return {**indicators, "rows": {**rows, "rounded_to": 10}}


def _public_release(
    analysis: Analysis,
    protection: Protection,
    *,
    inputs: Mapping[str, Any] | None,
    draft: bool = False,
) -> PublicRelease:
    view = public_view(analysis, protection)
    cfg = analysis.config
    status = protection.table["status"]
    goal = analysis.fairness.report_goal()
    # the detectable change is a function of the 12-month share and its n: with their counts
    # hidden it would give them back
    goal["min_detectable_change"] = view.min_detectable_change
    goal.update(view.goal_values)
    if ("period", "goal_status") in view.suppressed:  # it rests on a hidden count
        goal["status"] = None
    return PublicRelease(
        municipality=cfg.municipality,
        period=analysis.period,
        language=cfg.language,
        indicators=_marked(_rounded_rows(analysis.to_json(suppressed=view.suppressed),
                                         protection), draft),
        tables=view.tables,
        min_count=cfg.disclosure.min_count,
        suppressed_count=int(status.isin(["primary", "secondary"]).sum()),
        youth_ages=(cfg.youth_min_age, cfg.youth_max_age),
        goal=goal,
        sentences=view.sentences,
        inputs={k: {kk: str(vv) for kk, vv in v.items()} for k, v in (inputs or {}).items()},
        version=__version__,
        notes=tuple(analysis.notes),
        draft=draft,
        effort=effort_view(analysis, protection),  # issue 16
        noise=(cfg.disclosure.max_deviation, cfg.disclosure.variance, len(cfg.youth_bands))
        if protection.method == "cell_key" else None,
    )
