"""Cell-key perturbation of the count cubes, before any figure is computed.

With ``disclosure.method = "cell_key"`` the persons of every cell, margin and 12-month window
are perturbed at aggregation (:func:`perturbed_persons`, called by
:func:`risk_indicators.analysis.analyse`), as the Australian Bureau of Statistics'
TableBuilder perturbs at tabulation: every figure (shares, rates, trends, the goal) is then
computed from published counts, and a reader can recompute it. Each count's cell key is the
sum of the record keys of the persons it counts (:mod:`risk_indicators.cube._cellkey`): a
person belongs to one inner cell of a period (and of a window), so a margin's key is the sum
of its inner cells' keys, carried through the cube machinery as two exact 26-bit halves
(``KEY_MEASURES``; float sums of up to ``2**27`` persons stay exact).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from ._cellkey import KEY_BITS, PerturbationTable, record_keys

__all__ = ["KEY_MEASURES", "NOISE_ATTR", "perturbation_of", "perturbed_count",
           "perturbed_persons", "with_record_keys"]  # fmt: skip

#: ``DataFrame.attrs`` key of a perturbed cube: the noise variance of each of its counts,
#: which the statistics read to widen their intervals (absent: exact counts).
NOISE_ATTR = "noise_variance"

#: Columns carrying each count's cell key through the cube (high and low 26 bits, summed).
KEY_MEASURES = ("key_high", "key_low")
_HALF = KEY_BITS // 2
_LOW = (1 << _HALF) - 1


def perturbation_of(disclosure: Any) -> PerturbationTable | None:
    """The perturbation table a ``[disclosure]`` config asks for; None for suppression."""
    if disclosure.method != "cell_key":
        return None
    return PerturbationTable(max_deviation=disclosure.max_deviation,
                             variance=disclosure.variance)  # fmt: skip


def with_record_keys(rows: pd.DataFrame, *, person: str = "person") -> pd.DataFrame:
    """``rows`` with the two halves of each person's record key (see the module)."""
    keys = record_keys(rows[person].astype(str)).astype(np.int64)
    return rows.assign(key_high=keys >> _HALF, key_low=keys & _LOW)


def _cell_key(high: np.ndarray, low: np.ndarray) -> np.ndarray:
    """The cell key in ``[0, 1)`` from the summed halves: ``(high * 2**26 + low) mod 2**52``."""
    high = np.asarray(high, dtype=np.int64) % (1 << _HALF)
    total = ((high << _HALF) + np.asarray(low, dtype=np.int64)) % (1 << KEY_BITS)
    return total.astype(np.float64) / float(1 << KEY_BITS)


def perturbed_persons(cube: pd.DataFrame, table: PerturbationTable) -> pd.DataFrame:
    """The cube with ``persons`` replaced by its published (perturbed) value and the key
    columns dropped; zeros stay zero (a cell without persons has no key). Its
    ``attrs[NOISE_ATTR]`` is the table's variance (a merge drops ``attrs``: set it again)."""
    keys = _cell_key(cube["key_high"].to_numpy(), cube["key_low"].to_numpy())
    shown = table.perturb(cube["persons"].to_numpy(dtype=np.int64), keys)
    out = cube.drop(columns=list(KEY_MEASURES)).assign(persons=shown)
    out.attrs[NOISE_ATTR] = float(table.variance)
    return out


def perturbed_count(rows: pd.DataFrame, table: PerturbationTable) -> int:
    """The published value of a count of ``rows`` (one row per person, with the key columns
    of :func:`with_record_keys`), such as the period's new young persons."""
    keys = _cell_key(np.array([rows["key_high"].sum()]), np.array([rows["key_low"].sum()]))
    return int(table.perturb(np.array([len(rows)]), keys)[0])
