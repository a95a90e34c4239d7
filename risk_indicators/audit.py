"""The disclosure audit: what an attacker can derive about suppressed counts.

Everything an attacker knows is a set of linear relations over non-negative integer
variables (:class:`LinearSystem`): one variable per published or suppressed count of the
release (inner cells, margins, window cells, indicator counts), line relations
(``margin - sum of its cells = 0``), the links of CONTRACT 5 (window counts between the
largest and the sum of their period counts, ``persons <= reports``) and every fact of
earlier releases in the ledger. Published counts are fixed variables.

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
   whose vertex is usually integral and only then with ``scipy.optimize.milp``. A count
   that is not settled locally is searched again with the neighbouring blocks free and
   finally over the whole system, where infeasibility is a proof of failure.
3. **Repair** (:func:`repair`): for a count that fails, a minimum-cost program finds the
   fewest published counts that must be hidden so that a witness exists.
"""

from __future__ import annotations

import hashlib
import itertools
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property

import numpy as np
import numpy.typing as npt
import pandas as pd
import scipy.sparse as sp
from scipy.optimize import Bounds, LinearConstraint, milp
from scipy.sparse.csgraph import connected_components

from risk_indicators.errors import DisclosureError
from risk_indicators.ledger import LINK_COLUMNS, LedgerSnapshot, terms_json

__all__ = [
    "Certification",
    "DerivedCount",
    "LinearSystem",
    "Model",
    "build_model",
    "certify",
    "components",
    "propagate_bounds",
    "repair",
]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]

_TOL = 1e-6
#: Seconds one solver call may take before the audit gives up (fail closed).
SOLVER_TIME_LIMIT = 60.0
GAP = 0.5


@dataclass(frozen=True)
class LinearSystem:
    """Relations ``row_lo <= rows @ x <= row_hi`` over non-negative integer variables.

    Attributes
    ----------
    names
        One canonical name per variable (sorted, so the order never depends on input order).
    truth
        True value of each variable; NaN for variables known only from the ledger.
    block
        Block id per variable (a period or a window); ``-1`` for ledger-only variables, which
        are free in every local search.
    rows, row_lo, row_hi
        The relations, as a CSR matrix with their lower and upper bounds (``+-inf`` allowed).
    """

    names: tuple[str, ...]
    truth: FloatArray
    block: IntArray
    rows: sp.csr_array
    row_lo: FloatArray
    row_hi: FloatArray

    @property
    def n_vars(self) -> int:
        """Number of variables."""
        return len(self.names)

    @cached_property
    def neighbours(self) -> dict[int, set[int]]:
        """Blocks that share a relation with each block (each block includes itself)."""
        coo = self.rows.tocoo()
        blk = self.block[coo.col]
        keep = blk >= 0
        nb = int(self.block.max()) + 1 if len(self.block) else 0
        inc = sp.csr_array(
            (np.ones(int(keep.sum())), (coo.row[keep], blk[keep])), shape=(self.rows.shape[0], nb)
        )
        adj = (inc.T @ inc).tocoo()
        out: dict[int, set[int]] = {b: {b} for b in range(nb)}
        for i, j in zip(adj.row.tolist(), adj.col.tolist(), strict=True):
            out[i].add(j)
        return out


