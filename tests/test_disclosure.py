"""Tests of risk_indicators.disclosure (suppression, audit, rounding) and the ledger audit.

The reference attacker runs HiGHS without presolve: with presolve, scipy 1.17's HiGHS
returned a wrong optimum (2 instead of 0) on one of these tables.

Reference intervals come from an attacker written here, independently of the package: an
integer program over the inner cells of the flat table (every published count is an
equation, persons <= reports and "a cell with a report has a person" per cell, cells are
non-negative integers) solved with
``scipy.optimize.milp``, or from hand arithmetic written beside the test.
"""

from __future__ import annotations

import itertools
import json
import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy.optimize import Bounds, LinearConstraint, milp

import risk_indicators.disclosure._linear as linear_mod
from risk_indicators.disclosure._protect import (
    DerivedCount,
    PublishedTotal,
    audit_suppression,
    protect,
    publishable,
    round_base3,
)
from risk_indicators.disclosure.audit import build_model
from risk_indicators.disclosure.ledger import Ledger
from risk_indicators.errors import DisclosureError, UsageError

T = 5
DIMS = ["area", "age_band", "gender"]
KEY = ["table", "period", *DIMS, "measure"]


def make_cube(
    inner: dict[tuple[str, str, str], tuple[int, int]], period: str = "2024T1"
) -> pd.DataFrame:
    """A cube with every margin from ``{(area, age_band, gender): (persons, reports)}``."""
    levels = [sorted({k[d] for k in inner}) for d in range(3)]
    rows = []
    for key in itertools.product(*[[*lv, "total"] for lv in levels]):
        cells = [
            v
            for k, v in inner.items()
            if all(q in ("total", c) for q, c in zip(key, k, strict=True))
        ]
        rows.append((period, *key, sum(c[0] for c in cells), sum(c[1] for c in cells), 100))
    return pd.DataFrame(rows, columns=["period", *DIMS, "persons", "reports", "population"])


def attacker_bounds(
    cube: pd.DataFrame,
    published: pd.DataFrame,
    cells: list[tuple],
    sums: dict[str, float] | None = None,
    dash_at_least_one: bool = False,
) -> dict:
    """Integer min and max of each key in ``cells`` given the published counts (independent).

    ``sums``: measure -> a published sum of that measure over every cell of every period
    (the rows used of a release are the reports of all periods). ``dash_at_least_one``: the
    attacker knows the release's rule "zeros are always shown", so every hidden count of
    ``published`` is at least 1."""
    inner = cube[(cube[DIMS] != "total").all(axis=1)].reset_index(drop=True)
    n = len(inner)
    var = {}
    for i, row in inner.iterrows():
        for m, measure in enumerate(["persons", "reports"]):
            var[(row.period, row.area, row.age_band, row.gender, measure)] = i + m * n

    def members(period, area, age, gender, measure):
        return [v for (p, a, g, s, mm), v in var.items()
                if p == period and mm == measure and area in ("total", a)
                and age in ("total", g) and gender in ("total", s)]  # fmt: skip

    rows, lo, hi = [], [], []
    for r in published.itertuples(index=False):
        vec = np.zeros(2 * n)
        vec[members(r.period, r.area, r.age_band, r.gender, r.measure)] = 1
        if pd.isna(r.value):
            if dash_at_least_one:
                rows.append(vec)
                lo.append(1.0)
                hi.append(np.inf)
            continue
        rows.append(vec)
        lo.append(float(r.value))
        hi.append(float(r.value))
    for measure, total in (sums or {}).items():
        vec = np.zeros(2 * n)
        vec[[v for k, v in var.items() if k[4] == measure]] = 1
        rows.append(vec)
        lo.append(float(total))
        hi.append(float(total))
    for i in range(n):  # persons <= reports
        vec = np.zeros(2 * n)
        vec[i], vec[i + n] = -1, 1
        rows.append(vec)
        lo.append(0.0)
        hi.append(np.inf)
    for i in range(n):  # a cell with a report has a person: reports <= 1000 * persons
        vec = np.zeros(2 * n)
        vec[i], vec[i + n] = -1000, 1
        rows.append(vec)
        lo.append(-np.inf)
        hi.append(0.0)
    cons = LinearConstraint(np.array(rows), lo, hi)
    out = {}
    for key in cells:
        vec = np.zeros(2 * n)
        vec[members(*key)] = 1
        bounds = []
        for sign in (1, -1):
            # a cap of 1000 per cell stands for "no upper bound" and keeps HiGHS bounded
            res = milp(
                sign * vec,
                constraints=cons,
                integrality=np.ones(2 * n),
                bounds=Bounds(0, 1000),
                options={"presolve": False},
            )
            assert res.status == 0, res.message
            bounds.append(round(sign * res.fun))
        out[key] = tuple(bounds)
    return out


