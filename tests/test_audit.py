"""Tests of the audit's solver machinery (risk_indicators.disclosure.audit and
risk_indicators.disclosure._linear).

The end-to-end audit is tested in test_disclosure.py against an independent integer
attacker. Here: the integer dive of ``_solve_integer`` against plain branch and bound
(``scipy.optimize.milp`` on the same rows, called here directly), and the threaded
witness searches against the same searches on one thread.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import scipy.sparse as sp
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy.optimize import Bounds, LinearConstraint, milp

import risk_indicators.disclosure._linear as linear_mod
import risk_indicators.disclosure.audit as audit_mod
from risk_indicators.disclosure._linear import LinearSystem, _solve_integer, _Sub, _sub
from risk_indicators.disclosure._protect import protect

M = 1000.0  # reports <= M * persons, as in the audit model


def grid_system(persons: np.ndarray, reports: np.ndarray) -> LinearSystem:
    """Persons and reports of an r x c grid with row and column margins of both measures,
    ``persons <= reports`` and ``reports <= M * persons`` per cell: the audit's structure."""
    r, c = persons.shape
    names, truth, rows, lo, hi = [], [], [], [], []

    def var(name: str, value: float) -> int:
        names.append(name)
        truth.append(value)
        return len(names) - 1

    cells = {}
    for measure, values in (("persons", persons), ("reports", reports)):
        for i in range(r):
            for j in range(c):
                cells[measure, i, j] = var(f"{measure}|{i}|{j}", float(values[i, j]))
        for i in range(r):
            m = var(f"{measure}|{i}|T", float(values[i].sum()))
            rows.append({m: 1.0, **{cells[measure, i, j]: -1.0 for j in range(c)}})
            lo.append(0.0)
            hi.append(0.0)
        for j in range(c):
            m = var(f"{measure}|T|{j}", float(values[:, j].sum()))
            rows.append({m: 1.0, **{cells[measure, i, j]: -1.0 for i in range(r)}})
            lo.append(0.0)
            hi.append(0.0)
    for i in range(r):
        for j in range(c):
            p, q = cells["persons", i, j], cells["reports", i, j]
            rows += [{q: 1.0, p: -1.0}, {q: 1.0, p: -M}]
            lo += [0.0, -np.inf]
            hi += [np.inf, 0.0]
    mat = sp.lil_array((len(rows), len(names)))
    for k, row in enumerate(rows):
        for v, a in row.items():
            mat[k, v] = a
    return LinearSystem(tuple(names), np.array(truth), np.zeros(len(names), dtype=np.int64),
                        mat.tocsr(), np.array(lo), np.array(hi))  # fmt: skip


@st.composite
def grids(draw: st.DrawFn) -> tuple[LinearSystem, np.ndarray, int, str]:
    r, c = draw(st.integers(2, 3)), draw(st.integers(2, 4))
    persons = np.array(draw(st.lists(st.integers(0, 6), min_size=r * c, max_size=r * c)))
    extra = np.array(draw(st.lists(st.integers(0, 4), min_size=r * c, max_size=r * c)))
    reports = persons + np.where(persons > 0, extra, 0)
    system = grid_system(persons.reshape(r, c).astype(float), reports.reshape(r, c).astype(float))
    free = np.array(draw(st.lists(st.booleans(), min_size=system.n_vars,
                                  max_size=system.n_vars)))  # fmt: skip
    free[draw(st.integers(0, system.n_vars - 1))] = True
    target = draw(st.sampled_from(np.flatnonzero(free).tolist()))
    return system, free, target, draw(st.sampled_from(["low", "high"]))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(grids(), st.integers(0, 2))
def test_integer_dive_agrees_with_branch_and_bound(case, objective) -> None:
    system, free, target, direction = case
    sub = _sub(system, free, system.truth)
    n = len(sub.idx)
    lb, ub = np.zeros(n), np.full(n, np.inf)
    t = int(np.flatnonzero(sub.idx == target)[0])
    if direction == "low":
        ub[t] = 0.0
    else:
        lb[t] = 5.0
    # zero cost (a feasibility witness), minimise the free counts, or maximise them (capped)
    cost = [np.zeros(n), np.ones(n), -np.ones(n)][objective]
    if objective == 2:
        ub = np.minimum(ub, 50.0)
    x = _solve_integer(sub, cost, lb, ub)
    # reference: branch and bound on the same rows, without presolve (see test_disclosure)
    rows = LinearConstraint(sub.a.toarray(), sub.lo, sub.hi)
    ref = milp(cost, constraints=[rows], integrality=np.ones(n), bounds=Bounds(lb, ub),
               options={"presolve": False})  # fmt: skip
    assert (x is None) == (ref.status == 2), ref.message
    if x is not None:
        # an answer is a genuine integer solution of every row, including the links
        assert np.allclose(x, np.round(x))
        ax = sub.a @ x
        assert np.all(ax >= sub.lo - 1e-6) and np.all(ax <= sub.hi + 1e-6)
        assert np.all(x >= lb - 1e-9) and np.all(x <= ub + 1e-9)


