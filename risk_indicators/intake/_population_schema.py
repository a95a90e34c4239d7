"""Validation of the population table (CONTRACT 1.3): every bad row listed in one
:class:`~risk_indicators.errors.SchemaError`. Re-exported by :mod:`.schema`."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from risk_indicators.errors import SchemaError

from .io import RawTable
from .schema import (
    GENDER_CODES,
    POPULATION_COLUMNS,
    _codes,
    _on_uniques,
    _parse_int,
    _Problems,
    map_columns,
    normalise_token,
)

__all__ = ["validate_population"]


#: The largest population a cell may have (a cell is one year, area, age and gender).
MAX_POPULATION = 100_000_000


def validate_population(
    raw: RawTable,
    *,
    age_edges: Sequence[int],
    band_labels: Sequence[str],
    areas: Sequence[str] = (),
) -> pd.DataFrame:
    """Validate a population table and sum it to ``year, area, age_band, gender, population``.

    Population is reference data: a single bad row would bias every rate, so any problem is a
    :class:`SchemaError` (exit code 2) listing every bad row, rather than a rejected row.
    When ``area`` is absent the population is the whole municipality (area ``total``).
    With configured ``areas`` and an ``area`` column, every row's area must be one of them
    (spelled as in the reports: case and accents aside) and every configured area must have
    rows: a misspelt or missing area would leave its rates without a denominator silently.
    """
    columns = map_columns(list(raw.frame.columns), POPULATION_COLUMNS, source=raw.source)
    if "age" not in columns and "age_band" not in columns:
        raise SchemaError(
            f"{raw.source}: the population needs a column 'age' (single years) or 'age_band'. "
            "Add one of them."
        )
    frame = raw.frame
    problems = _Problems()

    def col(name: str) -> pd.Series:
        return frame[columns[name]].fillna("").astype(str).str.strip().reset_index(drop=True)

    year = _parse_int(col("year"))
    problems.add((year.isna() | (year < 1900) | (year > 2200)).fillna(True).to_numpy(), "year",
                 "year is not a whole number 1900-2200.")  # fmt: skip
    population = _parse_int(col("population"))
    # a bound far above any country's population by cell keeps the int64 sums exact
    problems.add(
        (population.isna() | (population < 0) | (population > MAX_POPULATION)).fillna(True)
        .to_numpy(),
        "population",
        f"population must be a whole number 0-{MAX_POPULATION:,}.",
    )
    gender, gender_bad = _codes(col("gender"), GENDER_CODES)
    gender_bad = gender_bad | (gender == "okänt").to_numpy()
    problems.add(gender_bad, "gender", "gender must be man or kvinna in the population.")
    if "age" in columns:
        age = _parse_int(col("age").str.replace("+", "", regex=False))
        problems.add(
            (age.isna() | (age < 0) | (age > 110)).fillna(True).to_numpy(),
            "age",
            "age must be a whole number 0-110.",
        )
        band_index = np.searchsorted(np.asarray(age_edges), age.fillna(0).to_numpy(), "right") - 1
        age_band = pd.Series(np.asarray(band_labels, dtype=object)[np.clip(band_index, 0, None)])
    else:
        age_band = col("age_band")
        problems.add(
            (~age_band.isin(band_labels)).to_numpy(),
            "age_band",
            f"age_band must be one of {', '.join(band_labels)} (the config's age bands).",
        )
    area = col("area") if "area" in columns else pd.Series(["total"] * len(frame))
    if "area" in columns and areas:
        lookup = {normalise_token(a): a for a in areas}
        area = _on_uniques(area, lambda a: lookup.get(normalise_token(a), a))
        problems.add((~area.isin(list(areas))).to_numpy(), "area",
                     f"area is not one of the configured areas ({', '.join(areas)}); correct "
                     "it to the reports' spelling or add it to 'areas' in the config.")  # fmt: skip
        missing = [a for a in areas if not area.eq(a).any()]
        if missing:
            raise SchemaError(
                f"{raw.source}: the population has no rows for the configured area(s) "
                f"{', '.join(missing)}; add them (or remove the 'area' column to use the "
                "whole municipality's population).",
            )
    # a repeated row (an export run twice, a year pasted twice) would count people twice
    age_key = col("age") if "age" in columns else age_band
    keys = pd.DataFrame({"year": col("year"), "area": area, "age": age_key, "gender": gender})
    problems.add(keys.duplicated(keep="first").to_numpy(), "population",
                 "the same year, area, age and gender as an earlier row: remove the repeat "
                 "(the population would be counted twice).")  # fmt: skip
    found = problems.frame()
    if len(found):
        found["row"] = found["pos"] + raw.row_offset
        sample = "; ".join(
            f"row {r}: {reason}"
            for r, reason in found[["row", "reason"]].head(5).itertuples(index=False)
        )
        raise SchemaError(
            f"{raw.source}: {found['pos'].nunique()} population rows are invalid ({sample}). "
            "Fix them; the population is used as the denominator of every rate.",
            found[["row", "column", "reason"]],
        )
    tidy = pd.DataFrame(
        {
            "year": year.astype("int64"),
            "area": area,
            "age_band": age_band,
            "gender": gender,
            "population": population.astype("int64"),
        }
    )
    summed = (
        tidy.groupby(["year", "area", "age_band", "gender"], sort=True, observed=True)["population"]
        .sum()
        .reset_index()
    )
    _check_complete(summed, band_labels, source=raw.source)
    return summed


def _check_complete(summed: pd.DataFrame, band_labels: Sequence[str], *, source: str) -> None:
    """Every year (and area) in the file has every age band and gender that any year of it
    has: a hole would leave that group's rates without a denominator. (A missing *year* is
    allowed: the nearest earlier year is used, and the report says so; a band no year has is
    a partial table, whose rates are not defined.)"""
    have = set(summed[["year", "area", "age_band", "gender"]].itertuples(index=False, name=None))
    order = {band: i for i, band in enumerate(band_labels)}
    groups = sorted(set(summed[["age_band", "gender"]].itertuples(index=False, name=None)),
                    key=lambda bg: (order.get(bg[0], len(order)), bg[1] != "man"))  # fmt: skip
    gaps = [
        (year, area, band, g)
        for year, area in summed[["year", "area"]].drop_duplicates().itertuples(index=False)
        for band, g in groups
        if (year, area, band, g) not in have
    ]
    if gaps:
        listed = "; ".join(
            f"{y}, {band}, {g}" + ("" if a == "total" else f", {a}") for y, a, band, g in gaps[:5]
        )
        raise SchemaError(
            f"{source}: the population has no rows for {len(gaps)} year, age band and gender "
            f"group(s) ({listed}). Add them (a group with no inhabitants has population 0).",
            pd.DataFrame({"row": 0, "column": "population",
                          "reason": [f"no rows for {y}, {b}, {g}" for y, _a, b, g in gaps]}),
        )  # fmt: skip
