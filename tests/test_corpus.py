"""The bad-input corpus: every kind of broken input in ``tests/data/bad/cases.toml``.

Each kind names its input files (small hand-made files under ``tests/data/bad/<kind>/``, or a
file built here when it is binary or large), the command, the expected exit code and the
fragments the message must hold: the file, the row and/or the column, and the fix. The CLI
runs in-process through ``typer.testing.CliRunner`` on ``risk_indicators.cli.app``, as in
``tests/test_cli.py``. Kinds where the package behaves wrongly today carry ``xfail`` and are
strict expected failures. ``TABLE.md`` (for the README) is generated from the cases::

    python -m tests.test_corpus
"""

from __future__ import annotations

import datetime as dt
import io
import re
import struct
import sys
import tomllib
import zipfile
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from typer.testing import CliRunner, Result

from risk_indicators.cli import app
from risk_indicators.intake.pseudonymise import PERSONNUMMER_PATTERN
from tests.conftest import TEST_KEY_HEX

BAD = Path(__file__).resolve().parent / "data" / "bad"
CASES_FILE = BAD / "cases.toml"
TABLE_FILE = BAD / "TABLE.md"
KEY_VAR = "RISK_INDICATORS_KEY"
MIN_KINDS = 45
#: CLI options that take an input file, in the order they are passed.
FILE_OPTIONS = ("reports", "counts", "population", "config", "activity")
REQUIRED_KEYS: dict[str, type] = {
    "rule": str, "command": str, "files": dict, "exit": int, "message": list, "names": str,
}  # fmt: skip
OPTIONAL_KEYS: dict[str, type] = {
    "args": list, "env": dict, "xfail": str, "writes": list, "not_writes": list, "never": list,
}  # fmt: skip

# ------------------------------------------------------------------------------- builders
HEADER = "person_id,report_date,age,gender,offence,area"
ROW_1 = "LOCAL-101,2024-01-15,17,M,innehav,Centrum"
ROW_2 = "LOCAL-102,2024-02-03,19,K,eget bruk,Skillingaryd"
ROW_3 = "LOCAL-103,2024-03-20,22,M,Överlåtelse,Centrum"


def _csv_text(*rows: str) -> str:
    """A reports CSV with the standard header and ``rows``."""
    return "\n".join((HEADER, *rows)) + "\n"


def build_folder(folder: Path) -> Path:
    """A folder where a file is expected."""
    path = folder / "a_folder"
    path.mkdir()
    return path


def build_utf16_csv(folder: Path) -> Path:
    """A valid reports table saved as UTF-16 with BOM (Excel's 'Unicode text')."""
    path = folder / "reports.csv"
    path.write_bytes(_csv_text(ROW_1, ROW_2, ROW_3).encode("utf-16"))
    return path


def build_nul_bytes(folder: Path) -> Path:
    """A UTF-8 reports table with a NUL byte inside row 3."""
    path = folder / "reports.csv"
    path.write_bytes(_csv_text(ROW_1, ROW_2.replace("LOCAL-", "LOCAL\x00"), ROW_3).encode())
    return path


def build_nul_bytes_late(folder: Path) -> Path:
    """More than 1 MiB of valid rows, then a row whose person_id holds a NUL byte."""
    rows = [f"LOCAL-{i},2024-01-15,17,M,innehav,Centrum" for i in range(25_000)]
    path = folder / "reports.csv"
    path.write_bytes(_csv_text(*rows, "LOCAL\x00x,2024-01-15,17,M,innehav,Centrum").encode())
    assert path.stat().st_size > 1 << 20
    return path


def build_line_1mb(folder: Path) -> Path:
    """Row 4 is a 1 MB line of junk without separators (a broken export)."""
    path = folder / "reports.csv"
    path.write_text(_csv_text(ROW_1, ROW_2, "x" * (1 << 20), ROW_3), encoding="utf-8")
    return path


def build_header_1mb(folder: Path) -> Path:
    """A header whose last cell is 1 MB long."""
    path = folder / "reports.csv"
    text = _csv_text(ROW_1, ROW_2).replace(HEADER, HEADER + ",x" + "x" * (1 << 20), 1)
    path.write_text(text, encoding="utf-8")
    return path


def _png() -> bytes:
    """A valid 1x1 grey PNG image."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data) & 0xFFFFFFFF
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
            + chunk(b"IDAT", zlib.compress(b"\x00\x80")) + chunk(b"IEND", b""))  # fmt: skip


def build_png_named_csv(folder: Path) -> Path:
    """A PNG image named reports.csv."""
    path = folder / "reports.csv"
    path.write_bytes(_png())
    return path


def build_zip_named_csv(folder: Path) -> Path:
    """A zip archive (holding a valid CSV) named reports.csv."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("reports.csv", _csv_text(ROW_1, ROW_2, ROW_3))
    path = folder / "reports.csv"
    path.write_bytes(buffer.getvalue())
    return path


