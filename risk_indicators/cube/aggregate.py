"""The cube: distinct persons and reports by period x area x age band x gender, with margins.

Counting rule (CONTRACT 4, the convention of Swedish crime statistics for suspected persons,
made additive): a person is counted once per period, in the single cell (area, age band,
gender) of their *first* report in that period (earliest date; on the same day the row that
comes first in the file). All of the person's reports in the period are counted in that same
cell, so ``persons <= reports`` holds in every cell and every margin. Within a period the cube
adds up: each margin (key ``total``) is the exact sum of its cells.

A window (the rolling 12 months, a calendar year) counts each person once, in the cell of their
first report in the window. A window cell is therefore at most the sum of the period cells it
covers, and the window total lies between the largest and the sum of the period totals. The
lower bound (CONTRACT 4: "between the largest and the sum") holds cell by cell only where a
person cannot move between cells within the window: a person may change age band or area
between periods, and then a period cell can exceed the window cell of the same keys. The
disclosure audit uses the lower bound only where it holds (gender margins over all areas and
ages), so that it never assumes more than an attacker can know.

Everything is vectorised over rows (sorting and grouping on integer codes), so ten million rows
aggregate in seconds; the only Python loops run over the 8 margin combinations.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence

import numpy as np
import pandas as pd

from risk_indicators._sorting import first_report_order
from risk_indicators.config import Config
from risk_indicators.errors import SchemaError
from risk_indicators.periods import Period, assign_periods, window_label

__all__ = [
    "GENDERS",
    "KEYS",
    "add_margins",
    "complete_inner",
    "cube_from_counts",
    "cube_from_person_periods",
    "detection_cube",
    "order_cube",
    "person_codes",
    "person_periods",
    "window_cube",
]

KEYS: tuple[str, ...] = ("area", "age_band", "gender")
GENDERS: tuple[str, ...] = ("man", "kvinna", "okänt")
TOTAL = "total"


def person_periods(valid: pd.DataFrame, *, config: Config) -> pd.DataFrame:
    """One row per person and period: the cell of the person's first report in the period.

    Parameters
    ----------
    valid
        Used report rows with at least ``person, report_date, age, gender, area, row``.
    config
        Supplies the period kind and the age bands.

    Returns
    -------
    pandas.DataFrame
        Columns ``person, period`` (ordinal), ``first_date, last_date, age, age_band, gender,
        area, detection, reports`` (number of the person's reports in the period).
    """
    edges = np.asarray(config.age_bands)
    days = _days(valid["report_date"])
    period = _periods_of_days(days, config.period)
    person_code = person_codes(valid["person"])
    order = first_report_order(person_code, period, days, valid["row"].to_numpy())
    del days  # consumed by the sort (its buffer held the key)
    p_sorted, t_sorted = person_code[order], period[order]
    del person_code, period  # ten million rows each: the peak of the intake
    first = np.ones(len(order), dtype=bool)
    first[1:] = (p_sorted[1:] != p_sorted[:-1]) | (t_sorted[1:] != t_sorted[:-1])
    starts = np.flatnonzero(first)
    counts = np.diff(np.append(starts, len(order)))
    kept = [c for c in ("person", "report_date", "age", "gender", "area", "detection")
            if c in valid]  # fmt: skip
    # whole columns, not .to_numpy(): text as Python objects would take several times the
    # memory of pandas' string arrays at national scale (millions of person-periods)
    chosen = valid[kept].iloc[order[starts]].reset_index(drop=True)
    ends = np.append(starts[1:], len(order)) - 1
    last_date = valid["report_date"].to_numpy()[order[ends]]
    ages = chosen["age"].to_numpy(dtype=np.int64, copy=True)  # writable in the frame
    # a Categorical of the band labels: the cube's grid is then built from integer codes
    band = pd.Categorical.from_codes(np.searchsorted(edges, ages, side="right") - 1,
                                     categories=list(config.age_band_labels))  # fmt: skip
    out = pd.DataFrame(
        {
            "person": chosen["person"],
            "period": t_sorted[starts].astype(np.int64),
            "first_date": chosen["report_date"],
            "last_date": last_date,
            "age": ages,
            "age_band": band,
            "gender": chosen["gender"],
            "area": chosen["area"],
            "detection": chosen["detection"]
            if "detection" in chosen
            else np.full(len(starts), "okand", dtype=object),
            "reports": counts,
        },
        copy=False,  # fresh arrays: stacking them into 2-D blocks would copy every column
    )
    return out


def person_codes(person: pd.Series) -> np.ndarray:
    """Integer codes of a person column: a Categorical's own codes (their integer type: ten
    million rows of int64 would take 40 MB more), else ``pd.factorize``'s int64."""
    if isinstance(person.dtype, pd.CategoricalDtype):
        return person.cat.codes.to_numpy()
    return pd.factorize(person, sort=False)[0].astype(np.int64)


