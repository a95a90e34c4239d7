"""Every municipality of a national cube in one call: indicators, trends and fairness.

:func:`analyse_all` splits a national cube (``area`` = municipality) into one cube per
municipality, in which the municipality's rows become the ``total`` area, and computes for
each the figures of CONTRACT 4 that counts allow (as :func:`analyse_counts` does): the
count and rate indicators of :func:`risk_indicators.stats.slice_indicators`, the youth trend of
:func:`risk_indicators.stats.youth_statistics` (its quasi-Poisson trend, without the
comparison and alarms) and the female-share trend and goal status of
:func:`risk_indicators.fairness.gender_goal_indicators`. The municipalities are batched over
forked worker processes (the fits are statsmodels GLMs, which hold the interpreter lock); the
result does not depend on the number of workers.

Counts mode rules apply: no rolling 12 months and no ``new_persons_youth``; ``goal_status``
sums the periods of the last 12 months (a national cube holds periods only).
"""

from __future__ import annotations

import os
import sys
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from risk_indicators._params import InstanceOf, Interval, check_param
from risk_indicators.config import Config, load_config
from risk_indicators.cube import attach_population
from risk_indicators.errors import UsageError
from risk_indicators.fairness import gender_goal_indicators
from risk_indicators.periods import Period, parse_period
from risk_indicators.stats import (
    Indicator,
    YouthStatistics,
    poisson_trend,
    slice_indicators,
    youth_series,
)

__all__ = ["NationalAnalysis", "analyse_all"]

TOTAL = "total"
TABLE_COLUMNS = ("area", "indicator", "estimate", "ci_low", "ci_high", "n", "reason")


@dataclass(frozen=True)
class NationalAnalysis:
    """The result of :func:`analyse_all`.

    Attributes
    ----------
    period
        The analysed period.
    table
        Tidy: one row per municipality and indicator, ``area, indicator, estimate, ci_low,
        ci_high, n, reason`` (``estimate`` is a float; ``goal_status`` is in ``reason``'s
        sibling column ``status``).
    status
        ``goal_status`` of each municipality (index ``area``).
    """

    period: Period
    table: pd.DataFrame
    status: pd.Series

    def wide(self, column: str = "estimate") -> pd.DataFrame:
        """One row per municipality, one column per indicator."""
        return self.table.pivot(index="area", columns="indicator", values=column)

    def summary(self) -> str:
        """A few lines: municipalities, and the spread of the youth rate and trend."""
        wide = self.wide()
        lines = [f"{len(wide)} municipalities, period {self.period.code}"]
        for name in ("youth_rate_per_10k", "youth_trend_annual_change", "female_share_youth"):
            if name in wide:
                v = wide[name].dropna()
                if len(v):
                    lines.append(
                        f"{name}: median {v.median():.3g} (10-90 %: {v.quantile(0.1):.3g} to "
                        f"{v.quantile(0.9):.3g}), {len(v)} defined"
                    )
        counts = self.status.value_counts()
        lines.append("goal_status: " + ", ".join(f"{k} {v}" for k, v in counts.items()))
        return "\n".join(lines)

    def plot(self, ax: Any = None, *, indicator: str = "youth_rate_per_10k") -> Any:
        """Municipalities sorted by ``indicator`` with their 95 % intervals."""
        import matplotlib.pyplot as plt

        if ax is None:
            _, ax = plt.subplots(figsize=(6, 4))
        rows = self.table.loc[self.table["indicator"] == indicator].dropna(subset=["estimate"])
        rows = rows.sort_values("estimate")
        x = np.arange(len(rows))
        ax.vlines(x, rows["ci_low"], rows["ci_high"], color="0.7", linewidth=0.8)
        ax.plot(x, rows["estimate"], ".", markersize=3)
        ax.set_xlabel("municipality (sorted)")
        ax.set_ylabel(indicator)
        ax.set_title(f"{indicator}, {self.period.code}")
        return ax


def _one(cube: pd.DataFrame, period: Period, config: Config) -> dict[str, Indicator]:
    """The indicators of one municipality's cube (its area relabelled ``total``)."""
    out = slice_indicators(cube, period.code, config=config)
    # the trend of youth_statistics without its comparison and alarms (not figures here)
    series = youth_series(cube, config=config).loc[: period.code]
    has_pop = bool(series["population"].notna().all() and (series["population"] > 0).all())
    trend = poisson_trend(
        series["persons"],
        population=series["population"].astype(float) if has_pop else None,
        freq=period.freq,
    )
    youth = YouthStatistics(series, trend, pd.DataFrame(), None, "")
    out["youth_trend_annual_change"] = youth.trend_indicator
    out.update(gender_goal_indicators(cube, period.code, config=config))
    return out


def _rows(area: str, results: dict[str, Indicator]) -> list[tuple[Any, ...]]:
    rows = []
    for name, ind in results.items():
        value = ind.value
        number = float(value) if isinstance(value, int | float) and value is not None else None
        text = str(value) if isinstance(value, str) else ""
        rows.append((area, name, number, ind.ci_low, ind.ci_high, ind.n, ind.reason, text))
    return rows


_JOB: dict[str, Any] = {}


def _work(indices: Sequence[int]) -> list[tuple[Any, ...]]:
    parts, period, config = _JOB["parts"], _JOB["period"], _JOB["config"]
    out: list[tuple[Any, ...]] = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        for i in indices:
            area, cube = parts[i]
            out.extend(_rows(area, _one(cube, period, config)))
    return out


def _workers(requested: int | None) -> int:
    if requested is not None:
        return requested
    env = os.environ.get("RISK_INDICATORS_THREADS", "").strip()
    if env.isdigit() and int(env) >= 1:
        return int(env)
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return 1


