"""The model card's figures as one tidy table, each with the counts it rests on.

Private to :mod:`risk_indicators.riskmodel`. :class:`FigureBook` collects the counts (with
the partitions they form) and the figures; :meth:`FigureBook.table` applies
:func:`~risk_indicators.riskmodel._protect.protect_counts` and marks what is published.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from ._protect import Partition, protect_counts

__all__ = ["COUNT_COLUMNS", "TABLE_COLUMNS", "FigureBook"]

COUNT_COLUMNS: tuple[str, ...] = ("n", "positives", "negatives", "tp", "fp", "fn", "tn")
TABLE_COLUMNS: tuple[str, ...] = (
    "figure", "model", "group_by", "group", "estimate", "ci_low", "ci_high", *COUNT_COLUMNS,
    "published", "note",
)  # fmt: skip
WITHHELD_NOTE = {
    "sv": "undanhållen: vilar på ett antal personer mellan 1 och {t1} (eller ett som kan räknas "
    "fram ur andra)",
    "en": "withheld: rests on a count of persons between 1 and {t1} (or one that others would "
    "give away)",
}


def _num(x: Any) -> float | None:
    if x is None:
        return None
    x = float(x)
    return x if np.isfinite(x) else None


class FigureBook:
    """Counts, their partitions and the figures resting on them."""

    def __init__(self) -> None:
        self.values: dict[str, int] = {}
        self.partitions: list[Partition] = []
        self.rows: list[dict[str, Any]] = []
        self.rests_on: list[tuple[str, ...]] = []

    def count(self, name: str, value: Any) -> str:
        self.values[name] = int(value)
        return name

    def counts(self, values: Mapping[str, Any]) -> None:
        for name, value in values.items():
            self.count(name, value)

    def partition(self, total: str, parts: Iterable[str]) -> None:
        self.partitions.append((total, tuple(parts)))

    def figure(
        self,
        figure: str,
        *,
        model: str = "",
        group_by: str = "overall",
        group: str = "all",
        estimate: Any = None,
        ci: Sequence[Any] = (None, None),
        counts: Mapping[str, str] | None = None,
        extra: Iterable[str] = (),
    ) -> None:
        """A figure; ``counts`` maps table columns (``n``, ``tp``, ...) to count names, and
        ``extra`` names further counts it rests on (not shown in its row)."""
        counts = dict(counts or {})
        row: dict[str, Any] = {"figure": figure, "model": model, "group_by": group_by,
                               "group": group, "estimate": _num(estimate),
                               "ci_low": _num(ci[0]), "ci_high": _num(ci[1])}  # fmt: skip
        for column in COUNT_COLUMNS:
            row[column] = self.values[counts[column]] if column in counts else None
        self.rows.append(row)
        self.rests_on.append((*counts.values(), *extra))

    def table(self, *, min_count: int) -> tuple[pd.DataFrame, dict[str, str]]:
        """The figures with ``published`` and ``note``, and the withheld counts."""
        shown = {c for names in self.rests_on for c in names}
        withheld = protect_counts(self.values, shown, self.partitions, min_count=min_count)
        frame = pd.DataFrame(self.rows, columns=list(TABLE_COLUMNS[:-2]))
        published = [not any(c in withheld for c in names) for names in self.rests_on]
        frame["published"] = published
        note = WITHHELD_NOTE["en"].format(t1=min_count - 1)
        frame["note"] = np.where(frame["published"], "", note)
        for column in COUNT_COLUMNS:
            frame[column] = frame[column].astype("Int64")
        for column in ("estimate", "ci_low", "ci_high"):
            frame[column] = frame[column].astype(float)
        return frame.loc[:, list(TABLE_COLUMNS)], withheld


def public_table(table: pd.DataFrame) -> pd.DataFrame:
    """``table`` with every withheld figure's values and counts blanked (what may be shown)."""
    out = table.copy()
    hide = ~out["published"].to_numpy(dtype=bool)
    for column in ("estimate", "ci_low", "ci_high"):
        out.loc[hide, column] = np.nan
    for column in COUNT_COLUMNS:
        out.loc[hide, column] = pd.NA
    return out
