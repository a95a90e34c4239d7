"""The public tables of a release: views of the figure table, blanked by one rule.

Every number comes from :func:`risk_indicators.analysis.figure_table` (computed once by
``analyse``); :class:`~risk_indicators.release.Publication` decides which figures may be
shown (every count a figure uses is published). This module only selects, shapes and blanks:
a blanked figure is ``<NA>`` with ``suppressed`` true. The table ``counts`` holds the
published counts themselves (the publication design of
:func:`risk_indicators.release.publication_design`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from risk_indicators.analysis import WHOLE_SERIES, Analysis, followup_windows
from risk_indicators.cube import CountName, window_block
from risk_indicators.disclosure import Protection
from risk_indicators.periods import window_label

from ._publication import Publication, detection_shown

__all__ = ["PublicView", "public_view"]


@dataclass(frozen=True)
class PublicView:
    """What a release may show: the public tables, the withheld indicators (``(scope, id)``),
    the goal's public values and the sentences that may be quoted."""

    tables: dict[str, pd.DataFrame]
    suppressed: frozenset[tuple[str, str]]
    min_detectable_change: float | None
    sentences: dict[str, str]
    goal_values: dict[str, Any]


def _blank(values: Any, ok: np.ndarray, dtype: str) -> Any:
    """``values`` as a nullable array with ``<NA>`` where ``ok`` is false (NaN too)."""
    numbers = pd.to_numeric(pd.Series(np.asarray(values, dtype=object)), errors="coerce")
    out = pd.array(numbers.to_numpy(dtype=float, na_value=np.nan), dtype="Float64")
    out[~np.asarray(ok, dtype=bool) | np.isnan(numbers.to_numpy(dtype=float))] = pd.NA
    return out.astype(dtype)  # type: ignore[call-overload]


#: The public counts table: one row per count the release shows or hides.
COUNT_COLUMNS = ("table", "period", "area", "age_band", "gender", "measure", "value",
                 "suppressed")  # fmt: skip
_DERIVED_GENDER = {"youth": "total", "youth_women": "kvinna", "youth_men": "man",
                   "new_youth": "total"}  # fmt: skip


def _counts(analysis: Analysis, protection: Protection) -> pd.DataFrame:
    """Every published table's counts in one long table, in the design's order: the table
    (a period's breakdown without its period in the name), the period or window label, the
    keys (the young as the youth age band; the period's new young as ``new_persons``), the
    value or ``<NA>`` and ``suppressed``."""
    t = protection.table
    labels = {str(p): str(p) for p in analysis.cube["period"].unique()}
    for end in followup_windows(analysis.period, analysis.windows):
        labels[window_block([q.code for q in end.window()])] = window_label(end)
    youth = f"{analysis.config.youth_min_age}-{analysis.config.youth_max_age}"
    rows = []
    for r in t.itertuples(index=False):
        name = CountName.parse(str(r.count))
        table = str(r.table).split(" ")[0]
        if name.is_derived:
            keys = ("total", youth, _DERIVED_GENDER.get(name.derived, "total"))
            measure = "new_persons" if name.derived == "new_youth" else "persons"
        else:
            keys, measure = (name.area, name.age_band, name.gender), name.measure
        rows.append((table, labels.get(name.block, name.block), *keys, measure, r.value,
                     pd.isna(r.value)))  # fmt: skip
    out = pd.DataFrame(rows, columns=list(COUNT_COLUMNS))
    out["value"] = pd.array(out["value"], dtype="Int64")
    return out


def _pick(figures: pd.DataFrame, table: str) -> pd.DataFrame:
    return figures.loc[figures["table"] == table]


def _wide(rows: pd.DataFrame, key: str) -> dict[str, pd.DataFrame]:
    """``figure`` -> its rows in the order of ``key``'s first appearance."""
    order = list(dict.fromkeys(rows[key]))
    return {f: part.set_index(key).reindex(order) for f, part in rows.groupby("figure", sort=False)}


def _youth_by_period(figures: pd.DataFrame) -> pd.DataFrame:
    rows = _pick(figures, "youth_by_period")
    f = _wide(rows, "label")
    periods = list(f["persons_youth"].index)
    ok = f["persons_youth"]["ok"].to_numpy(dtype=bool)
    out = pd.DataFrame(
        {
            "period": periods,
            "label": periods,
            "persons_youth": _blank(f["persons_youth"]["value"], ok, "Int64"),
            "population_youth": _blank(
                f["population_youth"]["value"], np.ones(len(ok), bool), "Int64"
            ),
            "rate_per_10k": _blank(f["rate_per_10k"]["value"], ok, "Float64"),
            "ci_low": _blank(f["rate_per_10k"]["ci_low"], ok, "Float64"),
            "ci_high": _blank(f["rate_per_10k"]["ci_high"], ok, "Float64"),
        }
    )
    fit = f["fitted_rate"]
    fit_ok = fit["ok"].to_numpy(dtype=bool)
    for col, src in (
        ("fitted_rate", "value"),
        ("fitted_low", "ci_low"),
        ("fitted_high", "ci_high"),
    ):
        out[col] = _blank(fit[src], fit_ok, "Float64")
    for col in ("expected", "upperbound"):
        out[col] = _blank(f[col]["value"], f[col]["ok"].to_numpy(dtype=bool), "Float64")
    flags = f["alarm"]
    out["alarm"] = pd.array(
        [bool(v) if k and v is not None and not pd.isna(v) else pd.NA
         for v, k in zip(flags["value"], flags["ok"], strict=True)],
        dtype="boolean",
    )  # fmt: skip
    out["suppressed"] = ~ok
    return out


