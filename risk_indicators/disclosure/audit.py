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
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

import numpy as np

from ._audit_model import (
    DerivedCount,
    Model,
    PublishedTotal,
    build_model,
)
from ._linear import (
    BoolArray,
    FloatArray,
    IntArray,
    LinearSystem,
    _Sub,
    _sub,
    components,
    propagate_bounds,
)
from ._repair import repair
from ._search import Certification, _batch, _near, _record, _single, _spread

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
    # a free count whose true value is unknown (a cell only the ledger knows) cannot be held
    # at its true value outside a region: every region holds it free, so that a witness of
    # the region (the rest at true values) is a witness of the whole table
    unknown = free & np.isnan(system.truth)
    local = []
    for blk in np.unique(tb[(todo_low | todo_high) & (tb >= 0)]):
        near = sorted(system.neighbours.get(int(blk), {int(blk)}))
        sub = _sub(system, free & (np.isin(system.block, near) | unknown), outside)
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
