"""The audit of a perturbed release (the cell-key method): every count is shown with noise.

Private to the disclosure stage; :func:`risk_indicators.disclosure.protect` with
``method="cell_key"`` calls :func:`_perturbed`. A published value ``j`` tells the attacker
only that the true count is one of the values the perturbation table maps to ``j`` (its
*support*, an interval: :meth:`~risk_indicators.disclosure.PerturbationTable.support`). The
audit is the one of suppression with those intervals in place of fixed values: for every count
in 1..T-1 (shown or not, and every count earlier releases hid), integer tables consistent with
every published interval (this release and the ledger's) must exist with the count at 0 and
at T or more. Nothing can be hidden to mend a failure, so a failure fails closed.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import numpy as np
import pandas as pd

from risk_indicators.errors import DisclosureError

from ._audit_model import Model
from ._linear import propagate_bounds
from ._protection import AUDIT_COLUMNS, Protection, _audit_frame, _ledger_cells, _table
from ._suppression import _failing_pairs, _targets
from .audit import certify
from .ledger import Release

__all__ = ["_perturbed"]


def _perturbed(
    model: Model,
    *,
    min_count: int,
    release_id: str,
    state: int,
    published: Mapping[str, int],
    support: Callable[[int], tuple[int, int]],
) -> Protection:
    """Audit a release whose every published count is ``published[count name]``."""
    system = model.system
    names = model.cells["count"].astype(str).tolist()
    missing = sorted({n for n in names if n not in published})
    if missing:
        raise DisclosureError(
            f"The perturbed release lacks values for {len(missing)} published counts "
            f"(e.g. {missing[0]}); nothing is published."
        )
    value = np.array([int(published[n]) for n in names], dtype=np.int64)
    spans = np.array([support(int(v)) for v in value], dtype=float).reshape(-1, 2)
    lb = np.zeros(system.n_vars)
    ub = np.full(system.n_vars, np.inf)
    np.maximum.at(lb, model.cell_var, spans[:, 0])
    np.minimum.at(ub, model.cell_var, spans[:, 1])
    lb, ub = propagate_bounds(system, lb, ub)
    targets = _targets(model)
    tv = system.truth[targets]
    need = ((tv >= 1) & (tv < min_count)) | (np.isnan(tv) & model.protect_mask(targets))
    cert = certify(system, lb, ub, targets, need, min_count=min_count, report=True)
    failing = _failing_pairs(cert)
    if failing:
        counts = sorted({system.names[t] for t, _ in failing})
        raise DisclosureError(
            f"The disclosure audit failed: {len(counts)} counts in 1..{min_count - 1} could be "
            "narrowed down from the perturbed figures (with earlier releases in the ledger). "
            "Nothing is published.",
            details={"counts": counts},
        )
    status = np.full(len(value), "rounded", dtype=object)  # shown as an interval of values
    table = _table(model, pd.array(value, dtype="Int64"), status)
    cells = _ledger_cells(model, table, low=spans[:, 0].astype(np.int64),
                          high=spans[:, 1].astype(np.int64))  # fmt: skip
    release = Release(release_id, "cell_key", min_count, cells, model.links, state)
    audit = _audit_frame(model, table.assign(value=pd.NA), lb, ub, cert)
    audit = audit.assign(suppression="perturbed").reindex(columns=AUDIT_COLUMNS)
    return Protection(table, audit, release, min_count, "cell_key",  # type: ignore[arg-type]
                      {"set_aside": model.set_aside})  # fmt: skip