def test_dive_mends_a_broken_link_without_branch_and_bound(monkeypatch) -> None:
    # reports 3 1 / 1 1 with their margins published (4, 2 by row and by column), every
    # cell and every persons count hidden. By hand: reports(0,0) = a gives the others 4-a,
    # 4-a and a-2, so a >= 2 and the cell has at least one person. Minimising persons(0,0)
    # without the link rows gives persons 0 beside reports >= 2, which breaks "a cell with
    # a report has a person"; the dive must lift persons(0,0) to 1, with linear programs only
    system = grid_system(np.array([[2.0, 1.0], [1.0, 1.0]]), np.array([[3.0, 1.0], [1.0, 1.0]]))
    free = np.array([n.startswith("persons") or "T" not in n for n in system.names])
    sub = _sub(system, free, system.truth)
    calls = []
    real = linear_mod.milp
    monkeypatch.setattr(linear_mod, "milp", lambda *a, **k: calls.append(k) or real(*a, **k))
    cost = np.zeros(len(sub.idx))
    cost[list(sub.idx).index(system.names.index("persons|0|0"))] = 1.0
    x = _solve_integer(sub, cost, np.zeros(len(sub.idx)), np.full(len(sub.idx), np.inf))
    assert x is not None
    value = dict(zip([system.names[i] for i in sub.idx], x, strict=True))
    assert value["persons|0|0"] == 1.0 and value["reports|0|0"] >= 2.0
    assert all(not np.any(k["integrality"]) for k in calls)
    assert len(calls) >= 2  # the relaxation, then at least one mended one


def test_threaded_audit_equals_the_single_thread_audit(monkeypatch) -> None:
    rng = np.random.default_rng(7)
    rows = []
    for period in ("2024T1", "2024T2"):
        for area in ("A", "B", "C"):
            for age in ("x", "y", "z"):
                for gender in ("kvinna", "man"):
                    p = int(rng.integers(0, 7))
                    r = p + int(rng.integers(0, 3)) * (p > 0)
                    rows.append((period, area, age, gender, p, r))
    columns = ["period", "area", "age_band", "gender", "persons", "reports"]
    inner = pd.DataFrame(rows, columns=columns)
    cube = (
        inner.groupby("period")
        .apply(lambda g: _with_margins(g), include_groups=False)
        .reset_index(level=0)
        .reset_index(drop=True)
    )
    results = {}
    for threads in (1, 4):
        monkeypatch.setattr(audit_mod, "AUDIT_THREADS", threads)
        results[threads] = protect(cube, min_count=5)
    pd.testing.assert_frame_equal(results[1].table, results[4].table)
    pd.testing.assert_frame_equal(results[1].audit, results[4].audit)


def _with_margins(g: pd.DataFrame) -> pd.DataFrame:
    out = []
    dims = ["area", "age_band", "gender"]
    for mask in range(8):
        keep = [d for k, d in enumerate(dims) if not mask >> k & 1]
        agg = g.groupby(keep)[["persons", "reports"]].sum().reset_index() if keep else (
            g[["persons", "reports"]].sum().to_frame().T)  # fmt: skip
        for d in dims:
            if d not in keep:
                agg[d] = "total"
        out.append(agg)
    frame = pd.concat(out, ignore_index=True)[[*dims, "persons", "reports"]]
    frame["population"] = 100
    return frame


def test_an_unbounded_relaxation_goes_to_branch_and_bound() -> None:
    # maximise r with r - 2p <= 0 and p <= 3: by hand r = 6, p = 3. Without the link row the
    # dive's relaxation is unbounded; branch and bound must decide (a review found a raise)
    sub = _Sub(np.arange(2), sp.csr_array(np.array([[1.0, -2.0]])), np.array([-np.inf]),
               np.array([0.0]))  # fmt: skip
    x = _solve_integer(sub, np.array([-1.0, 0.0]), np.zeros(2), np.array([np.inf, 3.0]))
    assert x is not None and np.allclose(x, [6.0, 3.0])


def test_continuous_columns_are_not_rounded() -> None:
    # x0 integer, x1 continuous (n_int=1): 2 x1 >= 1 and x1 <= 0.9, so x1 in [0.5, 0.9]; a
    # rounding of x1 would call this infeasible
    sub = _Sub(np.arange(2), sp.csr_array(np.array([[0.0, 2.0], [1.0, 1.0]])),
               np.array([1.0, -np.inf]), np.array([np.inf, 5.0]))  # fmt: skip
    x = _solve_integer(sub, np.zeros(2), np.zeros(2), np.array([np.inf, 0.9]), n_int=1)
    assert x is not None and 0.5 - 1e-9 <= x[1] <= 0.9 + 1e-9 and x[0] == round(x[0])
