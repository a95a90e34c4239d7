"""Secondary suppression: hide the fewest further counts until the disclosure audit passes.

Private to :mod:`risk_indicators.disclosure`, whose :func:`~risk_indicators.disclosure.protect`
(``method="suppress"``) calls :func:`_suppressed` and whose
:func:`~risk_indicators.disclosure.audit_suppression` calls :func:`_audit`. Starting from the
primary suppression, rounds of audit (:func:`_audit`: bound propagation and the certification of
:mod:`risk_indicators.disclosure.audit`) and repair (:func:`_repair_round`: repair programs
block by block, screened by propagation) alternate until no suppressed count in ``1..T-1`` can
be narrowed down, or fail closed after ``MAX_ROUNDS``.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Literal

import numpy as np
import pandas as pd

from risk_indicators.cube import CountName
from risk_indicators.errors import DisclosureError

from ._protection import Protection, _audit_frame, _ledger_cells, _table
from .audit import (
    Certification,
    LinearSystem,
    Model,
    certify,
    propagate_bounds,
    repair,
)
from .ledger import Release

#: Progress of the search, for a long release (the command line shows it; silent otherwise).
progress = logging.getLogger("risk_indicators.progress")

#: What a release says about zeros (see :func:`risk_indicators.disclosure.protect`).
ZeroRule = Literal["shown", "per_table", "hidden"]

MAX_ROUNDS = 50


def _suppressed(
    model: Model,
    *,
    min_count: int,
    release_id: str,
    state: int,
    priority: Callable[[CountName, int], float],
    zeros: ZeroRule = "per_table",
) -> Protection:
    system = model.system
    counts = model.count_vars
    value = system.truth[counts]
    primary = (value >= 1) & (value < min_count)
    hidden = np.zeros(system.n_vars, dtype=bool)
    hidden[counts[primary]] = True
    hidden[model.unpublished] = True  # counts a designed publication does not show
    targets = _targets(model)
    deviable = np.zeros(system.n_vars, dtype=bool)
    deviable[counts[value > 0]] = True
    # only published counts can be hidden, so only their costs matter
    weight = np.ones(system.n_vars)
    for i in counts:
        weight[i] = priority(CountName.parse(system.names[i]), len(model.defs.get(int(i), ())))
    zero = counts[value == 0]
    floor = _floor(model, zeros)

    def settle_zeros() -> np.ndarray:
        """Hide the zeros the rule hides now; the zeros that stay published."""
        _hide_zeros(model, hidden, zero, zeros)
        return zero[~hidden[zero]]

    shown_zeros = settle_zeros()
    # linear rounds first (fast): only the counts that failed are audited again, because
    # hiding more only removes fixed values, so every witness table found before stays valid
    # and a passing count keeps passing. Then the exact audit over every count, with
    # integer repairs and another exact audit only while it fails.

    def repair_round(failing: list[tuple[int, str]], lb: np.ndarray, ub: np.ndarray, *,
                     integral: bool) -> bool:  # fmt: skip
        nonlocal shown_zeros
        pinned = _pinned(failing, lb, ub, min_count)
        added = _repair_round(model, failing, hidden, deviable, shown_zeros, weight, min_count,
                              integral=integral, pinned=pinned)  # fmt: skip
        shown_zeros = settle_zeros()
        return added

    recheck: np.ndarray | None = None
    started = time.perf_counter()
    progress.info("  %d published counts (%d of them below T: hidden), %d more the release "
                  "never shows; every one protected", len(counts), int(primary.sum()),
                  len(model.unpublished))  # fmt: skip
    for k in range(MAX_ROUNDS):
        progress.info("  linear screen, round %d (%.0f s)", k + 1, time.perf_counter() - started)
        failing, lb, ub, _ = _audit(model, _fixed(system.truth, deviable & ~hidden, shown_zeros),
                                    hidden, targets, min_count, report=False, integral=False,
                                    only=recheck, floor=floor)  # fmt: skip
        if not failing or not repair_round(failing, lb, ub, integral=False):
            break
        recheck = np.unique([t for t, _ in failing])
    for k in range(MAX_ROUNDS):
        progress.info("  exact audit, round %d: %d counts hidden (%.0f s)", k + 1,
                      int(hidden[counts].sum()), time.perf_counter() - started)  # fmt: skip
        fixed = _fixed(system.truth, deviable & ~hidden, shown_zeros)
        failing, lb, ub, cert = _audit(model, fixed, hidden, targets, min_count, report=True,
                                       floor=floor)  # fmt: skip
        if not failing:
            break
        if not repair_round(failing, lb, ub, integral=True):
            # no minimum-cost repair found: hide every published count of the failing
            # counts' blocks (more suppression, never less protection); fail closed if
            # nothing is left to hide
            blocks = np.unique(system.block[[t for t, _ in failing]])
            more = deviable & ~hidden & np.isin(system.block, blocks)
            if not more.any():
                break
            hidden |= more
            shown_zeros = settle_zeros()
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


def _targets(model: Model) -> np.ndarray:
    """Every count the audit protects: the published ones (those hidden are looked at), the
    ones a designed publication does not show, and those earlier releases suppressed."""
    return np.concatenate([model.count_vars, model.unpublished, model.history_targets])


def _floor(model: Model, zeros: ZeroRule) -> np.ndarray | None:
    """Under the rule "zeros are always shown" a dash says "at least 1": the published
    counts whose dash carries that knowledge (None under the other rules)."""
    if zeros != "shown":
        return None
    mask = np.zeros(model.system.n_vars, dtype=bool)
    mask[model.count_vars] = True
    return mask


def _hide_zeros(model: Model, hidden: np.ndarray, zero: np.ndarray, zeros: ZeroRule) -> None:
    """Hide the zeros the release's rule hides (in place).

    ``"hidden"``: every zero. ``"per_table"``: the zeros of every public table that has a
    dash, until no table gains one (a count shown in two tables is hidden in both).
    ``"shown"``: none.
    """
    if zeros == "hidden":
        hidden[zero] = True
    if zeros != "per_table" or not len(zero):
        return
    tables = model.cells["table"].to_numpy()
    is_zero = np.zeros(model.system.n_vars, dtype=bool)
    is_zero[zero] = True
    cell_zero = is_zero[model.cell_var]
    while True:
        dashed = np.unique(tables[hidden[model.cell_var]])
        more = cell_zero & np.isin(tables, dashed) & ~hidden[model.cell_var]
        if not more.any():
            return
        hidden[model.cell_var[more]] = True


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
    floor: np.ndarray | None = None,
) -> tuple[list[tuple[int, str]], np.ndarray, np.ndarray, Certification]:
    """One audit: the failing (target, direction) pairs, bounds and certification.

    ``only`` restricts the audit to these target variables (None: every target). ``floor``
    marks the counts whose dash the release says is at least 1 (zeros are always shown):
    the attacker's lower bound for them is 1."""
    system = model.system
    known = ~np.isnan(fixed)
    lb = np.where(known, fixed, 0.0)
    ub = np.where(known, fixed, np.inf)
    if floor is not None:
        # a hidden zero breaks the rule "zeros are shown": its dash is no knowledge
        at_least_one = floor & hidden & ~known & (np.nan_to_num(system.truth) >= 1)
        lb = np.where(at_least_one, np.maximum(lb, 1.0), lb)
    lb, ub = propagate_bounds(system, lb, ub)
    tv = system.truth[targets]
    always = len(model.unpublished) + len(model.history_targets)
    tracked = np.concatenate([hidden[model.count_vars], np.ones(always, dtype=bool)])
    need = tracked & (((tv >= 1) & (tv < min_count)) | (np.isnan(tv) & model.protect_mask(targets)))
    if only is not None:
        tracked &= np.isin(targets, only)
        need &= tracked
    # rounds between repairs settle what batches can (a repair program checks the rest
    # exactly); the final audit also settles every open count on its own (exhaustive)
    cert = certify(system, lb, ub, targets[tracked], need[tracked], min_count=min_count,
                   report=report, exhaustive=report, integral=integral)  # fmt: skip
    failing = _failing_pairs(cert)
    if not report and failing and not _pinned(failing, lb, ub, min_count):
        # no failure is certain, each is a batch that stalled: settle them one by one near
        # their block, so that a repair round gets only counts that need hiding (a small
        # program each instead of a repair program over the published counts)
        open_ = np.unique([t for t, _ in failing])
        cert = certify(system, lb, ub, open_, np.ones(len(open_), dtype=bool),
                       min_count=min_count, exhaustive=True, integral=integral,
                       whole=False)  # fmt: skip
        failing = _failing_pairs(cert)
    if not failing and _line_failures(model, ub > lb, min_count):
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


def _line_failures(model: Model, unknown: np.ndarray, min_count: int) -> int:
    """Lines whose unknown cells have an exactly known total in 1..T-1 (CONTRACT 5).

    ``unknown``: what the attacker cannot pin down (propagated bounds apart). Not "hidden in
    this release": a window of an earlier release that is not part of this one is unknown
    when that release suppressed it, and counting it as known made every second release on
    a ledger fail closed on lines that were no leak.
    """
    system = model.system
    eq = np.flatnonzero(np.isfinite(system.row_lo) & (system.row_lo == system.row_hi))
    sub = system.rows[eq][:, np.flatnonzero(unknown)]
    truth = np.nan_to_num(system.truth[unknown], nan=np.inf)
    pos = (sub > 0).sum(axis=1)
    neg = (sub < 0).sum(axis=1)
    total = abs(sub) @ truth
    bad = ((pos == 0) | (neg == 0)) & (pos + neg > 0) & (total >= 1) & (total < min_count)
    return int(np.count_nonzero(bad))