def _days(dates: pd.Series) -> np.ndarray:
    """Days since 1970 of a datetime column (floor division of its integer view: exact,
    and much faster than converting ten million values to ``datetime64[D]``)."""
    values = dates.to_numpy()
    unit, count = np.datetime_data(values.dtype) if values.dtype.kind == "M" else ("", 0)
    per_day = {"s": 86_400, "ms": 86_400_000, "us": 86_400_000_000, "ns": 86_400_000_000_000}
    if unit not in per_day or count != 1:
        return dates.to_numpy(dtype="datetime64[D]").astype(np.int64)
    return values.view(np.int64) // per_day[unit]


def _periods_of_days(days: np.ndarray, kind: str) -> np.ndarray:
    """Period ordinals of days since 1970, computed once per day of the data's span (a
    lookup table; ``np.unique`` when the span is too long for one)."""
    if len(days) == 0:
        return np.zeros(0, dtype=np.int64)
    lo, hi = int(days.min()), int(days.max())
    if hi - lo < 1_000_000:
        span = np.arange(lo, hi + 1).astype("datetime64[D]").astype("datetime64[s]")
        table = assign_periods(pd.Series(span), kind=kind).to_numpy()  # type: ignore[arg-type]
        return np.asarray(table, dtype=np.int32)[days - lo]  # ordinals: int32 is ample
    unique, inverse = np.unique(days, return_inverse=True)
    stamps = pd.Series(unique.astype("datetime64[D]").astype("datetime64[s]"))
    return assign_periods(stamps, kind=kind).to_numpy()[inverse]  # type: ignore[arg-type]


def complete_inner(
    inner: pd.DataFrame,
    *,
    periods: Sequence[str],
    areas: Sequence[str],
    age_bands: Sequence[str],
    genders: Sequence[str] = GENDERS,
    measures: Sequence[str] = ("persons", "reports"),
) -> pd.DataFrame:
    """Reindex inner cells to the full grid, filling absent cells with zero counts."""
    levels = [list(periods), list(areas), list(age_bands), list(genders)]
    grid = pd.MultiIndex.from_product(levels, names=["period", *KEYS])
    flat = np.zeros(len(inner), dtype=np.int64)
    outside = np.zeros(len(inner), dtype=bool)
    for name, level in zip(["period", *KEYS], levels, strict=True):
        codes = _level_codes(inner[name], list(dict.fromkeys(level)))
        outside |= codes < 0
        flat = flat * len(level) + codes
    if outside.any():
        at = np.flatnonzero(outside)[:3]
        cells = list(inner.iloc[at][["period", *KEYS]].itertuples(index=False, name=None))
        raise ValueError(f"cells outside the grid: {cells}")
    out = grid.to_frame(index=False)
    for m in measures:
        weights = inner[m].to_numpy(dtype=np.float64)
        out[m] = np.bincount(flat, weights=weights, minlength=len(grid)).round().astype(np.int64)
    return out


def _level_codes(column: pd.Series, level: list[str]) -> np.ndarray:
    """Position of each value in ``level`` (-1: not in it); a Categorical's few categories
    are looked up once instead of every value."""
    if isinstance(column.dtype, pd.CategoricalDtype):
        lookup = np.append(pd.Index(level).get_indexer(column.cat.categories.astype(str)), -1)
        return lookup[column.cat.codes.to_numpy().astype(np.int64)]  # code -1 (NaN): -1
    return np.asarray(pd.Categorical(column, categories=level).codes, dtype=np.int64)


