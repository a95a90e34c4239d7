"""The study cohort: each young person's first report, its circumstances and the target.

Private to :mod:`risk_indicators.riskmodel`. Person-level rows live only in memory here and in
the fit; nothing person-level leaves the stage.

Definitions
-----------
- **Index report**: a person's first report in the data at a youth age
  (``youth_min_age <= age <= youth_max_age``); among reports of one day the first row of
  the file. Persons first reported before the data begin look new (left truncation): the
  data cannot tell.
- **Target**: another report of the same pseudonym dated from the index day to the same
  calendar day ``months`` later, both included (other reports on the index day count: they
  are separate cases). Duplicates were removed by the intake.
- **Observed**: the ``months`` after the index day end on or before the latest report
  date of the data; other persons are excluded and counted (``not_observed``).
- **Features**, all known at the index report: age (years), gender, offence and detection
  mode of the index report, area, period of year (tertial 1-3, or quarter/month by the
  config's period) and earlier reports (the person's reports dated before the index day, at
  younger ages: ``0``, ``1``, ``2+``).
- Persons of unknown gender (``okänt``) are excluded and counted (``unknown_gender``): the
  audit is by gender and a handful of them could not be shown.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

import numpy as np
import pandas as pd

from risk_indicators.config import Config
from risk_indicators.errors import DataError
from risk_indicators.periods import Period, assign_periods

__all__ = ["CATEGORICAL", "FEATURES", "Cohort", "build_cohort"]

FEATURES: tuple[str, ...] = (
    "age", "gender", "offence", "detection", "area", "period_of_year", "earlier_reports",
)  # fmt: skip
CATEGORICAL: tuple[str, ...] = FEATURES[1:]
_NEEDED = ("person", "report_date", "age", "gender", "offence", "area", "detection", "row")


@dataclass(frozen=True)
class Cohort:
    """The young persons' index reports, their features and targets (person-level, in memory).

    Attributes
    ----------
    frame
        One row per study person (observed, known gender): ``person``, ``report_date``,
        ``period`` (code), ``age_band`` and the :data:`FEATURES`, and ``outcome`` (1 when
        reported again within ``months``).
    counts
        ``young_first_reports`` (persons with an index report), ``not_observed`` (their
        months reach past ``follow_end``), ``unknown_gender`` (observed, gender unknown),
        ``study`` (the rest: ``frame``'s rows), ``reported_again`` (outcome 1 in the study).
    follow_end
        The latest report date of the data: the end of follow-up.
    months
        Length of the follow-up.
    """

    frame: pd.DataFrame = field(repr=False)
    counts: dict[str, int]
    follow_end: date | None
    months: int


def _earlier_labels(n: np.ndarray) -> np.ndarray:
    return np.where(n >= 2, "2+", n.astype(str)).astype(object)


def build_cohort(records: Any, *, config: Config, months: int = 12) -> Cohort:
    """The cohort of young persons' first reports in ``records`` (see the module docstring).

    Parameters
    ----------
    records
        :class:`risk_indicators.Records` (``.valid`` with pseudonyms).
    config
        Youth ages, age bands and the period kind.
    months
        Follow-up after the index report.

    Returns
    -------
    Cohort
    """
    valid = records.valid
    missing = [c for c in _NEEDED if c not in valid.columns]
    if missing:
        raise DataError(
            f"The records lack the columns {missing}; read them with ri.read_reports, which "
            "gives every column of a used row."
        )
    rows = valid.loc[:, list(_NEEDED)].copy()
    rows["report_date"] = pd.to_datetime(rows["report_date"])
    rows = rows.sort_values(["report_date", "row"], kind="mergesort").reset_index(drop=True)
    young = rows["age"].between(config.youth_min_age, config.youth_max_age)
    index = rows.loc[young].drop_duplicates("person", keep="first")
    follow_end = records.last_date
    empty = {"young_first_reports": 0, "not_observed": 0, "unknown_gender": 0, "study": 0,
             "reported_again": 0}  # fmt: skip
    if index.empty or follow_end is None:
        return Cohort(_frame(index.iloc[0:0], config, np.zeros(0), np.zeros(0)), empty,
                      follow_end, months)  # fmt: skip

    # every report of the index persons, with their index day (persons as integer codes)
    code, persons = pd.factorize(rows["person"])
    first_day = np.full(persons.size, np.datetime64("NaT"), dtype="datetime64[ns]")
    index_code = code[index.index.to_numpy()]
    first_day[index_code] = index["report_date"].to_numpy()
    day = rows["report_date"].to_numpy()
    day0 = first_day[code]
    mine = ~np.isnat(day0)
    deadline = (pd.DatetimeIndex(day0[mine]) + pd.DateOffset(months=months)).to_numpy()
    earlier = np.bincount(code[mine], weights=day[mine] < day0[mine], minlength=persons.size)
    within = np.bincount(code[mine], weights=(day[mine] >= day0[mine]) & (day[mine] <= deadline),
                         minlength=persons.size)  # fmt: skip
    n_earlier = earlier[index_code].astype(np.int64)
    # the index report itself is one of the reports within the months
    outcome = (within[index_code] > 1).astype(np.int64)
    observed = (index["report_date"] + pd.DateOffset(months=months)) <= pd.Timestamp(follow_end)
    known = index["gender"].isin(["man", "kvinna"])
    keep = (observed & known).to_numpy()
    counts = {
        "young_first_reports": len(index),
        "not_observed": int((~observed).sum()),
        "unknown_gender": int((observed & ~known).sum()),
        "study": int(keep.sum()),
        "reported_again": int(outcome[keep].sum()),
    }
    frame = _frame(index.loc[keep], config, n_earlier[keep], outcome[keep])
    return Cohort(frame, counts, follow_end, months)


def _frame(index: pd.DataFrame, config: Config, earlier: np.ndarray, outcome: np.ndarray) -> Any:
    kind = config.period
    ordinal = assign_periods(index["report_date"], kind=kind).to_numpy()
    levels, at = np.unique(ordinal, return_inverse=True)  # one Period per distinct period
    code = np.asarray([Period(kind, int(o)).code for o in levels], dtype=object)
    part = np.asarray([str(Period(kind, int(o)).index) for o in levels], dtype=object)
    edges = np.asarray(config.age_bands)
    labels = np.asarray(config.age_band_labels, dtype=object)
    band = labels[np.searchsorted(edges, index["age"].to_numpy(dtype=np.int64), side="right") - 1]
    return pd.DataFrame(
        {
            "person": index["person"].to_numpy(dtype=object),
            "report_date": index["report_date"].to_numpy(),
            "period": code[at],
            "age_band": band,
            "age": index["age"].to_numpy(dtype=np.int64),
            "gender": index["gender"].to_numpy(dtype=object),
            "offence": index["offence"].to_numpy(dtype=object),
            "detection": index["detection"].to_numpy(dtype=object),
            "area": index["area"].to_numpy(dtype=object),
            "period_of_year": part[at],
            "earlier_reports": _earlier_labels(earlier),
            "outcome": outcome.astype(np.int64),
        }
    )
