"""The linear-system machinery of the disclosure audit.

Holds the attacker's knowledge as relations over non-negative integer variables
(:class:`LinearSystem`), tightens bounds by the attacker's own arithmetic
(:func:`propagate_bounds`), splits free variables into independent components
(:func:`components`) and solves local programs with ``scipy.optimize.milp``, checking every
answer. It knows nothing of tables or the ledger
(:mod:`risk_indicators.disclosure._audit_model`) nor of the pass rule and repair
(:mod:`risk_indicators.disclosure.audit`).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp
from scipy.optimize import Bounds, LinearConstraint, milp
from scipy.sparse.csgraph import connected_components

from risk_indicators.errors import DisclosureError

__all__ = ["SOLVER_TIME_LIMIT", "LinearSystem", "components", "propagate_bounds"]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]

_TOL = 1e-6
#: Seconds one solver call may take before the audit gives up (fail closed).
SOLVER_TIME_LIMIT = 60.0
GAP = 0.5
#: Rows over more blocks than this are left out of :attr:`LinearSystem.neighbours`: 12 months
#: and their window, the widest local relation (monthly periods).
NEIGHBOUR_BLOCKS = 13


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
    def wide(self) -> BoolArray:
        """Rows over more than :data:`NEIGHBOUR_BLOCKS` blocks (a total over every period)."""
        coo = self.rows.tocoo()
        blk = self.block[coo.col]
        keep = blk >= 0
        pairs = np.unique(np.stack([coo.row[keep], blk[keep]]), axis=1)
        return np.bincount(pairs[0], minlength=self.rows.shape[0]) > NEIGHBOUR_BLOCKS

    @cached_property
    def neighbours(self) -> dict[int, set[int]]:
        """Blocks that share a relation with each block (each block includes itself).

        Wide rows (:attr:`wide`) are left out: they would make every block a neighbour of
        every other and the local searches global (see ``audit._near`` for how a local
        search takes them in)."""
        coo = self.rows.tocoo()
        blk = self.block[coo.col]
        keep = (blk >= 0) & ~self.wide[coo.row]
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
    an attacker can derive; it may be wider than the tightest bound (see
    :func:`risk_indicators.disclosure.audit.certify`).

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


#: Linear programs tried in :func:`_solve_integer`'s dive before it asks for branch and bound.
DIVE_STEPS = 8


def _solve_integer(
    sub: _Sub,
    cost: FloatArray,
    lb: FloatArray,
    ub: FloatArray,
    *,
    extra: tuple[sp.csr_array, FloatArray, FloatArray] | None = None,
    n_int: int | None = None,
) -> FloatArray | None:
    """Solve ``min cost @ v`` with the local variables integer; ``None`` when infeasible.

    Branch and bound costs HiGHS five to ten linear programs on these tables, and nearly
    every fractional vertex comes from the rows ``reports - M * persons <= 0`` (a cell with a
    report has a person): the linear optimum puts ``persons = reports / M``. So a dive comes
    first. Its relaxation drops those link rows and turns one-variable rows into integer
    bounds; the rest (margins, windows) has integral vertices as a rule. A link that the
    dive's integral solution breaks is mended by a bound (``persons`` at least
    ``ceil(reports / M)`` or, where ``persons`` cannot rise, ``reports`` at most
    ``M * persons``) and the relaxation is solved again, up to :data:`DIVE_STEPS` times.

    Exactness: a solution is returned only after it is checked, integral, against every
    row; infeasibility is concluded only from the first relaxation, which contains every
    integer solution (or from the integer program). When the dive ends otherwise, the
    integer program decides, so the answer is the same as without the dive except for
    which optimal or feasible solution is found; the dive's solution may be a worse
    objective value than the optimum, which callers treat as a witness, not an optimum.
    """
    n = n_int if n_int is not None else len(sub.idx)
    if n == len(sub.idx):  # the dive rounds every local column: all must be integer
        try:
            decided, x = _dive(sub, cost, lb, ub, extra=extra, n=n)
        except DisclosureError:
            # a relaxation without the link rows can be unbounded (a negative cost on a
            # count bounded only by a link): branch and bound decides
            decided, x = False, None
        if decided:
            return x
    return _solve(sub, cost, lb, ub, integral=True, extra=extra, n_int=n_int)


def _dive(
    sub: _Sub,
    cost: FloatArray,
    lb: FloatArray,
    ub: FloatArray,
    *,
    extra: tuple[sp.csr_array, FloatArray, FloatArray] | None,
    n: int,
) -> tuple[bool, FloatArray | None]:
    """The dive of :func:`_solve_integer`: ``(True, x)`` with a checked integer solution,
    ``(True, None)`` when a relaxation proves infeasibility, ``(False, None)`` undecided."""
    a = sub.a.tocsr()
    nnz = np.diff(a.indptr)
    first = a.indptr[:-1]
    lbs, ubs = lb.astype(float).copy(), ub.astype(float).copy()
    single = np.flatnonzero(nnz == 1)
    if len(single):
        col, coef = a.indices[first[single]], a.data[first[single]]
        lo, hi = sub.lo[single] / coef, sub.hi[single] / coef
        lo, hi = np.where(coef > 0, lo, hi), np.where(coef > 0, hi, lo)
        np.maximum.at(lbs, col, np.ceil(lo - _TOL))
        np.minimum.at(ubs, col, np.floor(hi + _TOL))
        if np.any(lbs > ubs):
            return True, None
    # link rows r - M p <= h: two entries, +1 on r and -M (M > 1) on p, no lower bound
    pair = np.flatnonzero((nnz == 2) & np.isinf(sub.lo))
    c0, c1 = a.indices[first[pair]], a.indices[first[pair] + 1]
    d0, d1 = a.data[first[pair]], a.data[first[pair] + 1]
    is_link = ((d0 == 1) & (d1 < -1)) | ((d1 == 1) & (d0 < -1))
    pair, c0, c1, d0, d1 = pair[is_link], c0[is_link], c1[is_link], d0[is_link], d1[is_link]
    r_col = np.where(d0 == 1, c0, c1)
    p_col, p_coef = np.where(d0 == 1, c1, c0), np.where(d0 == 1, d1, d0)
    hi_pair = sub.hi[pair]
    keep = np.setdiff1d(np.arange(a.shape[0]), np.concatenate([single, pair]))
    relaxed = _Sub(sub.idx, a[keep], sub.lo[keep], sub.hi[keep])
    x = _solve(relaxed, cost, lbs, ubs, integral=False, extra=extra)
    if x is None:
        return True, None
    for _ in range(DIVE_STEPS):
        if x is None or not _is_integral(x[:n]):
            break
        x = np.concatenate([np.round(x[:n]), x[n:]])
        over = x[r_col] + p_coef * x[p_col] > hi_pair + _TOL
        if not over.any():
            k = len(sub.idx)
            if _feasible(a, sub.lo, sub.hi, lb[:k], ub[:k], x[:k]):
                return True, x
            break
        for r, p, m, h in zip(r_col[over], p_col[over], p_coef[over], hi_pair[over], strict=True):
            need = np.ceil((x[r] - h) / -m - _TOL)
            if need <= ubs[p]:
                lbs[p] = max(lbs[p], need)
            else:
                ubs[r] = min(ubs[r], np.floor(h - m * ubs[p] + _TOL))
        if np.any(lbs > ubs):
            break
        x = _solve(relaxed, cost, lbs, ubs, integral=False, extra=extra)
    return False, None


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
