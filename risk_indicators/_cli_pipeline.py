"""One run of the pipeline for ``risk-indicators run`` and ``demo`` (private to ``cli``):
read, analyse, protect and write the release, saying what happens on the console."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any, Literal

import typer

from risk_indicators._cli_console import Console
from risk_indicators.errors import ConfigError, UsageError

__all__ = ["read_or_list_problems", "run_pipeline"]


def run_pipeline(
    *,
    reports: Path | None,
    counts: Path | None,
    population: Path,
    config: Any,
    period: str | None,
    out: Path,
    key: bytes | None,
    console: Console,
    ledger: Path | None = None,
    counts_parquet: bool = False,
    activity: Path | None = None,
    allow_incomplete: bool = False,
    draft: bool = False,
    placeholder: Literal["allow", "warn", "refuse"] = "warn",
) -> int:
    """Read, analyse, protect and write one release; the exit code.

    ``placeholder`` says what a placeholder benchmark source does: ``run`` refuses it for a
    release (a published report must name its survey) and warns in a draft; the demo, on
    synthetic data, allows it.
    """
    from risk_indicators._atomic import sha256_file
    from risk_indicators.analysis import analyse, analyse_counts
    from risk_indicators.intake import read_activity, read_population
    from risk_indicators.release import check_release_target, ledger_path, write_release

    with console.live():
        timings: dict[str, float] = {}
        t0 = time.perf_counter()
        pop = read_population(population, config=config)  # first: it names a missing file
        _check_benchmark_source(config.gender_goal, placeholder, console)
        inputs: dict[str, Any] = {
            "population": {"file": population.name, "sha256": sha256_file(population)}
        }
        activities = None
        if activity is not None:  # issue 16: police effort; without it the effort is unknown
            activities = read_activity(activity, config=config)
            inputs["activity"] = {"file": activity.name, "sha256": activities.sha256}
            console.detail(f"Read {len(activities.valid)} activity rows from {activity.name}.")
        records = None
        ledger_file = ledger or ledger_path(out, config.disclosure.ledger)
        if reports is None:  # fail before the long work; with reports once the key is known
            check_release_target(out, ledger=ledger_file)
        if reports is not None:
            console.step(f"Reading and checking {reports.name} ...")
            records = read_or_list_problems(reports, config=config, key=key, out=out,
                                             console=console)  # fmt: skip
            check_release_target(out, ledger=ledger_file, key_fingerprint=records.key_fingerprint)
            inputs["reports"] = {"file": reports.name, "sha256": records.sha256}
            timings["read"] = time.perf_counter() - t0
            console.detail(f"Read {records.accounting} from {reports.name}.")
            console.step("Analysis ...")
            result = analyse(records, pop, period=period, config=config, activity=activities,
                             allow_incomplete=allow_incomplete)  # fmt: skip
        elif counts is not None:
            inputs["counts"] = {"file": counts.name, "sha256": sha256_file(counts)}
            timings["read"] = time.perf_counter() - t0
            result = analyse_counts(counts, pop, period=period, config=config, activity=activities)
        else:
            raise UsageError("Give exactly one of --reports FILE or --counts FILE.")
        timings["analyse"] = time.perf_counter() - t0 - timings["read"]
        console.step("Disclosure audit ..." if not result.perturbed else
                     "Disclosure control: counts perturbed by the cell-key method ...")  # fmt: skip
        write_release(
            result,
            out,
            records=records,
            timings=timings,
            inputs=inputs,
            ledger=ledger_file,
            counts_parquet=counts_parquet,
            draft=draft,
            on_record=console.say,
        )
    acc = result.accounting
    console.say(
        f"{config.municipality} {result.period.code}: {acc['used']} of {acc['read']} rows used "
        f"({acc['rejected']} rejected, {acc['duplicates']} duplicates)."
    )
    ind = result.indicators
    if result.perturbed:  # the cell-key method: the exact counts, not the noise
        from risk_indicators.stats import slice_indicators

        ind = {k: v.to_json() for k, v in slice_indicators(
            result.exact_counts, result.period.code, config=result.config).items()}  # fmt: skip
    persons, youth = ind["persons"]["value"], ind["persons_youth"]["value"]
    console.say(f"Persons {persons}, of whom youth {youth} (internal figures, exact, not for "
                "publication).")  # fmt: skip
    if draft:
        console.say(f"Draft, not for publication: {out / 'public'} (every file says so).")
    else:
        console.say(f"Safe to publish: {out / 'public'} (report.html, report.xlsx, followup.html).")
    console.say(f"For the analysts only: {out / 'internal'}; audit trail: {out / 'audit'}.")
    return 0


def _check_benchmark_source(goal: Any, placeholder: str, console: Console) -> None:
    if not goal.source_is_placeholder or placeholder == "allow":
        return
    said = (
        f"The benchmark female share {goal.benchmark_female_share:g} comes with a placeholder "
        f"source ('{goal.benchmark_source}'), which the report would quote as written: set "
        "gender_goal.benchmark_source (and benchmark_female_share) in the config to the "
        "drug-use survey you use"
    )
    if placeholder == "refuse":
        raise ConfigError(f"{said}, or make a trial release with --draft.")
    console.warn(f"{said}.")


def read_or_list_problems(reports: Path, *, config: Any, key: bytes | None, out: Path,
                           console: Console) -> Any:  # fmt: skip
    """The records; when too many rows are rejected, the list of problems is printed and
    written to ``<out>/audit/rejected_rows.csv`` (no public file) before the run stops."""
    from risk_indicators._atomic import write_csv
    from risk_indicators.errors import RejectedRowsError
    from risk_indicators.intake import problem_table, read_reports

    try:
        return read_reports(reports, config=config, key=key)
    except RejectedRowsError as error:
        listed = out / "audit" / "rejected_rows.csv"
        listed.parent.mkdir(parents=True, exist_ok=True)
        write_csv(error.rejected, listed)
        typer.echo(problem_table(error.rejected), err=True)
        raise RejectedRowsError(f"{error} Every rejected row and its reason: {listed}.",
                                error.rejected) from None  # fmt: skip

