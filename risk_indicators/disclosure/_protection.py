"""The result of disclosure control: what may be published and the tables that prove it.

Private to :mod:`risk_indicators.disclosure`, which re-exports :class:`Protection`,
``Method`` and ``AUDIT_COLUMNS``. :class:`Protection` carries the long table of published
cells, the rows of ``audit/disclosure.csv`` and the ledger entry; the helpers here build
those three tables from the attacker's model (:class:`~risk_indicators.disclosure.audit.Model`) for
both methods, suppression (:mod:`risk_indicators.disclosure._suppression`) and rounding.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import pandas as pd

from .audit import Certification, Model
from .ledger import CELL_COLUMNS, Release

__all__ = ["AUDIT_COLUMNS", "KEY_COLUMNS", "Method", "Protection"]

Method = Literal["suppress", "round", "cell_key"]
KEY_COLUMNS = ["table", "period", "area", "age_band", "gender", "measure"]
AUDIT_COLUMNS = [*KEY_COLUMNS, "suppression", "low", "high", "exact"]


@dataclass(frozen=True)
class Protection:
    """A protected release: what may be published, the audit that proves it, the ledger entry.

    Attributes
    ----------
    table
        Long table, one row per published table cell: ``table, period, area, age_band,
        gender, measure, count`` (the cell's :class:`~risk_indicators.cube.CountName` as text),
        ``value, status`` with ``value`` missing (``pd.NA``) when
        suppressed and ``status`` in ``published, primary, secondary, rounded``.
    audit
        The rows of ``audit/disclosure.csv``: every suppressed cell with its keys, whether
        it is ``primary`` or ``secondary``, and ``low``/``high``: the bounds an attacker
        derives by repeated arithmetic on everything published (missing ``high``: no upper
        bound). ``exact`` says whether tables consistent with everything published were
        found at both bounds; when not, the tightest bounds lie inside and, for every
        primary count, still contain 0 and ``T`` (the audit proves this with integer
        solutions).
    release
        What to give :meth:`risk_indicators.disclosure.ledger.Ledger.record` after the files
        are written.
    min_count, method
        The threshold and method used.
    notes
        Counts of ledger facts set aside because the data were revised since, and similar.
    """

    table: pd.DataFrame
    audit: pd.DataFrame
    release: Release
    min_count: int
    method: Method
    notes: dict[str, int] = field(default_factory=dict)

    @property
    def published(self) -> pd.DataFrame:
        """Wide tables as given, counts missing where suppressed, ``<measure>_suppressed``."""
        cells = self.table[self.table["table"] != "indicator_counts"]
        wide = cells.pivot(
            index=["table", "period", "area", "age_band", "gender"],
            columns="measure",
            values="value",
        )
        out = wide.reset_index()
        out.columns.name = None
        for measure in [c for c in wide.columns]:
            out[measure] = out[measure].astype("Int64")
            out[f"{measure}_suppressed"] = out[measure].isna()
        return out

    def is_published(self, key: str | tuple[str, str, str, str, str]) -> bool:
        """Whether a count is published: an indicator-count name or ``(period, area,
        age_band, gender, measure)``; unknown counts are not published."""
        return self._lookup().get(key, False)

    def _lookup(self) -> dict[object, bool]:
        t = self.table
        shown = t["value"].notna().to_numpy()
        keys: dict[object, bool] = {}
        for row, ok in zip(t[KEY_COLUMNS].itertuples(index=False, name=None), shown, strict=True):
            name = row[5] if row[0] == "indicator_counts" else row[1:]
            keys[name] = keys.get(name, True) and bool(ok)
        return keys

    def summary(self) -> str:
        """A few lines for the run log and the report's method note."""
        status = self.table["status"].value_counts()
        lines = [
            f"Release '{self.release.release_id}': {len(self.table)} published cells, "
            f"method {self.method}, T = {self.min_count}.",
        ]
        if self.method == "round":
            lines.append("Every count is randomly rounded to a multiple of 3 (keyed coin).")
        else:
            lines.append(
                f"Suppressed: {int(status.get('primary', 0))} primary, "
                f"{int(status.get('secondary', 0))} secondary; audit passed "
                "(every hidden count in 1..T-1 can be 0 and can be T)."
            )
        if self.notes.get("set_aside"):
            lines.append(
                f"{self.notes['set_aside']} relations do not hold in these data and were left "
                "out of the audit (no attacker can know them): a window cell below one of its "
                "period cells when persons change age band or area, or facts of earlier "
                "releases that revised data contradict."
            )
        return "\n".join(lines)


def _table(
    model: Model, value: pd.api.extensions.ExtensionArray, status: np.ndarray
) -> pd.DataFrame:
    table = model.cells[[*KEY_COLUMNS, "count"]].copy()
    table["value"] = value
    table["status"] = status
    return table.reset_index(drop=True)


def _ledger_cells(
    model: Model, table: pd.DataFrame, *, low: np.ndarray, high: np.ndarray
) -> pd.DataFrame:
    cells = table[KEY_COLUMNS].copy()
    shown = table["value"].notna().to_numpy()
    cells["status"] = table["status"].to_numpy()
    cells["low"] = pd.array(np.where(shown, low, 0), dtype="Int64")
    cells["high"] = pd.array(np.where(shown, high, 0), dtype="Int64")
    cells.loc[~shown, ["low", "high"]] = pd.NA
    cells["definition"] = [json.dumps(model.definition(v)) for v in model.cell_var]
    return cells[CELL_COLUMNS]


def _audit_frame(
    model: Model, table: pd.DataFrame, lb: np.ndarray, ub: np.ndarray, cert: Certification
) -> pd.DataFrame:
    """Rows of ``audit/disclosure.csv``: suppressed cells with their derivable bounds."""
    hidden = table["value"].isna().to_numpy()
    frame = table.loc[hidden, KEY_COLUMNS].copy()
    frame["suppression"] = table.loc[hidden, "status"].to_numpy()
    var = model.cell_var[hidden]
    inf = np.isinf(ub[var])
    frame["low"] = pd.array(lb[var].astype(np.int64), dtype="Int64")
    high = pd.array(np.where(inf, 0, ub[var]).astype(np.int64), dtype="Int64")
    high[inf] = pd.NA
    frame["high"] = high
    pos = {int(t): i for i, t in enumerate(cert.targets)}
    at = np.array([pos.get(int(v), -1) for v in var], dtype=np.int64)
    att_lo = np.where(at >= 0, cert.att_low[at], np.nan)
    att_hi = np.where(at >= 0, cert.att_high[at], np.nan)
    frame["exact"] = (np.abs(att_lo - lb[var]) < 1e-6) & (inf | (np.abs(att_hi - ub[var]) < 1e-6))
    return frame.reset_index(drop=True)
