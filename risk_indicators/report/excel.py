"""The report's tables as an Excel workbook: one sheet per public table, real numbers.

Numbers are stored as numbers with a number format (``0.0%`` for shares, ``#,##0`` for
counts), so Excel shows them in the reader's locale and they can be computed with. Every empty
value cell has its reason in the row's last column ("Anmärkning" / "Note"): suppressed, not
defined, not enough history for alarms, model values withheld because a count of the series is
hidden, or not applicable; a row without empty cells has no note. The header row is frozen and
filterable. A last sheet ("Metod och definitioner" / "Methods and definitions") holds the goal
and its rule, the definitions, methods, disclosure control, input row counts, notes on the data
and sources, built by the same functions as the HTML report so the texts never disagree.

The file is byte-identical for identical releases: openpyxl stamps the save time into
``docProps/core.xml`` and the zip entries, so the archive is rewritten with fixed dates
(2000-01-01) and fixed entry attributes.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import re
import zipfile
from collections.abc import Hashable, Mapping
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from risk_indicators._atomic import atomic_write_bytes

from .content import ROW_KEYS, fairness_kind, kind_of, model_values_withheld
from .effort_sheet import write_effort_sheet
from .formatting import Lang, ValueKind, is_missing, period_text
from .html import report_view
from .labels import code_label, indicator_name, text
from .model import TABLE_COLUMNS, PublicRelease, table
from .summary import ages_text

__all__ = ["FIXED_TIME", "workbook_bytes", "write_workbook"]

#: The date written into the workbook properties and the zip entries.
FIXED_TIME = dt.datetime(2000, 1, 1, 0, 0, 0)
_ZIP_TIME = (2000, 1, 1, 0, 0, 0)

_FORMATS: dict[str, str] = {
    "int": "#,##0",
    "rate": "0.0",
    "percent": "0.0%",
    "ratio": "0.00",
    "signed_percent": "+0.0%;-0.0%;0.0%",
    "coef": "+0.00;-0.00;0.00",
    "p": "0.000",
    "share_pp": "0.0%",
}

# Per table: (column, header key, how to write it). "period" and "code:<column>" are text;
# "bool" is Ja/Nej; "indicator", "term" and "fairness" pick the number kind per row.
_SHEETS: dict[str, tuple[tuple[str, str, str], ...]] = {
    "youth_by_period": (
        ("period", "col_period", "period"),
        ("persons_youth", "col_persons_youth", "int"),
        ("population_youth", "col_population_youth", "int"),
        ("rate_per_10k", "col_rate_per_10k", "rate"),
        ("ci_low", "col_ci_low", "rate"),
        ("ci_high", "col_ci_high", "rate"),
        ("fitted_rate", "col_fitted_rate", "rate"),
        ("fitted_low", "col_fitted_low", "rate"),
        ("fitted_high", "col_fitted_high", "rate"),
        ("expected", "col_expected", "rate"),
        ("upperbound", "col_upperbound", "rate"),
        ("alarm", "col_alarm", "bool"),
    ),
    "female_share": (
        ("scope", "col_scope", "code:scope"),
        ("period", "col_period", "period"),
        ("women", "col_women", "int"),
        ("men", "col_men", "int"),
        ("estimate", "col_share_women", "percent"),
        ("ci_low", "col_ci_low", "percent"),
        ("ci_high", "col_ci_high", "percent"),
    ),
    "indicators": (
        ("scope", "col_scope", "code:scope"),
        ("label", "col_period", "period"),
        ("id", "col_id", "indicator_name"),
        ("value", "col_value", "indicator"),
        ("ci_low", "col_ci_low", "indicator"),
        ("ci_high", "col_ci_high", "indicator"),
        ("n", "col_n", "int"),
    ),
    "counts": (
        ("table", "col_table", "code:table"),
        ("period", "col_period", "period"),
        ("area", "col_area", "code:area"),
        ("age_band", "col_age_band", "code:age_band"),
        ("gender", "col_gender", "code:gender"),
        ("measure", "col_measure", "code:measure"),
        ("value", "col_value", "int"),
    ),
    "trend": (
        ("term", "col_term", "code:term"),
        ("estimate", "col_estimate", "term"),
        ("ci_low", "col_ci_low", "term"),
        ("ci_high", "col_ci_high", "term"),
        ("p_value", "col_p_value", "p"),
        ("n", "col_n", "int"),
    ),
    "comparison": (
        ("comparison", "col_comparison", "code:comparison"),
        ("estimate", "col_estimate", "ratio"),
        ("ci_low", "col_ci_low", "ratio"),
        ("ci_high", "col_ci_high", "ratio"),
        ("p_value", "col_p_value", "p"),
    ),
    "fairness": (
        ("measure", "col_measure", "code:measure"),
        ("scope", "col_scope", "code:scope"),
        ("group", "col_group", "code:group"),
        ("estimate", "col_estimate", "fairness"),
        ("ci_low", "col_ci_low", "fairness"),
        ("ci_high", "col_ci_high", "fairness"),
        ("n", "col_n", "int"),
        ("p_value", "col_p_value", "p"),
    ),
}
#: The column whose absence (without suppression) means "not defined".
_MAIN = {
    "youth_by_period": "persons_youth",
    "female_share": "estimate",
    "indicators": "value",
    "counts": "value",
    "trend": "estimate",
    "comparison": "estimate",
    "fairness": "estimate",
}
#: Columns of ``youth_by_period`` that come from the trend model and the alarm method.
_MODEL_COLUMNS = ("fitted_rate", "fitted_low", "fitted_high", "expected", "upperbound", "alarm")


def _row_kind(how: str, row: Mapping[Hashable, Any]) -> ValueKind:
    if how == "indicator":
        return kind_of(str(row["id"]))
    if how == "term":
        return "signed_percent" if str(row["term"]) == "annual_change" else "coef"
    if how == "fairness":
        return fairness_kind(row["measure"])
    return how  # type: ignore[return-value]


def _cell_value(
    release: PublicRelease, how: str, row: Mapping[Hashable, Any], column: str
) -> tuple[Any, str]:
    """(value to store, number format) of one cell; None for an empty cell."""
    lang, value = release.language, row[column]
    if is_missing(value):
        return None, ""
    if how == "period":
        return period_text(str(value), lang), ""
    if how.startswith("code:"):
        return code_label(lang, how[5:], value), ""
    if how == "indicator_name":
        return indicator_name(lang, str(value), ages=ages_text(release)), ""
    if how == "bool":
        return text(lang, "yes" if bool(value) else "no"), ""
    if how == "indicator" and isinstance(value, str):  # goal_status
        key = f"goal_{value}"
        return (
            text(lang, key)
            if key in ("goal_met", "goal_on_track", "goal_not_on_track", "goal_insufficient_data")
            else value
        ), ""
    kind = _row_kind(how, row)
    number = int(value) if kind == "int" else float(value)
    return number, _FORMATS[kind]


def _suppressed(row: Mapping[Hashable, Any]) -> bool:
    flag = row.get("suppressed", False)
    return not is_missing(flag) and bool(flag)


def _empty_reason(name: str, row: Mapping[Hashable, Any], column: str, *, withheld: bool) -> str:
    """The label key that says why the value cell ``column`` of a row is empty.

    Only renders what the release says: a suppressed row, a missing headline value (not
    defined), per-period model values that are all missing while a count of the series is
    hidden (withheld), alarm values missing before there is enough history, and secondary
    values (interval, n, p-value) missing next to a published value (not applicable).
    """
    suppressed = _suppressed(row)
    if name == "youth_by_period":
        if column in _MODEL_COLUMNS:
            if withheld:
                return "note_model_withheld"
            if column.startswith("fitted_"):
                return "note_not_defined"
            if column == "alarm" and suppressed and not is_missing(row["expected"]):
                return "note_suppressed"
            return "note_no_history"
        if column == "population_youth":
            return "note_not_defined"
    if suppressed:
        return "note_suppressed"
    main = _MAIN[name]
    if column == main or is_missing(row[main]):
        return "note_not_defined"
    if name == "indicators" and column in ("ci_low", "ci_high"):
        ind_id = str(row["id"])
        if ind_id != "goal_status" and kind_of(ind_id) != "int":
            return "note_not_defined"  # a share or a ratio whose interval cannot be computed
    return "note_not_applicable"


def _note(release: PublicRelease, name: str, row: Mapping[Hashable, Any], *, withheld: bool) -> str:
    """The reasons for the empty value cells of a row, each once, in column order."""
    keys: list[str] = []
    for column, _, how in _SHEETS[name]:
        if how in ("period", "indicator_name") or how.startswith("code:"):
            continue  # label columns
        if is_missing(row[column]):
            key = _empty_reason(name, row, column, withheld=withheld)
            if key not in keys:
                keys.append(key)
    return " ".join(text(release.language, key, T=release.min_count) for key in keys)


def _write_sheet(ws: Worksheet, release: PublicRelease, name: str) -> None:
    lang, ages = release.language, ages_text(release)
    spec = _SHEETS[name]
    headers = [text(lang, key, ages=ages) for _, key, _ in spec] + [text(lang, "col_note")]
    ws.append(headers)
    for cell in ws[1]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    widths = [max(10, min(40, len(h) + 2)) for h in headers]
    df = table(release, name)
    withheld = name == "youth_by_period" and model_values_withheld(df)
    for r, row in enumerate(df.to_dict("records"), start=2):
        for c, (column, _, how) in enumerate(spec, start=1):
            value, number_format = _cell_value(release, how, row, column)
            cell = ws.cell(row=r, column=c, value=value)
            if number_format:
                cell.number_format = number_format
            if isinstance(value, str):
                widths[c - 1] = max(widths[c - 1], min(40, len(value) + 2))
        note = _note(release, name, row, withheld=withheld)
        if note:
            ws.cell(row=r, column=len(spec) + 1, value=note)
    widths[-1] = 60
    for c, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(c)].width = width
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = f"A1:{get_column_letter(len(headers))}{max(1, len(df) + 1)}"


def _write_info(ws: Worksheet, release: PublicRelease) -> None:
    lang, t_count = release.language, release.min_count
    period = release.period.label_sv(long=True) if lang == "sv" else release.period.label_en()
    ws.append([text(lang, "title")])
    ws["A1"].font = Font(bold=True, size=13)
    for key, value in (
        ("info_municipality", release.municipality),
        ("info_period", period),
        ("info_threshold", t_count),
        ("info_version", release.version),
    ):
        ws.append([text(lang, key), value])
    ws.append([])
    for paragraph in (
        text(lang, "info_empty", T=t_count),
        text(lang, "meaning_police"),
        text(lang, "meaning_chance"),
        text(lang, "more_tables"),
        text(lang, "info_methods", sheet=_sheet_name(lang, "methods")),
    ):
        ws.append([paragraph])
    ws.column_dimensions["A"].width = 30
    ws.column_dimensions["B"].width = 40


def _write_methods(ws: Worksheet, release: PublicRelease) -> None:
    """Goal, definitions, methods, disclosure, input rows, notes and sources: the texts of
    the HTML report's method section (:func:`.html.report_view`), numbers as numbers."""
    lang = release.language
    view = report_view(release, {})
    h = view["h"]
    wrap = Alignment(wrap_text=True, vertical="top")
    bold = Font(bold=True)

    def heading(title: str) -> None:
        ws.append([])
        ws.append([title])
        ws.cell(row=ws.max_row, column=1).font = bold

    def line(label: str | None, value: Any) -> None:
        ws.append([label, value])
        ws.cell(row=ws.max_row, column=1).alignment = wrap
        ws.cell(row=ws.max_row, column=2).alignment = wrap

    ws.append([h["method"]])
    ws["A1"].font = Font(bold=True, size=13)
    if view["goal_sentences"]:
        heading(h["goal"])
        for sentence in view["goal_sentences"]:
            line(None, sentence)
    heading(h["definitions"])
    for name, definition in view["definitions"]:
        line(name, definition)
    heading(h["methods"])
    for paragraph in view["methods"]:
        line(None, paragraph)
    heading(h["disclosure"])
    dash = text(lang, "footnote_suppressed", T=release.min_count)  # the workbook has no dashes
    for paragraph in view["disclosure"]:
        if paragraph != dash:
            line(None, paragraph)
    if model_values_withheld(table(release, "youth_by_period")):
        line(None, text(lang, "footnote_model_withheld"))
    counts = release.indicators.get("rows", {})
    if any(k in counts for k in ROW_KEYS):
        heading(h["rows"])
        for key in ROW_KEYS:
            if key in counts:
                value = counts[key]
                line(text(lang, f"rows_{key}"), None if is_missing(value) else int(value))
                cell = ws.cell(row=ws.max_row, column=2)
                cell.number_format = _FORMATS["int"]
                cell.alignment = Alignment(horizontal="left", vertical="top")
        if counts.get("rounded_to"):  # the cell-key method: rounded to tens
            line(None, text(lang, "rows_rounded"))
    if view["notes"]:
        heading(h["notes"])
        for note in view["notes"]:
            line(None, note)
    heading(h["sources"])
    for source in view["sources"]:
        line(None, source)
    line(None, view["version"])
    checksums = view["checksum_table"]
    if checksums.rows:
        heading(checksums.caption)
        ws.append(list(checksums.headers))
        for cell in ws[ws.max_row]:
            cell.font = bold
        for row in checksums.rows:
            ws.append([c.text for c in row])
    ws.column_dimensions["A"].width = 45
    ws.column_dimensions["B"].width = 100
    ws.column_dimensions["C"].width = 66


