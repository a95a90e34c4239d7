"""Researcher mode: an aggregated counts table (CONTRACT 1.3) read into the cube.

Columns ``period`` (``2024T1``, ``2024Q1``, ``2024-01`` or ``2024``; one kind per file),
``age_band``, ``gender``, ``persons``, optional ``area`` and ``reports``. Rows are inner cells;
rows whose keys are ``total`` are margins and must equal the sum of their cells (they are
checked, then rebuilt). Missing inner cells are zero. Without ``reports`` the cube's reports
equal its persons (the least number of reports those persons can have); without ``area`` the
area is ``okänt``, as for person-level data without areas.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

import numpy as np
import pandas as pd

from risk_indicators.config import Config
from risk_indicators.errors import DataError, SchemaError
from risk_indicators.periods import Period, parse_period, period_grid

from .io import read_table
from .schema import GENDER_CODES, map_columns, normalise_token

__all__ = ["CountsTable", "read_counts"]

COUNT_COLUMNS: dict[str, tuple[tuple[str, ...], bool]] = {
    "period": (("period", "period_", "tidsperiod"), True),
    "area": (("area", "omrade", "kommun"), False),
    "age_band": (("age_band", "aldersgrupp", "aldersklass"), True),
    "gender": (("gender", "kon", "sex"), True),
    "persons": (("persons", "personer", "antal_personer", "misstankta"), True),
    "reports": (("reports", "anmalningar", "antal_anmalningar"), False),
}


KEYS = ("area", "age_band", "gender")


@dataclass(frozen=True)
class CountsTable:
    """A validated counts table: its rows (``period, area, age_band, gender, persons,
    reports``; margin rows have ``total`` keys), the periods from the first to the last, the
    areas and where it came from. :func:`risk_indicators.cube.cube_from_counts` makes the
    cube (and checks any margin rows given).

    ``window_rows`` counts the rows of rolling 12-month windows (period ``2023T2-2024T1``, as
    a release's ``internal/counts.csv`` holds them beside its periods) that were set aside:
    counts mode has no rolling 12 months (a window needs person-level rows), and ``rows``
    counts the period rows only.
    """

    data: pd.DataFrame
    kind: str
    periods: list[Period]
    areas: list[str]
    rows: int
    sha256: str | None
    source: str = "counts"
    window_rows: int = 0


def read_counts(
    path_or_frame: pd.DataFrame | str | os.PathLike[str], *, config: Config
) -> CountsTable:
    """Read and validate a counts table; every problem is listed in one :class:`SchemaError`."""
    raw = read_table(path_or_frame, what="counts")
    cols = map_columns(list(raw.frame.columns), COUNT_COLUMNS, source=raw.source)
    frame = raw.frame
    rows = raw.frame.index.to_numpy() + raw.row_offset
    problems: list[tuple[int, str, str]] = []

    def col(name: str, default: str = "") -> pd.Series:
        if name in cols:
            return frame[cols[name]].fillna("").astype(str).str.strip().reset_index(drop=True)
        return pd.Series([default] * len(frame), dtype=object)

    periods_text = col("period")
    window = _window_rows(periods_text)
    if window.any():  # a release's own counts.csv: its rolling 12-month rows are set aside
        keep = ~window
        frame = frame.loc[keep]
        rows = rows[keep]
        periods_text = periods_text[keep].reset_index(drop=True)
    parsed: list[Period | None] = []
    for pos, text in enumerate(periods_text):
        try:
            parsed.append(parse_period(text))
        except ValueError as exc:
            parsed.append(None)
            problems.append((int(rows[pos]), "period", str(exc)))
    kinds = {p.kind for p in parsed if p is not None}
    if len(kinds) > 1:
        problems.append((1, "period", f"mixes period kinds {sorted(kinds)}; use one kind"))
    bands = col("age_band")
    allowed_bands = [*config.age_band_labels, "total"]
    for i in np.flatnonzero(~bands.isin(allowed_bands).to_numpy()):
        problems.append((int(rows[i]), "age_band", f"'{bands[i]}' is not one of {allowed_bands}"))
    gender = col("gender").map(
        lambda g: "total" if g == "total" else GENDER_CODES.get(normalise_token(g))
    )
    for i in np.flatnonzero(gender.isna().to_numpy()):
        problems.append((int(rows[i]), "gender", "unknown gender; use man, kvinna or okänt"))
    area = col("area", "okänt")
    if config.areas:
        for i in np.flatnonzero(~area.isin([*config.areas, "total"]).to_numpy()):
            problems.append((int(rows[i]), "area",
                             f"'{area[i]}' is not one of the configured areas "
                             f"({', '.join(config.areas)}); correct it or add it to 'areas' in "
                             "the config"))  # fmt: skip
    measures = {}
    for name in ("persons", "reports"):
        values = pd.to_numeric(col(name, "0" if name == "reports" else ""), errors="coerce")
        bad = values.isna() | (values < 0) | (values != np.round(values))
        for i in np.flatnonzero(bad.to_numpy()):
            problems.append((int(rows[i]), name, f"{name} must be a whole number >= 0"))
        measures[name] = values.fillna(0).astype("int64")
    if "reports" not in cols:
        measures["reports"] = measures["persons"]
    bad_pr = (measures["persons"] > measures["reports"]).to_numpy()
    for i in np.flatnonzero(bad_pr):
        problems.append((int(rows[i]), "reports", "reports are fewer than persons"))
    # the same cell twice (an export pasted twice) would be summed: a count counted twice
    codes = pd.Series([p.code if p is not None else t for p, t in zip(parsed, periods_text,
                                                                       strict=True)])  # fmt: skip
    keys = pd.DataFrame({"period": codes, "area": area, "age_band": bands, "gender": gender})
    first_row: dict[tuple[object, ...], int] = {}
    repeated = np.flatnonzero(keys.duplicated(keep=False).to_numpy())
    for i, key in zip(repeated, keys.iloc[repeated].itertuples(index=False, name=None),
                      strict=True):  # fmt: skip
        if key in first_row:
            problems.append((int(rows[i]), "period",
                             f"the same period, area, age_band and gender as row "
                             f"{first_row[key]}; remove the repeat (it would be counted twice)"))
        else:
            first_row[key] = int(rows[i])
    if not parsed and not problems:
        raise DataError(f"{raw.source}: the counts file has a header but no data rows; nothing "
                        "to analyse. Export the counts again.")  # fmt: skip
    if problems:
        table = pd.DataFrame(problems, columns=["row", "column", "reason"])
        first = "; ".join(f"row {r}, {c}: {m}" for r, c, m in problems[:5])
        raise SchemaError(
            f"{raw.source}: the counts table has {len(problems)} problems ({first}). Fix them.",
            table,
        )
    kind = kinds.pop()
    if kind != config.period:
        raise SchemaError(
            f"{raw.source}: the counts are by {kind} but the config's period is "
            f"'{config.period}'. Set period = \"{kind}\" in the config."
        )
    data = pd.DataFrame(
        {
            "period": [p.code for p in parsed if p is not None],
            "area": area,
            "age_band": bands,
            "gender": gender,
            "persons": measures["persons"],
            "reports": measures["reports"],
        }
    )
    is_inner = (data[list(KEYS)] != "total").all(axis=1)
    present = sorted({p for p in parsed if p is not None}, key=lambda p: p.ordinal)
    periods = period_grid(present[0], present[-1])
    areas = list(config.areas) or sorted(set(data.loc[is_inner, "area"]))
    return CountsTable(
        data, kind, periods, areas, len(frame), raw.sha256, raw.source, int(window.sum())
    )


def _window_rows(texts: pd.Series) -> np.ndarray:
    """Rows whose period is a rolling 12-month window label ``first-last`` (one kind, 12
    months long), as :func:`risk_indicators.periods.window_label` writes it."""
    out = np.zeros(len(texts), dtype=bool)
    for label in {t for t in texts if "-" in t and len(t) > 9}:
        cuts = [i for i, ch in enumerate(label) if ch == "-"]
        for cut in cuts:  # "2023T2-2024T1"; months: "2023-02-2024-01"
            try:
                a, b = parse_period(label[:cut]), parse_period(label[cut + 1 :])
            except ValueError:
                continue
            if a.kind == b.kind and a.freq > 1 and b.ordinal - a.ordinal == a.freq - 1:
                out |= (texts == label).to_numpy()
                break
    return out