# --------------------------------------------------------------------------------------
# the hand-built table: primary suppression alone is undone by subtraction
# --------------------------------------------------------------------------------------

HAND = {  # (area, age_band, gender): (persons, reports); reports = 2 x persons
    ("A", "x", "man"): (3, 6),
    ("A", "y", "man"): (6, 12),
    ("B", "x", "man"): (7, 14),
    ("B", "y", "man"): (8, 16),
}
#           x    y  | total
#     A     3    6  |   9
#     B     7    8  |  15
#   total  10   14  |  24


def test_primary_only_is_recovered_by_subtraction() -> None:
    cube = make_cube(HAND)
    # only the 3 (and its copy with gender = total) is hidden: 9 - 6 = 3
    hidden = [("cube", "2024T1", "A", "x", g, "persons") for g in ("man", "total")]
    result = audit_suppression(cube, hidden, min_count=T)
    row = result[(result["gender"] == "man")].iloc[0]
    assert (row["low"], row["high"]) == (3, 3)  # the interval collapses to the true value
    assert not result["passed"].any()


def test_secondary_suppression_hides_the_hand_reasoned_cells() -> None:
    cube = make_cube(HAND)
    result = protect(cube, min_count=T)
    persons = result.table[
        (result.table["measure"] == "persons") & (result.table["gender"] == "man")
    ]
    hidden = set(
        persons.loc[persons["value"].isna(), ["area", "age_band"]].itertuples(
            index=False, name=None
        )
    )
    # Hand reasoning: the 3 must be able to move by -3 and by +2 while every published
    # margin stays fixed. The cheapest change that keeps all margins is the 2x2 cycle
    # A/x +d, A/y -d, B/x -d, B/y +d, so A/y, B/x, B/y are hidden. A/x at 0 means no
    # person, hence no report, in A/x: its published reports (6) would rule that out, so
    # the reports take the same cycle and all four are hidden too. Then A/x persons = 0
    # with A/x reports = 0, A/y = 9 persons and 18 reports, B/x = 10 and 20, B/y = 5 and 10
    # (the published margins: A 9 and 18, x 10 and 20, y 14 and 28); and A/x = 9 with A/y = 0
    # and 0, B/x = 1 and 2, B/y = 14 and 28: [0, 9] holds 0 and 5.
    assert hidden == {("A", "x"), ("A", "y"), ("B", "x"), ("B", "y")}
    assert set(persons.loc[persons["value"].isna(), "status"]) == {"primary", "secondary"}
    reports = result.table[
        (result.table["measure"] == "reports") & (result.table["gender"] == "man")
    ]
    hidden_reports = set(
        reports.loc[reports["value"].isna(), ["area", "age_band"]].itertuples(
            index=False, name=None
        )
    )
    assert hidden_reports == hidden
    key = ("2024T1", "A", "x", "man", "persons")
    assert attacker_bounds(cube, result.table, [key])[key] == (0, 9)
    audit = result.audit[(result.audit["area"] == "A") & (result.audit["age_band"] == "x")]
    assert set(audit["suppression"]) == {"primary", "secondary"}
    assert audit["low"].eq(0).all() and audit["high"].ge(T).all()


