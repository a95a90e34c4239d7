"""Which periods and 12-month windows a follow-up reports (the analysis and the release's
publication design both use these)."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from risk_indicators.periods import Period, window_label

__all__ = ["detail_periods", "followup_windows"]


def detail_periods(period: Period, periods: Sequence[str]) -> tuple[str, ...]:
    """The periods a follow-up breaks down (by age band, area and gender): the same period a
    year earlier, when the data have it, and P."""
    earlier = period.shift(-period.freq).code
    return tuple(p for p in (earlier, period.code) if p in set(periods))


def followup_windows(period: Period, windows: pd.DataFrame | None) -> tuple[Period, ...]:
    """The last periods of the 12-month windows a follow-up reports, oldest first: the one
    ending with P, the one ending a year earlier, two years earlier, ... as far as the data
    have complete windows.

    They do not overlap, so a person reported once is in one of them only, and the female
    share of the young over these windows is the series the gender goal is judged on (its
    trend uses every period's young women and men once, without the per-tertial counts of
    one to six young women that could never be published). Windows ending in other
    tertials were reported by the follow-ups of those tertials.
    """
    if windows is None:
        return ()
    labels = set(windows["period"].astype(str))
    out = []
    end = period
    while window_label(end) in labels:
        out.append(end)
        end = end.shift(-end.freq)
    return tuple(reversed(out))
