"""The report's tables as rows of formatted cells, ready for a template.

A cell shows a published number in the report language, "–" when the value is suppressed, "ej
def." / "n/a" when a headline value is not defined, and nothing when a secondary value (an
interval, a fitted value) is missing. Each table carries the footnotes its cells need.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd

from .formatting import (
    INDICATOR_KINDS,
    SUPPRESSED,
    ValueKind,
    fmt_interval,
    fmt_value,
    is_missing,
    period_text,
)
from .labels import INDICATOR_ORDER, LABELS, TWELVE_MONTH_TWINS, code_label, indicator_name, text
from .model import PublicRelease, table
from .summary import ages_text, direction, indicator_texts, scope_label

__all__ = [
    "ROW_KEYS",
    "Cell",
    "TableView",
    "checksum_table",
    "cube_table",
    "definitions",
    "fairness_kind",
    "key_table",
    "kind_of",
    "model_values_withheld",
    "rows_table",
    "simple_tables",
]


@dataclass(frozen=True)
class Cell:
    """One table cell: main text, an optional secondary text (an interval) and attributes."""

    text: str
    sub: str = ""
    numeric: bool = True
    attrs: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class TableView:
    """A captioned table of cells with its footnotes."""

    key: str
    caption: str
    headers: tuple[str, ...]
    rows: tuple[tuple[Cell, ...], ...]
    notes: tuple[str, ...] = ()


def _label(value: str) -> Cell:
    return Cell(value, numeric=False)


def _suppressed_flag(row: pd.Series) -> bool:
    flag = row.get("suppressed", False)
    return False if is_missing(flag) else bool(flag)


def _num(
    release: PublicRelease, value: Any, kind: ValueKind, *, suppressed: bool, main: bool
) -> Cell:
    lang = release.language
    if is_missing(value):
        if suppressed:
            return Cell(SUPPRESSED)
        return Cell(text(lang, "not_defined") if main else "")
    return Cell(fmt_value(value, kind, lang))


def _interval(
    release: PublicRelease, low: Any, high: Any, kind: ValueKind, *, suppressed: bool
) -> Cell:
    shown = fmt_interval(low, high, kind, release.language)
    return Cell(SUPPRESSED if (suppressed and not shown) else shown)


def _finish(
    release: PublicRelease,
    key: str,
    caption: str,
    headers: list[str],
    rows: Sequence[tuple[Cell, ...]],
    extra_notes: tuple[str, ...] = (),
) -> TableView:
    lang = release.language
    texts = {c.text for row in rows for c in row}
    notes: list[str] = []
    if SUPPRESSED in texts:  # with the cell-key method only figures resting on unshown counts
        key = "footnote_suppressed" if release.noise is None else "footnote_unshown"
        notes.append(text(lang, key, T=release.min_count))
    if text(lang, "not_defined") in texts:
        notes.append(text(lang, "footnote_not_defined"))
    return TableView(key, caption, tuple(headers), tuple(rows), tuple(notes) + extra_notes)


def key_table(release: PublicRelease) -> TableView:
    """Key indicators for P, the same period a year earlier and the last 12 months."""
    lang, ages = release.language, ages_text(release)
    comparisons = release.indicators.get("comparisons", {})
    scopes = ["period"] + [
        s for s in ("same_period_last_year", "rolling_12_months") if s in comparisons
    ]
    header_key = {
        "period": "col_this_period",
        "same_period_last_year": "col_last_year",
        "rolling_12_months": "col_rolling",
    }
    headers = [text(lang, "col_indicator")]
    headers += [text(lang, header_key[s], label=scope_label(release, s)) for s in scopes]
    headers.append(text(lang, "col_direction"))
    present = set(release.indicators.get("indicators", {}))
    ids = [i for i in INDICATOR_ORDER if i in present and i != "goal_status"]
    ids += sorted(present - set(INDICATOR_ORDER) - set(TWELVE_MONTH_TWINS))
    rows: list[tuple[Cell, ...]] = []
    for ind_id in ids:
        cells = [_label(indicator_name(lang, ind_id, ages=ages))]
        for scope in scopes:
            shown = indicator_texts(release, scope, ind_id)
            attrs = (("data-scope", scope), ("data-id", ind_id))
            if shown is None:
                cells.append(Cell("", attrs=attrs))
            else:
                value, ci = shown
                cells.append(Cell(value, f"({ci})" if ci else "", attrs=attrs))
        cells.append(_label(direction(release, ind_id)))
        rows.append(tuple(cells))
    notes = [text(lang, "footnote_ci")]
    months = release.period.months
    if "rolling_12_months" in scopes and months < 12:
        notes.append(text(lang, "footnote_rate_span", months=months, times=12 // months))
    return _finish(release, "key", text(lang, "cap_key"), headers, rows, tuple(notes))


def _youth(release: PublicRelease) -> TableView:
    lang, ages = release.language, ages_text(release)
    df = table(release, "youth_by_period")
    headers = [
        text(lang, k, ages=ages)
        for k in (
            "col_period",
            "col_persons_youth",
            "col_population_youth",
            "col_rate_per_10k",
            "col_ci",
            "col_fitted_rate",
            "col_fitted_band",
            "col_expected",
            "col_upperbound",
            "col_alarm",
        )
    ]
    rows = []
    for _, r in df.iterrows():
        sup = _suppressed_flag(r)
        alarm = "" if is_missing(r["alarm"]) else text(lang, "yes" if bool(r["alarm"]) else "no")
        rows.append(
            (
                _label(period_text(str(r["period"]), lang)),
                _num(release, r["persons_youth"], "int", suppressed=sup, main=True),
                _num(release, r["population_youth"], "int", suppressed=False, main=False),
                _num(release, r["rate_per_10k"], "rate", suppressed=sup, main=True),
                _interval(release, r["ci_low"], r["ci_high"], "rate", suppressed=sup),
                _num(release, r["fitted_rate"], "rate", suppressed=False, main=False),
                _interval(release, r["fitted_low"], r["fitted_high"], "rate", suppressed=False),
                _num(release, r["expected"], "rate", suppressed=False, main=False),
                _num(release, r["upperbound"], "rate", suppressed=False, main=False),
                Cell(alarm, numeric=False),
            )
        )
    notes: tuple[str, ...] = ()
    if model_values_withheld(df):
        notes = (text(lang, "footnote_model_withheld"),)
    return _finish(release, "youth", text(lang, "cap_youth", ages=ages), headers, rows, notes)


def model_values_withheld(youth: pd.DataFrame) -> bool:
    """Whether the per-period model values of ``youth_by_period`` (fitted trend, expected
    number, alarm threshold, alarm) are withheld: a youth count of the series is hidden and no
    fitted value is published (they would give the hidden count back)."""
    return bool(
        len(youth) and youth["persons_youth"].isna().any() and youth["fitted_rate"].isna().all()
    )


def _comparison(release: PublicRelease) -> TableView:
    lang = release.language
    df = table(release, "comparison")
    headers = [text(lang, k) for k in ("col_comparison", "col_estimate", "col_ci", "col_p_value")]
    rows = []
    for _, r in df.iterrows():
        sup = _suppressed_flag(r)
        rows.append(
            (
                _label(code_label(lang, "comparison", r["comparison"])),
                _num(release, r["estimate"], "ratio", suppressed=sup, main=True),
                _interval(release, r["ci_low"], r["ci_high"], "ratio", suppressed=sup),
                _num(release, r["p_value"], "p", suppressed=sup, main=False),
            )
        )
    return _finish(release, "comparison", text(lang, "cap_comparison"), headers, rows)


def _trend(release: PublicRelease) -> TableView:
    lang = release.language
    df = table(release, "trend")
    headers = [
        text(lang, k) for k in ("col_term", "col_estimate", "col_ci", "col_p_value", "col_n")
    ]
    rows = []
    for _, r in df.iterrows():
        kind: ValueKind = "signed_percent" if str(r["term"]) == "annual_change" else "coef"
        rows.append(
            (
                _label(code_label(lang, "term", r["term"])),
                _num(release, r["estimate"], kind, suppressed=False, main=True),
                _interval(release, r["ci_low"], r["ci_high"], kind, suppressed=False),
                _num(release, r["p_value"], "p", suppressed=False, main=False),
                _num(release, r["n"], "int", suppressed=False, main=False),
            )
        )
    return _finish(release, "trend", text(lang, "cap_trend"), headers, rows)


def _female(release: PublicRelease) -> TableView:
    lang, ages = release.language, ages_text(release)
    df = table(release, "female_share")
    headers = [
        text(lang, k)
        for k in ("col_scope", "col_period", "col_women", "col_men", "col_share_women", "col_ci")
    ]
    rows = []
    for _, r in df.iterrows():
        sup = _suppressed_flag(r)
        rows.append(
            (
                _label(code_label(lang, "scope", r["scope"])),
                _label(period_text(str(r["period"]), lang)),
                _num(release, r["women"], "int", suppressed=sup, main=True),
                _num(release, r["men"], "int", suppressed=sup, main=True),
                _num(release, r["estimate"], "percent", suppressed=sup, main=True),
                _interval(release, r["ci_low"], r["ci_high"], "percent", suppressed=sup),
            )
        )
    return _finish(release, "female", text(lang, "cap_female", ages=ages), headers, rows)


def fairness_kind(measure: Any) -> ValueKind:
    """How a fairness measure is written: trends as signed coefficients, shares as per cent,
    the demographic parity difference (of two shares reported per inhabitant, often below
    0,005) in percentage points, ratios with two decimals."""
    name = str(measure)
    if name.endswith("_trend"):
        return "coef"
    if name == "demographic_parity_difference":
        return "share_pp"
    if "share" in name:
        return "percent"
    return "ratio"


def _fairness(release: PublicRelease) -> TableView:
    lang = release.language
    df = table(release, "fairness")
    headers = [
        text(lang, k)
        for k in (
            "col_measure",
            "col_scope",
            "col_group",
            "col_estimate",
            "col_ci",
            "col_n",
            "col_p_value",
        )
    ]
    rows = []
    for _, r in df.iterrows():
        sup, kind = _suppressed_flag(r), fairness_kind(r["measure"])
        rows.append(
            (
                _label(code_label(lang, "measure", r["measure"])),
                _label(code_label(lang, "scope", r["scope"])),
                _label("" if is_missing(r["group"]) else code_label(lang, "group", r["group"])),
                _num(release, r["estimate"], kind, suppressed=sup, main=True),
                _interval(release, r["ci_low"], r["ci_high"], kind, suppressed=sup),
                _num(release, r["n"], "int", suppressed=sup, main=False),
                _num(release, r["p_value"], "p", suppressed=sup, main=False),
            )
        )
    return _finish(release, "fairness", text(lang, "cap_fairness"), headers, rows)


def simple_tables(release: PublicRelease) -> dict[str, TableView]:
    """The per-period tables: youth, comparison, trend, female share, fairness."""
    return {
        "youth": _youth(release),
        "comparison": _comparison(release),
        "trend": _trend(release),
        "female": _female(release),
        "fairness": _fairness(release),
    }


def cube_table(release: PublicRelease, by: str) -> TableView | None:
    """Persons in P by ``area`` (all ages and genders) or by ``age_band`` (all areas and
    genders), with the same period a year earlier beside them when it is published."""
    lang = release.language
    name = "persons_by_area" if by == "area" else "persons_by_age"
    counts = table(release, "counts")
    df = counts.loc[(counts["table"] == name) & (counts["measure"] == "persons")]
    if df.empty:
        return None
    if by == "area":  # the total is a row of the age table: the same count
        total = counts.loc[(counts["table"] == "persons_by_age") & (counts["age_band"] == "total")]
        df = pd.concat([df, total], ignore_index=True)
    periods = [p for p in dict.fromkeys(df["period"].astype(str))]
    periods = sorted(periods, key=lambda p: p != release.period.code)  # P first
    keys = list(dict.fromkeys(df[by].astype(str)))
    keys = [k for k in keys if k != "total"] + (["total"] if "total" in keys else [])
    headers = [text(lang, f"col_{by}")] + [period_text(p, lang) for p in periods]
    rows = []
    for key in keys:
        cells = [_label(code_label(lang, by, key))]
        for p in periods:
            hit = df.loc[(df[by].astype(str) == key) & (df["period"].astype(str) == p)]
            if hit.empty:
                cells.append(Cell(""))
                continue
            r = hit.iloc[0]
            cells.append(
                _num(release, r["value"], "int", suppressed=_suppressed_flag(r), main=True)
            )
        rows.append(tuple(cells))
    caption = text(
        lang, "cap_area" if by == "area" else "cap_age", period=scope_label(release, "period")
    )
    return _finish(release, by, caption, headers, rows)


#: The input row counts of ``indicators.json`` ("rows"), in the order they are listed; the
#: label of each is ``rows_<key>``.
ROW_KEYS: tuple[str, ...] = ("read", "used", "rejected", "duplicates")


def rows_table(release: PublicRelease) -> TableView:
    """Rows read, used, rejected and duplicates of the input."""
    lang = release.language
    counts = release.indicators.get("rows", {})
    rows = [
        (
            _label(text(lang, f"rows_{k}")),
            _num(release, counts.get(k), "int", suppressed=False, main=True),
        )
        for k in ROW_KEYS
        if k in counts
    ]
    rounded = (text(lang, "rows_rounded"),) if counts.get("rounded_to") else ()
    return _finish(
        release,
        "rows",
        text(lang, "cap_rows"),
        [text(lang, "col_what"), text(lang, "col_count")],
        rows,
        rounded,
    )


def checksum_table(release: PublicRelease) -> TableView:
    """Input files and their SHA-256."""
    lang = release.language
    rows = [
        (
            _label(text(lang, f"input_{name}") if f"input_{name}" in LABELS[lang] else name),
            _label(str(info.get("file", ""))),
            Cell(str(info.get("sha256") or ""), numeric=False, attrs=(("class", "hash"),)),
        )
        for name, info in sorted(release.inputs.items())
    ]
    headers = [text(lang, k) for k in ("col_input", "col_file", "col_sha256")]
    return _finish(release, "checksums", text(lang, "sub_checksums"), headers, rows)


def definitions(release: PublicRelease) -> list[tuple[str, str]]:
    """(indicator name, definition) for every indicator of CONTRACT 4."""
    lang, ages = release.language, ages_text(release)
    return [
        (indicator_name(lang, i, ages=ages), text(lang, f"def_{i}", ages=ages))
        for i in (*INDICATOR_ORDER, *TWELVE_MONTH_TWINS)
    ]


def kind_of(indicator_id: str) -> ValueKind:
    """The number kind of an indicator (ratio for unknown ids)."""
    return INDICATOR_KINDS.get(indicator_id, "ratio")
