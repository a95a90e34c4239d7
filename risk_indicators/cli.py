"""The ``risk-indicators`` command line (CONTRACT 2): parsing and calling, nothing more.

Exit codes: 0 done; 1 the data failed; 2 usage error or unusable input; 3 internal error;
130 interrupted. Errors are printed as plain sentences; a traceback only with ``--debug``.
"""

from __future__ import annotations

import logging
import secrets
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer

from risk_indicators._cli_console import Console as _Console
from risk_indicators._cli_console import guard as _guard
from risk_indicators._cli_pipeline import run_pipeline as _run_pipeline
from risk_indicators._version import __version__
from risk_indicators.errors import UsageError

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    help="Follow-up of narcotics offences by age and gender, safe to publish.",
    context_settings={"help_option_names": ["-h", "--help"]},
)
log = logging.getLogger("risk_indicators")


class Language(StrEnum):
    """The report languages."""

    sv = "sv"
    en = "en"


class Scale(StrEnum):
    """The synthetic data's scale."""

    municipal = "municipal"
    national = "national"


#: ``--lang`` given before the command (``risk-indicators --lang en run ...``); the command's
#: own ``--lang`` wins, then this, then the config's ``language``.
_global_lang: Language | None = None

_LANG_HELP = "Report language; default: --lang before the command, else the config's language."
Lang = Annotated[Language | None, typer.Option("--lang", help=_LANG_HELP)]
# metavar "": a flag takes no value, so the help shows none
Quiet = Annotated[bool, typer.Option("-q", "--quiet", help="Print only errors.", metavar="")]
Verbose = Annotated[bool, typer.Option("-v", "--verbose", help="Print more detail.", metavar="")]
Debug = Annotated[
    bool, typer.Option("--debug", help="Show tracebacks of internal errors.", metavar="")
]
ConfigOpt = Annotated[
    Path | None,
    typer.Option("--config", help="TOML config (README, 'Configuration'); defaults otherwise."),
]


def _config(path: Path | None, lang: Language | None) -> Any:
    """The config, with the language of ``--lang`` when one was given (else the file's)."""
    from risk_indicators.config import load_config

    chosen = lang or _global_lang
    overrides = {"language": chosen.value} if chosen else {}
    return load_config(path, **overrides)


def _print_version(value: bool) -> None:
    if value:
        typer.echo(f"risk-indicators {__version__}")
        raise typer.Exit()


@app.callback()
def _main(
    lang: Lang = None,
    show_version: Annotated[
        bool,
        typer.Option("--version", help="Print the version and exit.", metavar="",
                     callback=_print_version, is_eager=True),
    ] = False,
) -> None:  # fmt: skip
    """Follow-up of narcotics offences by age and gender, safe to publish."""
    global _global_lang
    del show_version
    _global_lang = lang


@app.command()
def demo(
    out: Annotated[Path, typer.Option("--out", help="Output folder.")] = Path("reports/demo"),
    lang: Lang = None,
    quiet: Quiet = False,
    verbose: Verbose = False,
    debug: Debug = False,
) -> None:
    """The whole analysis on the bundled synthetic municipality (a fixed, public demo key)."""
    from risk_indicators.intake import DEMO_KEY
    from risk_indicators.riskmodel import demo_model_card
    from risk_indicators.synthetic import demo_data_dir

    console = _Console(quiet, verbose)

    def work() -> int:
        data = demo_data_dir()
        config = _config(data / "config.toml", lang)
        # the demo keeps its own ledger inside its folder and starts it afresh: synthetic
        # releases must never enter a municipality's real ledger beside reports/<period>
        demo_ledger = out / "releases.sqlite"
        demo_ledger.unlink(missing_ok=True)
        console.say(
            f"Demo on the synthetic municipality in {data} with the public demo key "
            "(never use it for real data)."
        )
        code = _run_pipeline(
            reports=data / "reports.csv",
            counts=None,
            population=data / "population.csv",
            config=config,
            period=None,
            out=out,
            key=DEMO_KEY,
            console=console,
            ledger=demo_ledger,
            activity=data / "activity.csv",
            placeholder="allow",  # synthetic data; the report says its benchmark is an example
        )
        if code == 0:  # issue 17: the research model card, beside the release
            console.say(demo_model_card(data / "reports.csv", config=config, out=out / "model",
                                        key=DEMO_KEY))  # fmt: skip
        return code

    _guard(debug, work)