def test_a_published_report_count_beside_a_hidden_person_count_is_a_leak() -> None:
    """All of a person's reports count in the person's cell, so reports > 0 in a cell means
    at least one person there: with 3 persons and 5 reports in a cell, publishing the 5
    would pin the hidden 3 to 1..5, and 0 must stay possible."""
    inner = {("A", "x", "man"): (3, 5), ("A", "x", "kvinna"): (0, 0)}
    result = protect(make_cube(inner), min_count=T)
    t = result.table
    cell = t[(t["area"] == "A") & (t["age_band"] == "x") & (t["gender"] == "man")]
    assert cell.set_index("measure")["value"].isna().all()  # both hidden
    # hiding every person count (the cell and the margins that equal it) but no report
    # count: the published 5 reports give [1, 5], by the audit and by the attacker here
    cube = make_cube(inner)
    persons = cube[cube["persons"] == 3]
    keys = [
        ("cube", r.period, r.area, r.age_band, r.gender, "persons") for r in persons.itertuples()
    ]
    audit = audit_suppression(cube, keys, min_count=T)
    row = audit[(audit["area"] == "A") & (audit["age_band"] == "x") & (audit["gender"] == "man")]
    assert (row["low"].iloc[0], row["high"].iloc[0]) == (1, 5)
    assert not row["passed"].iloc[0]
    published = cube.melt(
        id_vars=["period", *DIMS], value_vars=["persons", "reports"], var_name="measure"
    ).astype({"value": "Float64"})
    published.loc[(published["measure"] == "persons") & (published["value"] == 3), "value"] = pd.NA
    key = ("2024T1", "A", "x", "man", "persons")
    assert attacker_bounds(cube, published, [key])[key] == (1, 5)


def test_rows_used_beside_the_tables_are_audited() -> None:
    """Every used row is one report, so the rows used that a release publishes are the
    reports of all periods; with the other periods' totals published they give a hidden
    period total back (an attack review did it on the demo). Three periods: the middle one
    has 2 persons and 3 reports, all in 1..4 and hidden; 20 + 3 + 24 = 47 rows used."""
    big = {("A", "x", "man"): (6, 10), ("A", "x", "kvinna"): (7, 9),
           ("B", "x", "man"): (8, 12), ("B", "x", "kvinna"): (9, 11)}  # fmt: skip
    small = {("A", "x", "man"): (1, 2), ("A", "x", "kvinna"): (0, 0),
             ("B", "x", "man"): (1, 1), ("B", "x", "kvinna"): (0, 0)}  # fmt: skip
    last = {k: (p + 1, r + 1) for k, (p, r) in big.items()}
    cube = pd.concat(
        [make_cube(big, "2024T1"), make_cube(small, "2024T2"), make_cube(last, "2024T3")],
        ignore_index=True,
    )
    used = {"reports": 42 + 3 + 46}  # by hand: 10+9+12+11, 2+0+1+0, 11+10+13+12
    assert (
        cube.query("area == 'total' & age_band == 'total' & gender == 'total'")["reports"].sum()
        == used["reports"]
    )
    middle = ("2024T2", "total", "total", "total", "reports")
    # without the rows used in the audit, the period's total is pinned at its true 3
    plain = protect(cube, min_count=T)
    assert attacker_bounds(cube, plain.table, [middle], sums=used)[middle] == (3, 3)
    # with them, more is hidden and the attacker with the rows used cannot narrow any
    # count in 1..T-1
    periods = ("2024T1", "2024T2", "2024T3")
    result = protect(cube, min_count=T, published_totals=[PublishedTotal("rows_used", periods)])
    true = result.table.merge(
        cube.melt(id_vars=["period", *DIMS], value_vars=["persons", "reports"], var_name="measure",
                  value_name="true"),
        on=["period", *DIMS, "measure"],
    )  # fmt: skip
    small_hidden = true[true["value"].isna() & (true["true"] >= 1) & (true["true"] < T)]
    keys = [tuple(r) for r in small_hidden[["period", *DIMS, "measure"]].itertuples(index=False)]
    assert middle in keys
    for key, (low, high) in attacker_bounds(cube, result.table, keys, sums=used).items():
        assert low == 0 and high >= T, key
    assert true.loc[true["period"] != "2024T2", "value"].isna().any()


