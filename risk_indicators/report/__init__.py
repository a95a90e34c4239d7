"""Rendering of a release: HTML report, workbook, figures and follow-up text (issue 8).

The report computes nothing: it formats the public figures of a :class:`PublicRelease` in
Swedish (default) or English. :func:`write_report` writes every public file except
``indicators.json`` into a folder.

Examples
--------
>>> from risk_indicators.report import PublicRelease, write_report  # doctest: +SKIP
>>> write_report(release, "reports/2024T1/public")                  # doctest: +SKIP
"""

from __future__ import annotations

import os
from pathlib import Path

from risk_indicators._atomic import atomic_write_bytes, atomic_write_text, write_csv

from ._effort_model import EFFORT_TABLE_COLUMNS, EffortView
from .excel import write_workbook
from .figures import make_figures
from .followup_md import render_followup_html, render_followup_md, render_followup_txt
from .html import render_html
from .model import TABLE_COLUMNS, PublicRelease, table

__all__ = [
    "EFFORT_TABLE_COLUMNS",
    "EffortView",
    "PublicRelease",
    "make_figures",
    "render_followup_html",
    "render_followup_md",
    "render_followup_txt",
    "render_html",
    "write_report",
    "write_workbook",
]


def write_report(release: PublicRelease, public_dir: str | os.PathLike[str]) -> list[Path]:
    """Write the rendered public files of a release into ``public_dir``.

    Files: ``report.html``, ``report.xlsx``, ``followup.md`` (and the same text as an HTML
    fragment ``followup.html`` and plain ``followup.txt``), ``figures/<name>.png`` and
    ``.svg`` for each figure, and ``tables/<name>.csv`` for every public table (written even
    when empty, with its header), the effort tables (``effort_*.csv``) when the release has
    an effort section. Each file is written atomically; the caller makes the folder
    as a whole atomic and writes ``indicators.json`` itself.

    Returns
    -------
    list of pathlib.Path
        The files written, in a fixed order.
    """
    root = Path(public_dir)
    root.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    figures = make_figures(release)
    for name, (png, svg) in figures.items():
        for suffix, data in ((".png", png), (".svg", svg.encode("utf-8"))):
            path = root / "figures" / f"{name}{suffix}"
            atomic_write_bytes(path, data)
            written.append(path)
    for name in TABLE_COLUMNS:
        path = root / "tables" / f"{name}.csv"
        write_csv(table(release, name), path)
        written.append(path)
    if release.effort is not None:  # issue 16: the section "What was done"
        for name in EFFORT_TABLE_COLUMNS:
            path = root / "tables" / f"{name}.csv"
            write_csv(release.effort.table(name), path)
            written.append(path)
    atomic_write_text(root / "report.html", render_html(release, figures=figures))
    write_workbook(release, root / "report.xlsx")
    atomic_write_text(root / "followup.md", render_followup_md(release))
    atomic_write_text(root / "followup.html", render_followup_html(release))
    atomic_write_text(root / "followup.txt", render_followup_txt(release))
    written += [root / name for name in ("report.html", "report.xlsx", "followup.md",
                                         "followup.html", "followup.txt")]  # fmt: skip
    return written