def propagate_bounds(
    system: LinearSystem, lb: FloatArray, ub: FloatArray, *, max_rounds: int = 100
) -> tuple[FloatArray, FloatArray]:
    """Tighten integer bounds by repeated interval arithmetic over the relations.

    Every bound returned holds for every non-negative integer solution, so it is knowledge
    an attacker can derive; it may be wider than the tightest bound (see :func:`certify`).

    Raises
    ------
    DisclosureError
        If the relations contradict each other (a ledger fact that no longer fits the data).
    """
    coo = system.rows.tocoo()
    r, c, a = coo.row, coo.col, coo.data
    m = system.rows.shape[0]
    lb, ub = np.maximum(lb.astype(float), 0.0), ub.astype(float).copy()
    for _ in range(max_rounds):
        lo_t = np.where(a > 0, a * lb[c], a * ub[c])
        hi_t = np.where(a > 0, a * ub[c], a * lb[c])
        lo_inf, hi_inf = np.isinf(lo_t), np.isinf(hi_t)
        lo_f, hi_f = np.where(lo_inf, 0.0, lo_t), np.where(hi_inf, 0.0, hi_t)
        min_act = np.bincount(r, lo_f, m)[r] - lo_f
        max_act = np.bincount(r, hi_f, m)[r] - hi_f
        min_inf = (np.bincount(r, lo_inf, m)[r] - lo_inf) > 0
        max_inf = (np.bincount(r, hi_inf, m)[r] - hi_inf) > 0
        hi_row, lo_row = system.row_hi[r], system.row_lo[r]
        up = np.where(min_inf | np.isinf(hi_row), np.inf, hi_row - min_act)
        down = np.where(max_inf | np.isinf(lo_row), -np.inf, lo_row - max_act)
        cand_ub = np.where(a > 0, up / a, down / a)
        cand_lb = np.where(a > 0, down / a, up / a)
        new_ub, new_lb = ub.copy(), lb.copy()
        np.minimum.at(new_ub, c, cand_ub)
        np.maximum.at(new_lb, c, cand_lb)
        new_ub = np.floor(new_ub + _TOL)
        new_lb = np.maximum(np.ceil(new_lb - _TOL), 0.0)
        if np.any(new_lb > new_ub):
            raise DisclosureError(
                "The published figures and the release ledger contradict each other, so the "
                "disclosure audit cannot be run. Check that the ledger belongs to this data.",
                details={"variables": [system.names[i] for i in np.flatnonzero(new_lb > new_ub)]},
            )
        if np.array_equal(new_lb, lb) and np.array_equal(new_ub, ub):
            break
        lb, ub = new_lb, new_ub
    return lb, ub


@dataclass
class _Sub:
    """A local problem: ``free`` variables, every other one held at a constant."""

    idx: IntArray
    a: sp.csr_array
    lo: FloatArray
    hi: FloatArray


def _sub(system: LinearSystem, free: BoolArray, outside: FloatArray) -> _Sub:
    """Restrict the relations to ``free`` variables, the others at ``outside`` values."""
    idx = np.flatnonzero(free)
    cols = system.rows[:, idx]
    touched = np.flatnonzero(np.diff(cols.tocsr().indptr) > 0)
    rest = np.where(free, 0.0, np.nan_to_num(outside))
    shift = system.rows[touched] @ rest
    return _Sub(idx, cols[touched], system.row_lo[touched] - shift, system.row_hi[touched] - shift)


def components(system: LinearSystem, free: BoolArray) -> IntArray:
    """Component label per variable: free variables linked by a shared relation.

    Variables outside ``free`` are constants, so relations decouple across components and a
    witness can be searched in one component with everything else at its true value.
    Non-free variables get label ``-1``.
    """
    idx = np.flatnonzero(free)
    label = np.full(system.n_vars, -1, dtype=np.int64)
    if not len(idx):
        return label
    r = abs(system.rows[:, idx]).tocsr()
    _, lab = connected_components(r.T @ r, directed=False)
    label[idx] = lab
    return label