def test_rows_used_in_the_ledger_tie_to_the_inner_cells(tmp_path) -> None:
    """A later cube without an earlier period knows that period's published facts on its
    inner cells; the earlier rows used must be kept over the same cells, or they would tie a
    fresh variable to nothing (a review found it). By hand: release 1 publishes every count
    of 2024T1 (reports 10 + 12 = 22) and rows used 22 + 20 = 42, so 2024T2's reports are
    42 - 22 = 20 for an attacker who never sees 2024T2's own figures."""
    t1 = {("A", "x", "man"): (6, 10), ("B", "x", "man"): (8, 12)}
    t2 = {("A", "x", "man"): (7, 9), ("B", "x", "man"): (9, 11)}
    t3 = {("A", "x", "man"): (5, 8), ("B", "x", "man"): (6, 7)}
    ledger = Ledger(tmp_path / "releases.sqlite")
    first = pd.concat([make_cube(t1, "2024T1"), make_cube(t2, "2024T2")], ignore_index=True)
    used = PublishedTotal("rows_used", ("2024T1", "2024T2"))
    ledger.record(protect(first, min_count=T, ledger=ledger, published_totals=[used],
                          release_id="r1").release)  # fmt: skip
    links = ledger.snapshot().links
    kept = [json.loads(t) for lo, hi, t in links.itertuples(index=False) if lo == hi == 42]
    assert [sorted(n for n, _ in k) for k in kept] == [
        [f"reports|{p}|{a}|x|man" for p in ("2024T1", "2024T2") for a in ("A", "B")]
    ]
    # a rolling release (2024T2 and 2024T3): 2024T1 is only in the ledger, and each of its
    # cells in the kept rows used must also be in a fact of release 1 (published 10 and 12):
    # together they give 2024T2's reports, 42 - 22 = 20, without 2024T2's own figures
    rolling = pd.concat([make_cube(t2, "2024T2"), make_cube(t3, "2024T3")], ignore_index=True)
    system = build_model(rolling, history=ledger.snapshot()).system
    (kept_row,) = np.flatnonzero((system.row_lo == 42) & (system.row_hi == 42))
    in_rows = np.diff(system.rows.tocsc().indptr)
    for col in system.rows[[kept_row]].indices:
        assert in_rows[col] >= 2, system.names[col]  # the rows used and a fact of release 1


# --------------------------------------------------------------------------------------
# random tables: properties
# --------------------------------------------------------------------------------------


@st.composite
def small_tables(draw: st.DrawFn) -> dict[tuple[str, str, str], tuple[int, int]]:
    n_area = draw(st.integers(1, 3))
    n_age = draw(st.integers(2, 3))
    n_gender = draw(st.integers(1, 2))  # 1: a two-dimensional table
    out = {}
    for a, g, s in itertools.product(range(n_area), range(n_age), range(n_gender)):
        p = draw(st.sampled_from([0, 0, 0, 1, 2, 3, 4, 6, 9]))
        # a cell with reports has persons (all of a person's reports count in their cell)
        out[(f"a{a}", f"g{g}", ["man", "kvinna"][s])] = (p, p + draw(st.integers(0, 2)) if p else 0)
    return out


@pytest.mark.slow
@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(small_tables(), st.randoms(use_true_random=False))
def test_random_tables_are_protected_deterministically(inner, rnd) -> None:
    cube = make_cube(inner)
    result = protect(cube, min_count=T)
    shown = result.table["value"].dropna().astype(int)
    assert not ((shown >= 1) & (shown < T)).any()
    # zeros are shown only in a table without a dash (here one table): a dash may be 0
    true = result.table.merge(
        cube.melt(id_vars=["period", *DIMS], value_vars=["persons", "reports"], var_name="measure",
                  value_name="true"),
        on=["period", *DIMS, "measure"],
    )  # fmt: skip
    zeros = true.loc[true["true"] == 0, "value"]
    if true["value"].isna().any():
        assert zeros.isna().all()
    else:
        assert (zeros == 0).all()
    # the independent integer attacker cannot narrow any protected count
    primary = true[true["value"].isna() & (true["true"] >= 1) & (true["true"] < T)]
    keys = [tuple(r) for r in primary[["period", *DIMS, "measure"]].itertuples(index=False)]
    for key, (low, high) in attacker_bounds(cube, result.table, keys).items():
        assert low == 0 and high >= T, key
    # same input twice: same output; permuted rows: same suppressed cells
    again = protect(cube, min_count=T)
    pd.testing.assert_frame_equal(result.table, again.table)
    order = list(range(len(cube)))
    rnd.shuffle(order)
    permuted = protect(cube.iloc[order].reset_index(drop=True), min_count=T)

    def hidden(p):
        return set(
            p.table.loc[p.table["value"].isna(), ["period", *DIMS, "measure"]].itertuples(
                index=False
            )
        )

    assert hidden(permuted) == hidden(result)