def add_margins(
    inner: pd.DataFrame,
    *,
    keys: Sequence[str] = KEYS,
    by: Sequence[str] = ("period",),
    measures: Sequence[str] = ("persons", "reports"),
) -> pd.DataFrame:
    """Append every margin: for each subset of ``keys`` summed out, the key becomes ``total``.

    Margins of a key are skipped when that key has only the level ``total`` already.
    """
    parts = [inner]
    all_keys = list(keys)
    keys = [k for k in keys if not (inner[k] == TOTAL).all()]
    for r in range(1, len(keys) + 1):
        for summed_out in itertools.combinations(keys, r):
            kept = [*by, *(k for k in all_keys if k not in summed_out)]
            margin = inner.groupby(kept, sort=False, observed=True)[list(measures)].sum()
            margin = margin.reset_index()
            for k in summed_out:
                margin[k] = TOTAL
            parts.append(margin)
    return pd.concat(parts, ignore_index=True)


def order_cube(
    cube: pd.DataFrame,
    *,
    periods: Sequence[str],
    areas: Sequence[str],
    age_bands: Sequence[str],
) -> pd.DataFrame:
    """Sort rows by period (time), area, age band, gender, each with ``total`` last."""
    levels = {
        "period": list(periods),
        "area": [*areas, TOTAL],
        "age_band": [*age_bands, TOTAL],
        "gender": [*GENDERS, TOTAL],
    }
    sort_keys = {
        k: pd.Categorical(cube[k], categories=list(dict.fromkeys(v)), ordered=True).codes
        for k, v in levels.items()
    }
    order = np.lexsort([sort_keys[k] for k in reversed(list(levels))])
    return cube.iloc[order].reset_index(drop=True)


def cube_from_person_periods(
    pp: pd.DataFrame,
    *,
    periods: Sequence[Period],
    areas: Sequence[str],
    config: Config,
    measures: Sequence[str] = ("persons", "reports"),
) -> pd.DataFrame:
    """Inner cells and margins of persons and reports for the given periods (no population);
    ``measures`` may add other columns of ``pp`` summed the same way (the cell-key method's
    record keys)."""
    codes = [p.code for p in periods]
    ordinal_to_code = {p.ordinal: p.code for p in periods}
    inner = pp.loc[pp["period"].isin(list(ordinal_to_code))]
    # the period as a Categorical of the period codes, from the ordinals' positions
    ordinals = np.array(sorted(ordinal_to_code), dtype=np.int64)
    at = np.searchsorted(ordinals, inner["period"].to_numpy(dtype=np.int64))
    names = [ordinal_to_code[o] for o in ordinals]
    inner = inner.assign(period=pd.Categorical.from_codes(at, categories=names), persons=1)
    inner = complete_inner(inner, periods=codes, areas=areas, age_bands=config.age_band_labels,
                           measures=measures)  # fmt: skip
    return add_margins(inner, measures=measures)


DETECTIONS: tuple[str, ...] = ("polisinitierad", "anmalan", "okand")


def detection_cube(
    pp: pd.DataFrame,
    *,
    periods: Sequence[Period],
    config: Config,
    measures: Sequence[str] = ("persons", "reports"),
) -> pd.DataFrame:
    """Persons by period x detection mode x age band x gender (all areas), with margins.

    The detection mode of a person-period is that of the person's first report in the period,
    the report that places the person in the cube. Columns ``period, detection, age_band,
    gender, persons, reports``; ``detection`` has the levels of :data:`DETECTIONS` and
    ``total``. Internal only: fairness by detection mode reads it.
    """
    # the detection mode takes the place of the area key, so the cube machinery applies as is
    as_area = pp.assign(area=pp["detection"])
    cube = cube_from_person_periods(as_area, periods=periods, areas=DETECTIONS, config=config,
                                    measures=measures)  # fmt: skip
    return cube.rename(columns={"area": "detection"})


