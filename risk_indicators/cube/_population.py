"""The population beside the cube: each period's year-end population by cell and margin."""

from __future__ import annotations

import warnings

import pandas as pd

from risk_indicators.errors import DataWarning

from .aggregate import GENDERS, KEYS, add_margins

__all__ = ["attach_population"]


def attach_population(
    cube: pd.DataFrame,
    population: pd.DataFrame,
    *,
    period_years: dict[str, int],
) -> tuple[pd.DataFrame, list[str]]:
    """Join the year-end population of each period's year; margins are sums of cells.

    A year missing from the population uses the nearest earlier year (or, when there is none,
    the earliest year) and adds a warning. Cells without population (gender ``okänt``, areas
    when the population is for the whole municipality only) get a missing value.

    Returns
    -------
    cube, notes
        The cube with an ``Int64`` column ``population`` and the warnings given.
    """
    notes: list[str] = []
    available = sorted(population["year"].unique().tolist())
    chosen: dict[str, int] = {}
    for label, year in period_years.items():
        earlier = [y for y in available if y <= year]
        use = earlier[-1] if earlier else available[0]
        if use != year:
            note = f"No population for {year}; periods of {year} use the population of {use}" + (
                " (the nearest earlier year)." if earlier else " (no earlier year exists)."
            )
            if note not in notes:
                notes.append(note)
        chosen[label] = use
    for note in notes:
        warnings.warn(note, DataWarning, stacklevel=2)
    pop = _population_margins(population)
    year_of = cube["period"].map(chosen)
    index = pd.MultiIndex.from_arrays(
        [year_of, cube["area"], cube["age_band"], cube["gender"]], names=["year", *KEYS]
    )
    values = pop.reindex(index).to_numpy(dtype=float)
    out = cube.copy()
    out["population"] = pd.array(values, dtype="Int64")
    return out, notes


def _population_margins(population: pd.DataFrame) -> pd.Series:
    """Population of every cell and margin; a margin over a cell the file lacks is missing.

    Cells absent from the file are missing, not zero: a rate over a partly known population
    would be wrong, so the margins that include such a cell are missing too.
    """
    levels = [sorted(population[k].unique().tolist()) for k in ("year", *KEYS)]
    levels[3] = [g for g in GENDERS if g != "okänt"]
    grid = pd.MultiIndex.from_product(levels, names=["year", *KEYS])
    inner = population.groupby(["year", *KEYS])["population"].sum().reindex(grid)
    frame = inner.reset_index().assign(
        persons=lambda d: d["population"].fillna(0), reports=lambda d: d["population"].isna()
    )
    summed = add_margins(frame.drop(columns="population"), by=("year",))
    summed = summed.groupby(["year", *KEYS], sort=False)[["persons", "reports"]].sum()
    return summed["persons"].where(summed["reports"] == 0).rename("population")
