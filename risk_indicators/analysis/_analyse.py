"""One analysis: records (or a counts table) and population -> cube -> every figure for P.

This module composes the cube (:mod:`risk_indicators.cube`), the statistics
(:mod:`risk_indicators.stats`) and the gender figures (:mod:`risk_indicators.fairness`), each
computed once, into an :class:`~risk_indicators.analysis.Analysis` with its figure table. It
computes nothing of its own except the choice of periods and ``new_persons_youth``, which
needs person-level rows.
"""

from __future__ import annotations

import os
from dataclasses import replace
from typing import Any

import pandas as pd

from risk_indicators.config import Config, load_config
from risk_indicators.cube import (
    PerturbationTable,
    attach_population,
    cube_from_counts,
    cube_from_person_periods,
    order_cube,
    person_periods,
    perturbed_count,
)
from risk_indicators.errors import InsufficientDataError, UsageError
from risk_indicators.fairness import gender_figures, goal_indicators
from risk_indicators.intake import Activities, Records, read_activity, read_counts, read_reports
from risk_indicators.periods import (
    Period,
    last_complete_period,
    parse_period,
    period_grid,
    window_label,
)
from risk_indicators.stats import Indicator, noise_variance, slice_indicators, youth_statistics

from ._effort import effort_part
from ._figures import figure_table
from ._periods import followup_windows
from ._person_cubes import person_cubes
from ._result import Analysis

__all__ = ["aggregate", "analyse", "analyse_counts"]

NEW_PERSON_LOOKBACK_MONTHS = 24


def _choose_period(first: Period, last_date: Any, requested: str | None, kind: str,
                   notes: list[str] | None = None,
                   allow_incomplete: bool = False) -> Period:  # fmt: skip
    """The analysed period: the default rule (:func:`last_complete_period`) or the requested
    one, which must overlap the data (a period after the last report would publish zeros that
    are not true: a usage error); a requested period the data end inside gets a note."""
    if requested is None:
        chosen = last_complete_period(last_date, kind=kind)  # type: ignore[arg-type]
        if chosen.ordinal < first.ordinal:  # the extract holds one period, not to its end
            chosen = chosen.shift(1)
            if notes is not None:
                notes.append(
                    f"The extract ends on {last_date}, before the end of its only period "
                    f"{chosen.code} ({chosen.end}): the period may be incomplete."
                )
            return chosen
        if notes is not None and chosen.end < last_date:
            notes.append(
                f"The latest report ({last_date}) falls in {chosen.shift(1).code}, which the "
                f"extract does not cover to its last day; the follow-up is for {chosen.code}. "
                f"Give the period to report a later one."
            )
        return chosen
    try:
        p = parse_period(requested)
    except ValueError as exc:
        raise UsageError(f"--period: {exc}") from None
    if p.kind != kind:
        raise UsageError(
            f"--period {requested} is a {p.kind}, but the config's period is '{kind}'. "
            f"Give a {kind} such as {Period(kind, p.year * Period(kind, 0).freq).code}."  # type: ignore[arg-type]
        )
    if p.ordinal < first.ordinal:
        raise UsageError(
            f"--period {requested} is before the first period in the data ({first.code}): give "
            f"{first.code} or a later period."
        )
    if last_date is not None and p.start > last_date and not allow_incomplete:
        default = _choose_period(first, last_date, None, kind)
        raise UsageError(
            f"--period {requested} starts after the latest report in the data ({last_date}): "
            f"its counts would all be 0 without being known. Give a period the extract covers "
            f"(the default is {default.code}), or --allow-incomplete when the extract is known "
            "to cover it without reports."
        )
    if notes is not None and last_date is not None and p.end > last_date:
        notes.append(
            f"The extract ends on {last_date}, before the end of {p.code} ({p.end}): the "
            f"period may be incomplete and its counts too low."
        )
    return p


def _areas(records: Records, config: Config) -> list[str]:
    if config.areas:
        return list(config.areas)
    return sorted(records.valid["area"].unique().tolist())