def _solve(
    sub: _Sub,
    cost: FloatArray,
    lb: FloatArray,
    ub: FloatArray,
    *,
    integral: bool,
    extra: tuple[sp.csr_array, FloatArray, FloatArray] | None = None,
    n_int: int | None = None,
) -> FloatArray | None:
    """Solve ``min cost @ v`` over the local problem; ``None`` when infeasible.

    ``extra`` adds rows over the full column set (local variables first, then any
    auxiliary columns described by ``cost``). Raises DisclosureError on a solver failure.
    """
    n = len(cost)
    n_loc = len(sub.idx)
    a = sp.hstack([sub.a, sp.csr_array((sub.a.shape[0], n - n_loc))]).tocsr()
    los, his = [sub.lo], [sub.hi]
    if extra is not None:
        a = sp.vstack([a, extra[0]]).tocsr()
        los.append(extra[1])
        his.append(extra[2])
    integrality = np.zeros(n)
    if integral:
        integrality[: n_int if n_int is not None else n_loc] = 1
    cons = [LinearConstraint(a, np.concatenate(los), np.concatenate(his))] if a.shape[0] else []
    lo_all, hi_all = np.concatenate(los), np.concatenate(his)
    for presolve in (True, False):
        res = milp(
            cost,
            constraints=cons,
            integrality=integrality,
            bounds=Bounds(lb, ub),
            options={"time_limit": SOLVER_TIME_LIMIT, "presolve": presolve, "mip_rel_gap": GAP},
        )
        if res.status == 0 and res.x is not None:
            x = np.asarray(res.x, dtype=float)
            # never trust a solution unchecked: HiGHS's MIP presolve has been seen to
            # return wrong answers on these tables; a bad one is solved again without it
            if _feasible(a, lo_all, hi_all, lb, ub, x):
                return x
            continue
        if res.status == 2:
            return None
        break
    raise DisclosureError(
        f"The disclosure audit's solver stopped without a valid answer ({res.message}); "
        "nothing is published.",
        details={"status": int(res.status)},
    )


def _feasible(
    a: sp.csr_array, lo: FloatArray, hi: FloatArray, lb: FloatArray, ub: FloatArray, x: FloatArray
) -> bool:
    ax = a @ x if a.shape[0] else np.zeros(0)
    return bool(
        np.all(ax >= lo - 1e-6)
        and np.all(ax <= hi + 1e-6)
        and np.all(x >= lb - 1e-6)
        and np.all(x <= ub + 1e-6)
    )


