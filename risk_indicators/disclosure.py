"""Disclosure control: nothing published identifies a person, proven by an audit.

Two methods, chosen with ``protect(..., method=...)``:

``"suppress"`` (default, CONTRACT 5)
    *Primary suppression* hides every count in ``1..T-1`` (``T = disclosure.min_count``);
    zeros are published. *Secondary suppression* then hides as few further counts as needed
    so that the *audit* passes: for every hidden count whose true value is in ``1..T-1``,
    the values an attacker can derive from everything published (this release and every
    earlier release in the :class:`~risk_indicators.ledger.Ledger`) include both 0 and
    ``T``. The attacker knows that cells are non-negative integers, margins are sums, a
    window count lies between the largest and the sum of its period counts, reports add
    up over periods and ``persons <= reports`` cell by cell. See :mod:`risk_indicators.audit`
    for how the audit and the repair programs are solved.

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
import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal, get_args

import numpy as np
import pandas as pd

from risk_indicators.audit import (
    Certification,
    DerivedCount,
    LinearSystem,
    Model,
    build_model,
    certify,
    propagate_bounds,
    repair,
)
from risk_indicators.errors import DisclosureError, UsageError
from risk_indicators.ledger import CELL_COLUMNS, Ledger, Release

__all__ = [
    "AUDIT_COLUMNS",
    "DerivedCount",
    "Method",
    "Protection",
    "audit_suppression",
    "default_priority",
    "protect",
    "publishable",
    "round_base3",
]

Method = Literal["suppress", "round"]
KEY_COLUMNS = ["table", "period", "area", "age_band", "gender", "measure"]
AUDIT_COLUMNS = [*KEY_COLUMNS, "suppression", "low", "high", "exact"]
MAX_ROUNDS = 50


@dataclass(frozen=True)
class Protection:
    """A protected release: what may be published, the audit that proves it, the ledger entry.

    Attributes
    ----------
    table
        Long table, one row per published table cell: ``table, period, area, age_band,
        gender, measure, value, status`` with ``value`` missing (``pd.NA``) when
        suppressed and ``status`` in ``published, primary, secondary, rounded``.
    audit
        The rows of ``audit/disclosure.csv``: every suppressed cell with its keys, whether
        it is ``primary`` or ``secondary``, and ``low``/``high``: the bounds an attacker
        derives by repeated arithmetic on everything published (missing ``high``: no upper
        bound). ``exact`` says whether tables consistent with everything published were
        found at both bounds; when not, the tightest bounds lie inside and, for every
        primary count, still contain 0 and ``T`` (the audit proves this with integer
        solutions).
    release
        What to give :meth:`risk_indicators.ledger.Ledger.record` after the files are written.
    min_count, method
        The threshold and method used.
    notes
        Counts of ledger facts set aside because the data were revised since, and similar.
    """

    table: pd.DataFrame
    audit: pd.DataFrame
    release: Release
    min_count: int
    method: Method
    notes: dict[str, int] = field(default_factory=dict)

    @property
    def published(self) -> pd.DataFrame:
        """Wide tables as given, counts missing where suppressed, ``<measure>_suppressed``."""
        cells = self.table[self.table["table"] != "indicator_counts"]
        wide = cells.pivot(
            index=["table", "period", "area", "age_band", "gender"],
            columns="measure",
            values="value",
        )
        out = wide.reset_index()
        out.columns.name = None
        for measure in [c for c in wide.columns]:
            out[measure] = out[measure].astype("Int64")
            out[f"{measure}_suppressed"] = out[measure].isna()
        return out

    def is_published(self, key: str | tuple[str, str, str, str, str]) -> bool:
        """Whether a count is published: an indicator-count name or ``(period, area,
        age_band, gender, measure)``; unknown counts are not published."""
        return self._lookup().get(key, False)

    def _lookup(self) -> dict[object, bool]:
        t = self.table
        shown = t["value"].notna().to_numpy()
        keys: dict[object, bool] = {}
        for row, ok in zip(t[KEY_COLUMNS].itertuples(index=False, name=None), shown, strict=True):
            name = row[5] if row[0] == "indicator_counts" else row[1:]
            keys[name] = keys.get(name, True) and bool(ok)
        return keys

    def summary(self) -> str:
        """A few lines for the run log and the report's method note."""
        status = self.table["status"].value_counts()
        lines = [
            f"Release '{self.release.release_id}': {len(self.table)} published cells, "
            f"method {self.method}, T = {self.min_count}.",
        ]
        if self.method == "round":
            lines.append("Every count is randomly rounded to a multiple of 3 (keyed coin).")
        else:
            lines.append(
                f"Suppressed: {int(status.get('primary', 0))} primary, "
                f"{int(status.get('secondary', 0))} secondary; audit passed "
                "(every hidden count in 1..T-1 can be 0 and can be T)."
            )
        if self.notes.get("set_aside"):
            lines.append(
                f"{self.notes['set_aside']} relations do not hold in these data and were left "
                "out of the audit (no attacker can know them): a window cell below one of its "
                "period cells when persons change age band or area, or facts of earlier "
                "releases that revised data contradict."
            )
        return "\n".join(lines)


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