def aggregate(
    records: Records | str | os.PathLike[str],
    population: pd.DataFrame,
    *,
    config: Config | None = None,
    last_period: str | None = None,
    key: bytes | None = None,
) -> pd.DataFrame:
    """The cube of ``internal/counts.csv`` as a DataFrame (CONTRACT 3, 4).

    Parameters
    ----------
    records
        Validated records, or a reports file (read with :func:`read_reports`; Parquet files
        are read in batches).
    population
        From :func:`read_population`.
    config
        Run configuration.
    last_period
        Last period of the cube (default: the last period with data).
    key
        Pseudonymisation key when ``records`` is a file.
    """
    config = config or load_config()
    if not isinstance(records, Records):
        records = read_reports(records, config=config, key=key)
    areas = _areas(records, config)
    pp = person_periods(records.valid, config=config)
    # records read here are not needed for the cube: their ten million rows (frames of
    # 0.6 GB at national scale) are freed before the cells are counted, which had been the
    # intake's peak (a caller's records stay the caller's)
    del records
    kind = config.period
    first = Period(kind, int(pp["period"].min()))
    last = parse_period(last_period, kind) if last_period else Period(kind, int(pp["period"].max()))
    periods = period_grid(first, last)
    cube = cube_from_person_periods(pp, periods=periods, areas=areas, config=config)
    cube, _ = attach_population(cube, population, period_years={p.code: p.year for p in periods})
    return order_cube(
        cube,
        periods=[p.code for p in periods],
        areas=areas,
        age_bands=config.age_band_labels,
    )


def _new_persons_youth(
    pp: pd.DataFrame,
    period: Period,
    data_start: pd.Timestamp,
    config: Config,
    *,
    table: PerturbationTable | None = None,
) -> Indicator:
    """Youth persons in P with no used report in the 24 months before P starts (perturbed
    by ``table``, the cell-key method, when given: ``pp`` then has the record keys)."""
    start = pd.Timestamp(period.start)
    lookback = start - pd.DateOffset(months=NEW_PERSON_LOOKBACK_MONTHS)
    if data_start > lookback:
        return Indicator(
            "new_persons_youth",
            None,
            reason=f"not defined: the data start {data_start.date()}, later than "
            f"{lookback.date()} (24 months before {period.code})",
            uses=("new_youth",),
        )
    in_p = pp.loc[(pp["period"] == period.ordinal) & pp["age_band"].isin(config.youth_bands)]
    before = pp.loc[(pp["first_date"] < start) & (pp["last_date"] >= lookback), "person"]
    # a person's reports before P lie in earlier periods; last_date catches reports late in them
    fresh = in_p.loc[~in_p["person"].isin(set(before))]
    new = len(fresh) if table is None else perturbed_count(fresh, table)
    return Indicator("new_persons_youth", new, n=new, uses=("new_youth",))


