"""One release: an analysis written as the files of CONTRACT 3, atomically.

Each output folder (``internal/``, ``audit/``, later ``public/``) is built in a temporary
sibling and swapped in only when everything in it was written, so a failed run leaves the
previous release as it was. Internal files are byte-identical for identical inputs: no
timestamps in them, fixed float formatting, rows in a fixed order.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from ._version import __version__
from .analysis import Analysis
from .io import atomic_directory, write_csv, write_json
from .records import REJECTED_COLUMNS, Records

__all__ = ["counts_csv_table", "write_release"]

COUNT_COLUMNS = ["period", "area", "age_band", "gender", "persons", "reports", "population"]


def counts_csv_table(analysis: Analysis) -> pd.DataFrame:
    """The cube as written to ``internal/counts.csv`` (periods, then the 12-month windows)."""
    parts = [analysis.cube.loc[:, COUNT_COLUMNS]]
    if analysis.windows is not None:
        parts.append(analysis.windows.loc[:, COUNT_COLUMNS])
    return pd.concat(parts, ignore_index=True)


def write_release(
    analysis: Analysis,
    out: str | os.PathLike[str],
    *,
    records: Records | None = None,
    timings: Mapping[str, float] | None = None,
    inputs: Mapping[str, Any] | None = None,
) -> Path:
    """Write ``internal/`` and ``audit/`` of CONTRACT 3 under ``out``.

    Parameters
    ----------
    analysis
        From :func:`risk_indicators.analyse`.
    out
        The release folder, e.g. ``reports/2024T1``.
    records
        The records the analysis used; their rejected rows go to ``audit/rejected_rows.csv``.
    timings
        Seconds per step, for ``audit/run.json``.
    inputs
        Input files (name -> {path, sha256}) for ``audit/run.json``.

    Returns
    -------
    pathlib.Path
        The release folder.
    """
    root = Path(out)
    root.mkdir(parents=True, exist_ok=True)
    with atomic_directory(root / "internal") as tmp:
        write_csv(counts_csv_table(analysis), tmp / "counts.csv")
        write_json(analysis.to_json(), tmp / "indicators.json")
    with atomic_directory(root / "audit") as tmp:
        rejected = (
            records.rejected
            if records is not None
            else pd.DataFrame(columns=list(REJECTED_COLUMNS))
        )
        write_csv(rejected, tmp / "rejected_rows.csv")
        run = {
            "package": "risk_indicators",
            "package_version": __version__,
            "period": analysis.period.code,
            "mode": analysis.mode,
            "config": analysis.config.to_dict(),
            "inputs": dict(inputs or {k: {"sha256": v} for k, v in analysis.inputs.items()}),
            "rows": dict(analysis.accounting),
            "notes": list(analysis.notes),
            "timings_seconds": {k: round(v, 3) for k, v in (timings or {}).items()},
        }
        write_json(run, tmp / "run.json")
    return root
