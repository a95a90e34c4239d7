"""The witness searches of the disclosure audit: batches, single searches, spreads.

Private to the disclosure stage; :func:`risk_indicators.disclosure.audit.certify` decides
what to search and runs these on threads. Each search writes only its own targets' flags in
the :class:`Certification`, and the reachable values under a lock.
"""

from __future__ import annotations

import threading
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
    _solve_integer,
    _Sub,
    _sub,
)

_RECORD_LOCK = threading.Lock()


@dataclass
class Certification:
    """Outcome of :func:`certify` for each target (arrays aligned with ``targets``).

    ``ok_low``/``ok_high``: an integer witness puts the count at 0 / at ``T`` or more.
    ``att_low``/``att_high``: smallest and largest value seen in any witness or linear
    solution (reachable values; NaN when none was computed).
    """

    targets: IntArray
    ok_low: BoolArray
    ok_high: BoolArray
    att_low: FloatArray
    att_high: FloatArray

    def ok(self, direction: str) -> BoolArray:
        """The flags of one direction: ``ok_low`` for ``"low"``, else ``ok_high``."""
        return self.ok_low if direction == "low" else self.ok_high


def _record(cert: Certification, members: IntArray, values: FloatArray) -> None:
    with _RECORD_LOCK:  # the low and high searches of one component record the same targets
        cert.att_low[members] = np.fmin(cert.att_low[members], values)
        cert.att_high[members] = np.fmax(cert.att_high[members], values)


def _local(sub: _Sub, targets: IntArray, members: IntArray) -> IntArray:
    pos = {int(v): i for i, v in enumerate(sub.idx)}
    return np.array([pos[int(targets[j])] for j in members], dtype=np.int64)


def _batch(
    sub: _Sub,
    lb: FloatArray,
    ub: FloatArray,
    targets: IntArray,
    members: IntArray,
    direction: str,
    min_count: int,
    cert: Certification,
    integral: bool = True,
) -> None:
    """Settle as many members as possible with one witness per round.

    A round that settles nothing has open members whose witnesses conflict (one at 0 needs
    another up). The exact search then halves them and goes on with each half, so that
    conflicts cost a few more batches instead of one program per open member.
    """
    ok = cert.ok(direction)
    local = _local(sub, targets, members)
    n = len(sub.idx)
    lbl, ubl = lb[sub.idx], ub[sub.idx]
    groups = [np.arange(len(members))]
    while groups:
        group = groups.pop()
        while True:
            open_ = group[~ok[members[group]]]
            if not len(open_):
                break
            cols = local[open_]
            extra = None
            if direction == "low":
                cost, lbs, ubs = np.zeros(n), lbl, ubl
                np.add.at(cost, cols, _weights(len(cols), integral))
            else:
                # maximise sum of z_j with z_j <= x_j and z_j <= T: each z_j at T settles one
                m = len(cols)
                cost = np.concatenate([np.zeros(n), -_weights(m, integral)])
                lbs = np.concatenate([lbl, np.zeros(m)])
                ubs = np.concatenate([ubl, np.full(m, float(min_count))])
                rows = sp.csr_array(
                    (np.concatenate([np.ones(m), -np.ones(m)]),
                     (np.tile(np.arange(m), 2), np.concatenate([n + np.arange(m), cols]))),
                    shape=(m, n + m),
                )  # fmt: skip
                extra = (rows, np.full(m, -np.inf), np.zeros(m))
            x = _solve(sub, cost, lbs, ubs, integral=False, extra=extra)
            if integral and x is not None and not _is_integral(x[:n]):
                x = _solve_integer(sub, cost, lbs, ubs, extra=extra, n_int=n)
            if x is None:
                return
            values = x[local]
            _record(cert, members, values)
            newly = values <= _TOL if direction == "low" else values >= min_count - _TOL
            newly &= ~ok[members]
            if not newly.any():
                if integral and len(open_) > 1:
                    half = len(open_) // 2
                    groups += [open_[half:], open_[:half]]
                break
            ok[members[newly]] = True


