"""What the report's section "Vad som gjordes" / "What was done" renders (issue 16).

:class:`EffortView` is an optional field of :class:`~risk_indicators.report.PublicRelease`,
built by the release from the public figure rows (activity amounts are public facts of the
police's work; the detection split of the young is shown only when the release allows it).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

import pandas as pd

__all__ = ["EFFORT_STATUS", "EFFORT_TABLE_COLUMNS", "EffortView"]

#: The public tables of the section and their columns, in the order they are written.
EFFORT_TABLE_COLUMNS: dict[str, tuple[str, ...]] = {
    "effort_activities": ("period", "area", "activity", "unit", "amount"),
    "effort_promise": ("activity", "area", "unit", "amount", "promised"),
    "effort_hours": ("period", "hours"),
    "effort_trend": ("term", "estimate", "ci_low", "ci_high", "p_value", "n"),
    "effort_detection": ("detection", "women", "men", "persons", "suppressed"),
}
#: Why the effort-adjusted trend is (not) shown: ``ok``; ``flat`` (nothing to adjust);
#: ``unknown`` (no activity file); ``last_unknown`` (no hours in P); ``in_step`` (effort moves
#: with time); ``insufficient`` (too few periods or counts, as the unadjusted trend).
EFFORT_STATUS = ("ok", "flat", "unknown", "last_unknown", "in_step", "insufficient")
EffortStatus = Literal["ok", "flat", "unknown", "last_unknown", "in_step", "insufficient"]


@dataclass(frozen=True)
class EffortView:
    """The public effort figures of one release.

    Attributes
    ----------
    known
        Whether an activity file was given (otherwise the effort is unknown and the section
        says so).
    status
        See :data:`EFFORT_STATUS`.
    tables
        ``effort_activities`` (every activity row up to P, summed per period, area, activity
        and unit; ``area`` ``total`` = the whole municipality), ``effort_promise`` (P's
        activities: what the promise lists first, ``promised`` true, with ``<NA>`` amounts
        when not reported, then the others), ``effort_hours`` (the effort of every period),
        ``effort_trend`` (the adjusted trend, the unadjusted trend over the same periods and the
        elasticity) and ``effort_detection`` (the young of P by detection mode; ``<NA>`` with
        ``suppressed`` when the release may not show the split).
    periods
        First and last period of the adjusted trend (empty when it is not defined).
    """

    known: bool
    status: EffortStatus
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    periods: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if self.status not in EFFORT_STATUS:
            raise ValueError(
                f"The 'status' parameter of EffortView must be one of {sorted(EFFORT_STATUS)}. "
                f"Got {self.status!r} instead."
            )
        for name, df in self.tables.items():
            if name not in EFFORT_TABLE_COLUMNS:
                raise ValueError(f"EffortView.tables has an unknown table {name!r}.")
            missing = [c for c in EFFORT_TABLE_COLUMNS[name] if c not in df.columns]
            if missing:
                raise ValueError(f"The effort table '{name}' lacks the columns {missing}.")

    def table(self, name: str) -> pd.DataFrame:
        """The table ``name`` with its columns in order (empty when absent)."""
        columns = list(EFFORT_TABLE_COLUMNS[name])
        df = self.tables.get(name)
        if df is None:
            return pd.DataFrame({c: pd.Series([], dtype=object) for c in columns})
        return df.loc[:, columns].reset_index(drop=True)
