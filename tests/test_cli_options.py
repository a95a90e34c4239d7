"""Tests of the command line's own options (issue 19): ``-h``, ``--version``, ``--lang`` before
or after the command and from the config, choices checked, help without internal references.

Expected texts are written by hand; the version comes from the installed package's metadata
(``importlib.metadata``), not from our code.
"""

from __future__ import annotations

import re
from importlib.metadata import version
from pathlib import Path

import pytest

from tests.test_cli import AREAS_TOML, NAMED_SOURCE_TOML, invoke, valid_rows, write_csv

COMMANDS = ("demo", "run", "validate", "synth", "simulate", "model")


def test_version_flag_prints_the_installed_version() -> None:
    result = invoke("--version")
    assert result.exit_code == 0
    assert result.stdout.strip() == f"risk-indicators {version('risk_indicators')}"


@pytest.mark.parametrize("command", COMMANDS)
def test_short_help_and_no_internal_references(command: str) -> None:
    result = invoke(command, "-h")
    assert result.exit_code == 0, result.stdout + result.stderr
    assert "Usage:" in result.stdout
    # users have the README, not the team's CONTRACT; a flag takes no value
    assert "CONTRACT" not in result.stdout
    flag_rows = [line for line in result.stdout.splitlines()
                 if re.search(r"--(quiet|verbose|debug)\b", line)]  # fmt: skip
    assert len(flag_rows) == 3 and not any("<bool>" in row for row in flag_rows), flag_rows


def test_run_help_names_the_key_defaults_and_exit_codes() -> None:
    """Issue 19: what an analyst needs before the first run, in ``run --help``."""
    text = " ".join(invoke("run", "--help").stdout.split())
    for said in ("RISK_INDICATORS_KEY", "the last complete tertial",
                 "releases.sqlite beside the --out folder", "0 done", "2 usage error",
                 "130 interrupted"):  # fmt: skip
        assert said in text, said


@pytest.mark.parametrize(("args", "option"), [
    (("validate", "--reports", "r.csv", "--lang", "de"), "--lang"),
    (("--lang", "fi", "validate", "--reports", "r.csv"), "--lang"),
    (("synth", "--out", "x", "--scale", "regional"), "--scale"),
])  # fmt: skip
def test_choices_are_checked(args: tuple[str, ...], option: str) -> None:
    result = invoke(*args)
    assert result.exit_code == 2
    assert f"Invalid value for '{option}'" in result.stdout + result.stderr


def test_lang_before_the_command(tmp_path: Path) -> None:
    reports = write_csv(tmp_path / "r.csv", valid_rows(40))
    result = invoke("--lang", "sv", "validate", "--reports", reports)
    assert result.exit_code == 0, result.stdout + result.stderr
    assert "40 rows read, 40 usable, 0 rejected, 0 duplicates" in result.stdout


def _followup_title(tmp_path: Path, population: Path, config: str, *lang: str) -> str:
    (tmp_path / "config.toml").write_text(config, encoding="utf-8")
    out = tmp_path / "out"
    result = invoke(*lang, "run", "--reports", write_csv(tmp_path / "r.csv", valid_rows(60)),
                    "--population", population, "--config", tmp_path / "config.toml",
                    "--out", out, "-q")  # fmt: skip
    assert result.exit_code == 0, result.stdout + result.stderr
    return (out / "public" / "followup.md").read_text(encoding="utf-8").splitlines()[0]


@pytest.mark.usefixtures("key_env")
def test_config_language_is_used_unless_lang_is_given(tmp_path: Path,
                                                      population_file: Path) -> None:  # fmt: skip
    english = AREAS_TOML + 'language = "en"\n' + NAMED_SOURCE_TOML
    # the titles, by hand: "Citizen promise ..." in English, "Medborgarlöfte ..." in Swedish
    assert _followup_title(tmp_path, population_file, english).startswith("# Citizen")
    assert _followup_title(tmp_path, population_file, english, "--lang", "sv").startswith(
        "# Medborgarlöfte"
    )