def analyse_all(
    cube: pd.DataFrame,
    population: pd.DataFrame | None = None,
    *,
    period: str,
    by: str = "area",
    config: Config | None = None,
    workers: int | None = None,
    progress: bool | None = None,
) -> NationalAnalysis:
    """Indicators, trends and fairness for every municipality of a national cube.

    Parameters
    ----------
    cube
        The cube of :func:`risk_indicators.aggregate` (or of a counts table), ``area`` being
        the municipality, with margins. Without a ``population`` column, ``population`` is
        attached (:func:`risk_indicators.cube.attach_population`).
    population
        From :func:`risk_indicators.read_population`, with ``area`` = municipality; needed
        only when the cube has no population.
    period
        The period to analyse, e.g. ``"2025T1"``.
    by
        The key that holds the municipality; only ``"area"``.
    config
        Run configuration (period kind, youth bands, goal).
    workers
        Processes (default: the usable cores, or ``RISK_INDICATORS_THREADS``); 1 runs in
        this process. Workers are forked, so other platforms run in this process.
    progress
        Print progress to standard error; default: when it is a terminal.

    Returns
    -------
    NationalAnalysis

    Examples
    --------
    >>> import risk_indicators as ri
    >>> frame = pd.DataFrame({"person_id": ["a", "b", "c", "d"],
    ...     "report_date": ["2024-01-05", "2024-02-01", "2024-03-03", "2024-02-09"],
    ...     "age": [17, 19, 30, 16], "gender": ["K", "M", "M", "M"],
    ...     "offence": ["innehav"] * 4, "area": ["A", "A", "B", "B"]})
    >>> pop = pd.DataFrame({"year": 2024, "age_band": ["15-17", "18-20", "30-39"] * 2,
    ...     "gender": ["kvinna", "man", "man"] * 2, "population": 300,
    ...     "area": ["A"] * 3 + ["B"] * 3})
    >>> cube = ri.aggregate(ri.read_reports(frame, key=b"k" * 16), ri.read_population(pop))
    >>> result = ri.analyse_all(cube, period="2024T1", workers=1, progress=False)
    >>> result.wide().loc[["A", "B"], "persons_youth"].tolist()
    [2.0, 1.0]
    """
    config = config or load_config()
    check_param(cube, InstanceOf(pd.DataFrame), name="cube", func="analyse_all")
    if by != "area":
        raise UsageError(f"The 'by' parameter of analyse_all must be 'area'. Got {by!r} instead.")
    if workers is not None:
        check_param(workers, Interval(int, 1, None), name="workers", func="analyse_all")
    try:
        chosen = parse_period(period, config.period)
    except ValueError as exc:
        raise UsageError(f"analyse_all: {exc}") from None
    if "population" not in cube.columns:
        if population is None:
            raise UsageError(
                "analyse_all: the cube has no population column; pass population= (from "
                "ri.read_population, with area = municipality)."
            )
        years = {p: parse_period(p, config.period).year for p in cube["period"].unique()}
        cube, _ = attach_population(cube, population, period_years=years)
    ordinal = {p: parse_period(p, config.period).ordinal for p in cube["period"].unique()}
    cube = cube.loc[cube["period"].map(ordinal) <= chosen.ordinal]
    if chosen.code not in set(cube["period"]):
        raise UsageError(f"analyse_all: the cube has no period {chosen.code}.")
    inner = cube.loc[cube["area"] != TOTAL]
    parts = [
        (str(area), rows.assign(area=TOTAL).reset_index(drop=True))
        for area, rows in inner.groupby("area", sort=True, observed=True)
    ]
    show = sys.stderr.isatty() if progress is None else progress
    n_workers = min(_workers(workers), max(len(parts), 1), 8)
    _JOB.update(parts=parts, period=chosen, config=config)
    try:
        rows = _run(len(parts), n_workers, show)
    finally:
        _JOB.clear()
    table = pd.DataFrame(rows, columns=[*TABLE_COLUMNS, "status"])
    status = table.loc[table["indicator"] == "goal_status"].set_index("area")["status"]
    table = table.loc[table["indicator"] != "goal_status", list(TABLE_COLUMNS)]
    table = table.astype({"estimate": "float64", "ci_low": "float64", "ci_high": "float64"})
    return NationalAnalysis(chosen, table.reset_index(drop=True), status.rename("goal_status"))


def _run(n: int, n_workers: int, show: bool) -> list[tuple[Any, ...]]:
    """All municipalities, in batches, on ``n_workers`` forked processes, in area order."""
    batches = [list(range(i, min(i + 8, n))) for i in range(0, n, 8)]
    out: list[tuple[Any, ...]] = []

    def report(done: int) -> None:
        if show:
            print(f"\ranalyse_all: {done}/{n} municipalities", end="", file=sys.stderr)

    if n_workers == 1 or not hasattr(os, "fork"):
        for k, b in enumerate(batches):
            out.extend(_work(b))
            report(min((k + 1) * 8, n))
    else:
        import multiprocessing as mp

        with warnings.catch_warnings():
            # forking a threaded process: the workers only compute, taking no shared lock
            warnings.filterwarnings("ignore", category=DeprecationWarning, message=".*fork.*")
            pool = mp.get_context("fork").Pool(n_workers)
        try:
            for k, rows in enumerate(pool.imap(_work, batches)):
                out.extend(rows)
                report(min((k + 1) * 8, n))
        finally:
            pool.close()
            pool.join()
    if show:
        print(file=sys.stderr)
    return out