def window_cube(
    pp: pd.DataFrame,
    *,
    ends: Sequence[Period],
    areas: Sequence[str],
    config: Config,
    measures: Sequence[str] = ("persons", "reports"),
) -> pd.DataFrame:
    """Rolling 12-month windows ending with each period in ``ends``, with margins.

    A person-period row at ordinal ``q`` is the person's first in the window ending at ``p``
    exactly when ``q <= p <= q + f - 1`` and the person's previous period ``q_prev`` satisfies
    ``q_prev < p - f + 1``; each row is therefore repeated over at most ``f`` windows, which
    keeps the computation vectorised. ``period`` holds the window label.
    """
    if not ends:
        return pd.DataFrame(columns=["period", *KEYS, *measures])
    f = ends[0].freq
    codes = person_codes(pp["person"])
    order = np.lexsort((pp["period"].to_numpy(), codes))
    ordered = pp.iloc[order]
    person = codes[order]
    q = ordered["period"].to_numpy()
    same_person = person[1:] == person[:-1]
    q_prev = np.full(len(q), np.iinfo(np.int64).min // 2, dtype=np.int64)
    q_prev[1:][same_person] = q[:-1][same_person]
    lo = np.maximum(q, q_prev + f)
    hi = q + f - 1
    n_windows = np.clip(hi - lo + 1, 0, None)
    rows = np.repeat(np.arange(len(q)), n_windows)
    offsets = np.arange(len(rows)) - np.repeat(np.cumsum(n_windows) - n_windows, n_windows)
    window_end = lo[rows] + offsets
    # reports in a window: all reports of the person in the covered periods, in the person's cell
    rep = ordered["reports"].to_numpy()
    exploded = ordered.iloc[rows].assign(window_end=window_end, persons=1)
    cum = _window_report_sums(q, person, rep, f)
    exploded["reports"] = cum[rows, window_end - q[rows]] if len(rows) else rep[rows]
    wanted = {p.ordinal: window_label(p) for p in ends}
    exploded = exploded.loc[exploded["window_end"].isin(list(wanted))]
    exploded = exploded.assign(period=exploded["window_end"].map(wanted))
    inner = complete_inner(
        exploded,
        periods=[wanted[p.ordinal] for p in ends],
        areas=areas,
        age_bands=config.age_band_labels,
        measures=measures,
    )
    return add_margins(inner, measures=measures)


def _window_report_sums(q: np.ndarray, person: np.ndarray, rep: np.ndarray, f: int) -> np.ndarray:
    """For each person-period row at ``q`` and offset ``k`` in 0..f-1: the person's reports in
    periods ``q .. q + k`` (the part of a window from the first period on)."""
    out = np.zeros((len(q), f), dtype=np.int64)
    out[:, :] = rep[:, None]
    for lag in range(1, f):
        # the row `lag` positions later belongs to the same person within k periods
        if lag >= len(q):
            break
        same = person[lag:] == person[:-lag]
        gap = q[lag:] - q[:-lag]
        for k in range(1, f):
            add = same & (gap <= k)
            out[:-lag, k] += np.where(add, rep[lag:], 0)
    return out


def cube_from_counts(
    data: pd.DataFrame, *, periods: Sequence[str], areas: Sequence[str],
    age_bands: Sequence[str], source: str = "counts",
) -> pd.DataFrame:  # fmt: skip
    """The cube of an aggregated counts table (its inner rows completed with zeros, margins
    summed); margin rows given in the table must equal the sums of their cells.

    Raises
    ------
    SchemaError
        A given margin row differs from the sum of its cells (names the first one).
    """
    is_inner = (data[list(KEYS)] != TOTAL).all(axis=1)
    inner = complete_inner(data.loc[is_inner], periods=list(periods), areas=list(areas),
                           age_bands=list(age_bands), genders=GENDERS)  # fmt: skip
    cube = add_margins(inner)
    _check_given_margins(data.loc[~is_inner], cube, source=source)
    return cube


def _check_given_margins(margins: pd.DataFrame, cube: pd.DataFrame, *, source: str) -> None:
    if margins.empty:
        return
    merged = margins.merge(cube, on=["period", *KEYS], how="left", suffixes=("", "_sum"))
    wrong = merged.loc[merged["persons"] != merged["persons_sum"]]
    if len(wrong):
        first = wrong.iloc[0]
        raise SchemaError(
            f"{source}: {len(wrong)} margin rows ('total') do not equal the sum of their cells, "
            f"e.g. period {first['period']}, area {first['area']}, age_band "
            f"{first['age_band']}, gender {first['gender']}: {first['persons']} given, "
            f"{first['persons_sum']} summed. Remove the margin rows or correct them."
        )