def default_priority(name: str, n_cells: int) -> float:
    """Cost of hiding a count in secondary suppression (the default of :func:`protect`).

    Indicator counts (extra counts, ``X:<name>``) 1000: they are what a release is about.
    Margins over all areas 30, and 100 when also over all ages; other counts about 1, a
    margin a little more than a cell so that ties hide inner cells. Counts of 12-month
    windows other than indicator counts cost a tenth of the same count of a period; report
    counts half of person counts.

    Parameters
    ----------
    name
        The count's canonical name: ``measure|block|area|age_band|gender`` for a cell or
        margin (``total`` for a summed key), ``measure|block|X:<name>`` for an extra count;
        a window's block starts with ``W:``.
    n_cells
        The number of inner cells the count sums.
    """
    parts = name.split("|")
    indicator = len(parts) >= 3 and parts[2].startswith("X:")
    if indicator:
        cost = 1000.0
    elif len(parts) == 5 and parts[2] == "total":
        cost = 100.0 if parts[3] == "total" else 30.0
    else:
        cost = 1.0 + 0.01 * n_cells
    if len(parts) >= 2 and parts[1].startswith("W:") and not indicator:
        cost /= 10  # the 12-month figures come second to the period's own
    return cost / 2 if parts[0] == "reports" else cost