def _workbook(rows: list[list[Any]]) -> bytes:
    """An .xlsx workbook whose first sheet holds ``rows``."""
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _sheet_rows() -> list[list[Any]]:
    """The header and three valid rows, dates as Excel dates."""
    return [
        HEADER.split(","),
        ["LOCAL-101", dt.datetime(2024, 1, 15), 17, "M", "innehav", "Centrum"],
        ["LOCAL-102", dt.datetime(2024, 2, 3), 19, "K", "eget bruk", "Skillingaryd"],
        ["LOCAL-103", dt.datetime(2024, 3, 20), 22, "M", "Överlåtelse", "Centrum"],
    ]


def build_xlsx_named_csv(folder: Path) -> Path:
    """A valid reports workbook saved with the extension .csv."""
    path = folder / "reports.csv"
    path.write_bytes(_workbook(_sheet_rows()))
    return path


def build_xlsx_title_rows(folder: Path) -> Path:
    """A workbook with a title, an extract date and a blank row above the header (row 4)."""
    title = [["Anmälda personer, narkotikabrott, Vaggeryd"], ["Uttag 2024-05-02"], []]
    path = folder / "reports.xlsx"
    path.write_bytes(_workbook(title + _sheet_rows()))
    return path


def build_xlsx_excel_serial_date(folder: Path) -> Path:
    """A workbook whose row 3 holds the date as an Excel serial number (45306) in a number cell."""
    rows = _sheet_rows()
    rows[2][1] = 45306
    path = folder / "reports.xlsx"
    path.write_bytes(_workbook(rows))
    return path


BUILDERS: dict[str, Callable[[Path], Path]] = {
    name.removeprefix("build_"): func
    for name, func in list(globals().items())
    if name.startswith("build_") and callable(func)
}


# ---------------------------------------------------------------------------------- cases
def load_cases() -> dict[str, dict[str, Any]]:
    """The kinds of ``cases.toml``, in file order."""
    return tomllib.loads(CASES_FILE.read_text(encoding="utf-8"))


CASES = load_cases()


def _demo_key_hex() -> str:
    """The public demo key, as hexadecimal text."""
    from risk_indicators.intake import DEMO_KEY

    return DEMO_KEY.hex()


def _input_path(spec: str, folder: Path) -> Path:
    """The file a ``files`` entry names: in the corpus, built in ``folder``, or absent."""
    kind, _, rest = spec.partition(":")
    if kind == "build" and rest:
        return BUILDERS[rest](folder)
    if kind == "absent" and rest:
        return folder / "absent" / rest
    return (BAD / spec).resolve()


def _arguments(case: dict[str, Any], folder: Path) -> list[str]:
    """The command line of a case; ``run`` writes to ``folder/out``."""
    args = [case["command"]]
    for option in FILE_OPTIONS:
        if option in case["files"]:
            args += [f"--{option}", str(_input_path(case["files"][option], folder))]
    if case["command"] == "run":
        args += ["--out", str(folder / "out")]
    return args + [str(a) for a in case.get("args", [])]


def _found(fragment: str, text: str) -> bool:
    """Whether ``fragment`` (plain, or a regular expression after ``re:``) is in ``text``."""
    if fragment.startswith("re:"):
        return re.search(fragment[3:], text) is not None
    return " ".join(fragment.split()) in text


def _written(folder: Path) -> dict[str, bytes]:
    """Every file the command wrote: the release folder ``folder/out`` and the ledger."""
    files = [*(folder / "out").rglob("*"), *folder.glob("*.sqlite")]
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(files) if p.is_file()}


def _params() -> list[Any]:
    return [
        pytest.param(
            kind,
            id=kind,
            marks=[pytest.mark.xfail(strict=True, reason=case["xfail"])] if "xfail" in case else [],
        )
        for kind, case in CASES.items()
    ]


def invoke(args: list[str]) -> Result:
    """Run the CLI in-process."""
    return CliRunner().invoke(app, args)