@pytest.mark.usefixtures("key_env")
@pytest.mark.parametrize(("population", "code", "message"), [
    (None, 2, "The population file '{path}' was not found"),
    ("year,age_band,gender,population\n", 2, "the population file has no data rows"),
])  # fmt: skip
def test_missing_or_empty_population_is_a_clear_error(
    tmp_path: Path, population: str | None, code: int, message: str
) -> None:
    """Issue 19: no "Internal error (FileNotFoundError)", exit 3; the file is named."""
    path = tmp_path / "befolkning.csv"
    if population is not None:
        path.write_text(population, encoding="utf-8")
    result = invoke("run", "--reports", write_csv(tmp_path / "r.csv", valid_rows(40)),
                    "--population", path, "--out", tmp_path / "out")  # fmt: skip
    out = result.stdout + result.stderr
    assert result.exit_code == code, out
    assert message.format(path=path) in out and "Internal error" not in out
    assert not (tmp_path / "out" / "public").exists()


@pytest.mark.usefixtures("key_env")
def test_too_many_rejected_rows_are_listed_and_written(tmp_path: Path,
                                                       population_file: Path) -> None:  # fmt: skip
    """Issue 19: more than 5 % rejected rows stops the run, and the analyst still gets the
    list: printed, and every row in audit/rejected_rows.csv (nothing public)."""
    rows = valid_rows(40)
    for i in range(5):  # 5 of 45 = 11 % rejected; data rows 41-45 = spreadsheet rows 42-46
        bad = list(rows[i])
        bad[0], bad[3] = f"BAD-{i}", "Q9"
        rows.append(bad)
    out = tmp_path / "out"
    result = invoke("run", "--reports", write_csv(tmp_path / "r.csv", rows),
                    "--population", population_file, "--out", out)  # fmt: skip
    printed = result.stdout + result.stderr
    assert result.exit_code == 1, printed
    assert "5 of 45 rows were rejected, more than 5%" in printed
    assert re.search(r"gender\s+5\s+42, 43, 44, 45, 46", printed), printed
    listed = (out / "audit" / "rejected_rows.csv").read_text(encoding="utf-8").splitlines()
    assert [line.split(",")[0] for line in listed[1:]] == ["42", "43", "44", "45", "46"]
    assert "BAD-" not in "\n".join(listed) + printed  # raw ids never leave the reader
    assert not (out / "public").exists()


@pytest.mark.usefixtures("key_env")
@pytest.mark.parametrize(("source", "draft", "code", "warned"), [
    (None, False, 2, False),  # the package default: "antaget värde; ersätt det med ..."
    (None, True, 0, True),  # a trial release may use it, with a warning
    ("CAN:s drogvaneundersökning 2024, Jönköpings län", False, 0, False),
])  # fmt: skip
def test_placeholder_benchmark_source_is_refused_unless_draft(
    tmp_path: Path, population_file: Path, source: str | None, draft: bool, code: int,
    warned: bool,
) -> None:
    """Issue 19: the report quotes the benchmark's source; ``run`` refuses a placeholder for
    a release (exit 2, nothing written) and warns in a draft."""
    config = AREAS_TOML
    if source is not None:
        config += f'[gender_goal]\nbenchmark_source = "{source}"\n'
    (tmp_path / "config.toml").write_text(config, encoding="utf-8")
    result = invoke("run", "--reports", write_csv(tmp_path / "r.csv", valid_rows(40)),
                    "--population", population_file, "--config", tmp_path / "config.toml",
                    "--out", tmp_path / "out", "-q", *(["--draft"] if draft else []))  # fmt: skip
    assert result.exit_code == code, result.stdout + result.stderr
    assert ("Warning: The benchmark female share 0.35 comes with a placeholder source"
            in result.stderr) is warned  # fmt: skip
    if code == 2:
        assert "set gender_goal.benchmark_source" in result.stderr
        assert "--draft" in result.stderr
        assert not (tmp_path / "out").exists()


@pytest.mark.usefixtures("key_env")
def test_the_audit_reports_its_progress_unless_quiet(tmp_path: Path,
                                                     population_file: Path) -> None:  # fmt: skip
    """Issue 19: the long step says what it does (stderr); -q prints only errors. The
    suppression audit reports its rounds; the cell-key method (the default) says that it
    perturbs instead of auditing."""
    reports = write_csv(tmp_path / "r.csv", valid_rows(40))
    suppression = '\n[disclosure]\nmethod = "suppression"\n'
    (tmp_path / "config.toml").write_text(AREAS_TOML + NAMED_SOURCE_TOML + suppression,
                                          encoding="utf-8")  # fmt: skip
    (tmp_path / "cellkey.toml").write_text(AREAS_TOML + NAMED_SOURCE_TOML, encoding="utf-8")
    args = ("run", "--reports", reports, "--population", population_file)
    loud = invoke(*args, "--config", tmp_path / "config.toml", "--out", tmp_path / "a")
    quiet = invoke(*args, "--config", tmp_path / "config.toml", "--out", tmp_path / "b", "-q")
    perturbed = invoke(*args, "--config", tmp_path / "cellkey.toml", "--out", tmp_path / "c",
                       "--ledger", tmp_path / "cellkey.sqlite")  # one method per ledger
    for result in (loud, quiet, perturbed):
        assert result.exit_code == 0, result.stdout + result.stderr
    assert re.search(r"exact audit, round 1: \d+ counts hidden \(\d+ s\)", loud.stderr)
    assert "audit" not in quiet.stdout + quiet.stderr
    assert "counts perturbed by the cell-key method" in perturbed.stdout + perturbed.stderr
    assert "exact audit" not in perturbed.stderr


