"""Disclosure control of a follow-up release: what it publishes, and what it hides last.

:func:`protect_analysis` hands :func:`risk_indicators.disclosure.protect` every count a
release publishes (the cube with margins, the 12-month windows of :func:`published_windows`,
the indicator counts of the young for every period and window, the period's new young, and
the rows used) with the costs of :func:`followup_priority`. Re-exported by
:mod:`risk_indicators.release`, which builds the public tables from the result.
"""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd

from risk_indicators.analysis import Analysis, followup_windows
from risk_indicators.cube import CountName, window_block
from risk_indicators.disclosure import (
    DerivedCount,
    Ledger,
    Protection,
    PublishedTotal,
    default_priority,
    protect,
)
from risk_indicators.periods import parse_period, window_label

__all__ = ["followup_priority", "protect_analysis", "published_windows"]

TOTAL = "total"
YOUTH_COUNTS = ("youth", "youth_women", "youth_men")


def _window_periods(analysis: Analysis) -> dict[str, list[str]]:
    """Window label -> the period codes it covers, for every window of the analysis."""
    if analysis.windows is None:
        return {}
    labels = set(analysis.windows["period"].astype(str))
    periods = [parse_period(str(c)) for c in analysis.cube["period"].unique()]
    return {
        window_label(p): [q.code for q in p.window()] for p in periods if window_label(p) in labels
    }


def _derived_counts(analysis: Analysis) -> list[DerivedCount]:
    cfg = analysis.config
    gender_of = {"youth": TOTAL, "youth_women": "kvinna", "youth_men": "man"}
    blocks = [str(period) for period in analysis.cube["period"].unique()]
    shown = published_windows(analysis)
    if shown is not None:
        periods = _window_periods(analysis)
        blocks += [window_block(periods[str(w)]) for w in shown["period"].unique()]
    extras = [
        DerivedCount(name, block, tuple((TOTAL, band, gender_of[name]) for band in cfg.youth_bands))
        for block in blocks
        for name in YOUTH_COUNTS
    ]
    new = analysis.results["period"].get("new_persons_youth")
    if new is not None and isinstance(new.value, int):
        extras.append(
            DerivedCount(
                "new_youth",
                analysis.period.code,
                tuple((TOTAL, band, TOTAL) for band in cfg.youth_bands),
                value=new.value,
                bounded=True,
            )
        )
    return extras


def published_windows(analysis: Analysis) -> pd.DataFrame | None:
    """The 12-month window cube a release publishes: the windows of
    :func:`risk_indicators.analysis.followup_windows` (ending with P and a year earlier)."""
    if analysis.windows is None:
        return None
    wanted = [window_label(p) for p in followup_windows(analysis.period, analysis.windows)]
    chosen = analysis.windows.loc[analysis.windows["period"].isin(wanted)]
    return chosen.reset_index(drop=True) if len(chosen) else None


def protect_analysis(analysis: Analysis, *, ledger: Ledger | None) -> Protection:
    """Suppress and audit every count the release publishes (fail closed).

    Raises
    ------
    DisclosureError
        The audit failed or a solver failed; nothing may be published.
    """
    shown = published_windows(analysis)
    windows = {"rolling_12_months": shown} if shown is not None else None
    periods = _window_periods(analysis)
    return protect(
        analysis.cube,
        min_count=analysis.config.disclosure.min_count,
        windows=windows,
        window_periods=(
            {w: periods[w] for w in shown["period"].unique()} if shown is not None else None
        ),
        extra_counts=_derived_counts(analysis),
        # rows used (published in the data-quality section) are every period's reports
        published_totals=[PublishedTotal("rows_used", _cube_periods(analysis))],
        ledger=ledger,
        release_id=f"{analysis.config.municipality} {analysis.period.code}",
        priority=followup_priority(analysis),
    )


def _cube_periods(analysis: Analysis) -> tuple[str, ...]:
    return tuple(sorted({str(p) for p in analysis.cube["period"].unique()}))


def followup_priority(analysis: Analysis) -> Callable[[CountName, int], float]:
    """What a follow-up hides last in secondary suppression (costs for ``protect``).

    The counts of the young, from most to least costly to hide: the young persons of every
    period and the period's new young persons (10,000: the series is the youth goal's
    backbone, and one hidden period hides the trend line and the alarms of the whole series,
    see :func:`risk_indicators.release.public_tables`); the period's split of the young by
    gender and the young of the 12 months ending with the period with their split (3,000:
    the goal for the share of women is judged on the 12 months); the young of other windows
    (1,000) and other splits (300). Every other count costs what
    :func:`~risk_indicators.disclosure.default_priority` says (at most 100). The order
    matters only where counts conflict: in the bundled demo the young of every tertial are
    published and the young of the last 12 months by gender are not.
    """
    period = analysis.period.code
    window = window_block([q.code for q in analysis.period.window()])

    def priority(name: CountName, n_cells: int) -> float:
        if not name.is_derived:
            return default_priority(name, n_cells)
        headline = name.derived in ("youth", "new_youth")
        if headline and not name.is_window:
            cost = 10_000.0
        elif name.block in (period, window):
            cost = 3_000.0
        else:
            cost = 1_000.0 if headline else 300.0
        return cost / 2 if name.measure == "reports" else cost

    return priority
