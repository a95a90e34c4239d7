"""The attacker's knowledge, built from the release's tables and the ledger.

:func:`build_model` turns the cube, the window tables, the indicator counts
(:class:`DerivedCount`) and the facts of earlier releases into one
:class:`~risk_indicators.disclosure._linear.LinearSystem` plus the map from table cells to its
variables (:class:`Model`); :mod:`risk_indicators.disclosure.audit` certifies and repairs it.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from risk_indicators.cube import TOTAL, window_block
from risk_indicators.errors import DisclosureError

from ._linear import _TOL, BoolArray, IntArray, LinearSystem
from ._relations import (
    DIMS,
    MEASURES,
    DerivedCount,
    PublishedTotal,
    _Builder,
    _extras,
    _history,
    _lines,
    _links,
    _totals,
    var_name,
)
from .ledger import LINK_COLUMNS, LedgerSnapshot, terms_json

__all__ = ["DerivedCount", "Model", "PublishedTotal", "build_model", "var_name"]


@dataclass
class Model:
    """A release as a :class:`LinearSystem` plus the map from table cells to variables.

    ``cells`` has one row per published table cell (``table, period, area, age_band, gender,
    measure``, and ``count``: its :class:`~risk_indicators.cube.CountName` as text, before
    counts with equal definitions are merged); ``cell_var`` is its variable and ``cell_count``
    its position in ``count_vars`` (distinct counts: two tables covering the same periods
    share them).
    ``unpublished`` are the counts of a designed publication that it does not show (hidden
    by design, protected like suppressed ones). ``history_targets`` are counts suppressed by
    earlier releases that this release does
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
    unpublished: IntArray = field(default_factory=lambda: np.array([], dtype=np.int64))

    def definition(self, var: int) -> list[str]:
        """The inner-cell variables a count sums (its ledger definition)."""
        return list(self.defs[int(var)])

    def protect_mask(self, targets: IntArray) -> BoolArray:
        """Protection flag from the ledger for targets whose true value is unknown."""
        flag = dict(zip(self.history_targets.tolist(), self.history_primary.tolist(), strict=True))
        return np.array([flag.get(int(t), False) for t in targets], dtype=bool)


def _tables(
    cube: pd.DataFrame,
    windows: Mapping[str, pd.DataFrame] | Sequence[pd.DataFrame] | None,
    window_periods: Mapping[str, Sequence[str]] | None,
    measures: Sequence[str] = MEASURES,
) -> list[tuple[str, pd.DataFrame, dict[str, str]]]:
    """(table name, frame, period label -> block label) for the cube and each window table."""
    need = ["period", *DIMS, *measures]
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
        if df[list(measures)].isna().any().any() or (df[list(measures)] < 0).any().any():
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
    published_totals: Sequence[PublishedTotal] = (),
    history: LedgerSnapshot | None = None,
    publish: Mapping[str, str] | None = None,
    measures: Sequence[str] = MEASURES,
    exact_sums: bool = True,
) -> Model:
    """Everything an attacker knows about this release, as linear relations.

    ``publish`` (a designed publication) maps the text of each published count's
    :class:`~risk_indicators.cube.CountName` to the public table it appears in: only those
    counts (and the published derived counts) are shown. Every other cell and margin of the
    cube and the windows, and every unpublished derived count, stays an unknown that the
    audit protects all the same (:attr:`Model.unpublished`): an attacker may work out a count
    that is never shown (e.g. young persons of unknown gender as the young less the young
    women and men). Without it every row is published (tables ``cube`` and the windows'
    names). ``measures`` are the measures modelled (a design that publishes no report count
    may leave reports out; a figure such as the rows used then bounds the persons).

    Variables are the inner cells of the cube and of each window (per measure), every
    margin and indicator count, and inner cells of earlier releases the ledger mentions.
    Relations: each margin equals the sum of its cells along each summed dimension (a line),
    a window inner cell is at least each of its period cells and at most their sum (reports:
    equal to the sum where that holds; the report margins over all areas and ages by gender
    always are), ``persons <= reports`` and ``reports <= M * persons``
    per cell (a cell with a report has a person; see :data:`REPORTS_PER_PERSON`), indicator counts
    are sums (bounded ones lie between 0 and the sum), figures published beside the tables
    are sums over periods (:class:`PublishedTotal`), and every earlier published fact.
    Relations the data do not satisfy are left out (they are no knowledge).
    ``exact_sums=False`` accepts margins that are not sums of their cells (perturbed counts,
    which are not audited: the model then only names and defines the published counts).
    """
    b = _Builder()
    cells: list[tuple[str, str, str, str, str, str, str, str]] = []
    unpublished: list[str] = []
    tables = _tables(cube, windows, window_periods, measures)
    for name, df, blocks in tables:
        df = df.assign(block=df["period"].map(blocks))
        is_inner = (df[list(DIMS)] != TOTAL).all(axis=1).to_numpy()
        for measure in measures:
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
            for measure in measures:
                value = float(getattr(row, measure))
                defn = frozenset(f"{measure}|{m}" for m in members)
                total = sum(b.truth[f"{measure}|{m}"] for m in members)
                if exact_sums and abs(total - value) > _TOL:
                    raise DisclosureError(
                        f"In the {name} table the {measure} margin {period}/{'/'.join(keys)} "
                        f"is {value:g} but its cells sum to {total:g}; margins must be exact sums.",
                    )
                own = var_name(measure, blk_row, *keys)
                var = b.count(own, defn, value, blk_row)
                if publish is not None and own not in publish:
                    unpublished.append(var)  # not shown, still protected
                    continue
                table = name if publish is None else publish[own]
                cells.append((table, period, *keys, measure, own, var))
        _lines(b, df, is_inner, measures)
    _links(b, tables, measures)
    _extras(b, extra_counts, cells, publish, unpublished, exact_sums=exact_sums)
    _totals(b, published_totals)
    targets, primary = _history(b, history)
    system, index = b.finish()
    cell_frame = pd.DataFrame(cells, columns=["table", "period", *DIMS, "measure", "count", "var"])
    cell_var = cell_frame.pop("var").map(index).to_numpy(np.int64)
    count_vars, cell_count = np.unique(cell_var, return_inverse=True)
    links = pd.DataFrame(
        [(lo if np.isfinite(lo) else np.nan, hi if np.isfinite(hi) else np.nan, terms_json(t))
         for t, lo, hi in b.links],
        columns=LINK_COLUMNS,
    )  # fmt: skip
    defs = {index[n]: tuple(sorted(d)) for n, d in b.defs.items()}
    hist = np.array([index[t] for t in targets], dtype=np.int64)
    shown_vars = set(cell_var.tolist())
    hidden_always = np.array(sorted({index[b.alias.get(n, n)] for n in unpublished}
                                    - shown_vars), dtype=np.int64)  # fmt: skip
    return Model(system, cell_frame, cell_var.astype(np.int64), cell_count.astype(np.int64),
                 np.asarray(count_vars, dtype=np.int64),
                 hist, np.array(primary, dtype=bool), links, defs, b.set_aside,
                 hidden_always)  # fmt: skip