@pytest.mark.usefixtures("key_env")
def test_a_draft_is_marked_and_not_recorded_and_a_rerun_says_so(
    tmp_path: Path, population_file: Path
) -> None:
    """Issue 14 (ledger semantics): ``--draft`` is audited, marked in every JSON file and left
    out of the ledger; the same release run twice is recorded once, and the run says so."""
    import json
    import sqlite3

    reports = write_csv(tmp_path / "r.csv", valid_rows(40))
    (tmp_path / "config.toml").write_text(AREAS_TOML + NAMED_SOURCE_TOML, encoding="utf-8")
    ledger = tmp_path / "ledger.sqlite"
    args = ("run", "--reports", reports, "--population", population_file,
            "--config", tmp_path / "config.toml", "--ledger", ledger)  # fmt: skip

    def recorded() -> int:
        if not ledger.exists():
            return 0
        with sqlite3.connect(ledger) as con:
            tables = {r[0] for r in con.execute("select name from sqlite_master")}
            return con.execute("select count(*) from releases").fetchone()[0] if (
                "releases" in tables) else 0

    draft = invoke(*args, "--out", tmp_path / "d", "--draft")
    assert draft.exit_code == 0, draft.stdout + draft.stderr
    assert "Draft: not recorded in the release ledger ledger.sqlite." in draft.stdout
    assert "Draft, not for publication" in draft.stdout and "Safe to publish" not in draft.stdout
    for path in ("public/indicators.json", "internal/indicators.json", "audit/run.json"):
        assert json.loads((tmp_path / "d" / path).read_text(encoding="utf-8"))["draft"] is True
    assert recorded() == 0

    first = invoke(*args, "--out", tmp_path / "a")
    again = invoke(*args, "--out", tmp_path / "b")
    assert first.exit_code == 0 and again.exit_code == 0, first.stdout + again.stdout
    assert "as version 1 of" in first.stdout
    assert "already there with the same content, not recorded again" in again.stdout
    assert recorded() == 1
    assert "draft" not in json.loads((tmp_path / "a/public/indicators.json").read_text("utf-8"))


def test_a_terminal_gets_one_live_line_and_a_log_gets_lines(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Issue 19: on a terminal the steps and the audit's rounds share one live line (rich);
    elsewhere each is a printed line, so log files keep them."""
    import io
    import logging
    import sys

    from risk_indicators._cli_console import Console

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    steps = logging.getLogger("risk_indicators.progress")
    terminal = Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    console = Console(quiet=False, verbose=False)
    handlers = list(steps.handlers)
    with console.live():
        console.step("Disclosure audit ...")
        steps.info("  exact audit, round 1: 3 counts hidden (2 s)")
        console.say("Recorded.")
        assert steps.handlers != handlers  # the printed lines make way for the live line
    shown = terminal.getvalue()
    assert "Disclosure audit: exact audit, round 1: 3 counts hidden" in shown
    assert "(2 s)" not in shown  # the elapsed time has its own column
    assert "Recorded." in shown and "\x1b[" in shown  # above the line, with terminal codes
    assert steps.handlers == handlers  # put back

    log = io.StringIO()  # not a terminal
    monkeypatch.setattr(sys, "stderr", log)
    console = Console(quiet=False, verbose=False)
    with console.live():
        console.step("Disclosure audit ...")
        steps.info("  exact audit, round 1: 3 counts hidden (2 s)")
    assert capsys.readouterr().out == "Disclosure audit ...\n"
    assert log.getvalue() == "  exact audit, round 1: 3 counts hidden (2 s)\n"
