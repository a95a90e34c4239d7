r"""Police effort in the synthetic model (issue 16): an effort series and the activity file.

Private to :mod:`risk_indicators.synthetic`. The model already lets police activity drive
detection: on day :math:`d` in area :math:`r` the police-initiated rate is multiplied by the
day weight :math:`w_{d,r} = 1 + \sum_k (m_k - 1)` of the operations running then
(:class:`~risk_indicators.synthetic.Operation`), while persons reported by someone else are
not. An *effort series* (a factor per period, every area) is a set of whole-period
operations, so it acts through the same weights (:func:`with_effort`); the truth records it
in ``operation_factor`` (the mean day weight of every period and area that is not 1).

The activity file (:func:`activity_frame`) is what the police would record of that effort:

- ``patrull`` hours: :math:`H s_r \sum_d \min(w_{d,r}, 1)` and ``hot_spot`` hours:
  :math:`H s_r \sum_d \max(w_{d,r} - 1, 0)` per period and area, with
  :data:`PATROL_HOURS_PER_DAY` :math:`H` for the municipality and :math:`s_r` the area's share
  of the police-initiated base rate (population times area factor). A period's hours are then
  :math:`H \sum_r s_r \sum_d w_{d,r}`, proportional to its expected police-initiated persons
  (up to the age structure of the areas): the effort the adjusted trend needs.
- occasions (unit ``antal``) of what the promise lists: safety walks in Skillingaryd and
  Vaggeryd in T2 and T3 from 2022 (none during the pandemic, as the promise of October 2021
  says), EST meetings every week, safety rounds at hot spots (one per operation week, at least
  one a tertial per area) and traffic operations, from the promise's start (2021T3). They do
  not act on detection in the model.

Everything here is a deterministic function of the parameters: writing the file draws no
random numbers, so the reports, the population and ``truth.json`` do not change.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping
from datetime import date

import numpy as np
import pandas as pd

from risk_indicators.errors import UsageError
from risk_indicators.intake import HOURS_UNIT

from ._model import Grid, Operation, SynthParams, day_weights

__all__ = ["PATROL_HOURS_PER_DAY", "activity_frame", "effort_operations", "with_effort"]

#: Hours of police presence a day in the whole municipality on a day without operations.
PATROL_HOURS_PER_DAY = 8.0
PROMISE_START = "2021T3"
WALKS_FROM = 2022
WALK_AREAS = ("Skillingaryd", "Vaggeryd")
EST_PER_TERTIAL = 17
TRAFFIC_PER_TERTIAL = 2
COLUMNS = ("period", "area", "activity", "amount", "unit")
_SV_HEADER = ("period", "område", "aktivitet", "omfattning", "enhet")
WHOLE = ""  # an empty area: the whole municipality


def _tertial_bounds(code: str) -> tuple[date, date]:
    """First day of the tertial ``code`` and first day of the next one."""
    try:
        year, t = int(code[:4]), int(code.split("T")[1])
        if code != f"{year}T{t}" or not 1 <= t <= 3:
            raise ValueError
    except (ValueError, IndexError):
        raise UsageError(f"An effort period must be a tertial like 2024T1. Got {code!r}.") from None
    return date(year, 4 * t - 3, 1), date(year + t // 3, 4 * t % 12 + 1, 1)


def effort_operations(params: SynthParams, effort: Mapping[str, float]) -> tuple[Operation, ...]:
    """Whole-period operations that multiply the police-initiated rate of every area by the
    given factor in each listed tertial (``{"2022T3": 2.0, ...}``; a factor of 1 adds nothing).

    Raises
    ------
    UsageError
        A period that is not a tertial or a factor that is not positive.
    """
    ops = []
    for code, factor in effort.items():
        if not (isinstance(factor, int | float) and math.isfinite(factor) and factor > 0):
            raise UsageError(f"The effort of {code} must be a positive number. Got {factor!r}.")
        first, nxt = _tertial_bounds(code)
        if factor == 1:
            continue
        days = (nxt - first).days
        ops += [Operation(area, first.isoformat(), days, float(factor)) for area in params.areas]
    return tuple(ops)


def with_effort(params: SynthParams, effort: Mapping[str, float]) -> SynthParams:
    """The parameters with an effort series added to their operations.

    Examples
    --------
    >>> p = with_effort(SynthParams.municipal(), {"2024T1": 2.0})
    >>> len(p.operations) - len(SynthParams.municipal().operations), p.operations[-1].days
    (3, 121)
    """
    return dataclasses.replace(
        params, operations=params.operations + effort_operations(params, effort)
    )


def _occasions(params: SynthParams, grid: Grid, weights: list[np.ndarray]) -> list[tuple]:
    start = int(PROMISE_START[:4]) * 3 + int(PROMISE_START[-1]) - 1
    rows = []
    for p, label in enumerate(grid.labels):
        if grid.year[p] * 3 + grid.tertial[p] - 1 < start:
            continue
        rows.append((label, WHOLE, "est", float(EST_PER_TERTIAL), "antal"))
        rows.append((label, WHOLE, "trafikinsats", float(TRAFFIC_PER_TERTIAL), "antal"))
        for r, area in enumerate(params.areas):
            weeks = int(np.ceil(np.count_nonzero(weights[p][r] > 1.0) / 7))
            rows.append((label, area, "trygghetsrunda", float(max(weeks, 1)), "antal"))
            if area in WALK_AREAS and grid.year[p] >= WALKS_FROM and grid.tertial[p] > 1:
                rows.append((label, area, "trygghetsvandring", 1.0, "antal"))
    return rows


def activity_frame(params: SynthParams, grid: Grid) -> pd.DataFrame:
    """The activity file of the model over ``grid`` (module docstring): ``period, area,
    activity, amount, unit``; hours rounded to a tenth."""
    weights = day_weights(params, grid)
    base = np.asarray(params.area_population, float) * np.asarray(params.area_rate_factor)
    share = base / base.sum()
    rows: list[tuple] = []
    for p, label in enumerate(grid.labels):
        w = weights[p]
        patrol = PATROL_HOURS_PER_DAY * share * np.minimum(w, 1.0).sum(axis=1)
        extra = PATROL_HOURS_PER_DAY * share * np.maximum(w - 1.0, 0.0).sum(axis=1)
        for r, area in enumerate(params.areas):
            rows.append((label, area, "patrull", round(float(patrol[r]), 1), HOURS_UNIT))
            if extra[r] > 0:
                rows.append((label, area, "hot_spot", round(float(extra[r]), 1), HOURS_UNIT))
    rows += _occasions(params, grid, weights)
    frame = pd.DataFrame(rows, columns=list(COLUMNS))
    order = {label: i for i, label in enumerate(grid.labels)}
    return (
        frame.assign(_o=frame["period"].map(order))
        .sort_values(["_o", "area", "activity"], kind="mergesort")
        .drop(columns="_o")
        .reset_index(drop=True)
    )


def activity_csv(frame: pd.DataFrame) -> bytes:
    """The activity file as Excel writes a Swedish CSV: semicolons, cp1252, CRLF, decimal
    comma, Swedish headers."""

    def amount(x: float) -> str:
        return (f"{x:.1f}".rstrip("0").rstrip(".")).replace(".", ",")

    lines = [";".join(_SV_HEADER)]
    lines += [";".join((r.period, r.area, r.activity, amount(r.amount), r.unit))
              for r in frame.itertuples(index=False)]  # fmt: skip
    return ("\r\n".join(lines) + "\r\n").encode("cp1252")
