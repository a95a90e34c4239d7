"""The police's and the municipality's activities of the promise: ``--activity FILE``.

The promise lists what the police and the municipality do every tertial: safety walks
(trygghetsvandringar) in Skillingaryd and Vaggeryd, the EST working method, safety rounds at
hot spots and traffic operations. The activity file records what was done, one row per
activity and period (or day), so that the follow-up can show it and take police effort into
account (:mod:`risk_indicators.stats.effort`).

Columns (matched like the reports' columns: case, accents and spaces do not matter; the
Swedish names in brackets are accepted):

============  ==========  ===========================================================
column        required    meaning
============  ==========  ===========================================================
``period``    one of the  ``2024T1`` (of the config's kind) or a month ``2024-03``
[tertial]     two         (a month lies in one tertial, quarter and year)
``date``                  ISO date of the activity (``2024-03-17``); gives the period
[datum]
``area``      no          area of the municipality; empty: the whole municipality
[område]
``activity``  yes         ``trygghetsvandring``, ``trygghetsrunda``, ``hot_spot``, ``est``,
[aktivitet]               ``trafikinsats``, ``kontroll`` (spellings and plurals accepted),
                          or any other label, kept as written
``amount``    yes         a number >= 0 (decimal comma accepted)
[omfattning]
``unit``      yes         ``antal`` (a number of occasions) or ``timmar`` (hours)
[enhet]
============  ==========  ===========================================================

Decisions:

- A row that breaks a rule is never dropped or repaired: :func:`read_activity` raises one
  :class:`~risk_indicators.errors.SchemaError` that lists every problem with its spreadsheet
  row (header = row 1), column and reason. Unlike a police extract of thousands of rows, the
  activity file is short and kept by hand, and a row left out would lower its period's effort
  without anyone seeing it: fixing the row is cheap, skipping it is not.
- A row with both ``period`` and ``date`` must agree; a date after today is rejected (the file
  reports what was done, not what is planned).
- Rows repeating an earlier row exactly are counted (two walks of the same length on the same
  day are two walks) and said in a note.
- The effort of a period is the sum of its hours (:meth:`Activities.effort_hours`): activities
  counted in ``antal`` are shown in the report but cannot be added to hours. For the
  effort-adjusted trend the file must therefore give the hours of police presence of every
  period, ordinary patrol included (any label, e.g. ``patrull``), not only the special
  activities; a period without hours has an unknown effort.
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import numpy as np
import pandas as pd

from risk_indicators.config import Config, load_config
from risk_indicators.errors import SchemaError
from risk_indicators.periods import FREQ, Period, PeriodKind, assign_periods, parse_period

from .io import read_table
from .personnummer import PERSONNUMMER_PATTERN
from .schema import map_columns, normalise_token, scrub

__all__ = [
    "ACTIVITY_CODES",
    "COUNT_UNIT",
    "HOURS_UNIT",
    "PROMISED_ACTIVITIES",
    "UNIT_CODES",
    "Activities",
    "read_activity",
]

ACTIVITY_COLUMNS: dict[str, tuple[tuple[str, ...], bool]] = {
    "period": (("period", "tertial", "tidsperiod", "kvartal", "manad"), False),
    "date": (("date", "datum", "dag"), False),
    "area": (("area", "omrade"), False),
    "activity": (("activity", "aktivitet", "insats", "atgard", "typ"), True),
    "amount": (("amount", "omfattning", "mangd", "varde", "antal"), True),
    "unit": (("unit", "enhet"), True),
}

#: Known activities (normalised spellings -> code); any other label is kept as written.
ACTIVITY_CODES: dict[str, str] = {
    **dict.fromkeys(("trygghetsvandring", "trygghetsvandringar", "safety_walk"),
                    "trygghetsvandring"),
    **dict.fromkeys(("trygghetsrunda", "trygghetsrundor", "safety_round"), "trygghetsrunda"),
    **dict.fromkeys(("hot_spot", "hotspot", "hot_spots", "hotspots", "hot_spot_insats"),
                    "hot_spot"),
    **dict.fromkeys(("est", "effektiv_samordning_for_trygghet"), "est"),
    **dict.fromkeys(("trafikinsats", "trafikinsatser", "traffic_operation"), "trafikinsats"),
    **dict.fromkeys(("kontroll", "kontroller", "narkotikakontroll"), "kontroll"),
}  # fmt: skip
#: The two unit codes of a read activity file (CONTRACT 1.3): hours and a number of occasions.
HOURS_UNIT = "timmar"
COUNT_UNIT = "antal"
UNIT_CODES: dict[str, str] = {
    **dict.fromkeys(("antal", "st", "stycken", "count", "tillfallen", "ggr", "ganger"), COUNT_UNIT),
    **dict.fromkeys(("timmar", "timme", "tim", "h", "hours", "hour"), HOURS_UNIT),
}
#: What the promise lists (shared/seed): the activity and the areas it names (empty: the
#: municipality as a whole). ``hot_spot`` is the safety round at a hot spot.
PROMISED_ACTIVITIES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("trygghetsvandring", ("Skillingaryd", "Vaggeryd")),
    ("est", ()),
    ("trygghetsrunda", ()),
    ("hot_spot", ()),
    ("trafikinsats", ()),
)
WHOLE = "total"
_WHOLE_WORDS = {"", "total", "totalt", "hela_kommunen", "kommunen", "alla", "all", "whole"}
VALID_COLUMNS = ("row", "period", "date", "area", "activity", "unit", "amount")
_NUMBER = re.compile(r"^[+]?\d+(?:[.,]\d+)?$")
_TIME = re.compile(r"^(?:[T ]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$")


@dataclass(frozen=True)
class Activities:
    """The validated activity rows of one file.

    Attributes
    ----------
    valid
        One row per input row: ``row`` (spreadsheet row), ``period`` (code of the config's
        kind), ``date`` (ISO text or ``""``), ``area`` (``total`` for the whole
        municipality), ``activity`` (code or label), ``unit`` (``antal`` or ``timmar``),
        ``amount`` (float).
    kind
        The period kind (the config's).
    source, sha256
        The input file and its checksum.
    notes
        Remarks in plain words (rows repeated exactly).
    """

    valid: pd.DataFrame
    kind: str
    source: str
    sha256: str | None
    notes: tuple[str, ...] = field(default_factory=tuple)

    @property
    def accounting(self) -> dict[str, int]:
        """Rows read and used (every row is used, or the file is refused)."""
        return {"read": len(self.valid), "used": len(self.valid), "rejected": 0}

    @property
    def periods(self) -> list[str]:
        """The periods with at least one row, in time order."""
        codes = set(self.valid["period"])
        return sorted(codes, key=lambda c: parse_period(c).ordinal)

    @property
    def table(self) -> pd.DataFrame:
        """Amounts summed per ``period, area, activity, unit`` (``n`` = rows), in time order;
        ``area`` ``total`` rows are activities for the whole municipality (not sums)."""
        cols = ["period", "area", "activity", "unit"]
        if self.valid.empty:
            return pd.DataFrame(columns=[*cols, "amount", "n"])
        out = self.valid.groupby(cols, sort=False).agg(
            amount=("amount", "sum"), n=("amount", "size")
        )
        out = out.reset_index()
        order = out["period"].map(lambda c: parse_period(c).ordinal)
        return out.assign(_o=order).sort_values(["_o", "area", "activity", "unit"],
                                                kind="mergesort").drop(columns="_o")  # fmt: skip

    def effort_hours(self, periods: Sequence[str] | None = None) -> pd.Series:
        """Hours of every activity summed per period (all areas): the effort of a period.

        Parameters
        ----------
        periods
            Periods to report (default: those of the file); a period without any hours in
            the file is NaN (its effort is unknown), never 0.
        """
        hours = self.valid.loc[self.valid["unit"] == HOURS_UNIT].groupby("period")["amount"].sum()
        index = list(periods) if periods is not None else self.periods
        return hours.reindex(index).astype(float).rename("hours")

    def summary(self) -> str:
        """One line per period: the hours and the occasions."""
        lines = [f"{self.source}: {len(self.valid)} activity rows."]
        t = self.table
        for p in self.periods:
            part = t.loc[t["period"] == p]
            h = part.loc[part["unit"] == HOURS_UNIT, "amount"].sum()
            k = part.loc[part["unit"] == "antal", "amount"].sum()
            lines.append(f"{p}: {h:g} hours, {k:g} occasions")
        return "\n".join(lines)

    def plot(self, ax: Any = None) -> Any:
        """Hours per period, stacked by activity."""
        import matplotlib.pyplot as plt

        if ax is None:
            _, ax = plt.subplots(figsize=(7, 3.5))
        t = self.table.loc[lambda d: d["unit"] == HOURS_UNIT]
        wide = t.pivot_table(index="period", columns="activity", values="amount", aggfunc="sum")
        wide = wide.reindex(self.periods).fillna(0.0)
        bottom = np.zeros(len(wide))
        x = np.arange(len(wide))
        for name in wide.columns:
            ax.bar(x, wide[name].to_numpy(float), bottom=bottom, label=str(name))
            bottom += wide[name].to_numpy(float)
        ax.set_xticks(x, [str(p) for p in wide.index], rotation=90)
        ax.set_ylabel("hours")
        ax.legend(fontsize=8)
        return ax


def _period_of(text: str, kind: PeriodKind) -> tuple[str | None, str]:
    """(period code of the config's kind, "") or (None, reason) for a period cell."""
    try:
        p = parse_period(text)
    except ValueError as exc:
        return None, str(exc)
    if p.kind == kind:
        return p.code, ""
    if p.kind == "month":
        return _period_of_day(pd.Timestamp(p.start), kind), ""
    example = Period(kind, p.year * FREQ[kind]).code
    return None, (f"'{text}' is a {p.kind}, but the config's period is '{kind}'; give the "
                  f"{kind} (e.g. {example}), a month or a date")  # fmt: skip


def _period_of_day(day: pd.Timestamp, kind: PeriodKind) -> str:
    return Period(kind, int(assign_periods(pd.Series([day]), kind=kind).iloc[0])).code


def _amount(text: str) -> float | None:
    cleaned = text.replace("\u00a0", "").replace(" ", "")
    if not _NUMBER.match(cleaned):
        return None
    return float(cleaned.replace(",", "."))


def read_activity(
    path_or_frame: str | os.PathLike[str] | pd.DataFrame,
    *,
    config: Config | None = None,
    today: date | None = None,
) -> Activities:
    """Read and validate an activity file (CSV, XLSX or a DataFrame).

    Parameters
    ----------
    path_or_frame
        The file (read with :func:`risk_indicators.intake.read_table`) or a DataFrame.
    config
        The period kind and the configured areas (any area when none are configured).
    today
        Dates after this day are rejected (default: the real today).

    Returns
    -------
    Activities

    Raises
    ------
    SchemaError
        A required column is missing, the file has no rows, or any row breaks a rule; every
        problem is in ``failure_cases`` (``row, column, reason``) and the first few in the
        message (exit code 2).

    Examples
    --------
    >>> frame = pd.DataFrame({"Period": ["2024T1", "2024T1"], "Område": ["Vaggeryd", ""],
    ...     "Aktivitet": ["Trygghetsvandringar", "Patrull"], "Omfattning": ["2", "310,5"],
    ...     "Enhet": ["antal", "timmar"]})
    >>> acts = read_activity(frame)
    >>> acts.valid[["area", "activity", "amount", "unit"]].values.tolist()
    [['Vaggeryd', 'trygghetsvandring', 2.0, 'antal'], ['total', 'Patrull', 310.5, 'timmar']]
    >>> float(acts.effort_hours().loc["2024T1"])
    310.5
    """
    config = config or load_config()
    kind = config.period
    raw = read_table(path_or_frame, what="activity")
    cols = map_columns(list(raw.frame.columns), ACTIVITY_COLUMNS, source=raw.source)
    if "period" not in cols and "date" not in cols:
        raise SchemaError(
            f"{raw.source}: the activity file needs a column 'period' (e.g. 2024T1) or 'date' "
            "(e.g. 2024-03-17); it has neither. Add one of them (Swedish: tertial or datum).",
            pd.DataFrame({"row": [1], "column": ["period"], "reason": ["missing column"]}),
        )
    frame = raw.frame
    rows = (frame.index.to_numpy() + raw.row_offset).tolist()
    n = len(frame)

    def col(name: str) -> list[str]:
        if name not in cols:
            return [""] * n
        return [str(v).strip() for v in frame[cols[name]].fillna("").tolist()]

    problems: list[tuple[int, str, str]] = []
    today_ts = pd.Timestamp(today or date.today())
    out: dict[str, list[Any]] = {c: [] for c in VALID_COLUMNS}
    areas = {normalise_token(a): a for a in config.areas}
    for i, (ptext, dtext, atext, act, amt, unit) in enumerate(zip(
        col("period"), col("date"), col("area"), col("activity"), col("amount"), col("unit"),
        strict=True,
    )):  # fmt: skip
        row, bad = rows[i], len(problems)
        period = None
        if dtext:
            day = pd.to_datetime(dtext[:10], format="%Y-%m-%d", errors="coerce")
            if pd.isna(day) or not _TIME.match(dtext[10:]):
                problems.append((row, "date", f"'{scrub(dtext)[:40]}' is not an ISO date like "
                                 "2024-03-17"))  # fmt: skip
            elif day > today_ts:
                problems.append((row, "date", f"{dtext[:10]} lies after today; the file "
                                 "reports what was done"))  # fmt: skip
            else:
                period = _period_of_day(day, kind)
        if ptext:
            code, reason = _period_of(ptext, kind)
            if code is None:
                problems.append((row, "period", scrub(reason)))
            elif period is not None and code != period:
                problems.append((row, "period", f"'{ptext}' disagrees with the date {dtext[:10]} "
                                 f"(in {period}); correct one of them"))  # fmt: skip
            period = code if period is None else period
        elif not dtext:
            problems.append((row, "period", "no period or date; give the period (2024T1) or "
                             "the date"))  # fmt: skip
        token = normalise_token(atext)
        area = WHOLE if token in _WHOLE_WORDS else atext
        if PERSONNUMMER_PATTERN.search(atext):
            problems.append((row, "area", "looks like a personnummer; check the columns"))
        elif areas and area != WHOLE and token not in areas:
            problems.append((row, "area", f"'{atext[:40]}' is not a configured area "
                             f"({', '.join(config.areas)}); leave it empty for the whole "
                             "municipality"))  # fmt: skip
        elif areas and area != WHOLE:
            area = areas[token]
        code_act = ACTIVITY_CODES.get(normalise_token(act), act)
        if not act:
            problems.append((row, "activity", "empty; name the activity (e.g. trygghetsvandring)"))
        elif PERSONNUMMER_PATTERN.search(act):
            problems.append((row, "activity", "looks like a personnummer; check the columns"))
        value = _amount(amt)
        if value is None:
            problems.append((row, "amount", f"'{scrub(amt)[:40]}' is not a number >= 0 (e.g. 2 "
                             "or 3,5)"))  # fmt: skip
        code_unit = UNIT_CODES.get(normalise_token(unit))
        if code_unit is None:
            problems.append((row, "unit", f"'{scrub(unit)[:40]}' is not a unit; use antal "
                             "(occasions) or timmar (hours)"))  # fmt: skip
        if len(problems) == bad:
            for name, v in zip(VALID_COLUMNS, (row, period, dtext[:10], area, code_act,
                                               code_unit, value), strict=True):  # fmt: skip
                out[name].append(v)
    if problems or n == 0:
        table = pd.DataFrame(problems, columns=["row", "column", "reason"])
        first = "; ".join(f"row {r}, {c}: {m}" for r, c, m in problems[:5]) or "no data rows"
        more = f" and {len(problems) - 5} more" if len(problems) > 5 else ""
        raise SchemaError(
            f"{raw.source}: the activity file has {len(problems) or 'no'} problem"
            f"{'s' if len(problems) != 1 else ''} ({first}{more}). Fix the rows named and run "
            "again: no activity row is left out.",
            table,
        )
    valid = pd.DataFrame(out)
    valid["amount"] = valid["amount"].astype(float)
    repeated = int(valid.drop(columns="row").duplicated().sum())
    notes = ()
    if repeated:
        notes = (f"{raw.source}: {repeated} activity row(s) repeat an earlier row exactly; each "
                 "is counted as a separate activity.",)  # fmt: skip
    return Activities(valid, kind, raw.source, raw.sha256, notes)
