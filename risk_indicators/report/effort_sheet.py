"""The workbook sheet "Aktiviteter" / "Activities" (issue 16): every activity row of the
release (real numbers, codes as words), then the trend with and without effort and the young
of P by detection mode; a suppressed count is an empty cell with the note "–"."""

from __future__ import annotations

from typing import Any

from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from risk_indicators.intake import HOURS_UNIT
from risk_indicators.periods import period_text

from .formatting import SUPPRESSED, is_missing
from .labels import code_label, text
from .model import PublicRelease

__all__ = ["write_effort_sheet"]


def _value(v: Any) -> Any:
    return None if is_missing(v) else (int(v) if isinstance(v, int) else float(v))


def write_effort_sheet(ws: Worksheet, release: PublicRelease) -> None:
    """Fill ``ws`` with the effort tables of ``release`` (an empty effort: one line saying the
    effort is unknown)."""
    lang, ev = release.language, release.effort

    def heading(*keys: str) -> None:
        ws.append([text(lang, k) for k in keys])
        for cell in ws[ws.max_row]:
            cell.font = Font(bold=True)

    if ev is None or not ev.known:
        ws.append([text(lang, "eff_unknown")])
    else:
        heading("col_period", "col_area", "col_activity", "col_unit", "col_amount")
        for r in ev.table("effort_activities").to_dict("records"):
            ws.append([period_text(str(r["period"]), lang), code_label(lang, "area", r["area"]),
                       code_label(lang, "activity", r["activity"]),
                       code_label(lang, "unit", r["unit"]), _value(r["amount"])])  # fmt: skip
            if r["unit"] == HOURS_UNIT:  # hours with one decimal, as in the report: 401,0
                ws.cell(row=ws.max_row, column=5).number_format = "#,##0.0"
        ws.append([])
        heading("col_term", "col_estimate", "col_ci_low", "col_ci_high", "col_p_value", "col_n")
        for r in ev.table("effort_trend").to_dict("records"):
            ws.append(
                [
                    code_label(lang, "term", r["term"]),
                    *(_value(r[c]) for c in ("estimate", "ci_low", "ci_high", "p_value", "n")),
                ]
            )
    det = ev.table("effort_detection") if ev is not None else None
    if det is not None and len(det):
        ws.append([])
        heading("col_detection", "col_women", "col_men", "col_women_and_men", "col_note")
        for r in det.to_dict("records"):
            note = SUPPRESSED if bool(r["suppressed"]) else ""
            ws.append([code_label(lang, "group", r["detection"]),
                       *(_value(r[c]) for c in ("women", "men", "persons")), note])  # fmt: skip
    ws.freeze_panes = "A2"  # the first row names the columns of the activity table
    for c in range(1, 7):
        ws.column_dimensions[get_column_letter(c)].width = 24