ZERO_CASE = {  # (area, age_band, gender): (persons, reports)
    ("A", "x", "man"): (3, 3),
    ("A", "y", "man"): (0, 0),
    ("B", "x", "man"): (6, 7),
    ("B", "y", "man"): (9, 9),
}


def test_a_dash_is_at_least_one_when_zeros_are_always_shown() -> None:
    """Issue 20: under the rule "zeros are always shown" every dash is at least 1. The
    attacker who knows the rule proves the hidden 3 (A, x) is not 0, so no hiding can protect
    it: the audit knows the rule too and fails closed."""
    cube = make_cube(ZERO_CASE)
    with pytest.raises(DisclosureError, match="could be narrowed down"):
        protect(cube, min_count=T, zeros="shown")
    # the suppression that protects it under the default rule, audited under both rules; under
    # "zeros are always shown" its hidden zeros would be shown, and a reader who knows that
    # rule knows each remaining dash is >= 1, so the 3 cannot be 0
    result = protect(cube, min_count=T)
    truth = cube.melt(id_vars=["period", *DIMS], value_vars=["persons", "reports"],
                      var_name="measure", value_name="true")  # fmt: skip
    t = result.table.merge(truth, on=["period", *DIMS, "measure"])
    assert ((t["true"] == 0) & t["value"].isna()).any()  # the default rule hid a zero
    key = ("cube", "2024T1", "A", "x", "man", "persons")
    hidden = list(t.loc[t["value"].isna(), KEY].itertuples(index=False, name=None))
    audit = audit_suppression(cube, hidden, min_count=T).set_index(KEY).loc[key]
    assert audit["low"] == 0 and audit["passed"]
    t.loc[t["true"] == 0, "value"] = 0  # the rule "zeros are always shown"
    nonzero = list(t.loc[t["value"].isna(), KEY].itertuples(index=False, name=None))
    audit = audit_suppression(cube, nonzero, min_count=T, zeros="shown").set_index(KEY).loc[key]
    assert audit["low"] == 1 and not audit["passed"]
    assert attacker_bounds(cube, t, [key[1:]], dash_at_least_one=True)[key[1:]][0] == 1


def test_zeros_are_hidden_in_a_table_with_a_dash() -> None:
    """Issue 20: with the default rule a dash may be 0 (the zero beside the hidden 3 is a dash
    too), and the independent attacker, who knows the rule (no ">= 1" from a dash), finds
    every hidden count in 1..T-1 can be 0 and can be T."""
    cube = make_cube(ZERO_CASE)
    result = protect(cube, min_count=T)
    t = result.table.set_index(["period", *DIMS, "measure"])
    assert pd.isna(t.loc[("2024T1", "A", "y", "man", "persons"), "value"])  # a hidden zero
    assert (result.audit["suppression"] == "secondary").any()
    keys = [("2024T1", "A", "x", "man", m) for m in ("persons", "reports")]
    for key, (low, high) in attacker_bounds(cube, result.table, keys).items():
        assert low == 0 and high >= T, key
    # a table without a dash shows its zeros
    clean = make_cube({("A", "x", "man"): (0, 0), ("B", "x", "man"): (6, 6)})
    shown = protect(clean, min_count=T).table
    assert shown["value"].notna().all() and (shown["value"] == 0).any()
    with pytest.raises(UsageError, match="The 'zeros' parameter of protect must be one of"):
        protect(clean, min_count=T, zeros="sometimes")  # type: ignore[arg-type]


def test_all_zero_and_tiny_tables() -> None:
    zero = make_cube({("A", "x", "man"): (0, 0), ("B", "x", "man"): (0, 0)})
    result = protect(zero, min_count=T)
    assert result.table["value"].eq(0).all() and result.audit.empty
    tiny = make_cube({("A", "x", "man"): (1, 1), ("B", "x", "man"): (2, 3)})
    result = protect(tiny, min_count=T)
    # every count is 1..4 (grand total 3 persons): everything but nothing else is hidden
    assert result.table["value"].isna().all()
    assert set(result.audit["suppression"]) == {"primary"}


