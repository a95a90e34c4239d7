"""Repair of a failing count: the fewest published counts to hide so that a witness exists.

Private to the disclosure audit; :func:`repair` is re-exported by
:mod:`risk_indicators.disclosure.audit` and called by
:mod:`risk_indicators.disclosure._suppression` for every count the audit
(:func:`risk_indicators.disclosure.audit.certify`) finds failing.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from ._linear import (
    _TOL,
    BoolArray,
    FloatArray,
    IntArray,
    LinearSystem,
    _is_integral,
    _solve,
    _sub,
)

__all__ = ["repair"]


def repair(
    system: LinearSystem,
    fixed: FloatArray,
    deviable: BoolArray,
    target: int,
    direction: str,
    *,
    min_count: int,
    weight: FloatArray,
    integral: bool = True,
) -> IntArray:
    """Find published counts whose hiding lets ``target`` reach 0 (``"low"``) or ``T``.

    Minimises ``sum(weight * |x - published value|)`` over the deviable published counts,
    subject to every relation and the target at its bound: the counts that move are the
    ones to hide. The search starts in the target's block and widens to the neighbouring
    blocks and then the whole system; a fractional solution that needs no new hiding is
    resolved with an integer program.

    Parameters
    ----------
    system
        The relations.
    fixed
        Published value per variable, NaN for suppressed ones.
    deviable
        Published counts that may be hidden (never zeros and never ledger facts).
    target
        Variable index of the count that fails.
    direction
        ``"low"`` (must reach 0) or ``"high"`` (must reach ``T``).
    min_count
        The threshold ``T``.
    weight
        Cost of hiding per unit of deviation, per variable.
    integral
        Whether the witness must be integer (``False``: a linear witness is enough).

    Returns
    -------
    numpy.ndarray
        Variable indices to hide (empty when no hiding can help).
    """
    b = int(system.block[target])
    neigh = system.neighbours
    # a period's witness nearly always moves the windows that cover it: start with them
    regions = [np.isin(system.block, sorted(neigh.get(b, {b})))] if b >= 0 else []
    regions.append(np.ones(system.n_vars, dtype=bool))
    for region in regions:
        chosen = _repair_in(
            system, fixed, deviable, target, direction, min_count, weight, region, False
        )
        if chosen is None:
            continue  # infeasible here: widen the region
        if len(chosen) or chosen.integral or not integral:
            return chosen.idx
        # the linear witness needs no hiding but is fractional: ask for an integer one
        chosen = _repair_in(
            system, fixed, deviable, target, direction, min_count, weight, region, True
        )
        if chosen is not None:
            return chosen.idx
    return np.array([], dtype=np.int64)


@dataclass
class _Chosen:
    idx: IntArray
    integral: bool

    def __len__(self) -> int:
        return len(self.idx)


def _repair_in(
    system: LinearSystem,
    fixed: FloatArray,
    deviable: BoolArray,
    target: int,
    direction: str,
    min_count: int,
    weight: FloatArray,
    region: BoolArray,
    integral: bool,
) -> _Chosen | None:
    sub = _sub(system, region | np.isnan(system.truth), system.truth)
    n = len(sub.idx)
    val = fixed[sub.idx]
    dev = np.flatnonzero(deviable[sub.idx])
    m = len(dev)
    is_fixed = ~np.isnan(val)
    lbl = np.where(is_fixed, np.nan_to_num(val), 0.0)
    ubl = np.where(is_fixed, np.nan_to_num(val), np.inf)
    lbl[dev], ubl[dev] = 0.0, np.inf
    t = int(np.flatnonzero(sub.idx == target)[0])
    if direction == "low":
        ubl[t] = 0.0
    else:
        lbl[t] = float(min_count)
    # x_j - up_j + down_j = published value for each deviable count j
    rows = sp.csr_array(
        (
            np.concatenate([np.ones(m), -np.ones(m), np.ones(m)]),
            (
                np.tile(np.arange(m), 3),
                np.concatenate([dev, n + np.arange(m), n + m + np.arange(m)]),
            ),
        ),
        shape=(m, n + 2 * m),
    )
    w = weight[sub.idx[dev]]
    cost = np.concatenate([np.zeros(n), w, w])
    lbs = np.concatenate([lbl, np.zeros(2 * m)])
    ubs = np.concatenate([ubl, np.full(2 * m, np.inf)])
    x = _solve(sub, cost, lbs, ubs, integral=integral, extra=(rows, val[dev], val[dev]), n_int=n)
    if x is None:
        return None
    moved = (x[n : n + m] + x[n + m :]) > _TOL
    return _Chosen(sub.idx[dev[moved]].astype(np.int64), _is_integral(x[:n]))
