"""The count cubes of a records-mode analysis, as the release will publish them.

With ``disclosure.method = "cell_key"`` every count of the period cube, the 12-month window
cube and the detection cube is perturbed here, before any figure is computed
(:func:`risk_indicators.disclosure.perturbed_persons`): every figure of the follow-up, its
interval and the goal status are then functions of published counts, and the exact cube is
kept for ``internal/`` only. With ``"suppression"`` the cubes are exact.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd

from risk_indicators.config import Config
from risk_indicators.cube import (
    KEY_MEASURES,
    NOISE_ATTR,
    PerturbationTable,
    attach_population,
    cube_from_person_periods,
    detection_cube,
    order_cube,
    perturbation_of,
    perturbed_persons,
    window_cube,
    with_record_keys,
)
from risk_indicators.periods import Period, window_label

__all__ = ["PersonCubes", "person_cubes"]


@dataclass(frozen=True)
class PersonCubes:
    """The cubes of one analysis (``windows`` None before the first complete window);
    when they are perturbed (``table`` not None), ``exact`` is the exact period cube followed
    by the exact window cube, and ``rows`` the person-periods with their record keys."""

    cube: pd.DataFrame
    windows: pd.DataFrame | None
    detection: pd.DataFrame
    notes: list[str]
    rows: pd.DataFrame
    table: PerturbationTable | None = None
    exact: pd.DataFrame | None = None


def person_cubes(
    pp: pd.DataFrame,
    population: pd.DataFrame,
    *,
    periods: Sequence[Period],
    areas: Sequence[str],
    config: Config,
) -> PersonCubes:
    """Period, window and detection cubes of ``pp`` (:func:`risk_indicators.cube.
    person_periods`), with population, perturbed when the config says ``cell_key``."""
    table = perturbation_of(config.disclosure)
    measures = ("persons", "reports", *(KEY_MEASURES if table is not None else ()))
    rows = with_record_keys(pp) if table is not None else pp
    bands = config.age_band_labels

    def shown(counts: pd.DataFrame) -> pd.DataFrame:
        return counts if table is None else perturbed_persons(counts, table)

    def placed(counts: pd.DataFrame, years: dict[str, int]) -> tuple[pd.DataFrame, list[str]]:
        counts, notes = attach_population(counts, population, period_years=years)
        return order_cube(counts, periods=list(years), areas=areas, age_bands=bands), notes

    years = {p.code: p.year for p in periods}
    keyed = cube_from_person_periods(rows, periods=periods, areas=areas, config=config,
                                     measures=measures)  # fmt: skip
    cube, notes = placed(shown(keyed), years)
    exact = [] if table is None else [placed(keyed.drop(columns=list(KEY_MEASURES)), years)[0]]
    first = periods[0]
    ends = [p for p in periods if p.ordinal - first.ordinal >= p.freq - 1]
    windows = None
    if ends:
        keyed_windows = window_cube(rows, ends=ends, areas=areas, config=config,
                                    measures=measures)  # fmt: skip
        wyears = {window_label(p): p.year for p in ends}
        windows, wnotes = placed(shown(keyed_windows), wyears)
        if table is not None:
            exact.append(placed(keyed_windows.drop(columns=list(KEY_MEASURES)), wyears)[0])
        notes = notes + [n for n in wnotes if n not in notes]
    detection = shown(detection_cube(rows, periods=periods, config=config, measures=measures))
    if table is not None:  # the statistics widen their intervals by it (a merge drops attrs)
        for counts in (cube, windows, detection):
            if counts is not None:
                counts.attrs[NOISE_ATTR] = float(table.variance)
    exact_counts = pd.concat(exact, ignore_index=True) if exact else None
    return PersonCubes(cube, windows, detection, notes, rows, table, exact_counts)
