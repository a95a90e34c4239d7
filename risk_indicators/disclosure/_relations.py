"""The attacker's relations: what each published table, window, derived count, figure beside
the tables and earlier release tells about the counts.

Private to the disclosure stage: :func:`~risk_indicators.disclosure._audit_model.build_model`
collects the relations with :class:`_Builder` and turns them into a
:class:`~risk_indicators.disclosure._linear.LinearSystem`. A relation is added only when the
data satisfy it: a relation that is false here is no knowledge (and would make the audit
meaningless).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd
import scipy.sparse as sp

from risk_indicators.cube import TOTAL, CountName
from risk_indicators.errors import DisclosureError

from ._linear import _TOL, LinearSystem
from .ledger import LedgerSnapshot

__all__ = ["DerivedCount", "PublishedTotal", "var_name"]

#: ``M`` of the link ``reports <= M * persons``; far above the reports a person has in a period.
REPORTS_PER_PERSON = 1000.0
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
    published
        ``False``: not shown, but protected all the same (an attacker may work it out, e.g.
        the young of unknown gender from the young and the young women and men).
    """

    name: str
    period: str
    cells: tuple[tuple[str, str, str], ...]
    measure: str = "persons"
    value: int | None = None
    bounded: bool = False
    published: bool = True


@dataclass(frozen=True)
class PublishedTotal:
    """A figure published beside the tables that sums one cube margin over periods.

    The row accounting is one (CONTRACT 3 and 4 publish rows read, used, rejected and
    duplicates): every used row is one report, so rows used are the reports over all areas,
    ages and genders summed over the periods. With every period's total but one published,
    it gives the hidden one back (an attack review found it). The audit takes the sum as
    known exactly, also when some used rows fall outside the cube's periods and an attacker
    would know only an upper bound: assuming more knowledge is the safe side.

    Attributes
    ----------
    name
        Id of the figure, e.g. ``"rows_used"``.
    periods
        The cube periods it sums.
    measure
        ``"reports"`` or ``"persons"``.
    key
        ``(area, age_band, gender)`` of the margin summed; ``total`` for every level.
    value, upper
        The published figure when it is not the sum itself, and whether it only bounds the
        sum from above (e.g. the rows used, all reports, bound the persons of all periods:
        every person has a report).
    """

    name: str
    periods: tuple[str, ...]
    measure: str = "reports"
    key: tuple[str, str, str] = (TOTAL, TOTAL, TOTAL)
    value: float | None = None
    upper: bool = False


def var_name(measure: str, block: str, area: str, age_band: str, gender: str) -> str:
    """The audit variable of a cell or margin: the text of its :class:`CountName`."""
    return str(CountName(measure, block, area, age_band, gender))


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
        # a margin over a dimension with one level is this cell: whatever order the rows come
        # in, it must resolve to the cell, which carries the links (persons <= reports, ...)
        self.by_def.setdefault(self.defs[name], name)

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
        terms = [(self.alias.get(n, n), c) for n, c in terms]
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


def _lines(b: _Builder, df: pd.DataFrame, is_inner: npt.NDArray[np.bool_],
           measures: Sequence[str] = MEASURES) -> None:  # fmt: skip
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
            for measure in measures:
                terms = [(var_name(measure, blk, *keys), 1.0)]
                terms += [(var_name(measure, *c), -1.0) for c in children]
                b.rows.append((_resolve(b, terms), 0.0, 0.0))


def _resolve(b: _Builder, terms: list[tuple[str, float]]) -> list[tuple[str, float]]:
    """Map count names to the variable that carries their definition (merged duplicates)."""
    return [(b.alias.get(n, n), c) for n, c in terms]


def _periods_of(block: str) -> list[str]:
    return list(CountName("persons", block).periods)


def _links(b: _Builder, tables: list[tuple[str, pd.DataFrame, dict[str, str]]],
           measures: Sequence[str] = MEASURES) -> None:  # fmt: skip
    """Window bounds, ``persons <= reports`` and ``reports <= M * persons``, as links kept in
    the ledger."""
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
                for measure in measures:
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
            # a person keeps one gender, so over all areas and ages every report of the
            # window is a report of one of its periods under the same gender: the report
            # margins add up exactly (areas and age bands can change, so nothing finer does)
            genders = {CountName.parse(n).gender for n in b.truth
                       if n.startswith(f"reports|{wblock}|")}  # fmt: skip
            for gender in sorted(genders | {TOTAL}):
                w = f"reports|{wblock}|{TOTAL}|{TOTAL}|{gender}"
                parts = [f"reports|{p}|{TOTAL}|{TOTAL}|{gender}" for p in _periods_of(wblock)]
                known = [n for n in [w, *parts] if b.alias.get(n, n) in b.truth]
                if len(known) == len(parts) + 1:
                    b.relate([(w, 1.0)] + [(pv, -1.0) for pv in parts], 0.0, 0.0, link=True)
    pairs = []
    for n in sorted(b.truth):
        if n.startswith("persons|") and b.defs[n] == {n} and "|X:" not in n:
            r = "reports|" + n[len("persons|") :]
            if r in b.truth:
                pairs.append((n, r))
    bound = _reports_per_person_bound(b, pairs)
    for n, r in pairs:
        b.relate([(r, 1.0), (n, -1.0)], 0.0, np.inf, link=True)
        # a cell with a report has a person (all of a person's reports count in the person's
        # cell): reports <= M * persons, with M above any real number of reports per person,
        # makes persons = 0 exactly when reports = 0 in every integer table, so a published
        # report count > 0 beside a hidden person count tells the attacker it is at least 1
        b.relate([(r, 1.0), (n, -bound)], -np.inf, 0.0, link=True)


