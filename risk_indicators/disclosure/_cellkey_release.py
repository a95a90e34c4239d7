"""The release of a follow-up whose counts are perturbed (the cell-key method).

:func:`perturbed_release` publishes every count of the design with its perturbed value
(:mod:`risk_indicators.cube._perturb` perturbed them before any figure was computed): nothing
is hidden and no threshold audit runs (a published value above 0 proves that someone is
counted, which the T-rule forbids for hidden counts only). What the method promises is stated
by :meth:`~risk_indicators.cube.PerturbationTable.summary`; the rows of
``audit/disclosure.csv`` give the true values every published small count can stand for.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from risk_indicators.cube import CountName, PerturbationTable

from ._audit_model import DerivedCount, build_model
from ._protection import AUDIT_COLUMNS, KEY_COLUMNS, Protection, _ledger_cells, _table
from .ledger import Release

__all__ = ["perturbed_release"]


def perturbed_release(
    cube: pd.DataFrame,
    *,
    table: PerturbationTable,
    publish: Mapping[CountName, str],
    windows: Mapping[str, pd.DataFrame] | None = None,
    window_periods: Mapping[str, Sequence[str]] | None = None,
    extra_counts: Sequence[DerivedCount] = (),
    release_id: str = "release",
    min_count: int = 5,
    state: int = 0,
) -> Protection:
    """Publish every designed count of already perturbed cubes (nothing hidden).

    Parameters
    ----------
    cube, windows
        Cubes whose ``persons`` are published values (:func:`perturbed_persons`).
        ``extra_counts`` give their values (the sums of perturbed margins the figures
        use); their inner cells would give other sums.
    table
        The perturbation table used (its support bounds each published value).
    publish, window_periods, extra_counts
        As for :func:`~risk_indicators.disclosure.protect`: the designed counts and their
        public tables, the periods of each window, the derived counts.
    release_id, min_count, state
        Name of the release in the ledger, the threshold the report states for comparison
        (it decides nothing here), and the ledger state seen (:meth:`Ledger.state`; a
        release is recorded only on that state).

    Returns
    -------
    Protection
        ``status`` ``"perturbed"`` for every count; ``audit`` lists each published value
        below ``min_count + D`` with the true values it can stand for (``low``, ``high``).
    """
    model = build_model(cube, windows=windows, window_periods=window_periods,
                        extra_counts=extra_counts, history=None, measures=("persons",),
                        publish={str(k): v for k, v in publish.items()},
                        exact_sums=False)  # fmt: skip
    value = model.system.truth[model.cell_var].round().astype(np.int64)
    status = np.full(len(value), "perturbed", dtype=object)
    shown = _table(model, pd.array(value, dtype="Int64"), status)
    # a derived count of the young sums one perturbed margin per band (new young: one count)
    summed = {str(CountName.derived_count(ex.name, ex.period, ex.measure)):
              1 if ex.bounded else len(ex.cells) for ex in extra_counts}  # fmt: skip
    k = [summed.get(str(c), 1) for c in shown["count"]]
    spans = np.array([table.support(int(v), cells=n) for v, n in zip(value, k, strict=True)],
                     dtype=np.int64).reshape(-1, 2)  # fmt: skip
    cells = _ledger_cells(model, shown, low=spans[:, 0], high=spans[:, 1])
    cells["status"] = "rounded"  # the ledger's word for a count shown as an interval of values
    release = Release(release_id, "cell_key", min_count, cells, model.links, state)
    small = value < min_count + table.max_deviation
    audit = shown.loc[small, KEY_COLUMNS].assign(
        suppression="perturbed",
        low=pd.array(spans[small, 0], dtype="Int64"),
        high=pd.array(spans[small, 1], dtype="Int64"),
        exact=False,
    )
    return Protection(shown, audit.reindex(columns=AUDIT_COLUMNS).reset_index(drop=True),
                      release, min_count, "cell_key", {"set_aside": model.set_aside})  # fmt: skip
