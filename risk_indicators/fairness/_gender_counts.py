"""Women's and men's counts and populations from the cube, and the helpers they share.

Private to :mod:`risk_indicators.fairness.standardise`, which re-exports every name of ``__all__``.
:func:`gender_counts` sums the cube to women and men, persons and population, per period and
optionally per area and/or age band; the Mantel-Haenszel ratio, the gender x time GLM
(:mod:`risk_indicators.fairness._gender_time`), the female-share trend
(:mod:`risk_indicators.fairness._share_trend`), the goal and the fairness figures all start from it.
Beside it live the vocabulary those modules share: the gender and margin codes, the figure
colours (Okabe-Ito), the option checks with the house error text, :func:`period_of` for
period and rolling-window labels, :func:`float64_columns` and :func:`youth_label`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any, Literal

import numpy as np
import pandas as pd

from risk_indicators.config import Config
from risk_indicators.errors import UsageError
from risk_indicators.periods import Period, parse_period

__all__ = [
    "COLOURS",
    "MEN",
    "TOTAL",
    "WOMEN",
    "Stratum",
    "float64_columns",
    "gender_counts",
    "period_of",
    "youth_label",
]

WOMEN, MEN, TOTAL = "kvinna", "man", "total"
COLOURS = {WOMEN: "#D55E00", MEN: "#0072B2", "crude": "#000000", "standardised": "#009E73"}
Stratum = Literal["age_band", "area"]


def _choice(value: Any, allowed: Sequence[Any], name: str, func: str) -> Any:
    if value not in allowed:
        shown = ", ".join(repr(a) for a in sorted(allowed))
        raise UsageError(
            f"The '{name}' parameter of {func} must be one of {shown}. Got {value!r} instead."
        )
    return value


def _strata(by: Sequence[str], func: str) -> tuple[str, ...]:
    out = tuple(by)
    for key in out:
        _choice(key, ("age_band", "area"), "by", func)
    return tuple(k for k in ("area", "age_band") if k in out)


def period_of(label: str) -> Period:
    """The period of a period code, or the last period of a window label ``2023T2-2024T1``."""
    text = str(label)
    for candidate in (text, text[-7:], text[-6:]):  # month codes have 7 characters, T/Q 6
        try:
            return parse_period(candidate)
        except ValueError:
            continue
    raise UsageError(f"{text!r} is neither a period code nor a rolling 12-month label.")


def gender_counts(
    cube: pd.DataFrame,
    *,
    config: Config,
    youth: bool = True,
    by: Sequence[str] = (),
    periods: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Women and men, persons and population, per period (and stratum) from the cube.

    Parameters
    ----------
    cube
        A cube (or window cube) with margins and ``population``.
    youth
        Youth bands only (summed unless ``age_band`` is in ``by``), or all ages.
    by
        Strata kept apart: ``area`` (inner areas; the ``total`` area when the cube has none)
        and/or ``age_band`` (inner bands).
    periods
        Period (or window) labels to keep; default every label in the cube.

    Returns
    -------
    pandas.DataFrame
        ``period, [area], [age_band], women, men, pop_women, pop_men`` in cube order;
        populations are floats, NaN where any cell summed has no population.
    """
    kept = _strata(by, "gender_counts")
    inner = [a for a in dict.fromkeys(cube["area"]) if a != TOTAL]
    areas = inner if ("area" in kept and inner) else [TOTAL]
    if "age_band" in kept:
        bands = list(config.youth_bands if youth else config.age_band_labels)
    else:
        bands = list(config.youth_bands) if youth else [TOTAL]
    rows = cube.loc[
        cube["area"].isin(areas) & cube["age_band"].isin(bands) & cube["gender"].isin([WOMEN, MEN])
    ]
    order = list(dict.fromkeys(cube["period"]))
    if periods is not None:
        order = [p for p in order if p in set(periods)]
        rows = rows.loc[rows["period"].isin(order)]
    keys = ["period", *kept]
    levels = {"period": order, "area": areas, "age_band": bands, "gender": [WOMEN, MEN]}
    frame = pd.DataFrame(
        {k: pd.Categorical(rows[k], categories=levels[k]) for k in [*keys, "gender"]}
    ).assign(
        persons=rows["persons"].to_numpy(np.int64),
        pop=pd.to_numeric(rows["population"], errors="coerce").to_numpy(float),
    )
    grouped = frame.groupby([*keys, "gender"], observed=True)
    agg = grouped["persons"].sum().to_frame()
    # a sum over a cell without population is unknown, not a smaller number
    agg["pop"] = grouped["pop"].sum().where(grouped["pop"].count() == grouped["pop"].size())
    wide = agg.unstack("gender")
    out = pd.DataFrame(
        {
            "women": wide[("persons", WOMEN)].fillna(0).astype(np.int64),
            "men": wide[("persons", MEN)].fillna(0).astype(np.int64),
            "pop_women": wide[("pop", WOMEN)].astype(float),
            "pop_men": wide[("pop", MEN)].astype(float),
        }
    ).reset_index()
    for k in keys:
        out[k] = out[k].astype(str)
    return out


def _check_common(period: str | None, cube: pd.DataFrame, reference: str, func: str) -> str:
    _choice(reference, (MEN, WOMEN), "reference", func)
    labels = list(dict.fromkeys(cube["period"]))
    if period is None:
        return str(labels[-1])
    if period not in labels:
        raise UsageError(f"The period {period!r} given to {func} is not in the cube.")
    return str(period)


def float64_columns(frame: pd.DataFrame, *cols: str) -> pd.DataFrame:
    """Numbers as nullable ``Float64``: a missing value is <NA>, never NaN or inf."""
    for c in cols:
        values = [None if pd.isna(v) or not math.isfinite(float(v)) else float(v)
                  for v in frame[c].tolist()]  # fmt: skip
        frame[c] = pd.array(values, dtype="Float64")
    return frame


def youth_label(config: Config) -> str:
    return f"{config.youth_min_age}-{config.youth_max_age}"
