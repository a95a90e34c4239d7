"""The disclosure audit: what an attacker can derive about suppressed counts.

Everything an attacker knows is a set of linear relations over non-negative integer
variables (:class:`LinearSystem`): one variable per published or suppressed count of the
release (inner cells, margins, window cells, indicator counts), line relations
(``margin - sum of its cells = 0``), the links of CONTRACT 5 (window counts between the
largest and the sum of their period counts, ``persons <= reports``) and every fact of
earlier releases in the ledger. Published counts are fixed variables. The relations are
built by :func:`~risk_indicators.disclosure._audit_model.build_model`; the solver machinery lives in
:mod:`risk_indicators.disclosure._linear`. Both are re-exported here.

The audit works in three steps, chosen so that a release of about 14,000 counts is settled
in seconds instead of one linear program per cell and direction:

1. **Bound propagation** (:func:`propagate_bounds`) repeats the arithmetic an attacker does
   by hand (a margin minus its published cells, a window minus its other periods) until
   nothing changes. The bounds are valid for every integer solution, so a protected count
   whose upper bound is below ``T`` or whose lower bound is above 0 fails for certain.
2. **Integer witnesses** (:func:`certify`): a count passes when an integer table exists
   that agrees with everything published and has the count at 0, and another with the
   count at ``T`` or more. Witnesses are searched block by block (one period or window)
   with the rest of the table held at its true values (any solution found is a genuine
   witness), in batches (one program settles many counts), first as a linear program
   whose vertex is usually integral and only then as an integer program (a dive of linear
   programs first, branch and bound with ``scipy.optimize.milp`` last). A count
   that is not settled locally is searched again with the neighbouring blocks free and
   finally over the whole system, where infeasibility is a proof of failure.
3. **Repair** (:func:`~risk_indicators.disclosure._repair.repair`, re-exported here): for a
   count that fails, a minimum-cost program finds the fewest published counts that must be
   hidden so that a witness exists.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import TypeVar

import numpy as np
import scipy.sparse as sp

from ._audit_model import (
    DerivedCount,
    Model,
    PublishedTotal,
    build_model,
)
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
    components,
    propagate_bounds,
)
from ._repair import repair

_T = TypeVar("_T")


def _threads() -> int:
    """Threads of the witness searches: ``RISK_INDICATORS_THREADS`` or the usable cores (at
    most 8); 1 runs everything in the calling thread."""
    env = os.environ.get("RISK_INDICATORS_THREADS", "").strip()
    if env.isdigit() and int(env) >= 1:
        return int(env)
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return max(1, min(8, cores or 1))


#: Threads of the witness searches (see :func:`_threads`).
AUDIT_THREADS = _threads()
_RECORD_LOCK = threading.Lock()

__all__ = [
    "Certification",
    "DerivedCount",
    "LinearSystem",
    "Model",
    "PublishedTotal",
    "build_model",
    "certify",
    "components",
    "propagate_bounds",
    "repair",
]


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


def certify(
    system: LinearSystem,
    lb: FloatArray,
    ub: FloatArray,
    targets: IntArray,
    need: BoolArray,
    *,
    min_count: int,
    report: bool = False,
    exhaustive: bool = True,
    integral: bool = True,
    whole: bool = True,
) -> Certification:
    """Prove with integer witnesses that each needed target can be 0 and can be ``T``.

    Variables whose propagated bounds meet are constants; the rest split into connected
    components (:func:`components`), and each component is searched on its own: first
    batches (one program settles many targets: minimise their sum to put many at 0,
    maximise ``sum(min(x, T))`` to lift many to ``T``), a linear program whose vertex is
    accepted when integral and otherwise an integer solution
    (:func:`~risk_indicators.disclosure._linear._solve_integer`: a dive of linear programs, then
    branch and bound); then, when ``exhaustive``, one integer feasibility program per
    target still open, whose infeasibility proves that the target fails. The batches of
    every component and direction, and then the single searches, run on
    :data:`AUDIT_THREADS` threads; each writes only its own targets' flags, so the result
    is the same on any number of threads.

    Parameters
    ----------
    system
        The relations.
    lb, ub
        Valid variable bounds (published variables fixed, then :func:`propagate_bounds`).
    targets
        Variable index of every suppressed count to look at.
    need
        Which targets must be protected (true value in ``1..T-1``).
    min_count
        The threshold ``T``.
    report
        Also run one batch linear program per component over every target to find
        reachable values for the audit table (not needed for the pass rule).
    exhaustive
        Settle every open target individually (else open targets are reported failing):
        near its block first (the block and its neighbours, then two relations away, the
        rest at true values), then, with ``whole``, over its whole component.
    integral
        ``False`` accepts fractional witnesses: the linear-programming audit, a fast
        screen used between repairs; the pass rule needs ``True``.
    """
    k = len(targets)
    cert = Certification(targets, ~need, ~need, np.full(k, np.nan), np.full(k, np.nan))
    free = ub > lb
    outside = np.where(free, system.truth, lb)
    label = components(system, free)
    tl = label[targets]
    # a target whose bounds meet is known exactly: it passes only if it needs nothing
    fixed_t = ~free[targets]
    _record(cert, np.flatnonzero(fixed_t), lb[targets[fixed_t]])
    cert.ok_low[need & fixed_t] = False
    cert.ok_high[need & fixed_t] = False
    # certain failures by propagation need no solver; the rest is searched
    todo = need & ~fixed_t
    todo_low = todo & (lb[targets] <= 0)
    todo_high = todo & (ub[targets] >= min_count)
    system.neighbours, system.wide  # noqa: B018 (computed once, before the threads share them)

    def batch(item: tuple[_Sub, str, IntArray]) -> None:
        sub, direction, members = item
        _batch(sub, lb, ub, targets, members, direction, min_count, cert, integral)

    # first block by block (one period or window and the blocks it shares a relation with
    # free, the rest at true values): small programs whose witnesses are witnesses of the
    # whole table; then what is still open over its whole component
    tb = system.block[targets]
    local = []
    for blk in np.unique(tb[(todo_low | todo_high) & (tb >= 0)]):
        near = sorted(system.neighbours.get(int(blk), {int(blk)}))
        sub = _sub(system, free & np.isin(system.block, near), outside)
        for direction, mask in (("low", todo_low), ("high", todo_high)):
            members = np.flatnonzero(mask & (tb == blk))
            if len(members):
                local.append((sub, direction, members))
    _parallel(batch, local)
    todo_low &= ~cert.ok_low
    todo_high &= ~cert.ok_high
    subs = {int(c): _sub(system, label == c, outside) for c in np.unique(tl[todo_low | todo_high])}
    work = []
    for comp, sub in subs.items():
        for direction, mask in (("low", todo_low), ("high", todo_high)):
            members = np.flatnonzero(mask & (tl == comp))
            if len(members):
                work.append((sub, direction, members))

    def single(item: tuple[_Sub, str, int]) -> None:
        # a small search around the count's block first: a witness there is a witness
        # (everything else at its true value); only its absence needs the whole
        # component, where infeasibility proves the failure
        sub, direction, j = item
        for hops in (1, 2):
            local = _near(system, free, outside, int(targets[j]), hops)
            if local is None or _single(local, lb, ub, targets, j, direction, min_count, cert,
                                        integral):  # fmt: skip
                break
        if not cert.ok(direction)[j] and whole:
            _single(sub, lb, ub, targets, j, direction, min_count, cert, integral)

    _parallel(batch, work)
    if exhaustive:
        open_ = []
        for sub, direction, members in work:
            open_ += [(sub, direction, int(j)) for j in members[~cert.ok(direction)[members]]]
        _parallel(single, open_)
    if report:
        every = ~fixed_t

        def spread(comp: int) -> None:
            region = label == comp
            _spread(_sub(system, region, outside), lb, ub, targets,
                    np.flatnonzero(every & (tl == comp)), cert)  # fmt: skip

        _parallel(spread, [int(c) for c in np.unique(tl[every])])
    return cert


def _parallel(task: Callable[[_T], None], items: list[_T]) -> None:
    """Run ``task`` on every item, on :data:`AUDIT_THREADS` threads.

    The searches are independent (each writes only its own targets' flags, and the shared
    reachable values under a lock), so the outcome does not depend on the order; HiGHS
    releases the interpreter lock while it solves, so threads use every core. The first
    error (a solver failure) cancels the searches not yet started and is raised.
    """
    if AUDIT_THREADS <= 1 or len(items) <= 1:
        for item in items:
            task(item)
        return
    with ThreadPoolExecutor(max_workers=AUDIT_THREADS) as pool:
        futures = [pool.submit(task, item) for item in items]
        try:
            for future in futures:
                future.result()
        except BaseException:
            for future in futures:
                future.cancel()
            raise


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
