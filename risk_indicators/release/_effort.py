"""The public effort figures of a release (issue 16): views of the figure table, blanked by
the one rule.

Every number comes from the effort rows of :func:`risk_indicators.analysis.figure_table`
(the analysis stage's ``_effort`` rows): activity amounts and the effort-adjusted trend use no
count of persons and are always public; the young of P by detection mode use the detection
split and are shown only when :class:`~risk_indicators.release.Publication` allows every count
(the split shown by :func:`~risk_indicators.release.detection_shown`), and in addition only
when the young of unknown gender in P, which the split and the published young would give
back by subtraction, are 0 or at least T. This module selects, sums activity amounts per
area for the promise table, and blanks; it computes no statistic.
"""

from __future__ import annotations

import pandas as pd

from risk_indicators.analysis import Analysis
from risk_indicators.cube import TOTAL
from risk_indicators.disclosure import Protection
from risk_indicators.intake import COUNT_UNIT, HOURS_UNIT, PROMISED_ACTIVITIES
from risk_indicators.report import EffortView
from risk_indicators.stats import DETECTION_MODES

from ._publication import Publication, detection_shown

__all__ = ["effort_view"]

_ACTIVITY_TABLES = {"activity_hours": HOURS_UNIT, "activity_count": COUNT_UNIT}


def _floats(values: pd.Series) -> pd.arrays.FloatingArray:
    """Numbers of a figure column (None, NaN and <NA> alike missing) as ``Float64``."""
    numbers = pd.to_numeric(pd.Series(list(values), dtype=object), errors="coerce")
    return pd.array(numbers, dtype="Float64")  # type: ignore[return-value]


def _status(analysis: Analysis) -> str:
    effort = analysis.effort
    if effort is None or not effort.known:
        return "unknown"
    trend = effort.trend
    if trend.status == "ok":
        return "flat" if trend.note else "ok"
    if "of the last period" in trend.reason:
        return "last_unknown"
    if "in step with time" in trend.reason:
        return "in_step"
    return "insufficient"


def _activities(figures: pd.DataFrame) -> pd.DataFrame:
    rows = figures.loc[figures["table"].isin(list(_ACTIVITY_TABLES)) & figures["ok"]]
    return pd.DataFrame({
        "period": rows["label"].astype(str).to_numpy(),
        "area": rows["group"].astype(str).to_numpy(),
        "activity": rows["figure"].astype(str).to_numpy(),
        "unit": rows["table"].map(_ACTIVITY_TABLES).to_numpy(),
        "amount": _floats(rows["value"]),
    })  # fmt: skip


def _promise(acts: pd.DataFrame, period: str, areas: set[str]) -> pd.DataFrame:
    """P's activities: the promise's list first (not reported: ``<NA>``), then the others,
    each summed over the areas it covers."""
    now = acts.loc[acts["period"] == period]
    rows = []
    for activity, named in PROMISED_ACTIVITIES:
        for area in [a for a in named if a in areas] or [TOTAL]:
            sel = now.loc[(now["activity"] == activity)
                          & ((now["area"] == area) if area != TOTAL else True)]  # fmt: skip
            if sel.empty:
                rows.append((activity, area, "", pd.NA, True))
            for unit, part in sel.groupby("unit", sort=True):
                rows.append((activity, area, str(unit), float(part["amount"].sum()), True))
    promised = {a for a, _ in PROMISED_ACTIVITIES}
    other = now.loc[~now["activity"].isin(promised)]
    for (activity, unit), part in other.groupby(["activity", "unit"], sort=True):
        rows.append((str(activity), TOTAL, str(unit), float(part["amount"].sum()), False))
    out = pd.DataFrame(rows, columns=["activity", "area", "unit", "amount", "promised"])
    out["amount"] = pd.array(out["amount"], dtype="Float64")
    return out


def _detection(analysis: Analysis, figures: pd.DataFrame) -> pd.DataFrame:
    rows = figures.loc[figures["table"] == "detection_youth"]
    cols = ["detection", "women", "men", "persons", "suppressed"]
    if rows.empty:
        return pd.DataFrame(columns=cols)
    t = analysis.config.disclosure.min_count
    det = analysis.detection
    unknown_gender = 0
    if det is not None:
        unknown_gender = int(det.loc[(det["period"] == analysis.period.code)
                                     & det["age_band"].isin(analysis.config.youth_bands)
                                     & (det["gender"] == "okänt")
                                     & det["detection"].isin(DETECTION_MODES),
                                     "persons"].sum())  # fmt: skip
    safe = unknown_gender == 0 or unknown_gender >= t
    out = []
    for mode in DETECTION_MODES:
        part = rows.loc[rows["figure"] == mode].set_index("group")
        shown = safe and bool(part["ok"].all())
        values = [int(part.at[g, "value"]) if shown else pd.NA for g in ("kvinna", "man", TOTAL)]
        out.append((mode, *values, not shown))
    frame = pd.DataFrame(out, columns=cols)
    for c in ("women", "men", "persons"):
        frame[c] = pd.array(frame[c], dtype="Int64")
    return frame


def effort_view(analysis: Analysis, protection: Protection) -> EffortView:
    """The section "Vad som gjordes" / "What was done" of a release (module docstring)."""
    publication = Publication.of(protection, extra=detection_shown(analysis, protection))
    figures = analysis.figures.assign(ok=publication.mask(analysis.figures))
    status = _status(analysis)
    tables = {"effort_detection": _detection(analysis, figures)}
    effort = analysis.effort
    if effort is not None and effort.known:
        acts = _activities(figures)
        areas = {str(a) for a in analysis.cube["area"].unique()} - {TOTAL}
        hours = figures.loc[(figures["table"] == "effort_hours") & figures["ok"]]
        trend = figures.loc[(figures["table"] == "effort_trend") & figures["ok"]]
        tables.update({
            "effort_activities": acts,
            "effort_promise": _promise(acts, analysis.period.code, areas),
            "effort_hours": pd.DataFrame({
                "period": hours["label"].astype(str).to_numpy(),
                "hours": _floats(hours["value"])}),
            "effort_trend": pd.DataFrame({
                "term": trend["figure"].astype(str).to_numpy(),
                **{c: _floats(trend[src])
                   for c, src in (("estimate", "value"), ("ci_low", "ci_low"),
                                  ("ci_high", "ci_high"), ("p_value", "p_value"))},
                "n": pd.array(pd.to_numeric(pd.Series(list(trend["n"]), dtype=object),
                                          errors="coerce"), dtype="Int64")}),
        })  # fmt: skip
    periods = effort.trend.periods if effort is not None and status in ("ok", "flat") else ()
    span = (periods[0], periods[-1]) if periods else ()
    return EffortView(effort is not None and effort.known, status, tables, span)  # type: ignore[arg-type]
