"""One run of the synthetic generator: its tertials, random streams and report columns.

Private to :mod:`risk_indicators.synthetic`. :func:`_start` fixes the tertial grid, the two
random streams (the main one for the model, ``aux`` for defect rows, so adding defects never
shifts a clean row) and the population; :func:`_year_batches` then draws the persons of one
year at a time and yields their reports as columns, turned into Arrow or pandas tables here.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from risk_indicators.errors import UsageError

from ._model import (
    DETECTIONS,
    GENDERS,
    N_AGES,
    N_BANDS,
    OFFENCES,
    Grid,
    SynthParams,
    draw_population,
    tertial_grid,
)
from ._people import (
    Engine,
    categorical,
    format_personnummer,
    format_report_ids,
    personnummer_parts,
)


def _tertial_of(text: str, *, first: bool) -> tuple[int, int]:
    """(year, tertial) of a date that opens (``first``) or closes a tertial."""
    try:
        day = dt.date.fromisoformat(text)
    except ValueError as exc:
        raise UsageError(f"{text!r} is not an ISO date like 2019-01-01.") from exc
    tertial = (day.month - 1) // 4 + 1
    opens = dt.date(day.year, 4 * tertial - 3, 1)
    closes = dt.date(day.year + tertial // 3, 4 * tertial % 12 + 1, 1) - dt.timedelta(days=1)
    if day != (opens if first else closes):
        edge = "first" if first else "last"
        raise UsageError(f"{text} must be the {edge} day of a tertial (Jan-Apr, May-Aug, Sep-Dec).")
    return day.year, tertial


def _grid(params: SynthParams, start: str, end: str) -> Grid:
    first, last = _tertial_of(start, first=True), _tertial_of(end, first=False)
    if first > last:
        raise UsageError(f"The start {start} lies after the end {end}.")
    year, tertial = params.trend_origin.split("T")
    return tertial_grid(first, last, (int(year), int(tertial)))


@dataclass
class _Run:
    params: SynthParams
    seed: int
    start: str
    end: str
    grid: Grid
    pop: np.ndarray
    engine: Engine
    rng: np.random.Generator
    aux: np.random.Generator
    persons: np.ndarray  # (periods, areas, bands, 2)
    reports: np.ndarray
    returning: int = 0
    distinct_by_year: list[list[int]] = field(default_factory=list)  # [men, women] per year
    multi_in_period: int = 0
    # called as on_period(p, draw) after each period's draw (the re-report truth reads the
    # engine's state there); it must not use ``rng`` or change the engine
    on_period: Callable[[int, Any], None] | None = None


def _start(
    params: SynthParams, seed: int, start: str, end: str, population: pd.DataFrame | None
) -> _Run:
    grid = _grid(params, start, end)
    main, aux = np.random.SeedSequence(seed).spawn(2)
    rng = np.random.Generator(np.random.PCG64(main))
    if population is None:
        pop = draw_population(params, len(grid.years), rng)
    else:
        pop = _population_array(population, params, grid.years)
    shape = (len(grid.labels), len(params.areas), N_BANDS, 2)
    return _Run(
        params, seed, start, end, grid, pop, Engine(params, grid, pop, rng), rng,
        np.random.Generator(np.random.PCG64(aux)), np.zeros(shape, np.int64),
        np.zeros(shape, np.int64),
    )  # fmt: skip


def _year_batches(run: _Run, progress: Callable[[str], None] | None = None) -> Any:
    """Yield ``(year, columns)`` with each year's reports sorted by date, area and person."""
    par, grid = run.params, run.grid
    for i, year in enumerate(grid.years.tolist()):
        draws = []
        for p in np.flatnonzero(grid.year == year).tolist():
            d = run.engine.period(p)
            if run.on_period is not None:
                run.on_period(p, d)
            run.persons[p], run.reports[p] = d.persons, d.reports
            run.returning += d.returning
            run.multi_in_period += int((d.seq == 1).sum())
            draws.append(d)
        cols = {
            name: np.concatenate([getattr(d, name) for d in draws])
            for name in ("pid", "day", "age", "gender", "offence", "area", "detection", "seq")
        }
        order = np.lexsort((cols["seq"], cols["pid"], cols["area"], cols["day"]))
        cols = {k: v[order] for k, v in cols.items()}
        n = len(order)
        uniq = np.unique(cols["pid"])
        g = run.engine.registry.gender.values[uniq]
        run.distinct_by_year.append([int((g == 0).sum()), int((g == 1).sum())])
        forms = np.asarray(par.personnummer_forms, dtype=float)
        form = categorical(np.tile(forms / forms.sum(), (n, 1)), run.rng)
        # the short form is kept to persons under 90, whose century is never in doubt
        form[(form == 1) & (cols["age"] >= 90)] = 0
        twelve = personnummer_parts(run.engine.registry, cols["pid"])
        cols["person_id"] = format_personnummer(twelve, form)
        serial = 1 + int(run.rng.integers(0, 20000)) + np.arange(n)
        cols["report_id"] = format_report_ids(
            par.report_unit + cols["area"], serial, np.full(n, year % 100)
        )
        if progress is not None:
            progress(f"year {year} ({i + 1}/{len(grid.years)}): {n:,} report rows")
        yield year, cols