# --------------------------------------------------------------------------------------
# derived figures and indicator counts
# --------------------------------------------------------------------------------------


def test_indicator_counts_and_publishable() -> None:
    inner = {
        ("A", "15-17", "kvinna"): (2, 2),
        ("A", "15-17", "man"): (6, 7),
        ("A", "30-39", "kvinna"): (5, 5),
        ("A", "30-39", "man"): (9, 9),
    }
    cube = make_cube(inner)
    extra = [
        DerivedCount("persons_youth", "2024T1", (("total", "15-17", "total"),)),
        DerivedCount("women_youth", "2024T1", (("total", "15-17", "kvinna"),)),
        DerivedCount("new_persons_youth", "2024T1", (("total", "15-17", "total"),), value=3,
                     bounded=True),
    ]  # fmt: skip
    result = protect(cube, min_count=T, extra_counts=extra)
    # women_youth = 2 and new_persons_youth = 3 are below T; persons_youth = 8 is not
    assert not result.is_published("women_youth")
    assert not result.is_published("new_persons_youth")
    assert result.is_published("persons_youth") is publishable(result, ["persons_youth"])
    # a female share of young persons uses women_youth: not publishable
    assert not publishable(result, ["women_youth", "persons_youth"])
    assert not publishable(result, ["no_such_count"])
    shown = result.table[result.table["value"].notna() & (result.table["table"] == "cube")]
    key = tuple(shown.iloc[0][["period", *DIMS, "measure"]])
    assert publishable(result, [key]) and result.is_published(key)
    hidden = result.table[result.table["value"].isna() & (result.table["table"] == "cube")]
    assert not publishable(result, [key, tuple(hidden.iloc[0][["period", *DIMS, "measure"]])])


# --------------------------------------------------------------------------------------
# differencing across releases: the ledger
# --------------------------------------------------------------------------------------

TERTIALS = {  # persons = reports; area A and B, one age band and gender
    "2024T1": {"A": 3, "B": 9},
    "2024T2": {"A": 0, "B": 8},
    "2024T3": {"A": 7, "B": 6},
}
YEAR = {"A": 9, "B": 20}  # persons: between max and sum of the tertials (one A person twice)


def tertial_cube(period: str) -> pd.DataFrame:
    return make_cube({(a, "15-17", "man"): (v, v) for a, v in TERTIALS[period].items()}, period)


def year_table() -> pd.DataFrame:
    rows = []
    for a in ("A", "B", "total"):
        p = sum(YEAR.values()) if a == "total" else YEAR[a]
        r = (
            sum(sum(t.values()) for t in TERTIALS.values())
            if a == "total"
            else sum(t[a] for t in TERTIALS.values())
        )
        for age, g in itertools.product(("15-17", "total"), ("man", "total")):
            rows.append(("2024", a, age, g, p, r, 100))
    return pd.DataFrame(rows, columns=["period", *DIMS, "persons", "reports", "population"])


def ledger_attacker(ledger: Ledger, target: str) -> tuple[float, float]:
    """Integer min/max of one inner variable from every fact and link in the ledger."""
    snap = ledger.snapshot()
    facts = snap.cells[snap.cells["status"] == "published"]
    names = {n for d in facts["definition"] for n in json.loads(d)} | {target}
    names = sorted(names | {n for t in snap.links["terms"] for n, _ in json.loads(t)})
    idx = {n: i for i, n in enumerate(names)}
    rows, lo, hi = [], [], []
    for d, low, high in facts[["definition", "low", "high"]].itertuples(index=False):
        vec = np.zeros(len(names))
        vec[[idx[n] for n in json.loads(d)]] = 1
        rows.append(vec)
        lo.append(low)
        hi.append(high)
    for low, high, terms in snap.links.itertuples(index=False):
        vec = np.zeros(len(names))
        for n, c in json.loads(terms):
            vec[idx[n]] = c
        rows.append(vec)
        lo.append(-np.inf if pd.isna(low) else low)
        hi.append(np.inf if pd.isna(high) else high)
    cons = LinearConstraint(np.array(rows), lo, hi)
    vec = np.zeros(len(names))
    vec[idx[target]] = 1
    out = []
    for sign in (1, -1):
        res = milp(
            sign * vec,
            constraints=cons,
            integrality=np.ones(len(names)),
            bounds=Bounds(0, 1000),
            options={"presolve": False},
        )
        assert res.status == 0, res.message
        out.append(sign * res.fun)
    return out[0], out[1]