def _weights(m: int, integral: bool) -> FloatArray:
    """Objective weights of a batch. For the linear screen they are 1..2, all different:
    with equal weights the optimum is often a face where the open counts share the slack
    (two at 2.5 instead of one at 5), which settles none, and distinct weights make the
    solver fill one count before the next. The exact search keeps equal weights, whose
    vertices are integral more often (distinct ones doubled its integer programs)."""
    if integral:
        return np.ones(m)
    return 1.0 + np.arange(m, 0, -1) / max(m, 1)


def _single(
    sub: _Sub,
    lb: FloatArray,
    ub: FloatArray,
    targets: IntArray,
    j: int,
    direction: str,
    min_count: int,
    cert: Certification,
    integral: bool = True,
) -> bool:
    """Feasibility check for one target in ``sub`` (its component, or a region around it
    with the rest at true values); whether a witness was found. Exact with ``integral``;
    else the linear relaxation, a screen (infeasible there means failing for certain)."""
    t = int(_local(sub, targets, np.array([j]))[0])
    lbl, ubl = lb[sub.idx].copy(), ub[sub.idx].copy()
    if direction == "low":
        ubl[t] = 0.0
    else:
        lbl[t] = max(lbl[t], float(min_count))
    if np.any(lbl > ubl):
        return False
    zero = np.zeros(len(sub.idx))
    if integral:
        x = _solve_integer(sub, zero, lbl, ubl)
    else:
        x = _solve(sub, zero, lbl, ubl, integral=False)
    if x is None:
        return False
    cert.ok(direction)[j] = True
    _record(cert, np.array([j]), np.round(x[[t]]))
    return True


def _near(
    system: LinearSystem, free: BoolArray, outside: FloatArray, var: int, hops: int = 1
) -> _Sub | None:
    """The free variables of ``var``'s block and the blocks up to ``hops`` relations away,
    the rest held at ``outside`` (None for a variable outside every block, e.g. one known
    only from the ledger)."""
    block = int(system.block[var])
    if block < 0:
        return None
    near = {block}
    for _ in range(hops):
        near = set().union(*(system.neighbours.get(b, {b}) for b in near))
    region = free & np.isin(system.block, sorted(near))
    # a wide row (a total over every period) with a free count in the region ties it to the
    # free counts of other periods: their blocks come in too, or the row would hold the
    # region's count at its true value
    for r in np.flatnonzero(system.wide):
        cols = system.rows.indices[system.rows.indptr[r] : system.rows.indptr[r + 1]]
        cols = cols[free[cols]]
        if region[cols].any():
            near |= {int(b) for b in system.block[cols] if b >= 0}
    region = free & np.isin(system.block, sorted(near))
    return _sub(system, region | (free & (system.block < 0)), outside)


def _spread(
    sub: _Sub,
    lb: FloatArray,
    ub: FloatArray,
    targets: IntArray,
    members: IntArray,
    cert: Certification,
) -> None:
    """Push every member down, then up to its propagated bound (values for the report)."""
    local = _local(sub, targets, members)
    n = len(sub.idx)
    lbl, ubl = lb[sub.idx], ub[sub.idx].copy()
    cost = np.zeros(n)
    np.add.at(cost, local, 1.0)
    x = _solve(sub, cost, lbl, ubl, integral=False)
    if x is not None:
        _record(cert, members, x[local])
    # unbounded targets are held at their bound from the first solution to keep this finite
    capped = ubl.copy()
    inf = np.isinf(capped[local])
    if x is not None:
        capped[local[inf]] = np.maximum(x[local[inf]], lbl[local[inf]])
    x = _solve(sub, -cost, lbl, capped, integral=False)
    if x is not None:
        _record(cert, members, x[local])
