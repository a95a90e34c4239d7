"""Police effort in a follow-up (issue 16): the effort figures of P and their figure rows.

:func:`effort_part` computes the effort statistics once (the adjusted youth trend, the young
per 100 activity hours, the police-initiated share of the young) and returns their indicators
for ``results["period"]`` and the rows they add to the figure table:

==================  ============================================  ===========================
table               rows                                          uses
==================  ============================================  ===========================
``activity_hours``  hours per period (up to P), area and           nothing: activity amounts
                    activity (``figure`` = activity, ``group`` =   are public facts of the
                    area, ``n`` = rows of the file)                police's work, not persons
``activity_count``  occasions (unit ``antal``), likewise           nothing
``effort_hours``    the effort of each period (all hours summed)   nothing
``effort_trend``    the terms of the adjusted trend                nothing (a whole-series
                                                                   summary, as the youth trend)
``detection_youth`` young persons of P by detection mode           the detection split of the
                    (``figure``) and gender (``group``; ``total``  young in P (derived counts
                    sums both)                                     ``detection:<mode>:<g>``)
==================  ============================================  ===========================
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from risk_indicators.config import Config
from risk_indicators.cube import TOTAL, CountName
from risk_indicators.intake import HOURS_UNIT, Activities
from risk_indicators.periods import Period
from risk_indicators.stats import (
    EffortStatistics,
    Indicator,
    YouthStatistics,
    effort_statistics,
)

from ._figures import FIGURE_COLUMNS

__all__ = ["effort_part"]


def _row(table: str, figure: str, label: str, value: Any, uses: tuple[CountName, ...] = (), *,
         group: str = TOTAL, scope: str = "period", **rest: Any) -> dict[str, Any]:  # fmt: skip
    row = {"table": table, "figure": figure, "scope": scope, "label": label, "group": group,
           "value": value, "ci_low": None, "ci_high": None, "n": None, "p_value": None,
           "uses": uses}  # fmt: skip
    row.update(rest)
    return row


def _rows(effort: EffortStatistics, activities: Activities | None, period: Period,
          periods: list[str]) -> pd.DataFrame:  # fmt: skip
    rows = []
    if activities is not None:
        t = activities.table
        t = t.loc[t["period"].isin(periods)]
        for r in t.itertuples(index=False):
            table = "activity_hours" if r.unit == HOURS_UNIT else "activity_count"
            rows.append(_row(table, str(r.activity), str(r.period), float(r.amount),
                             group=str(r.area), n=int(r.n)))  # fmt: skip
    if effort.hours is not None:
        for p, h in effort.hours.items():
            rows.append(_row("effort_hours", "hours", str(p), None if pd.isna(h) else float(h)))
    for r in effort.trend.table.to_dict("records"):
        rows.append(_row("effort_trend", str(r["term"]), period.code, r["estimate"],
                         scope="all_periods", ci_low=r["ci_low"], ci_high=r["ci_high"],
                         n=r["n"], p_value=r["p_value"]))  # fmt: skip
    if effort.detection is not None:
        p = period.code
        for mode, counts in effort.detection.iterrows():
            both = ()
            for gender in ("kvinna", "man"):
                name = (CountName.derived_count(f"detection:{mode}:{gender}", p),)
                both += name
                rows.append(_row("detection_youth", str(mode), p, int(counts[gender]), name,
                                 group=gender))  # fmt: skip
            rows.append(_row("detection_youth", str(mode), p, int(counts.sum()), both))
    return pd.DataFrame(rows, columns=FIGURE_COLUMNS)


def effort_part(
    youth: YouthStatistics,
    *,
    activities: Activities | None,
    detection: pd.DataFrame | None,
    period: Period,
    config: Config,
) -> tuple[EffortStatistics, dict[str, Indicator], pd.DataFrame]:
    """The effort statistics of P, their indicators and their figure rows (module docstring).

    Without activities the effort is unknown: the adjusted trend and the rate per activity
    hours are not defined (their reason says so); the police-initiated share of the young
    needs only the detection split and is computed whenever the records have it.
    """
    periods = [str(p) for p in youth.series.index]
    hours = None if activities is None else activities.effort_hours(periods)
    effort = effort_statistics(youth, hours=hours, detection=detection, period=period,
                               config=config)  # fmt: skip
    return effort, effort.indicators, _rows(effort, activities, period, periods)