def _arrow(cols: dict[str, Any], params: SynthParams, *, date_as_text: bool) -> Any:
    import pyarrow as pa
    import pyarrow.compute as pc

    def labels(values: Sequence[str], codes: np.ndarray) -> Any:
        return pc.take(pa.array(list(values), pa.string()), pa.array(codes))

    date = pa.array(cols["day"].astype("datetime64[D]"))
    return pa.table(
        {
            "person_id": cols["person_id"],
            "report_date": pc.cast(date, pa.string()) if date_as_text else date,
            "age": pa.array(cols["age"], pa.int16()),
            "gender": labels(GENDERS, cols["gender"]),
            "offence": labels(OFFENCES, cols["offence"]),
            "area": labels(params.areas, cols["area"]),
            "detection": labels(DETECTIONS, cols["detection"]),
            "report_id": cols["report_id"],
        }
    )


def _frame(table: Any) -> pd.DataFrame:
    frame = table.to_pandas()
    for name in frame.columns:
        frame[name] = frame[name].astype("Int64" if name == "age" else object)
    return frame


def _population_frame(pop: np.ndarray, years: np.ndarray, areas: Sequence[str]) -> pd.DataFrame:
    y, r, a, g = np.indices(pop.shape).reshape(4, -1)
    order = np.lexsort((a, g, r, y))
    return pd.DataFrame(
        {
            "year": years[y[order]].astype(np.int64),
            "age": a[order].astype(np.int64),
            "gender": np.asarray(GENDERS, dtype=object)[g[order]],
            "area": np.asarray(areas, dtype=object)[r[order]],
            "population": pop.reshape(-1)[order].astype(np.int64),
        }
    )


def _population_array(frame: pd.DataFrame, params: SynthParams, years: np.ndarray) -> np.ndarray:
    out = np.zeros((len(years), len(params.areas), N_AGES, 2), dtype=np.int64)
    try:
        yi = np.searchsorted(years, frame["year"].to_numpy())
        ri = frame["area"].map({a: i for i, a in enumerate(params.areas)}).to_numpy()
        gi = frame["gender"].map({g: i for i, g in enumerate(GENDERS)}).to_numpy()
        np.add.at(out, (yi, ri.astype(np.int64), frame["age"].to_numpy(), gi.astype(np.int64)),
                  frame["population"].to_numpy())  # fmt: skip
    except (KeyError, ValueError, IndexError) as exc:
        raise UsageError(
            "The population needs columns year, age (0-100), gender (man/kvinna), area (one of "
            "the parameters' areas) and population, with every year of the data."
        ) from exc
    return out