def _reports_per_person_bound(b: _Builder, pairs: list[tuple[str, str]]) -> float:
    """``M`` of ``reports <= M * persons``: REPORTS_PER_PERSON, or more if the data need it.

    Any ``M`` that the data satisfy encodes "a cell with a report has a person" for integer
    tables; a large one adds nothing else (an attacker is not assumed to know how many
    reports a person can have)."""
    ratios = [
        b.truth[r] / b.truth[n]
        for n, r in pairs
        if not np.isnan(b.truth[n]) and not np.isnan(b.truth[r]) and b.truth[n] > 0
    ]
    return float(max([REPORTS_PER_PERSON, *np.ceil(ratios)]))


def _extras(
    b: _Builder,
    extras: Sequence[DerivedCount],
    cells: list[tuple[str, str, str, str, str, str, str, str]],
    publish: Mapping[str, str] | None = None,
    unpublished: list[str] | None = None,
    exact_sums: bool = True,
) -> None:
    """Indicator counts: sums of inner cells, or bounded by such a sum (perturbed: as given)."""
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
        name = str(CountName.derived_count(ex.name, ex.period, ex.measure))
        if ex.bounded:
            if ex.value is None or ex.value < 0:
                raise DisclosureError(f"The bounded count '{ex.name}' needs its value (>= 0).")
            b.base(name, float(ex.value), ex.period)
            b.relate([(n, 1.0) for n in sorted(members)] + [(name, -1.0)], 0.0, np.inf, link=True)
            var = name
        else:
            total = total if exact_sums or ex.value is None else float(ex.value)  # perturbed
            if exact_sums and ex.value is not None and float(ex.value) != total:
                raise DisclosureError(
                    f"The count '{ex.name}' is {ex.value} but its cells sum to {total:g}."
                )
            var = b.count(name, frozenset(members), total, ex.period)
            if var == name:
                b.rows.append(([(name, 1.0)] + [(n, -1.0) for n in sorted(members)], 0.0, 0.0))
        if not ex.published:
            if unpublished is not None:
                unpublished.append(var)
            continue
        table = "indicator_counts" if publish is None else publish.get(name, "indicator_counts")
        cells.append((table, ex.period, TOTAL, TOTAL, TOTAL, ex.name, name, var))


def _totals(b: _Builder, totals: Sequence[PublishedTotal]) -> None:
    """Figures beside the tables: a known sum of one margin over periods, as a sum of inner
    cells (the ledger keeps it so: a later cube without one of these periods knows the
    period's published facts on its inner cells)."""
    for tot in sorted(totals, key=lambda t: (t.name, t.measure, t.key, t.periods)):
        periods = sorted(set(tot.periods))
        members = []
        for p in periods:
            prefix = f"{tot.measure}|{p}|"
            inner = [n for n in b.truth if n.startswith(prefix) and b.defs[n] == {n}
                     and "|X:" not in n]  # fmt: skip
            if not inner:
                raise DisclosureError(
                    f"The published figure '{tot.name}' sums the period {p}, which the cube "
                    "does not have: give it only periods of the cube."
                )
            for n in inner:
                c = CountName.parse(n)
                have = (c.area, c.age_band, c.gender)
                if all(w in (TOTAL, h) for w, h in zip(tot.key, have, strict=True)):
                    members.append(n)
        members = sorted(members)
        value = float(sum(b.truth[n] for n in members)) if tot.value is None else tot.value
        lo = -np.inf if tot.upper else value
        b.relate([(n, 1.0) for n in members], lo, value)
        b.links.append(([(n, 1.0) for n in members], lo, value))


def _block_of(name: str) -> str:
    """The block of a count's text name (the ledger keeps counts by their names)."""
    return CountName.parse(name).block


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
                b.truth[n], b.block[n], b.defs[n] = np.nan, _block_of(n), frozenset([n])
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
                b.truth[n], b.block[n], b.defs[n] = np.nan, _block_of(n), frozenset([n])
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