def _female_share(figures: pd.DataFrame) -> pd.DataFrame:
    rows = _pick(figures, "female_share")
    columns = ["scope", "period", "women", "men", "estimate", "ci_low", "ci_high", "suppressed"]
    if rows.empty:
        return pd.DataFrame(columns=columns)
    rows = rows.assign(key=rows["scope"] + "|" + rows["label"])
    f = _wide(rows, "key")
    share = f["share"]
    ok = share["ok"].to_numpy(dtype=bool)
    out = pd.DataFrame({"scope": share["scope"].to_numpy(), "period": share["label"].to_numpy()})
    out["women"] = _blank(f["women"]["value"], ok, "Int64")
    out["men"] = _blank(f["men"]["value"], ok, "Int64")
    for col, src in (("estimate", "value"), ("ci_low", "ci_low"), ("ci_high", "ci_high")):
        out[col] = _blank(share[src], ok, "Float64")
    out["suppressed"] = ~ok
    return out


def _indicators(figures: pd.DataFrame) -> pd.DataFrame:
    rows = []
    for r in _pick(figures, "indicators").to_dict("records"):
        hidden = not r["ok"]
        value = None if hidden else r["value"]
        scope = r["scope"]
        if r["figure"] in WHOLE_SERIES and scope == "period":
            scope = "all_periods"  # whole-series summaries are not figures of the period
        rows.append({
            "scope": scope,
            "label": r["label"],
            "id": r["figure"],
            "value": None if value is None else str(value) if isinstance(value, str)
            else float(value),
            "ci_low": None if hidden else r["ci_low"],
            "ci_high": None if hidden else r["ci_high"],
            "n": None if hidden else r["n"],
            "suppressed": hidden,
        })  # fmt: skip
    return pd.DataFrame(rows)


def _simple(figures: pd.DataFrame, table: str, first: str, extra: tuple[str, ...]) -> pd.DataFrame:
    rows = _pick(figures, table)
    ok = rows["ok"].to_numpy(dtype=bool)
    out = pd.DataFrame({first: rows["figure"].to_numpy()})
    for name in extra:
        out[name] = rows[name if name != "scope" else "scope"].to_numpy()
    for col, src in (("estimate", "value"), ("ci_low", "ci_low"), ("ci_high", "ci_high"),
                     ("p_value", "p_value")):  # fmt: skip
        out[col] = _blank(rows[src], ok, "Float64")
    return out.assign(_ok=ok)


def _comparison(figures: pd.DataFrame) -> pd.DataFrame:
    out = _simple(figures, "comparison", "comparison", ())
    return out.assign(suppressed=~out.pop("_ok"))


def _fairness(figures: pd.DataFrame) -> pd.DataFrame:
    rows = _pick(figures, "fairness")
    out = _simple(figures, "fairness", "measure", ("scope", "group"))
    ok = out.pop("_ok").to_numpy(dtype=bool)
    n = [None if pd.isna(v) else int(v) for v in rows["n"].tolist()]
    out["n"] = _blank(pd.array(n, dtype="Int64"), ok, "Int64")
    out = out[["measure", "scope", "group", "estimate", "ci_low", "ci_high", "n", "p_value"]]
    return out.assign(suppressed=~ok)


def _trend(figures: pd.DataFrame) -> pd.DataFrame:
    rows = _pick(figures, "trend")
    return pd.DataFrame(
        {"term": rows["figure"].to_numpy(), "estimate": rows["value"].to_numpy(dtype=float),
         "ci_low": rows["ci_low"].to_numpy(dtype=float),
         "ci_high": rows["ci_high"].to_numpy(dtype=float),
         "p_value": rows["p_value"].to_numpy(dtype=float), "n": rows["n"].to_numpy()}
    )  # fmt: skip


def public_view(analysis: Analysis, protection: Protection) -> PublicView:
    """The public tables of CONTRACT 3, the withheld indicators, the goal's detectable change
    and the sentences a release may show."""
    publication = Publication.of(protection, extra=detection_shown(analysis, protection))
    figures = analysis.figures.assign(ok=publication.mask(analysis.figures))
    ind = _pick(figures, "indicators")
    suppressed = frozenset(
        (str(s), str(i)) for s, i, ok in zip(ind["scope"], ind["figure"], ind["ok"], strict=True)
        if not ok
    )  # fmt: skip
    tables = {
        "youth_by_period": _youth_by_period(figures),
        "female_share": _female_share(figures),
        "indicators": _indicators(figures),
        "counts": _counts(analysis, protection),
        "trend": _trend(figures),
        "comparison": _comparison(figures),
        "fairness": _fairness(figures),
    }
    goal = _pick(figures, "goal")
    mdc = goal.loc[goal["figure"] == "min_detectable_change"]
    # the assessment's numbers, each None when a count it rests on is hidden
    goal_values: dict[str, Any] = {
        str(r["figure"]): (None if not r["ok"] or pd.isna(r["value"]) else r["value"])
        for r in goal.to_dict("records")
        if r["figure"] != "min_detectable_change"
    }
    proj = goal.loc[goal["figure"] == "projected"]
    if len(proj) and bool(proj["ok"].iloc[0]):
        goal_values["projected_low"] = proj["ci_low"].iloc[0]
        goal_values["projected_high"] = proj["ci_high"].iloc[0]
    sentences = {
        str(r["figure"]): str(r["value"])
        for r in _pick(figures, "sentence").to_dict("records")
        if r["ok"]
    }
    return PublicView(
        tables=tables,
        suppressed=suppressed,
        min_detectable_change=(
            mdc["value"].iloc[0] if len(mdc) and bool(mdc["ok"].iloc[0]) else None
        ),
        sentences=sentences,
        goal_values=goal_values,
    )