_RUN_HELP = (
    "The analysis for period P from a reports file or an aggregated counts file.\n\n"
    "Key: the environment variable RISK_INDICATORS_KEY (the config's "
    "pseudonymisation.key_env names another), the same for every release on one ledger. "
    "Period: the last complete tertial in the reports unless --period. Ledger: "
    "releases.sqlite beside the --out folder unless --ledger or disclosure.ledger.\n\n"
    "Exit codes: 0 done; 1 the data or the disclosure audit failed (nothing published); "
    "2 usage error or unusable input, config or ledger; 3 internal error; 130 interrupted."
)


@app.command(help=_RUN_HELP)
def run(
    out: Annotated[Path, typer.Option("--out", help="Release folder, e.g. reports/2024T1.")],
    population: Annotated[Path, typer.Option("--population", help="Population file.")],
    reports: Annotated[Path | None, typer.Option("--reports", help="Reports file.")] = None,
    counts: Annotated[Path | None, typer.Option("--counts", help="Counts file.")] = None,
    config: ConfigOpt = None,
    period: Annotated[str | None, typer.Option("--period", help="e.g. 2024T1.")] = None,
    ledger: Annotated[Path | None, typer.Option("--ledger", help="Release ledger.")] = None,
    counts_parquet: Annotated[
        bool,
        typer.Option("--counts-parquet", help="Also write internal/counts.parquet.", metavar=""),
    ] = False,
    activity: Annotated[
        Path | None,
        typer.Option("--activity", help="Activities of the promise (police effort), CSV/XLSX."),
    ] = None,
    allow_incomplete: Annotated[
        bool,
        typer.Option(
            "--allow-incomplete",
            help="Accept a --period after the latest report (known to have none).",
            metavar="",
        ),
    ] = False,
    draft: Annotated[
        bool,
        typer.Option(
            "--draft",
            help="A trial release: audited, marked as a draft in every file, not recorded "
            "in the ledger; a placeholder benchmark source is then allowed (with a warning).",
            metavar="",
        ),
    ] = False,
    lang: Lang = None,
    quiet: Quiet = False,
    verbose: Verbose = False,
    debug: Debug = False,
) -> None:
    """The analysis for period P from a reports file or an aggregated counts file."""
    from risk_indicators.intake import key_from_env

    console = _Console(quiet, verbose)

    def work() -> int:
        if (reports is None) == (counts is None):
            raise UsageError("Give exactly one of --reports FILE or --counts FILE.")
        cfg = _config(config, lang)
        key = key_from_env(cfg.pseudonymisation.key_env) if reports is not None else None
        return _run_pipeline(
            reports=reports,
            counts=counts,
            population=population,
            config=cfg,
            period=period,
            out=out,
            key=key,
            console=console,
            ledger=ledger,
            counts_parquet=counts_parquet,
            allow_incomplete=allow_incomplete,
            activity=activity,
            draft=draft,
            placeholder="warn" if draft else "refuse",
        )

    _guard(debug, work)


@app.command()
def validate(
    reports: Annotated[Path, typer.Option("--reports", help="Reports file.")],
    population: Annotated[Path | None, typer.Option("--population")] = None,
    config: ConfigOpt = None,
    activity: Annotated[
        Path | None, typer.Option("--activity", help="Activity file to check too.")
    ] = None,
    lang: Lang = None,
    quiet: Quiet = False,
    verbose: Verbose = False,
    debug: Debug = False,
) -> None:
    """Check inputs and print a table of problems; writes nothing."""
    from risk_indicators.intake import problem_summary, read_activity

    console = _Console(quiet, verbose)

    def work() -> int:
        cfg = _config(config, lang)
        if activity is not None:  # a bad activity file is refused whole, every row named
            acts = read_activity(activity, config=cfg)
            console.say(f"{activity.name}: {len(acts.valid)} activity rows, no problems.")
        # a throw-away key: validate shows row numbers, never pseudonyms that outlive the run
        text, code = problem_summary(
            reports, population=population, config=cfg, key=secrets.token_bytes(32)
        )
        if code == 0:
            console.say(text)
        else:
            typer.echo(text, err=True)
        return code

    _guard(debug, work)