def test_differencing_across_releases_is_prevented(tmp_path) -> None:
    ledger = Ledger(tmp_path / "releases.sqlite")
    for period in TERTIALS:
        result = protect(tertial_cube(period), min_count=T, ledger=ledger, release_id=period)
        ledger.record(result.release)
    t1a = "reports|2024T1|A|15-17|man"
    # T1: A = 3 is hidden, and so is B (else 12 - 9 = 3); nothing so far recovers it
    low, high = ledger_attacker(ledger, t1a)
    assert low == 0 and high >= T
    windows = {"year": year_table()}
    covers = {"2024": list(TERTIALS)}
    empty = tertial_cube("2024T1").iloc[0:0]
    # naive: the year alone, audited without the ledger, shows every year cell (all >= T)
    naive = protect(empty, windows=windows, window_periods=covers, min_count=T)
    assert naive.table["value"].notna().all()
    # ... and then reports A(year) - A(T2) - A(T3) = 10 - 0 - 7 = 3 = the hidden T1 count
    a_year = naive.table.query("area == 'A' and measure == 'reports'")["value"].iloc[0]
    assert a_year - TERTIALS["2024T2"]["A"] - TERTIALS["2024T3"]["A"] == TERTIALS["2024T1"]["A"]
    # the ledger-aware release hides more, and then nothing recovers the T1 count
    aware = protect(empty, windows=windows, window_periods=covers, min_count=T, ledger=ledger,
                    release_id="2024")  # fmt: skip
    assert aware.table.query("area == 'A'")["value"].isna().all()
    ledger.record(aware.release)
    for name in (t1a, "persons|2024T1|A|15-17|man"):
        low, high = ledger_attacker(ledger, name)
        assert low == 0 and high >= T, name


def test_revised_release_is_audited_against_its_earlier_version(tmp_path) -> None:
    ledger = Ledger(tmp_path / "releases.sqlite")
    first = protect(tertial_cube("2024T1"), min_count=T, ledger=ledger, release_id="2024T1")
    ledger.record(first.release)
    # the same release again: identical content, one version
    again = protect(tertial_cube("2024T1"), min_count=T, ledger=ledger, release_id="2024T1")
    assert ledger.record(again.release) == (1, False)
    # a revision that adds a table: the earlier version's facts are constraints (the
    # published B total of 9 pins nothing new, and the audit still passes)
    revised = protect(tertial_cube("2024T1"), windows={"year": year_table()},
                      window_periods={"2024": ["2024T1"]}, min_count=T, ledger=ledger,
                      release_id="2024T1")  # fmt: skip
    assert revised.release.release_id == "2024T1"


# --------------------------------------------------------------------------------------
# fail closed
# --------------------------------------------------------------------------------------


def test_history_that_pins_a_small_count_fails_closed(tmp_path) -> None:
    ledger = Ledger(tmp_path / "releases.sqlite")
    cube = make_cube(HAND)
    # a release with T = 1 published the 3; a later T = 5 release cannot hide it any more
    ledger.record(protect(cube, min_count=1, ledger=ledger, release_id="old").release)
    with pytest.raises(DisclosureError, match="audit failed") as err:
        protect(cube, min_count=T, ledger=ledger, release_id="new")
    assert err.value.exit_code == 1
    assert any("A|x|man" in c for c in err.value.details["counts"])


def test_solver_failure_fails_closed(monkeypatch) -> None:
    class Broken:
        status, message, x = 4, "numerical trouble", None

    monkeypatch.setattr(linear_mod, "milp", lambda *a, **k: Broken())
    with pytest.raises(DisclosureError, match="solver stopped") as err:
        protect(make_cube(HAND), min_count=T)
    assert err.value.exit_code == 1


