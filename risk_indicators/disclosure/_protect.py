"""Disclosure control: nothing published identifies a person, proven by an audit.

Two methods, chosen with ``protect(..., method=...)``:

``"suppress"`` (default, CONTRACT 5)
    *Primary suppression* hides every count in ``1..T-1`` (``T = disclosure.min_count``);
    zeros are published. *Secondary suppression* then hides as few further counts as needed
    so that the *audit* passes: for every hidden count whose true value is in ``1..T-1``,
    the values an attacker can derive from everything published (this release and every
    earlier release in the :class:`~risk_indicators.disclosure.ledger.Ledger`) include both 0 and
    ``T``. The attacker knows that cells are non-negative integers, margins are sums, a
    window count lies between the largest and the sum of its period counts, reports add
    up over periods and ``persons <= reports`` cell by cell. See
    :mod:`risk_indicators.disclosure.audit` for how the audit and the repair programs are solved.

``"round"``
    Random rounding to base 3: a count ``v = 3q + r`` is published as ``3q + 3`` with
    probability ``r / 3`` and as ``3q`` otherwise, so the published value is unbiased and
    within 2 of the truth. The coin is drawn from HMAC-SHA256 of the count's canonical name
    under a secret key, so a rerun gives the same value (averaging reruns learns nothing)
    while another key gives other values. Trade-offs: every count is shown (no empty
    cells), but a published 0 or 3 may stand for 1 or 2 persons, so the contract's rule
    "no published count in 1..T-1" is met only in the sense that small counts are
    blurred, not hidden; margins are rounded on their own and tables no longer add up;
    an attacker's interval is always ``value +- 2`` (no interval audit is needed in the
    same sense, and none is run). Rounding protects small counts only as far as ``+-2``
    hides them; with ``T = 5`` suppression is the stronger and the contract's method.

Derived figures (shares, rates, ratios, intervals) are published only when every count
they use is published: :func:`publishable`.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import get_args

import numpy as np
import pandas as pd

from risk_indicators._params import Options, check_param
from risk_indicators.cube import TOTAL, CountName
from risk_indicators.errors import UsageError

from ._perturbed import _perturbed
from ._protection import (
    AUDIT_COLUMNS,
    KEY_COLUMNS,
    Method,
    Protection,
    _audit_frame,
    _ledger_cells,
    _table,
)
from ._suppression import ZeroRule, _audit, _fixed, _floor, _suppressed, _targets
from .audit import DerivedCount, Model, PublishedTotal, build_model
from .ledger import Ledger, Release

__all__ = [
    "AUDIT_COLUMNS",
    "DerivedCount",
    "Method",
    "Protection",
    "PublishedTotal",
    "audit_suppression",
    "default_priority",
    "protect",
    "publishable",
    "round_base3",
]


def publishable(
    protection: Protection, uses: Iterable[str | tuple[str, str, str, str, str]]
) -> bool:
    """Whether a figure computed from ``uses`` may be published (every count is published).

    Parameters
    ----------
    protection
        The protected release.
    uses
        Indicator-count names and/or ``(period, area, age_band, gender, measure)`` keys.

    Examples
    --------
    A share of young women uses the young women and the young persons:
    ``publishable(p, ["women_youth", "persons_youth"])``.
    """
    lookup = protection._lookup()
    return all(lookup.get(key, False) for key in uses)


def default_priority(name: CountName, n_cells: int) -> float:
    """Cost of hiding a count in secondary suppression (the default of :func:`protect`).

    Derived counts (indicator counts, :class:`DerivedCount`) 1000: they are what a release is
    about. Margins over all areas 30, and 100 when also over all ages; other counts about 1, a
    margin a little more than a cell so that ties hide inner cells. Counts of 12-month
    windows other than derived counts cost a tenth of the same count of a period; report
    counts half of person counts.

    Parameters
    ----------
    name
        The count.
    n_cells
        The number of inner cells the count sums.
    """
    if name.is_derived:
        cost = 1000.0
    elif name.area == TOTAL:
        cost = 100.0 if name.age_band == TOTAL else 30.0
    else:
        cost = 1.0 + 0.01 * n_cells
    if name.is_window and not name.is_derived:
        cost /= 10  # the 12-month figures come second to the period's own
    return cost / 2 if name.measure == "reports" else cost


def protect(
    cube: pd.DataFrame,
    *,
    min_count: int = 5,
    windows: Mapping[str, pd.DataFrame] | Sequence[pd.DataFrame] | None = None,
    window_periods: Mapping[str, Sequence[str]] | None = None,
    extra_counts: Sequence[DerivedCount] = (),
    published_totals: Sequence[PublishedTotal] = (),
    ledger: Ledger | None = None,
    release_id: str = "release",
    method: Method = "suppress",
    key: bytes | None = None,
    priority: Callable[[CountName, int], float] = default_priority,
    publish: Mapping[CountName, str] | None = None,
    zeros: ZeroRule = "per_table",
    measures: Sequence[str] = ("persons", "reports"),
    perturbed: Mapping[str, int] | None = None,
    support: Callable[[int], tuple[int, int]] | None = None,
) -> Protection:
    """Protect every published count of a release and audit the result (fail closed).

    Parameters
    ----------
    cube
        Columns ``period, area, age_band, gender, persons, reports`` (``population`` is
        public and ignored); margins have the key ``total`` and are exact sums of the inner
        cells (rows whose keys are all not ``total``).
    min_count
        The threshold ``T``: no published count lies in ``1..T-1``.
    windows
        Rolling-12-month and yearly tables with the cube's columns, ``period`` holding the
        window label; a mapping names the tables (e.g. ``{"rolling": df, "year": df}``).
    window_periods
        Window label -> the period labels it covers (required with ``windows``).
    extra_counts
        Indicator counts over inner cells of the cube (:class:`DerivedCount`).
    published_totals
        Figures published beside the tables that sum a cube margin over periods, e.g. rows
        used (:class:`PublishedTotal`).
    ledger
        Earlier releases to audit against; nothing is written to it here.
    release_id
        Name of the release in the ledger, e.g. ``"2024T1 medborgarlöfte"``.
    method
        ``"suppress"`` or ``"round"`` (see the module docstring for the trade-offs).
    key
        Secret bytes for the rounding coin (required with ``method="round"``).
    priority
        Cost of hiding each count in secondary suppression, from its :class:`CountName` and the
        number of inner cells it sums (see :func:`default_priority`); repairs hide the
        cheapest counts that make the audit pass. A release passes one that ranks its own
        headline counts first (:func:`risk_indicators.release.protect_analysis`).

    publish
        A designed publication: every count the release shows, with the name of the public
        table it appears in. The cube and the windows then give the inner cells (unknown to
        the attacker) and only these counts and ``extra_counts`` are published. Default:
        every row of the cube and the windows (tables ``cube`` and the windows' names).
    zeros
        What the release says about zeros, which the audit knows: ``"per_table"`` (default:
        a zero is shown only in a table without any hidden count, so a dash may be 0),
        ``"hidden"`` (no zero is shown) or ``"shown"`` (every zero is shown, so every dash is
        at least 1: the audit then fails any release that hides a count in 1..T-1, because
        it cannot be 0).
    perturbed, support
        With ``method="cell_key"``: the published (perturbed) value of every count the release
        shows, by the text of its :class:`~risk_indicators.cube.CountName`, and the interval
        of true values each published value can come from (the perturbation table's
        :meth:`~risk_indicators.disclosure.PerturbationTable.support`); the audit proves
        that no count in 1..T-1 can be narrowed down from those intervals.
    measures
        The measures the release publishes counts of (a design that shows persons only may
        leave reports out of the audit; give a figure like the rows used as an upper bound of
        the persons then).

    Returns
    -------
    Protection
        Record ``protection.release`` in the ledger after the files are written.

    Raises
    ------
    DisclosureError
        If the audit fails or a solver fails: nothing may be published (exit code 1).
    """
    check_param(method, Options(*get_args(Method)), name="method", func="protect")
    if isinstance(min_count, bool) or not isinstance(min_count, int) or min_count < 1:
        raise UsageError(
            "The 'min_count' parameter of protect must be an integer >= 1. "
            f"Got {min_count!r} instead."
        )
    if method == "round" and not key:
        raise UsageError(
            "Rounding needs a secret key: pass key=bytes (e.g. from the key variable)."
        )
    if method == "cell_key" and (perturbed is None or support is None):
        raise UsageError(
            "The cell-key method needs the perturbed counts and the support of each value: "
            "pass perturbed={count name: value} and support=PerturbationTable.support."
        )
    snapshot = ledger.snapshot() if ledger is not None else None
    check_param(zeros, Options(*get_args(ZeroRule)), name="zeros", func="protect")
    model = build_model(
        cube,
        windows=windows,
        window_periods=window_periods,
        extra_counts=extra_counts,
        published_totals=published_totals,
        history=snapshot,
        publish=None if publish is None else {str(k): v for k, v in publish.items()},
        measures=measures,
    )
    state = snapshot.state if snapshot is not None else 0
    if method == "cell_key":
        return _perturbed(model, min_count=min_count, release_id=release_id, state=state,
                          published=perturbed or {}, support=support or _no_support)  # fmt: skip
    if method == "round":
        # key is not empty: checked above, before the model is built
        return _rounded(model, min_count=min_count, key=key or b"", release_id=release_id,
                        state=state)  # fmt: skip
    return _suppressed(
        model, min_count=min_count, release_id=release_id, state=state, priority=priority,
        zeros=zeros,
    )  # fmt: skip


def round_base3(values: np.ndarray, names: Sequence[str], *, key: bytes) -> np.ndarray:
    """Unbiased random rounding to base 3 with a keyed coin per name.

    ``v = 3q + r`` becomes ``3q + 3`` when ``u < r / 3``, where ``u`` in ``[0, 1)`` is the
    first 8 bytes of HMAC-SHA256(key, name); else ``3q``. Zeros stay zero.
    """
    v = np.asarray(values, dtype=np.int64)
    u = np.array([
        int.from_bytes(hmac.new(key, n.encode(), hashlib.sha256).digest()[:8], "big") / 2.0**64
        for n in names
    ])  # fmt: skip
    q, r = np.divmod(v, 3)
    return np.where(u < r / 3.0, 3 * q + 3, 3 * q)


def _no_support(value: int) -> tuple[int, int]:  # pragma: no cover (checked before use)
    raise UsageError("The cell-key method needs support=PerturbationTable.support.")


def _rounded(
    model: Model, *, min_count: int, key: bytes, release_id: str, state: int
) -> Protection:
    names = [model.system.names[i] for i in model.cell_var]
    truth = model.system.truth[model.cell_var].astype(np.int64)
    value = round_base3(truth, names, key=key)
    status = np.full(len(value), "rounded", dtype=object)
    table = _table(model, pd.array(value, dtype="Int64"), status)
    cells = _ledger_cells(model, table, low=np.maximum(value - 2, 0), high=value + 2)
    release = Release(release_id, "round", min_count, cells, model.links, state)
    audit = pd.DataFrame({c: pd.Series(dtype="object") for c in AUDIT_COLUMNS})
    return Protection(table, audit, release, min_count, "round", {"set_aside": model.set_aside})


def audit_suppression(
    cube: pd.DataFrame,
    hidden: Iterable[tuple[str, str, str, str, str, str]],
    *,
    min_count: int = 5,
    windows: Mapping[str, pd.DataFrame] | Sequence[pd.DataFrame] | None = None,
    window_periods: Mapping[str, Sequence[str]] | None = None,
    extra_counts: Sequence[DerivedCount] = (),
    published_totals: Sequence[PublishedTotal] = (),
    ledger: Ledger | None = None,
    publish: Mapping[CountName, str] | None = None,
    zeros: ZeroRule = "per_table",
) -> pd.DataFrame:
    """Audit a given suppression pattern as it stands (nothing is added, nothing raised).

    For reviews and teaching: shows what an attacker derives when exactly ``hidden`` is
    suppressed. :func:`protect` is what decides a release.

    Parameters
    ----------
    cube, min_count, windows, window_periods, extra_counts, published_totals, ledger, publish
        As for :func:`protect`.
    zeros
        What the release says about zeros (as for :func:`protect`): with ``"shown"`` every
        dash is at least 1 for the attacker.
    hidden
        ``(table, period, area, age_band, gender, measure)`` keys of the suppressed cells
        (``table`` is ``"cube"`` or the window table's name).

    Returns
    -------
    pandas.DataFrame
        The columns of ``audit/disclosure.csv`` plus ``passed``: whether the cell meets the
        rule (its derivable values include 0 and ``T`` when its true value is in 1..T-1).
    """
    snapshot = ledger.snapshot() if ledger is not None else None
    model = build_model(cube, windows=windows, window_periods=window_periods,
                        extra_counts=extra_counts, published_totals=published_totals,
                        history=snapshot, publish=None if publish is None
                        else {str(k): v for k, v in publish.items()})  # fmt: skip
    system = model.system
    keys = set(hidden)
    cell_keys = list(model.cells[KEY_COLUMNS].itertuples(index=False, name=None))
    mask = np.zeros(system.n_vars, dtype=bool)
    mask[model.cell_var[[k in keys for k in cell_keys]]] = True
    value = system.truth[model.count_vars]
    shown = np.zeros(system.n_vars, dtype=bool)
    shown[model.count_vars] = True
    shown &= ~mask
    mask[model.unpublished] = True
    targets = _targets(model)
    fixed = _fixed(system.truth, shown, np.array([], dtype=np.int64))
    failing, lb, ub, cert = _audit(model, fixed, mask, targets, min_count, report=True,
                                   floor=_floor(model, zeros))  # fmt: skip
    status = np.where(mask[model.cell_var], "secondary", "published").astype(object)
    primary = (value >= 1) & (value < min_count)
    status[primary[model.cell_count] & mask[model.cell_var]] = "primary"
    shown_values = pd.array(value[model.cell_count].astype(np.int64), dtype="Int64")
    shown_values[mask[model.cell_var]] = pd.NA
    frame = _audit_frame(model, _table(model, shown_values, status), lb, ub, cert)
    bad = {t for t, _ in failing}
    hidden_vars = model.cell_var[mask[model.cell_var]]
    frame["passed"] = [int(v) not in bad for v in hidden_vars]
    return frame