def _sheet_name(lang: Lang, name: str) -> str:
    """The sheet name of ``sheet_<name>`` (Excel allows at most 31 characters)."""
    return text(lang, f"sheet_{name}")[:31]


def _fixed_zip(data: bytes) -> bytes:
    """Rewrite the xlsx archive with fixed dates so identical workbooks are identical bytes."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            content = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                stamp = FIXED_TIME.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
                content = re.sub(
                    rb"(<dcterms:(created|modified)[^>]*>)[^<]*(</dcterms:)",
                    rb"\g<1>" + stamp + rb"\g<3>",
                    content,
                )
            entry = zipfile.ZipInfo(info.filename, date_time=_ZIP_TIME)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.create_system = 3
            entry.external_attr = 0o644 << 16
            dst.writestr(entry, content, compresslevel=6)
    return out.getvalue()


def workbook_bytes(release: PublicRelease) -> bytes:
    """The workbook as bytes (see :func:`write_workbook`)."""
    lang = release.language
    wb = Workbook()
    info = wb.active
    info.title = _sheet_name(lang, "info")
    _write_info(info, release)
    for name in TABLE_COLUMNS:
        _write_sheet(wb.create_sheet(_sheet_name(lang, name)), release, name)
    write_effort_sheet(wb.create_sheet(_sheet_name(lang, "effort")), release)  # issue 16
    _write_methods(wb.create_sheet(_sheet_name(lang, "methods")), release)
    wb.properties.creator = "risk_indicators"
    wb.properties.lastModifiedBy = "risk_indicators"
    wb.properties.title = text(lang, "title")
    wb.properties.created = FIXED_TIME
    wb.properties.modified = FIXED_TIME
    buffer = io.BytesIO()
    wb.save(buffer)
    return _fixed_zip(buffer.getvalue())


def write_workbook(release: PublicRelease, path: str | os.PathLike[str]) -> None:
    """Write ``report.xlsx``: an "about" sheet, one sheet per public table, then the methods.

    Each table sheet has readable headers in the report language, a frozen and filterable
    header row, numbers stored as numbers with a display format, suppressed or otherwise
    missing values as empty cells with the reason in the last column ("Anmärkning" / "Note"),
    and codes (scope, gender, measure) written as words. The last sheet ("Metod och
    definitioner" / "Methods and definitions") has the goal rule, definitions, methods,
    disclosure control, input row counts and sources. The file is written atomically and is
    byte-identical for identical releases.
    """
    atomic_write_bytes(path, workbook_bytes(release))