def _is_integral(x: FloatArray) -> bool:
    return bool(np.all(np.abs(x - np.round(x)) <= _TOL))


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
) -> Certification:
    """Prove with integer witnesses that each needed target can be 0 and can be ``T``.

    Variables whose propagated bounds meet are constants; the rest split into connected
    components (:func:`components`), and each component is searched on its own: first
    batches (one program settles many targets: minimise their sum to put many at 0,
    maximise ``sum(min(x, T))`` to lift many to ``T``), a linear program whose vertex is
    accepted when integral and otherwise an integer program; then, when ``exhaustive``,
    one integer feasibility program per target still open, whose infeasibility proves
    that the target fails.

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
        Settle every open target individually (else open targets are reported failing).
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
    for comp in np.unique(tl[todo_low | todo_high]):
        region = label == comp
        sub = _sub(system, region, outside)
        for direction, mask in (("low", todo_low), ("high", todo_high)):
            members = np.flatnonzero(mask & (tl == comp))
            if not len(members):
                continue
            _batch(sub, lb, ub, targets, members, direction, min_count, cert, integral)
            ok = cert.ok_low if direction == "low" else cert.ok_high
            if exhaustive:
                for j in members[~ok[members]]:
                    _single(sub, lb, ub, targets, j, direction, min_count, cert)
    if report:
        every = ~fixed_t
        for comp in np.unique(tl[every]):
            region = label == comp
            _spread(_sub(system, region, outside), lb, ub, targets,
                    np.flatnonzero(every & (tl == comp)), cert)  # fmt: skip
    return cert


def _record(cert: Certification, members: IntArray, values: FloatArray) -> None:
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
    """Settle as many members as possible with one witness per round."""
    ok = cert.ok_low if direction == "low" else cert.ok_high
    local = _local(sub, targets, members)
    n = len(sub.idx)
    lbl, ubl = lb[sub.idx], ub[sub.idx]
    while True:
        open_ = ~ok[members]
        if not open_.any():
            return
        cols = local[open_]
        extra = None
        if direction == "low":
            cost, lbs, ubs = np.zeros(n), lbl, ubl
            np.add.at(cost, cols, _weights(len(cols), integral))
        else:
            # maximise sum of z_j with z_j <= x_j and z_j <= T: each z_j at T settles a count
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
            x = _solve(sub, cost, lbs, ubs, integral=True, extra=extra, n_int=n)
        if x is None:
            return
        values = x[local]
        _record(cert, members, values)
        newly = values <= _TOL if direction == "low" else values >= min_count - _TOL
        newly &= ~ok[members]
        if not newly.any():
            return
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
) -> None:
    """Exact integer feasibility check for one target in its component."""
    t = int(_local(sub, targets, np.array([j]))[0])
    lbl, ubl = lb[sub.idx].copy(), ub[sub.idx].copy()
    if direction == "low":
        ubl[t] = 0.0
    else:
        lbl[t] = max(lbl[t], float(min_count))
    if np.any(lbl > ubl):
        return
    x = _solve(sub, np.zeros(len(sub.idx)), lbl, ubl, integral=True)
    if x is not None:
        (cert.ok_low if direction == "low" else cert.ok_high)[j] = True
        _record(cert, np.array([j]), np.round(x[[t]]))


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


# --------------------------------------------------------------------------------------
# The attacker's knowledge, built from the release's tables and the ledger
# --------------------------------------------------------------------------------------

TOTAL = "total"
DIMS = ("area", "age_band", "gender")
MEASURES = ("persons", "reports")


@dataclass(frozen=True)
class DerivedCount:
    """An indicator count over inner cells of one period of the cube.

    Attributes
    ----------
    name
        Id of the count, e.g. ``"persons_youth"`` or ``"new_persons_youth"``.
    period
        The cube period it belongs to.
    cells
        ``(area, age_band, gender)`` keys it sums; a key ``total`` stands for every level.
    measure
        ``"persons"`` or ``"reports"``.
    value
        The true count; required when ``bounded`` (it cannot be computed from the cube).
    bounded
        ``False``: the count is the sum of the cells. ``True``: it lies between 0 and that
        sum (e.g. ``new_persons_youth``, a subset of ``persons_youth``).
    """

    name: str
    period: str
    cells: tuple[tuple[str, str, str], ...]
    measure: str = "persons"
    value: int | None = None
    bounded: bool = False


def var_name(measure: str, block: str, area: str, age_band: str, gender: str) -> str:
    """Canonical variable name; a window block is ``W:`` + its sorted periods joined by ``+``."""
    return f"{measure}|{block}|{area}|{age_band}|{gender}"


def window_block(periods: Iterable[str]) -> str:
    """Block label of a window: the same for every table that covers the same periods."""
    return "W:" + "+".join(sorted(periods))


@dataclass
class Model:
    """A release as a :class:`LinearSystem` plus the map from table cells to variables.

    ``cells`` has one row per published table cell (``table, period, area, age_band, gender,
    measure``); ``cell_var`` is its variable and ``cell_count`` its position in
    ``count_vars`` (distinct counts: two tables covering the same periods share them).
    ``history_targets`` are counts suppressed by earlier releases that this release does
    not show; ``links`` are the structural relations to keep in the ledger.
    """

    system: LinearSystem
    cells: pd.DataFrame
    cell_var: IntArray
    cell_count: IntArray
    count_vars: IntArray
    history_targets: IntArray
    history_primary: BoolArray
    links: pd.DataFrame
    defs: dict[int, tuple[str, ...]]
    set_aside: int = 0

    def definition(self, var: int) -> list[str]:
        """The inner-cell variables a count sums (its ledger definition)."""
        return list(self.defs[int(var)])

    def protect_mask(self, targets: IntArray) -> BoolArray:
        """Protection flag from the ledger for targets whose true value is unknown."""
        flag = dict(zip(self.history_targets.tolist(), self.history_primary.tolist(), strict=True))
        return np.array([flag.get(int(t), False) for t in targets], dtype=bool)


class _Builder:
    """Collects variables and relations by name; :meth:`finish` indexes them canonically."""

    def __init__(self) -> None:
        self.truth: dict[str, float] = {}
        self.block: dict[str, str] = {}
        self.defs: dict[str, frozenset[str]] = {}
        self.by_def: dict[frozenset[str], str] = {}
        self.rows: list[tuple[list[tuple[str, float]], float, float]] = []
        self.links: list[tuple[list[tuple[str, float]], float, float]] = []
        self.alias: dict[str, str] = {}
        self.set_aside = 0

    def base(self, name: str, value: float, block: str) -> None:
        old = self.truth.get(name)
        if old is not None and not np.isnan(old) and old != value:
            raise DisclosureError(
                f"Two tables give different values for the same cell ({name}); the windows "
                "that cover the same periods must agree.",
                details={"cell": name},
            )
        self.truth[name], self.block[name] = value, block
        self.defs[name] = frozenset([name])

    def count(self, name: str, members: frozenset[str], value: float, block: str) -> str:
        """Register a count over ``members``; counts with equal definitions are one variable."""
        known = self.by_def.get(members)
        if known is not None:
            if known != name:
                self.alias[name] = known
            return known
        if name not in self.truth:
            self.truth[name], self.block[name], self.defs[name] = value, block, members
        self.by_def[members] = name
        return name

    def holds(self, terms: list[tuple[str, float]], lo: float, hi: float) -> bool | None:
        """Whether the true values satisfy a relation; None when some value is unknown."""
        vals = [self.truth.get(n, np.nan) for n, _ in terms]
        if any(np.isnan(v) for v in vals):
            return None
        s = sum(c * v for (_, c), v in zip(terms, vals, strict=True))
        return bool(lo - _TOL <= s <= hi + _TOL)

    def relate(
        self, terms: list[tuple[str, float]], lo: float, hi: float, *, link: bool = False
    ) -> None:
        """Add a relation the attacker knows, but only if the data satisfy it: a relation
        that is false here is no knowledge (and would make the audit meaningless)."""
        if self.holds(terms, lo, hi) is False:
            self.set_aside += 1
            return
        self.rows.append((terms, lo, hi))
        if link:
            self.links.append((terms, lo, hi))

    def finish(self) -> tuple[LinearSystem, dict[str, int]]:
        names = sorted(self.truth)
        index = {n: i for i, n in enumerate(names)}
        blocks = sorted({b for b in self.block.values() if b})
        bindex = {b: i for i, b in enumerate(blocks)}
        truth = np.array([self.truth[n] for n in names], dtype=float)
        block = np.array([bindex.get(self.block.get(n, ""), -1) for n in names], dtype=np.int64)
        block[np.isnan(truth)] = -1
        r, c, v = [], [], []
        for i, (terms, _, _) in enumerate(self.rows):
            for n, coef in terms:
                r.append(i)
                c.append(index[n])
                v.append(coef)
        rows = sp.csr_array((v, (r, c)), shape=(len(self.rows), len(names)))
        rows.sum_duplicates()
        rows.eliminate_zeros()
        lo = np.array([x[1] for x in self.rows], dtype=float)
        hi = np.array([x[2] for x in self.rows], dtype=float)
        return LinearSystem(tuple(names), truth, block, rows, lo, hi), index


def _tables(
    cube: pd.DataFrame,
    windows: Mapping[str, pd.DataFrame] | Sequence[pd.DataFrame] | None,
    window_periods: Mapping[str, Sequence[str]] | None,
) -> list[tuple[str, pd.DataFrame, dict[str, str]]]:
    """(table name, frame, period label -> block label) for the cube and each window table."""
    need = ["period", *DIMS, *MEASURES]
    frames: list[tuple[str, pd.DataFrame]] = [("cube", cube)]
    if windows is not None:
        items = (
            windows.items() if isinstance(windows, Mapping) else (("window", w) for w in windows)
        )
        frames.extend((str(k), w) for k, w in items)
    out = []
    for name, frame in frames:
        missing = [c for c in need if c not in frame.columns]
        if missing:
            raise DisclosureError(
                f"The {name} table lacks the columns {missing}; it cannot be audited."
            )
        df = frame[need].copy()
        for col in ("period", *DIMS):
            df[col] = df[col].astype(str)
        # a canonical row order makes every result independent of the input's order
        df = df.sort_values(["period", *DIMS], kind="stable").reset_index(drop=True)
        if df[list(MEASURES)].isna().any().any() or (df[list(MEASURES)] < 0).any().any():
            raise DisclosureError(f"The {name} table has missing or negative counts.")
        if name == "cube":
            blocks = {p: p for p in df["period"].unique()}
        else:
            blocks = {}
            for label in df["period"].unique():
                if window_periods is None or label not in window_periods:
                    raise DisclosureError(
                        f"The window '{label}' of the {name} table has no entry in "
                        "window_periods (the periods it covers)."
                    )
                blocks[label] = window_block(window_periods[label])
        out.append((name, df, blocks))
    return out


def build_model(
    cube: pd.DataFrame,
    *,
    windows: Mapping[str, pd.DataFrame] | Sequence[pd.DataFrame] | None = None,
    window_periods: Mapping[str, Sequence[str]] | None = None,
    extra_counts: Sequence[DerivedCount] = (),
    history: LedgerSnapshot | None = None,
) -> Model:
    """Everything an attacker knows about this release, as linear relations.

    Variables are the inner cells of the cube and of each window (per measure), every
    margin and indicator count, and inner cells of earlier releases the ledger mentions.
    Relations: each margin equals the sum of its cells along each summed dimension (a line),
    a window inner cell is at least each of its period cells and at most their sum (reports:
    equal to the sum where that holds), ``persons <= reports`` per cell, indicator counts
    are sums (bounded ones lie between 0 and the sum), and every earlier published fact.
    Relations the data do not satisfy are left out (they are no knowledge).
    """
    b = _Builder()
    cells: list[tuple[str, str, str, str, str, str, str]] = []
    tables = _tables(cube, windows, window_periods)
    for name, df, blocks in tables:
        df = df.assign(block=df["period"].map(blocks))
        is_inner = (df[list(DIMS)] != TOTAL).all(axis=1).to_numpy()
        for measure in MEASURES:
            inner = df.loc[is_inner]
            dup = inner.duplicated(["block", *DIMS])
            if dup.any():
                raise DisclosureError(f"The {name} table has the same inner cell twice.")
            for blk, a, g, s, v in zip(inner["block"], inner["area"], inner["age_band"],
                                       inner["gender"], inner[measure], strict=True):  # fmt: skip
                b.base(var_name(measure, blk, a, g, s), float(v), blk)
        groups: dict[tuple[str, ...], list[str]] = {}
        inner = df.loc[is_inner]
        for blk, a, g, s in zip(inner["block"], inner["area"], inner["age_band"], inner["gender"],
                                strict=True):  # fmt: skip
            for mask in itertools.product((False, True), repeat=3):
                key = tuple(TOTAL if m else k for m, k in zip(mask, (a, g, s), strict=True))
                groups.setdefault((blk, *key), []).append(f"{blk}|{a}|{g}|{s}")
        for row in df.itertuples(index=False):
            keys = (str(row.area), str(row.age_band), str(row.gender))
            blk_row, period = str(row.block), str(row.period)
            members = groups.get((blk_row, *keys), [])
            for measure in MEASURES:
                value = float(getattr(row, measure))
                defn = frozenset(f"{measure}|{m}" for m in members)
                total = sum(b.truth[f"{measure}|{m}"] for m in members)
                if abs(total - value) > _TOL:
                    raise DisclosureError(
                        f"In the {name} table the {measure} margin {period}/{'/'.join(keys)} "
                        f"is {value:g} but its cells sum to {total:g}; margins must be exact sums.",
                    )
                var = b.count(var_name(measure, blk_row, *keys), defn, value, blk_row)
                cells.append((name, period, *keys, measure, var))
        _lines(b, df, is_inner)
    _links(b, tables)
    _extras(b, extra_counts, cells)
    targets, primary = _history(b, history)
    system, index = b.finish()
    cell_frame = pd.DataFrame(cells, columns=["table", "period", *DIMS, "measure", "var"])
    cell_var = cell_frame.pop("var").map(index).to_numpy(np.int64)
    count_vars, cell_count = np.unique(cell_var, return_inverse=True)
    links = pd.DataFrame(
        [(lo if np.isfinite(lo) else np.nan, hi if np.isfinite(hi) else np.nan, terms_json(t))
         for t, lo, hi in b.links],
        columns=LINK_COLUMNS,
    )  # fmt: skip
    defs = {index[n]: tuple(sorted(d)) for n, d in b.defs.items()}
    hist = np.array([index[t] for t in targets], dtype=np.int64)
    return Model(system, cell_frame, cell_var.astype(np.int64), cell_count.astype(np.int64),
                 np.asarray(count_vars, dtype=np.int64),
                 hist, np.array(primary, dtype=bool), links, defs, b.set_aside)  # fmt: skip


def _lines(b: _Builder, df: pd.DataFrame, is_inner: npt.NDArray[np.bool_]) -> None:
    """Margin = sum of its cells along each summed dimension (needs those cells as counts)."""
    present = {(blk, a, g, s) for blk, a, g, s in zip(df["block"], df["area"], df["age_band"],
                                                        df["gender"], strict=True)}  # fmt: skip
    inner = df.loc[is_inner]
    lv = {d: inner.groupby("block")[d].unique().to_dict() for d in DIMS}
    for blk, a, g, s in sorted(present):
        keys = (a, g, s)
        for d, key in enumerate(keys):
            if key != TOTAL:
                continue
            children = []
            for level in sorted(lv[DIMS[d]].get(blk, [])):
                child = list(keys)
                child[d] = level
                children.append((blk, *child))
            if not children or not all(c in present for c in children):
                continue
            for measure in MEASURES:
                terms = [(var_name(measure, blk, *keys), 1.0)]
                terms += [(var_name(measure, *c), -1.0) for c in children]
                b.rows.append((_resolve(b, terms), 0.0, 0.0))


def _resolve(b: _Builder, terms: list[tuple[str, float]]) -> list[tuple[str, float]]:
    """Map count names to the variable that carries their definition (merged duplicates)."""
    return [(b.alias.get(n, n), c) for n, c in terms]


def _periods_of(block: str) -> list[str]:
    return block[2:].split("+") if block.startswith("W:") else [block]


def _links(b: _Builder, tables: list[tuple[str, pd.DataFrame, dict[str, str]]]) -> None:
    """Window bounds and ``persons <= reports``, as links kept in the ledger."""
    cube_blocks = set(tables[0][2].values())
    done: set[str] = set()
    for name, _, blocks in tables[1:]:
        del name
        for wblock in sorted(set(blocks.values())):
            if wblock in done:
                continue
            done.add(wblock)
            prefix = f"persons|{wblock}|"
            keys = [n[len(prefix) :] for n in b.truth if n.startswith(prefix) and b.defs[n] == {n}]
            for key in sorted(keys):
                for measure in MEASURES:
                    w = f"{measure}|{wblock}|{key}"
                    parts = []
                    for p in _periods_of(wblock):
                        pv = f"{measure}|{p}|{key}"
                        if pv not in b.truth:
                            if p in cube_blocks:
                                continue  # the cell is absent, i.e. zero, in that period
                            b.truth[pv], b.block[pv], b.defs[pv] = np.nan, p, frozenset([pv])
                        parts.append(pv)
                    total = [(w, 1.0)] + [(pv, -1.0) for pv in parts]
                    if measure == "reports" and b.holds(total, 0.0, 0.0):
                        b.relate(total, 0.0, 0.0, link=True)
                        continue
                    b.relate(total, -np.inf, 0.0, link=True)
                    for pv in parts:
                        b.relate([(w, 1.0), (pv, -1.0)], 0.0, np.inf, link=True)
    for n in sorted(b.truth):
        if n.startswith("persons|") and b.defs[n] == {n} and "|X:" not in n:
            r = "reports|" + n[len("persons|") :]
            if r in b.truth:
                b.relate([(r, 1.0), (n, -1.0)], 0.0, np.inf, link=True)


def _extras(
    b: _Builder,
    extras: Sequence[DerivedCount],
    cells: list[tuple[str, str, str, str, str, str, str]],
) -> None:
    """Indicator counts: sums of inner cells, or bounded by such a sum."""
    for ex in sorted(extras, key=lambda e: (e.period, e.name, e.measure)):
        prefix = f"{ex.measure}|{ex.period}|"
        inner = [n for n in b.truth if n.startswith(prefix) and b.defs[n] == {n} and "|X:" not in n]
        members = set()
        for area, age, gender in ex.cells:
            for n in inner:
                a, g, s = n[len(prefix) :].split("|")
                if area in (TOTAL, a) and age in (TOTAL, g) and gender in (TOTAL, s):
                    members.add(n)
        total = float(sum(b.truth[n] for n in members))
        name = f"{ex.measure}|{ex.period}|X:{ex.name}"
        if ex.bounded:
            if ex.value is None or ex.value < 0:
                raise DisclosureError(f"The bounded count '{ex.name}' needs its value (>= 0).")
            b.base(name, float(ex.value), ex.period)
            b.relate([(n, 1.0) for n in sorted(members)] + [(name, -1.0)], 0.0, np.inf, link=True)
            var = name
        else:
            if ex.value is not None and float(ex.value) != total:
                raise DisclosureError(
                    f"The count '{ex.name}' is {ex.value} but its cells sum to {total:g}."
                )
            var = b.count(name, frozenset(members), total, ex.period)
            if var == name:
                b.rows.append(([(name, 1.0)] + [(n, -1.0) for n in sorted(members)], 0.0, 0.0))
        cells.append(("indicator_counts", ex.period, TOTAL, TOTAL, TOTAL, ex.name, var))


def _history(b: _Builder, snapshot: LedgerSnapshot | None) -> tuple[list[str], list[bool]]:
    """Earlier releases: published facts become relations, suppressed cells stay targets."""
    if snapshot is None or snapshot.cells.empty:
        return [], []
    targets: dict[frozenset[str], tuple[str, bool]] = {}
    facts: set[tuple[frozenset[str], float, float]] = set()
    for status, low, high, definition in snapshot.cells[
        ["status", "low", "high", "definition"]
    ].itertuples(index=False, name=None):
        defn = frozenset(json.loads(definition))
        for n in defn:
            if n not in b.truth:
                b.truth[n], b.block[n], b.defs[n] = np.nan, n.split("|")[1], frozenset([n])
        if status in ("published", "rounded"):
            facts.add((defn, float(low), float(high)))
        elif defn not in b.by_def:
            name = "H|" + hashlib.sha256("\n".join(sorted(defn)).encode()).hexdigest()[:16]
            old = targets.get(defn, (name, False))
            targets[defn] = (name, old[1] or status == "primary")
    for defn, lo, hi in sorted(facts, key=lambda f: (sorted(f[0]), f[1], f[2])):
        known = b.by_def.get(defn)
        terms = [(known, 1.0)] if known else [(n, 1.0) for n in sorted(defn)]
        b.relate(terms, lo, hi)
    seen: set[tuple[str, float, float]] = set()
    for lo, hi, terms in snapshot.links.itertuples(index=False, name=None):
        lo_f = -np.inf if lo is None or pd.isna(lo) else float(lo)
        hi_f = np.inf if hi is None or pd.isna(hi) else float(hi)
        if (terms, lo_f, hi_f) in seen:
            continue
        seen.add((terms, lo_f, hi_f))
        parsed = [(str(n), float(c)) for n, c in json.loads(terms)]
        for n, _ in parsed:
            if n not in b.truth:
                b.truth[n], b.block[n], b.defs[n] = np.nan, n.split("|")[1], frozenset([n])
        b.relate(parsed, lo_f, hi_f)
    names, flags = [], []
    for defn, (name, primary) in sorted(targets.items(), key=lambda t: t[1][0]):
        vals = [b.truth[n] for n in defn]
        blocks = {b.block[n] for n in defn}
        b.truth[name] = float(sum(vals)) if vals else 0.0
        b.block[name] = blocks.pop() if len(blocks) == 1 else ""
        b.defs[name] = defn
        b.rows.append(([(name, 1.0)] + [(n, -1.0) for n in sorted(defn)], 0.0, 0.0))
        names.append(name)
        flags.append(primary)
    return names, flags