def analyse(
    records_or_cube: Records | pd.DataFrame | str | os.PathLike[str],
    population: pd.DataFrame,
    *,
    period: str | None = None,
    config: Config | None = None,
    key: bytes | None = None,
    activity: Activities | pd.DataFrame | str | os.PathLike[str] | None = None,
    allow_incomplete: bool = False,
) -> Analysis:
    """Compute the indicators of CONTRACT 4 for period P (and the comparison scopes).

    Parameters
    ----------
    records_or_cube
        :class:`Records` (person level), a counts DataFrame (researcher mode, CONTRACT 1.3),
        or a reports file. A counts *file* goes to :func:`analyse_counts`: a file name cannot
        tell counts from reports.
    population
        From :func:`read_population`.
    period
        Period code such as ``"2024T1"``; default: the last complete period in the data.
    config
        Run configuration.
    key
        Pseudonymisation key when a reports file is given.
    activity
        The activities of the promise (:func:`risk_indicators.intake.read_activity`, or a
        file or DataFrame to read with it): police effort for the effort indicators. None:
        the effort is unknown.
    allow_incomplete
        Accept a ``period`` that starts after the latest report (the extract is known to
        cover it, without reports); otherwise that is a :class:`UsageError`, since its
        zeros would not be known.

    Examples
    --------
    >>> import risk_indicators as ri
    >>> frame = pd.DataFrame({"person_id": ["a", "b", "c"], "report_date": ["2024-01-05",
    ...     "2024-02-01", "2024-04-03"], "age": [17, 30, 19], "gender": ["K", "M", "M"],
    ...     "offence": ["innehav"] * 3})
    >>> pop = pd.DataFrame({"year": [2024] * 2, "age_band": ["15-17", "18-20"],
    ...     "gender": ["kvinna", "man"], "population": [300, 320]})
    >>> a = ri.analyse(ri.read_reports(frame, key=b"k" * 16), ri.read_population(pop),
    ...                period="2024T1")
    >>> a.indicators["persons_youth"]["value"], a.indicators["youth_share"]["n"]
    (2, 3)
    """
    config = config or load_config()
    if isinstance(records_or_cube, pd.DataFrame):
        return analyse_counts(records_or_cube, population, period=period, config=config,
                              activity=activity)  # fmt: skip
    records = (
        records_or_cube
        if isinstance(records_or_cube, Records)
        else read_reports(records_or_cube, config=config, key=key)
    )
    kind = config.period
    pp = person_periods(records.valid, config=config)
    first = Period(kind, int(pp["period"].min()))
    period_notes: list[str] = []
    chosen = _choose_period(first, records.last_date, period, kind, period_notes,
                            allow_incomplete)  # fmt: skip
    if chosen.ordinal < first.ordinal:
        raise InsufficientDataError(
            "The data end before the first complete period; give --period explicitly."
        )
    periods = period_grid(first, chosen)
    cubes = person_cubes(pp, population, periods=periods, areas=_areas(records, config),
                         config=config)  # fmt: skip
    cube, win, notes = cubes.cube, cubes.windows, cubes.notes
    results, labels = _scopes(cube, win, chosen, first, config)
    data_start = pd.Timestamp(first.start)
    results["period"]["new_persons_youth"] = _new_persons_youth(
        cubes.rows, chosen, data_start, config, table=cubes.table
    )
    detection = cubes.detection
    return _finish(
        period=chosen, config=config, cube=cube, windows=win, results=results, labels=labels,
        accounting=dict(records.accounting), inputs={"reports": records.sha256},
        notes=tuple(records.notes) + tuple(period_notes) + tuple(notes), mode="records",
        detection=detection,
        activities=_activities(activity, config), exact_counts=cubes.exact,
    )  # fmt: skip


def _finish(
    *,
    period: Period,
    config: Config,
    cube: pd.DataFrame,
    windows: pd.DataFrame | None,
    results: dict[str, dict[str, Indicator]],
    labels: dict[str, str],
    detection: pd.DataFrame | None,
    activities: Activities | None = None,
    **rest: Any,
) -> Analysis:
    """The statistics of the youth series and every gender figure (each once), then the
    figure table, into an :class:`Analysis`."""
    youth = youth_statistics(cube, period, config=config)
    results["period"]["youth_trend_annual_change"] = youth.trend_indicator
    fairness = gender_figures(cube, period, config=config, windows=windows, detection=detection)
    results["period"].update(goal_indicators(fairness))
    results["period"].update(_twelve_month_indicators(results))
    # issue 16: police effort (the activity file) and the detection split of the young
    effort, effort_indicators, effort_rows = effort_part(
        youth, activities=activities, detection=detection, period=period, config=config
    )
    results["period"].update(effort_indicators)
    figures = figure_table(
        period=period, config=config, results=results, labels=labels, youth=youth,
        fairness=fairness, cube_periods=[str(p) for p in cube["period"].unique()],
        areas=sorted({str(a) for a in cube["area"]}),
        windows=followup_windows(period, windows),
        noise_variance=noise_variance(cube, cells=len(config.youth_bands)),
    )  # fmt: skip
    if len(effort_rows):
        figures = pd.concat([figures, effort_rows], ignore_index=True)
    if activities is not None:
        rest["inputs"] = {**rest.get("inputs", {}), "activity": activities.sha256}
        rest["notes"] = (*rest.get("notes", ()), *activities.notes)
    return Analysis(period=period, config=config, cube=cube, windows=windows, results=results,
                    labels=labels, figures=figures, youth=youth, fairness=fairness,
                    detection=detection, effort=effort, activities=activities,
                    **rest)  # fmt: skip


def _activities(
    activity: Activities | pd.DataFrame | str | os.PathLike[str] | None, config: Config
) -> Activities | None:
    if activity is None or isinstance(activity, Activities):
        return activity
    return read_activity(activity, config=config)


