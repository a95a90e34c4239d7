"""``risk-indicators validate``: a short table of input problems, nothing written.

The table has one line per kind of problem: the check, the column, how many rows, and up to
five example spreadsheet rows. Values are never echoed for ``person_id``; anything that looks like a
personnummer is masked in every message (:func:`risk_indicators.intake.schema.scrub`).
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from risk_indicators.config import Config

from .io import read_table
from .pseudonymise import Pseudonymiser
from .records import MAX_REJECTED_SHARE, read_population, validate_reports
from .schema import scrub

__all__ = ["problem_summary", "problem_table"]

#: Example rows shown per kind of problem (the full list is in audit/rejected_rows.csv).
EXAMPLES = 5


# A reason that rejects a value starts "<column> '<value>' is not|unknown ..." (the value may
# itself hold quotes: the last "' is " ends it) or, for a number, "<column> <value> is outside".
# A fixed name (``area 'total' is reserved``) is not a value and stays.
_VERDICT = r"(?= is (?:not|unknown|outside)\b)"
_QUOTED_VALUE = re.compile(rf"^(\w+) '.*?'{_VERDICT}(?!.*' is )", re.DOTALL)
_NUMBER_VALUE = re.compile(rf"^(\w+) [-+.\d][^;]*?{_VERDICT}", re.DOTALL)
_ROW = re.compile(r"\brow \d+")


def _check_name(reason: str) -> str:
    """The reason with the rejected value (and a row it refers to) masked, so equal checks
    group: ``gender 'Z' is unknown; ...`` -> ``gender '…' is unknown; ...``.

    Only the value part is masked: limits (``before 1950``, ``0-110``) and the names in the
    fix (``add it to 'areas' in the config``) are the same for every row and stay.
    """
    text = _QUOTED_VALUE.sub(r"\1 '…'", reason, count=1)
    if text == reason:
        text = _NUMBER_VALUE.sub(r"\1 …", reason, count=1)
    return _ROW.sub("row …", text)


def problem_table(problems: pd.DataFrame) -> str:
    """One line per kind of problem: the check, the column, how many rows, example rows.

    ``problems`` are rejected rows (columns ``row``, ``column``, ``reason``, ``status``)."""
    grouped = (
        problems.assign(check=problems["reason"].map(_check_name))
        .groupby(["status", "column", "check"], sort=False)["row"]
        .agg(count="nunique",
             examples=lambda r: ", ".join(map(str, sorted(set(r))[:EXAMPLES])))
        .reset_index()
        .sort_values("count", ascending=False, kind="mergesort")
    )  # fmt: skip
    table = pd.DataFrame(
        {
            "check": grouped["check"],
            "column": grouped["column"],
            "rows": grouped["count"],
            "examples (rows)": grouped["examples"],
        }
    )
    return scrub(table.to_string(index=False))


def problem_summary(
    reports: Path,
    *,
    population: Path | None,
    config: Config,
    key: bytes,
) -> tuple[str, int]:
    """Validate the inputs; return the printable summary and the exit code (0, 1)."""
    raw = read_table(reports, what="reports")
    records = validate_reports(raw, config=config, pseudonymiser=Pseudonymiser(key))
    acc = records.accounting
    lines = [
        f"{raw.source}: {acc['read']} rows read, {acc['used']} usable, {acc['rejected']} "
        f"rejected, {acc['duplicates']} duplicates."
    ]
    problems = records.rejected
    if len(problems):
        lines.append(problem_table(problems))
    if population is not None:
        pop = read_population(population, config=config)
        lines.append(
            f"{population.name}: population for {pop['year'].nunique()} years "
            f"({pop['year'].min()}-{pop['year'].max()}), {int(pop['population'].sum())} "
            "person-years."
        )
    code = 0
    if acc["read"] == 0:
        lines.append("The file has no data rows: nothing to analyse.")
        code = 1
    elif acc["used"] == 0 or acc["rejected"] > MAX_REJECTED_SHARE * acc["read"]:
        lines.append(
            f"Too many rejected rows (more than {MAX_REJECTED_SHARE:.0%}): 'run' would fail. "
            "Fix the rows listed above."
        )
        code = 1
    elif len(problems):
        lines.append("'run' will leave the rejected rows out and list them in the audit.")
    else:
        lines.append("No problems found.")
    return scrub("\n".join(lines)), code
