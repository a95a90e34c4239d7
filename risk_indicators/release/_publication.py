"""The one rule that decides what a release publishes.

A count is published when disclosure control shows it (:class:`~risk_indicators.disclosure.
Protection`: every count the audit covers) or, for the few counts outside the audited cube,
when a stated rule shows it (the detection split of the young: a count of 0 or at least T; any
difference an attacker can take is then a sum of such counts). A figure is published exactly
when every count it uses is published (CONTRACT 5); the figures and the counts they use come
from :func:`risk_indicators.analysis.figure_table`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from risk_indicators.analysis import Analysis, detection_counts
from risk_indicators.cube import TOTAL, CountName
from risk_indicators.disclosure import Protection

__all__ = ["Publication", "detection_shown"]


@dataclass(frozen=True)
class Publication:
    """The counts a release publishes; :meth:`allows` is the rule for every figure.

    Examples
    --------
    >>> from risk_indicators.cube import CountName
    >>> youth = CountName.derived_count("youth", "2024T1")
    >>> Publication(frozenset({youth})).allows([youth]), Publication(frozenset()).allows([youth])
    (True, False)
    """

    shown: frozenset[CountName]

    @classmethod
    def of(cls, protection: Protection, *, extra: Iterable[CountName] = ()) -> Publication:
        """The counts ``protection`` shows, and ``extra`` counts shown by a stated rule."""
        t = protection.table
        names = t.loc[t["value"].notna(), "count"].unique()
        return cls(frozenset(CountName.parse(str(n)) for n in names) | frozenset(extra))

    def allows(self, uses: Iterable[CountName]) -> bool:
        """Whether a figure that uses these counts may be published."""
        return all(u in self.shown for u in uses)

    def mask(self, figures: pd.DataFrame) -> np.ndarray:
        """:meth:`allows` for every row of a figure table (its ``uses`` column)."""
        return np.array([self.allows(uses) for uses in figures["uses"]], dtype=bool)


def detection_shown(analysis: Analysis, protection: Protection) -> frozenset[CountName]:
    """The detection split of the young in P that may be shown: each count 0 or at least T,
    and P's young women and young men published.

    The split (women and men of each detection mode, all areas and youth bands) is not part of
    the audited cube. Its counts sum to P's young women and young men, so it is shown only
    when those are published (then it tells nothing more of any audited count) and when no
    count of it lies in 1..T-1; otherwise none of it is (one small count would make its
    mode's figures give it back).
    """
    det = analysis.detection
    if det is None:
        return frozenset()
    t = analysis.config.disclosure.min_count
    p = analysis.period.code
    split_names = [CountName.derived_count(n, p) for n in ("youth_women", "youth_men")]
    if not Publication.of(protection).allows(split_names):
        return frozenset()
    cells = det.loc[(det["period"] == p) & det["age_band"].isin(analysis.config.youth_bands)
                    & det["gender"].isin(["kvinna", "man"])
                    & (det["detection"] != TOTAL)]  # fmt: skip
    split = cells.groupby(["detection", "gender"], observed=True)["persons"].sum()
    # perturbed counts (the cell-key method) are shown whatever their size
    if protection.method != "cell_key" and not bool(((split == 0) | (split >= t)).all()):
        return frozenset()
    return frozenset(detection_counts(p))  # a mode without rows has 0 persons
