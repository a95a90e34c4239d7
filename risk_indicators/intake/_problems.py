"""The problems of a batch of reports, and reasons that quote a rejected value safely."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from .schema import scrub

if TYPE_CHECKING:
    from ._columns import Distinct

__all__ = ["ID_NOT_SHOWN", "Problems", "quoted"]


class Problems:
    def __init__(self) -> None:
        self.parts: list[pd.DataFrame] = []

    def add(self, mask: np.ndarray, column: str, reasons: Any) -> None:
        """``reasons``: one text, or a per-row callable ``positions -> texts``."""
        positions = np.flatnonzero(mask)
        if positions.size == 0:
            return
        texts = [reasons] * positions.size if isinstance(reasons, str) else reasons(positions)
        self.parts.append(pd.DataFrame({"pos": positions, "column": column, "reason": texts}))

    def frame(self) -> pd.DataFrame:
        if not self.parts:
            return pd.DataFrame({"pos": pd.Series(dtype="int64"), "column": [], "reason": []})
        return pd.concat(self.parts, ignore_index=True)


#: Shown instead of a rejected value that is one of the file's person ids (a shifted export).
ID_NOT_SHOWN = "[a person id, not shown]"


def quoted(d: Distinct, message: str, ids: Callable[[], frozenset[str]]) -> Any:
    """Reasons quoting each row's value, formatted once per distinct value reported.

    A value that is a personnummer, or one of the batch's person ids (an export shifted by a
    column puts the id in the next column), is not quoted: rejected rows and messages go to
    ``audit/`` and the terminal, where no raw id may go.
    """

    def at(positions: np.ndarray) -> list[str]:
        codes = d.codes[positions]
        cache: dict[int, str] = {}
        out = []
        for c in codes:
            c = int(c)
            if c not in cache:
                text = str(d.texts.iloc[c])
                shown = ID_NOT_SHOWN if text.strip() and text.strip() in ids() else text[:40]
                cache[c] = scrub(message.format(value=shown))
            out.append(cache[c])
        return out

    return at
