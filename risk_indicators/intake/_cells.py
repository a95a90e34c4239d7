"""Input values as the text a user would type, for every reader of :mod:`risk_indicators.intake.io`.

Every value is read as text so that the schema parses numbers (including the Swedish decimal
comma), dates and codes itself: dates become ISO text, integral numbers lose their ``.0``,
missing values become ``""``. Nothing is rounded or guessed here.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

import numpy as np
import pandas as pd


def _cell_to_text(value: Any) -> str:
    """One cell as the text a user would type: dates ISO, integral numbers without ``.0``."""
    if value is None or value is pd.NaT or value is pd.NA:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool | np.bool_):
        return "TRUE" if value else "FALSE"
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0):
            return value.strftime("%Y-%m-%d")
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, int | np.integer):
        return str(int(value))
    if isinstance(value, float | np.floating):
        number = float(value)
        if math.isnan(number):
            return ""
        if number.is_integer() and abs(number) < 2**53:
            return str(int(number))
        return repr(number)
    if isinstance(value, bytes):
        return value.decode("utf-8", errors="replace")
    return str(value)


def _to_text(series: pd.Series) -> pd.Series:
    """Convert a column to text, vectorised for the large homogeneous cases."""
    values = series
    if isinstance(values.dtype, pd.CategoricalDtype):
        values = values.astype(object)
    kind = values.dtype.kind
    if kind in "iu" and not values.hasnans:  # nullable Int64 with <NA> goes cell by cell
        return values.astype(str)
    if kind == "f":
        floats = values.to_numpy(dtype=float, na_value=np.nan)
        integral = np.isfinite(floats) & (floats == np.floor(floats)) & (np.abs(floats) < 2**53)
        out = pd.Series(np.full(len(values), "", dtype=object), index=values.index)
        out[integral] = floats[integral].astype(np.int64).astype(str)
        other = ~integral & ~np.isnan(floats)
        out[other] = [repr(float(x)) for x in floats[other]]
        return out.astype(str)
    if kind == "M":
        stamps = values.dt.tz_localize(None) if values.dt.tz is not None else values
        midnight = (stamps == stamps.dt.normalize()).to_numpy()
        out = stamps.dt.strftime("%Y-%m-%d %H:%M:%S").where(
            ~midnight, stamps.dt.strftime("%Y-%m-%d")
        )
        return out.fillna("").astype(str)
    if (
        pd.api.types.is_string_dtype(values.dtype)
        and not values.isna().any()
        and pd.api.types.infer_dtype(values, skipna=False) in ("string", "empty")
    ):
        return values.astype(str)
    return values.astype(object).map(_cell_to_text).astype(str)


def _arrow_to_text(table: Any, start: int = 0) -> pd.DataFrame:
    columns = {
        name: _to_text(table.column(i).to_pandas()) for i, name in enumerate(table.column_names)
    }
    index = pd.RangeIndex(start, start + table.num_rows)
    return pd.DataFrame({k: v.set_axis(index) for k, v in columns.items()}, index=index)