@app.command()
def synth(
    out: Annotated[Path, typer.Option("--out", help="Output folder.")],
    scale: Annotated[
        Scale, typer.Option("--scale", help="Size of the synthetic data.")
    ] = Scale.municipal,
    seed: Annotated[int, typer.Option("--seed", help="Random seed.")] = 20211001,
    years: Annotated[int | None, typer.Option("--years", help="Years up to 2025-08-31.")] = None,
    defects: Annotated[
        bool, typer.Option("--defects", help="Add marked defect rows.", metavar="")
    ] = False,
    lang: Lang = None,
    quiet: Quiet = False,
    verbose: Verbose = False,
    debug: Debug = False,
) -> None:
    """Write synthetic inputs and their ground truth (truth.json)."""
    from risk_indicators.synthetic import synth_command

    console = _Console(quiet, verbose)

    def work() -> int:
        files = synth_command(
            out,
            scale.value,  # type: ignore[arg-type]  # one of the Scale values
            seed,
            years,
            defects=defects,
            progress=console.say,
        )
        console.say(f"Wrote {len(files)} files to {out}.")
        return 0

    _guard(debug, work)


@app.command()
def simulate(
    replicates: Annotated[
        int, typer.Option("--replicates", min=10, help="Data sets per simulation cell.")
    ] = 2000,
    seed: Annotated[int, typer.Option("--seed", help="Random seed.")] = 20211001,
    lang: Lang = None,
    quiet: Quiet = False,
    verbose: Verbose = False,
    debug: Debug = False,
) -> None:
    """The validation study: bias, coverage, type-I error, power, false alarms."""
    from risk_indicators.synthetic import simulate_command

    def work() -> int:
        if quiet or not sys.stderr.isatty():
            typer.echo(simulate_command(replicates, seed, None))
            return 0
        with typer.progressbar(length=100, label="Simulating", file=sys.stderr) as bar:

            def tick(done: int, total: int) -> None:
                bar.update(round(100 * done / total) - bar.pos)

            text = simulate_command(replicates, seed, tick)
        typer.echo(text)
        return 0

    _guard(debug, work)


@app.command()
def model(
    out: Annotated[Path, typer.Option("--out", help="Output folder.")] = Path("reports/model"),
    reports: Annotated[Path | None, typer.Option("--reports", help="Reports file.")] = None,
    config: ConfigOpt = None,
    use_demo: Annotated[
        bool,
        typer.Option("--demo", help="The bundled synthetic municipality, demo key.", metavar=""),
    ] = False,
    models: Annotated[
        str, typer.Option("--models", help="logistic, boosting or both, comma separated.")
    ] = "logistic,boosting",
    truth: Annotated[
        Path | None, typer.Option("--truth", help="rereport_truth.csv of synthetic data.")
    ] = None,
    test_from: Annotated[
        str | None, typer.Option("--test-from", help="First test period, e.g. 2023T3.")
    ] = None,
    lang: Lang = None,
    quiet: Quiet = False,
    verbose: Verbose = False,
    debug: Debug = False,
) -> None:
    """Research: an early-identification risk indicator with a fairness audit (model card)."""
    from risk_indicators.errors import UsageError
    from risk_indicators.intake import DEMO_KEY, key_from_env, read_reports
    from risk_indicators.riskmodel import model_command
    from risk_indicators.synthetic import demo_data_dir

    console = _Console(quiet, verbose)

    def work() -> int:
        if use_demo == (reports is not None):
            raise UsageError("Give exactly one of --reports FILE or --demo.")
        data = demo_data_dir()
        path = data / "reports.csv" if use_demo or reports is None else reports
        cfg = _config(data / "config.toml" if use_demo and config is None else config, lang)
        key = DEMO_KEY if use_demo else key_from_env(cfg.pseudonymisation.key_env)
        records = read_reports(path, config=cfg, key=key)
        inputs = {"reports": {"file": path.name, "sha256": records.sha256}}
        result, files = model_command(
            records,
            config=cfg,
            out=out,
            models=models,
            truth=truth,
            test_from=test_from,
            inputs=inputs,
        )
        console.say(result.summary())
        console.say(f"Model card (safe to publish): {files[0]}; figures: {out / 'public'}.")
        return 0

    _guard(debug, work)


@app.command()
def version() -> None:
    """Print the package version."""
    typer.echo(__version__)


def main() -> None:
    """Entry point of the console script."""
    app(prog_name="risk-indicators")


if __name__ == "__main__":  # pragma: no cover
    main()