def test_bad_input_fails_closed() -> None:
    cube = make_cube(HAND)
    cube.loc[cube["area"].eq("total") & cube["age_band"].eq("total"), "persons"] += 1
    with pytest.raises(DisclosureError, match="exact sums"):
        protect(cube, min_count=T)
    with pytest.raises(Exception, match="'method' parameter of protect"):
        protect(make_cube(HAND), method="noise")  # type: ignore[arg-type]


# --------------------------------------------------------------------------------------
# rounding
# --------------------------------------------------------------------------------------


def test_rounding_multiples_of_three_deterministic_and_keyed() -> None:
    cube = make_cube({(a, g, "man"): (v, v + 1) for (a, g), v in
                      zip(itertools.product("ABCD", "wxyz"), range(16), strict=True)})  # fmt: skip
    one = protect(cube, method="round", key=b"k1")
    assert (one.table["value"].astype(int) % 3 == 0).all()
    assert one.table["status"].eq("rounded").all() and one.audit.empty
    true = cube.melt(id_vars=["period", *DIMS], value_vars=["persons", "reports"],
                     var_name="measure", value_name="true")  # fmt: skip
    both = one.table.merge(true, on=["period", *DIMS, "measure"])
    assert (abs(both["value"].astype(int) - both["true"]) <= 2).all()
    pd.testing.assert_frame_equal(one.table, protect(cube, method="round", key=b"k1").table)
    other = protect(cube, method="round", key=b"k2")
    assert not one.table["value"].equals(other.table["value"])
    with pytest.raises(Exception, match="key"):
        protect(cube, method="round")


def test_rounding_is_unbiased() -> None:
    # v = 1 rounds to 0 (p = 2/3) or 3 (p = 1/3): mean 1, variance 3^2 * 1/3 * 2/3 = 2
    r = 20_000
    names = [f"cell{i}" for i in range(r)]
    for v in (1, 2, 7):
        out = round_base3(np.full(r, v), names, key=b"secret")
        assert set(np.unique(out)) == {3 * (v // 3), 3 * (v // 3) + 3}
        q = (v % 3) / 3
        assert abs(out.mean() - v) <= 3 * math.sqrt(9 * q * (1 - q) / r)


def test_window_report_margins_by_gender_add_up_even_when_cells_do_not() -> None:
    """A person keeps one gender, so the window's reports over all areas and ages equal the
    sum of its periods' by gender, whatever the cells. Here a woman reported in area A in
    2024T1 and in area B in 2024T2 sits in A in the window: no women's cell adds up (those
    relations are set aside as false), but the margin does, 3 + 2 = 5, and the attacker's
    model must hold it (a review recovered a hidden count through it)."""

    p1 = make_cube({("A", "x", "kvinna"): (2, 3), ("A", "x", "man"): (6, 6),
                    ("B", "x", "kvinna"): (0, 0), ("B", "x", "man"): (5, 5)}, "2024T1")  # fmt: skip
    p2 = make_cube({("A", "x", "kvinna"): (0, 0), ("A", "x", "man"): (6, 6),
                    ("B", "x", "kvinna"): (1, 2), ("B", "x", "man"): (5, 5)}, "2024T2")  # fmt: skip
    window = make_cube({("A", "x", "kvinna"): (2, 5), ("A", "x", "man"): (6, 12),
                        ("B", "x", "kvinna"): (0, 0), ("B", "x", "man"): (5, 10)},
                       "W")  # fmt: skip
    model = build_model(pd.concat([p1, p2], ignore_index=True), windows={"w": window},
                        window_periods={"W": ["2024T1", "2024T2"]})  # fmt: skip
    system = model.system
    rows = system.rows.tocsr()
    margins = {"reports|2024T1|total|total|kvinna", "reports|2024T2|total|total|kvinna",
               "reports|W:2024T1+2024T2|total|total|kvinna"}  # fmt: skip
    equalities = [
        {system.names[c] for c in rows.indices[rows.indptr[i] : rows.indptr[i + 1]]}
        for i in range(rows.shape[0])
        if system.row_lo[i] == system.row_hi[i] == 0
    ]
    assert margins in equalities
    assert model.set_aside >= 1  # the women's cells of the window do not add up