def protect(
    cube: pd.DataFrame,
    *,
    min_count: int = 5,
    windows: Mapping[str, pd.DataFrame] | Sequence[pd.DataFrame] | None = None,
    window_periods: Mapping[str, Sequence[str]] | None = None,
    extra_counts: Sequence[DerivedCount] = (),
    ledger: Ledger | None = None,
    release_id: str = "release",
    method: Method = "suppress",
    key: bytes | None = None,
    priority: Callable[[str, int], float] = default_priority,
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
    ledger
        Earlier releases to audit against; nothing is written to it here.
    release_id
        Name of the release in the ledger, e.g. ``"2024T1 medborgarlöfte"``.
    method
        ``"suppress"`` or ``"round"`` (see the module docstring for the trade-offs).
    key
        Secret bytes for the rounding coin (required with ``method="round"``).
    priority
        Cost of hiding each count in secondary suppression, from its canonical name and the
        number of inner cells it sums (see :func:`default_priority`); repairs hide the
        cheapest counts that make the audit pass. A release passes one that ranks its own
        headline counts first (:func:`risk_indicators.publish.protect_analysis`).

    Returns
    -------
    Protection
        Record ``protection.release`` in the ledger after the files are written.

    Raises
    ------
    DisclosureError
        If the audit fails or a solver fails: nothing may be published (exit code 1).
    """
    if method not in get_args(Method):
        raise UsageError(
            "The 'method' parameter of protect must be one of 'suppress', 'round'. "
            f"Got {method!r} instead."
        )
    if isinstance(min_count, bool) or not isinstance(min_count, int) or min_count < 1:
        raise UsageError(
            "The 'min_count' parameter of protect must be an integer >= 1. "
            f"Got {min_count!r} instead."
        )
    if method == "round" and not key:
        raise UsageError(
            "Rounding needs a secret key: pass key=bytes (e.g. from the key variable)."
        )
    snapshot = ledger.snapshot() if ledger is not None else None
    model = build_model(
        cube,
        windows=windows,
        window_periods=window_periods,
        extra_counts=extra_counts,
        history=snapshot,
    )
    state = snapshot.state if snapshot is not None else 0
    if method == "round":
        assert key is not None  # checked above; narrows the type for mypy
        return _rounded(model, min_count=min_count, key=key, release_id=release_id, state=state)
    return _suppressed(
        model, min_count=min_count, release_id=release_id, state=state, priority=priority
    )


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


def _suppressed(
    model: Model,
    *,
    min_count: int,
    release_id: str,
    state: int,
    priority: Callable[[str, int], float],
) -> Protection:
    system = model.system
    counts = model.count_vars
    value = system.truth[counts]
    primary = (value >= 1) & (value < min_count)
    hidden = np.zeros(system.n_vars, dtype=bool)
    hidden[counts[primary]] = True
    targets = np.concatenate([counts, model.history_targets])
    deviable = np.zeros(system.n_vars, dtype=bool)
    deviable[counts[value > 0]] = True
    weight = np.array(
        [priority(system.names[i], len(model.defs.get(i, ()))) for i in range(system.n_vars)]
    )
    zero = counts[value == 0]
    # linear rounds first (fast): only the counts that failed are audited again, because
    # hiding more only removes fixed values, so every witness table found before stays valid
    # and a passing count keeps passing. Then the exact audit over every count, with
    # integer repairs and another exact audit only while it fails.
    recheck: np.ndarray | None = None
    for _ in range(MAX_ROUNDS):
        failing, lb, ub, _ = _audit(model, _fixed(system.truth, deviable & ~hidden, zero),
                                    hidden, targets, min_count, report=False, integral=False,
                                    only=recheck)  # fmt: skip
        if not failing or not _repair_round(
            model,
            failing,
            hidden,
            deviable,
            zero,
            weight,
            min_count,
            integral=False,
            pinned=_pinned(failing, lb, ub, min_count),
        ):
            break
        recheck = np.unique([t for t, _ in failing])
    for _ in range(MAX_ROUNDS):
        fixed = _fixed(system.truth, deviable & ~hidden, zero)
        failing, lb, ub, cert = _audit(model, fixed, hidden, targets, min_count, report=True)
        if not failing or not _repair_round(
            model,
            failing,
            hidden,
            deviable,
            zero,
            weight,
            min_count,
            integral=True,
            pinned=_pinned(failing, lb, ub, min_count),
        ):
            break
    if failing:
        names = sorted({system.names[t] for t, _ in failing})
        raise DisclosureError(
            f"The disclosure audit failed: {len(names)} suppressed counts in 1..{min_count - 1} "
            "could be narrowed down by combining published figures (with earlier releases "
            "in the ledger). Nothing is published.",
            details={"counts": names},
        )
    status = np.where(hidden[model.cell_var], "secondary", "published").astype(object)
    status[primary[model.cell_count]] = "primary"
    shown = pd.array(np.where(hidden[model.cell_var], 0, value[model.cell_count]), dtype="Int64")
    shown[hidden[model.cell_var]] = pd.NA
    table = _table(model, shown, status)
    audit = _audit_frame(model, table, lb, ub, cert)
    vals = value[model.cell_count]
    cells = _ledger_cells(model, table, low=vals, high=vals)
    release = Release(release_id, "suppress", min_count, cells, model.links, state)
    return Protection(table, audit, release, min_count, "suppress", {"set_aside": model.set_aside})


def _pinned(
    failing: list[tuple[int, str]], lb: np.ndarray, ub: np.ndarray, min_count: int
) -> set[tuple[int, str]]:
    """The failing pairs that bound propagation alone proves (bounds exclude 0 or T)."""
    return {(t, d) for t, d in failing if (lb[t] > 0 if d == "low" else ub[t] < min_count)}


def _fixed(truth: np.ndarray, shown: np.ndarray, zero: np.ndarray) -> np.ndarray:
    """Published value per variable (zeros always), NaN where hidden or not a count."""
    fixed = np.where(shown, truth, np.nan)
    fixed[zero] = 0.0
    return fixed


def _repair_round(
    model: Model,
    failing: list[tuple[int, str]],
    hidden: np.ndarray,
    deviable: np.ndarray,
    zero: np.ndarray,
    weight: np.ndarray,
    min_count: int,
    *,
    integral: bool = True,
    pinned: set[tuple[int, str]] | None = None,
) -> bool:
    """Hide more counts for the failing targets of one audit round, block by block.

    A failure the audit proved by bound propagation (``pinned``: the count's bounds exclude
    0 or T) is often mended by the repair of another count in its block: after each repair,
    such pairs are screened again with propagation over the block and its neighbours, and
    a pair that is no longer pinned waits for the next audit round instead of costing a
    repair program now. A failure found only by the witness search is repaired at once (a
    repair program that needs no hiding costs one linear program and hides nothing), so that
    a round mends every such failure instead of one per round. The audit decides; the screen
    only saves work. ``pinned=None`` treats every pair as pinned. Returns whether anything
    was hidden.
    """
    system = model.system
    added = False
    if pinned:
        failing = [pair for pair in failing if pair in pinned]
    by_block: dict[int, list[tuple[int, str]]] = {}
    for t, d in failing:
        by_block.setdefault(int(system.block[t]), []).append((t, d))
    for blk, pending in sorted(by_block.items()):
        local = _local_rows(system, blk)
        changed = added  # repairs in earlier blocks may have settled these already
        while pending:
            if changed:
                pending = _still_pinned(
                    local, pending, hidden, deviable, zero, min_count, pinned=pinned
                )
                changed = False
                if not pending:
                    break
            target, direction = pending.pop(0)
            shown = deviable & ~hidden
            chosen = repair(
                system, _fixed(system.truth, shown, zero), shown, target, direction,
                min_count=min_count, weight=weight, integral=integral,
            )  # fmt: skip
            if len(chosen):
                hidden[chosen] = True
                added = changed = True
    return added


def _local_rows(system: LinearSystem, block: int) -> LinearSystem:
    """The relations that touch a block or its neighbours (same variables)."""
    if block < 0:
        return system
    region = np.isin(system.block, sorted(system.neighbours.get(block, {block})))
    touched = np.flatnonzero(np.diff(system.rows[:, np.flatnonzero(region)].tocsr().indptr) > 0)
    return LinearSystem(system.names, system.truth, system.block, system.rows[touched],
                        system.row_lo[touched], system.row_hi[touched])  # fmt: skip


def _still_pinned(
    local: LinearSystem,
    pending: list[tuple[int, str]],
    hidden: np.ndarray,
    deviable: np.ndarray,
    zero: np.ndarray,
    min_count: int,
    *,
    pinned: set[tuple[int, str]] | None = None,
) -> list[tuple[int, str]]:
    """The pending pairs still to repair now: those bound propagation over ``local`` still
    pins below T or above 0, and those not in ``pinned`` (failures of the witness search,
    which propagation cannot see)."""
    fixed = _fixed(local.truth, deviable & ~hidden, zero)
    known = ~np.isnan(fixed)
    lb, ub = propagate_bounds(local, np.where(known, fixed, 0.0), np.where(known, fixed, np.inf))
    return [
        (t, d)
        for t, d in pending
        if (pinned is not None and (t, d) not in pinned)
        or (lb[t] > 0 if d == "low" else ub[t] < min_count)
    ]


def _audit(
    model: Model,
    fixed: np.ndarray,
    hidden: np.ndarray,
    targets: np.ndarray,
    min_count: int,
    *,
    report: bool,
    integral: bool = True,
    only: np.ndarray | None = None,
) -> tuple[list[tuple[int, str]], np.ndarray, np.ndarray, Certification]:
    """One audit: the failing (target, direction) pairs, bounds and certification.

    ``only`` restricts the audit to these target variables (None: every target)."""
    system = model.system
    known = ~np.isnan(fixed)
    lb = np.where(known, fixed, 0.0)
    ub = np.where(known, fixed, np.inf)
    lb, ub = propagate_bounds(system, lb, ub)
    tv = system.truth[targets]
    tracked = np.concatenate([hidden[model.count_vars], np.ones(len(model.history_targets), bool)])
    need = tracked & (((tv >= 1) & (tv < min_count)) | (np.isnan(tv) & model.protect_mask(targets)))
    if only is not None:
        tracked &= np.isin(targets, only)
        need &= tracked
    # rounds between repairs settle what batches can (a repair program checks the rest
    # exactly); the final audit also settles every open count on its own (exhaustive)
    cert = certify(system, lb, ub, targets[tracked], need[tracked], min_count=min_count,
                   report=report, exhaustive=report, integral=integral)  # fmt: skip
    failing = _failing_pairs(cert)
    if not failing and _line_failures(model, hidden, min_count):
        raise DisclosureError(
            "The disclosure audit found a line of suppressed cells with a known total in "
            f"1..{min_count - 1}. Nothing is published."
        )
    return failing, lb, ub, cert


def _failing_pairs(cert: Certification) -> list[tuple[int, str]]:
    failing: list[tuple[int, str]] = []
    for t, ok_lo, ok_hi in zip(cert.targets, cert.ok_low, cert.ok_high, strict=True):
        if not ok_lo:
            failing.append((int(t), "low"))
        if not ok_hi:
            failing.append((int(t), "high"))
    return failing


def _line_failures(model: Model, hidden: np.ndarray, min_count: int) -> int:
    """Lines whose hidden cells have an exactly known total in 1..T-1 (CONTRACT 5)."""
    system = model.system
    eq = np.flatnonzero(np.isfinite(system.row_lo) & (system.row_lo == system.row_hi))
    sub = system.rows[eq][:, np.flatnonzero(hidden)]
    truth = np.nan_to_num(system.truth[hidden], nan=np.inf)
    pos = (sub > 0).sum(axis=1)
    neg = (sub < 0).sum(axis=1)
    total = abs(sub) @ truth
    bad = ((pos == 0) | (neg == 0)) & (pos + neg > 0) & (total >= 1) & (total < min_count)
    return int(np.count_nonzero(bad))


def _table(
    model: Model, value: pd.api.extensions.ExtensionArray, status: np.ndarray
) -> pd.DataFrame:
    table = model.cells[KEY_COLUMNS].copy()
    table["value"] = value
    table["status"] = status
    return table.reset_index(drop=True)


def _ledger_cells(
    model: Model, table: pd.DataFrame, *, low: np.ndarray, high: np.ndarray
) -> pd.DataFrame:
    cells = table[KEY_COLUMNS].copy()
    shown = table["value"].notna().to_numpy()
    cells["status"] = table["status"].to_numpy()
    cells["low"] = pd.array(np.where(shown, low, 0), dtype="Int64")
    cells["high"] = pd.array(np.where(shown, high, 0), dtype="Int64")
    cells.loc[~shown, ["low", "high"]] = pd.NA
    cells["definition"] = [json.dumps(model.definition(v)) for v in model.cell_var]
    return cells[CELL_COLUMNS]


def _audit_frame(
    model: Model, table: pd.DataFrame, lb: np.ndarray, ub: np.ndarray, cert: Certification
) -> pd.DataFrame:
    """Rows of ``audit/disclosure.csv``: suppressed cells with their derivable bounds."""
    hidden = table["value"].isna().to_numpy()
    frame = table.loc[hidden, KEY_COLUMNS].copy()
    frame["suppression"] = table.loc[hidden, "status"].to_numpy()
    var = model.cell_var[hidden]
    inf = np.isinf(ub[var])
    frame["low"] = pd.array(lb[var].astype(np.int64), dtype="Int64")
    high = pd.array(np.where(inf, 0, ub[var]).astype(np.int64), dtype="Int64")
    high[inf] = pd.NA
    frame["high"] = high
    pos = {int(t): i for i, t in enumerate(cert.targets)}
    at = np.array([pos.get(int(v), -1) for v in var], dtype=np.int64)
    att_lo = np.where(at >= 0, cert.att_low[at], np.nan)
    att_hi = np.where(at >= 0, cert.att_high[at], np.nan)
    frame["exact"] = (np.abs(att_lo - lb[var]) < 1e-6) & (inf | (np.abs(att_hi - ub[var]) < 1e-6))
    return frame.reset_index(drop=True)


def audit_suppression(
    cube: pd.DataFrame,
    hidden: Iterable[tuple[str, str, str, str, str, str]],
    *,
    min_count: int = 5,
    windows: Mapping[str, pd.DataFrame] | Sequence[pd.DataFrame] | None = None,
    window_periods: Mapping[str, Sequence[str]] | None = None,
    extra_counts: Sequence[DerivedCount] = (),
    ledger: Ledger | None = None,
) -> pd.DataFrame:
    """Audit a given suppression pattern as it stands (nothing is added, nothing raised).

    For reviews and teaching: shows what an attacker derives when exactly ``hidden`` is
    suppressed. :func:`protect` is what decides a release.

    Parameters
    ----------
    cube, min_count, windows, window_periods, extra_counts, ledger
        As for :func:`protect`.
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
                        extra_counts=extra_counts, history=snapshot)  # fmt: skip
    system = model.system
    keys = set(hidden)
    cell_keys = list(model.cells[KEY_COLUMNS].itertuples(index=False, name=None))
    mask = np.zeros(system.n_vars, dtype=bool)
    mask[model.cell_var[[k in keys for k in cell_keys]]] = True
    value = system.truth[model.count_vars]
    shown = np.zeros(system.n_vars, dtype=bool)
    shown[model.count_vars] = True
    shown &= ~mask
    targets = np.concatenate([model.count_vars, model.history_targets])
    fixed = _fixed(system.truth, shown, np.array([], dtype=np.int64))
    failing, lb, ub, cert = _audit(model, fixed, mask, targets, min_count, report=True)
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