@pytest.mark.parametrize("kind", _params())
def test_bad_input(kind: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The kind's command gives its exit code and a message with every fragment."""
    case = CASES[kind]
    monkeypatch.setenv(KEY_VAR, TEST_KEY_HEX)
    secrets = [TEST_KEY_HEX]
    for name, value in case.get("env", {}).items():
        value = _demo_key_hex() if value == "@demo_key" else value
        if value:
            monkeypatch.setenv(name, value)
            secrets.append(value)
        else:
            monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)  # a default ledger or output path stays in the test folder
    result = invoke(_arguments(case, tmp_path))
    output = result.stdout + result.stderr
    shown = output[:3000]
    # every case: a plain message, never an internal error or an uncaught exception
    assert "Traceback" not in output, shown
    assert result.exit_code != 3, shown
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(
        result.exception
    )
    assert PERSONNUMMER_PATTERN.search(output) is None, "a personnummer is shown"
    assert result.exit_code == case["exit"], shown
    text = " ".join(output.split())
    missing = [f for f in case["message"] if not _found(f, text)]
    assert not missing, f"missing {missing} in: {shown}"
    out = tmp_path / "out"
    for rel in case.get("writes", []):
        assert (out / rel).exists(), f"{rel} was not written"
    for rel in case.get("not_writes", []):
        assert not (out / rel).exists(), f"{rel} was written"
    written = _written(tmp_path)
    for secret in [*secrets, *case.get("never", [])]:
        assert secret not in output, f"{secret[:12]}... is shown"
        leaks = [name for name, data in written.items() if secret.encode() in data]
        assert not leaks, f"{secret[:12]}... is written to {leaks}"


def test_corpus_is_well_formed() -> None:
    """At least 45 kinds, each complete; every corpus file exists and every folder is used."""
    assert len(CASES) >= MIN_KINDS, len(CASES)
    used: set[Path] = set()
    for kind, case in CASES.items():
        assert re.fullmatch(r"[a-z0-9_-]+", kind), kind
        for key, kind_of in REQUIRED_KEYS.items():
            assert isinstance(case.get(key), kind_of), (kind, key)
        unknown = set(case) - set(REQUIRED_KEYS) - set(OPTIONAL_KEYS)
        assert not unknown, (kind, unknown)
        for key, kind_of in OPTIONAL_KEYS.items():
            assert key not in case or isinstance(case[key], kind_of), (kind, key)
        assert case["command"] in ("validate", "run"), kind
        assert case["message"] and case["rule"].strip() and "\n" not in case["rule"], kind
        assert set(case["files"]) <= set(FILE_OPTIONS), kind
        for spec in case["files"].values():
            prefix, _, rest = spec.partition(":")
            if prefix == "build":
                assert rest in BUILDERS, (kind, spec)
            elif prefix != "absent":
                path = (BAD / spec).resolve()
                assert path.is_file(), (kind, spec)
                used.add(path)
    folders = {p for p in BAD.iterdir() if p.is_dir()}
    unused = [p.name for p in folders if not any(p in u.parents for u in used)]
    assert not unused, f"folders no case uses: {unused}"


# ---------------------------------------------------------------------------------- TABLE.md
def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def render_table(cases: dict[str, dict[str, Any]]) -> str:
    """The Markdown table of the corpus (kind | rule | command | exit | what the message names)."""
    lines = [
        "# Bad-input corpus",
        "",
        f"Generated from `cases.toml` by `python -m tests.test_corpus`: {len(cases)} kinds of bad "
        "input, each run by `tests/test_corpus.py` through the command line. Every case also "
        "checks that no traceback, no internal error (exit 3), no personnummer and no key is "
        "shown.",
        "",
        "| kind | rule | command | exit | what the message names |",
        "|---|---|---|---|---|",
    ]
    for kind, case in cases.items():
        mark = " †" if "xfail" in case else ""
        lines.append(
            f"| `{kind}`{mark} | {_cell(case['rule'])} | `{case['command']}` | {case['exit']} "
            f"| {_cell(case['names'])} |"
        )
    defects = {k: c["xfail"] for k, c in cases.items() if "xfail" in c}
    if defects:
        lines += ["", f"† Known defect ({len(defects)} kinds): the table gives the behaviour "
                  "the contract asks for; today the package does this instead:", ""]  # fmt: skip
        lines += [f"- `{k}`: {_cell(reason)}" for k, reason in defects.items()]
    return "\n".join(lines) + "\n"


def test_table_is_current() -> None:
    """TABLE.md is the rendering of cases.toml (regenerate: python -m tests.test_corpus)."""
    assert TABLE_FILE.read_text(encoding="utf-8") == render_table(CASES)


if __name__ == "__main__":
    TABLE_FILE.write_text(render_table(CASES), encoding="utf-8")
    sys.stdout.write(f"Wrote {TABLE_FILE} ({len(CASES)} kinds).\n")