#: Figures of the 12 months ending with P that the goal rests on, also among P's indicators.
TWELVE_MONTH_IDS = {"female_share_youth_12m": "female_share_youth",
                    "rate_ratio_female_male_youth_12m": "rate_ratio_female_male_youth"}  # fmt: skip


def _twelve_month_indicators(results: dict[str, dict[str, Indicator]]) -> dict[str, Indicator]:
    """``female_share_youth_12m`` and ``rate_ratio_female_male_youth_12m``: the rolling
    12-month scope's figures under P's own ids (Wilson and Katz intervals; distinct persons
    of the 12 months); not defined in counts mode, which has no 12-month windows."""
    rolling = results.get("rolling_12_months")
    out = {}
    for new_id, source in TWELVE_MONTH_IDS.items():
        if rolling is None:
            out[new_id] = Indicator(new_id, None, reason="not defined: the 12-month figures "
                                    "need person-level rows (counts mode)")  # fmt: skip
        else:
            out[new_id] = replace(rolling[source], id=new_id)
    return out


def _scopes(
    cube: pd.DataFrame,
    windows: pd.DataFrame | None,
    chosen: Period,
    first: Period,
    config: Config,
) -> tuple[dict[str, dict[str, Indicator]], dict[str, str]]:
    results = {"period": slice_indicators(cube, chosen.code, config=config)}
    labels = {"period": chosen.code}
    last_year = chosen.shift(-chosen.freq)
    if last_year.ordinal >= first.ordinal:
        results["same_period_last_year"] = slice_indicators(cube, last_year.code, config=config)
        labels["same_period_last_year"] = last_year.code
    if windows is not None and window_label(chosen) in set(windows["period"]):
        label = window_label(chosen)
        results["rolling_12_months"] = slice_indicators(windows, label, config=config)
        labels["rolling_12_months"] = label
    return results, labels


def analyse_counts(
    counts: pd.DataFrame | str | os.PathLike[str],
    population: pd.DataFrame,
    *,
    period: str | None,
    config: Config,
    activity: Activities | pd.DataFrame | str | os.PathLike[str] | None = None,
) -> Analysis:
    """The indicators of CONTRACT 4 from an aggregated counts table or file (CONTRACT 1.3).

    Everything that counts allow: no rolling 12 months and no ``new_persons_youth`` (they
    need person-level rows); ``goal_status`` sums the periods of the last 12 months. The
    cell-key method needs each person's record key, so counts are protected by suppression
    whatever ``disclosure.method`` says (the notes say so).
    """
    method_note = ()
    if config.disclosure.method == "cell_key":
        config = replace(config, disclosure=replace(config.disclosure, method="suppression"))
        method_note = ("counts mode: the cell-key method needs person rows, so the release "
                       "uses suppression",)  # fmt: skip
    table = read_counts(counts, config=config)
    kind = table.kind
    periods = table.periods
    first, last = periods[0], periods[-1]
    chosen = _choose_period(first, last.end, period, kind) if period else last
    periods = period_grid(first, chosen)
    areas = table.areas
    years = {p.code: p.year for p in periods}
    full = cube_from_counts(table.data, periods=[q.code for q in table.periods],
                            areas=table.areas, age_bands=config.age_band_labels,
                            source=table.source)  # fmt: skip
    cube = full.loc[full["period"].isin(list(years))]
    cube, notes = attach_population(cube, population, period_years=years)
    cube = order_cube(cube, periods=list(years), areas=areas, age_bands=config.age_band_labels)
    results, labels = _scopes(cube, None, chosen, first, config)
    persons = int(
        full.loc[
            (full["area"] == "total") & (full["age_band"] == "total") & (full["gender"] == "total"),
            "persons",
        ].sum()
    )
    return _finish(
        period=chosen, config=config, cube=cube, windows=None, results=results, labels=labels,
        accounting={"read": table.rows, "used": table.rows, "rejected": 0, "duplicates": 0},
        inputs={"counts": table.sha256},
        notes=(*tuple(notes), f"counts mode: {persons} person-periods in the table",
               *method_note),
        mode="counts", detection=None, activities=_activities(activity, config),
    )  # fmt: skip
