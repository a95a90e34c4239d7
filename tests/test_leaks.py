"""Leak scan of every command that reads reports: no raw id and no key anywhere (CONTRACT 1.1, 5).

A small extract holds valid personnummer in every written form (``YYYYMMDD-NNNN``,
``YYYYMMDDNNNN``, ``YYMMDD-NNNN``, ``YYMMDDNNNN``, ``YYMMDD+NNNN``, samordningsnummer, padded
with spaces), local ids, rows with an empty age (derived from the personnummer), one person
written in two forms, a duplicate, and bad rows with a personnummer in the wrong column.
Every command that takes ``--reports`` runs in-process with a known key: ``validate`` (passing
and failing), ``run`` (a release with every optional output, a draft in English, a run that
fails on too many rejected rows, a bad period) and ``model``.

Then everything they produced is scanned: stdout and stderr of each command, and every file
under the output folder (``public/``, ``internal/``, ``audit/``, the ledger beside it, the model
folder), read as bytes and expanded: workbook members (zip), Parquet values and metadata, the
SQLite ledger's dump, PNG text chunks and base64 ``data:`` images inside HTML/SVG. The scan
looks for each raw id in every form (as written, digits only, with and without separator and
century), unkeyed hashes of the ids, anything shaped like a personnummer, and the key (hex,
upper-case hex, raw bytes, base64).

``tests/test_cli.py::test_run_writes_no_raw_id`` and
``tests/test_release.py::test_no_raw_id_in_any_output`` check one ``run`` (text members only)
and one API release; this file covers every command, the binary containers and the key.
"""

from __future__ import annotations

import base64
import hashlib
import io
import re
import sqlite3
import struct
import zipfile
import zlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from risk_indicators.cli import app
from risk_indicators.intake.personnummer import PERSONNUMMER_PATTERN

#: The test key: 32 bytes, given to the commands as 64 hex characters (never the demo key).
KEY = hashlib.sha256(b"risk_indicators leak scan key").digest()
KEY_HEX = KEY.hex()
AREAS = ("Skillingaryd", "Vaggeryd", "Övriga")
CONFIG_TOML = (
    'areas = ["Skillingaryd", "Vaggeryd", "Övriga"]\n'
    "[gender_goal]\n"
    'benchmark_source = "CAN 2024 (test)"\n'
)
HEADER = ("person_id", "report_date", "age", "gender", "offence", "area", "report_id")


# ---------------------------------------------------------------------------- the inputs
def luhn_digit(nine: str) -> str:
    """Check digit of ``YYMMDDNNN``: weights 2,1,2,... from the left, digits of products
    added, total a multiple of 10 (SKV 704; see tests/test_pseudonymise.py)."""
    total = 0
    for i, ch in enumerate(nine):
        product = int(ch) * (2 if i % 2 == 0 else 1)
        total += product - 9 if product > 9 else product
    return str((10 - total % 10) % 10)


def personnummer(year: int, month: int, day: int, serial: int) -> str:
    """The canonical 12 digits ``YYYYMMDDNNNN`` of a valid personnummer (``day`` + 60 for a
    samordningsnummer)."""
    nine = f"{year % 100:02d}{month:02d}{day:02d}{serial:03d}"
    return f"{year // 100:02d}{nine}{luhn_digit(nine)}"


def written(canonical: str, form: str) -> str:
    """``canonical`` in one written form."""
    ten = canonical[2:]
    return {
        "long_dash": f"{canonical[:8]}-{canonical[8:]}",
        "long": canonical,
        "short_dash": f"{ten[:6]}-{ten[6:]}",
        "short": ten,
        "plus": f"{ten[:6]}+{ten[6:]}",  # 100 years or older
        "padded": f"  {ten[:6]}-{ten[6:]} ",
    }[form]


def id_forms(raw: str) -> set[str]:
    """Every way the id ``raw`` could be written out: as given (stripped), digits only, with
    and without separator and century (both centuries for a 10-digit form), ``+`` form; a
    local id as given, upper- and lower-case."""
    text = raw.strip()
    digits = re.sub(r"\D", "", text)
    if len(digits) not in (10, 12) or re.search(r"[A-Za-z]", text):
        return {text, text.upper(), text.lower()}
    ten = digits[-10:]
    centuries = {digits[:2]} if len(digits) == 12 else {"18", "19", "20"}
    forms = {text, ten, f"{ten[:6]}-{ten[6:]}", f"{ten[:6]}+{ten[6:]}"}
    for century in centuries:
        forms |= {century + ten, f"{century}{ten[:6]}-{ten[6:]}"}
    return forms


def unkeyed_hashes(form: str) -> set[str]:
    """Hex prefixes of plain (unkeyed) hashes of ``form``: a reversible pseudonym."""
    data = form.encode("utf-8")
    return {
        hashlib.new(name, data).hexdigest()[:16] for name in ("md5", "sha1", "sha256", "blake2b")
    }


@dataclass
class Extract:
    """The reports rows and every raw id they contain (in any column)."""

    rows: list[list[str]] = field(default_factory=list)
    raw_ids: set[str] = field(default_factory=set)

    def add(self, *cells: str, ids: Sequence[str] = ()) -> None:
        self.rows.append(list(cells))
        self.raw_ids |= {i.strip() for i in ids}


def build_extract() -> Extract:
    """102 usable rows from 2023-09 to 2024-04-30, 5 rejected rows (a personnummer, or
    another row's local id, in the wrong column), a personnummer kept in ``report_id``
    and one duplicate."""
    ex = Extract()
    forms = ("long_dash", "long", "short_dash", "short", "padded")
    for i in range(60):
        year = 1995 + i % 12
        samordning = i % 7 == 3
        canonical = personnummer(year, 1 + i % 12, 1 + i % 28 + (60 if samordning else 0), 100 + i)
        pid = written(canonical, forms[i % len(forms)])
        month = (9, 10, 11, 12, 1, 2, 3, 4)[i % 8]
        day = f"{2023 if month >= 9 else 2024}-{month:02d}-{1 + i % 27:02d}"
        age = "" if i % 4 == 0 else str((2024 if month < 9 else 2023) - year - 1)
        ex.add(pid, day, age, "MK"[i % 2], ("innehav", "eget bruk", "Överlåtelse")[i % 3],
               AREAS[i % 3], f"5000-K{i:07d}-24", ids=[pid])  # fmt: skip
    old = personnummer(1920, 3, 4, 567)  # 103 on the report date: the '+' form
    ex.add(written(old, "plus"), "2024-02-10", "", "K", "innehav", "Vaggeryd", "5000-K1", ids=[
        written(old, "plus")])  # fmt: skip
    same = personnummer(2004, 5, 6, 789)  # one person, two forms: one pseudonym
    for n, form in enumerate(("long_dash", "short")):
        ex.add(written(same, form), f"2024-0{2 + n}-11", "19", "M", "innehav", "Skillingaryd",
               f"5001-K2{n}", ids=[written(same, form)])  # fmt: skip
    for n in range(37):
        local = f"LOKAL-ID-{4711 + n}"
        ex.add(local, f"2024-0{1 + n % 4}-1{n % 10}", str(16 + n % 9), "KM"[n % 2], "eget bruk",
               AREAS[n % 3], f"5002-K3{n}", ids=[local])  # fmt: skip
    # bad rows: a personnummer where another column belongs (rejected, value masked)
    bad = [personnummer(1999, 9, 9, 901 + k) for k in range(6)]
    ok_id = written(bad[0], "long_dash")
    ex.add(ok_id, "2024-02-01", "24", "M", "innehav", written(bad[1], "short_dash"), "5003-K1",
           ids=[ok_id, written(bad[1], "short_dash")])  # fmt: skip
    ex.add(ok_id, "2024-02-02", "24", written(bad[2], "short"), "innehav", "Vaggeryd", "5003-K2",
           ids=[written(bad[2], "short")])  # fmt: skip
    ex.add(ok_id, written(bad[3], "long"), "24", "M", "innehav", "Vaggeryd", "5003-K3",
           ids=[written(bad[3], "long")])  # fmt: skip
    ex.add(ok_id, "2024-02-03", written(bad[4], "plus"), "M", "innehav", "Vaggeryd", "5003-K4",
           ids=[written(bad[4], "plus")])  # fmt: skip
    ex.add(ok_id, "2024-02-04", "24", "LOKAL-ID-4712", "innehav", "Vaggeryd", "5003-K5")
    # a usable row whose report_id holds a personnummer (columns swapped in an export)
    ex.add(ok_id, "2024-03-03", "24", "M", "eget bruk", "Övriga", written(bad[5], "long_dash"),
           ids=[written(bad[5], "long_dash")])  # fmt: skip
    ex.add("LOKAL-ID-9999", "2024-04-30", "17", "K", "innehav", "Vaggeryd", "5004-K1",
           ids=["LOKAL-ID-9999"])  # fmt: skip  # the data cover 2024T1 to its last day
    ex.add(*ex.rows[5])  # an exact duplicate
    return ex


def write_csv(path: Path, rows: Sequence[Sequence[str]]) -> Path:
    """A semicolon-separated UTF-8 file with a BOM, as Swedish Excel saves it."""
    lines = [";".join(HEADER)] + [";".join(r) for r in rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8-sig")
    return path


def write_population(path: Path) -> Path:
    """Population by single year of age, 2023 and 2024, per area: 40 per cell."""
    lines = ["year,age,gender,area,population"]
    lines += [
        f"{year},{age},{gender},{area},40"
        for year in (2023, 2024)
        for area in AREAS
        for gender in ("man", "kvinna")
        for age in range(0, 111)
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def write_activity(path: Path) -> Path:
    """Police activity of the promise per tertial and area."""
    lines = ["period;område;aktivitet;omfattning;enhet"]
    lines += [
        f"{period};{area};patrull;{hours};timmar"
        for period in ("2023T3", "2024T1")
        for area, hours in zip(AREAS, ("300,5", "410", "250,25"), strict=True)
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


# -------------------------------------------------------------------------- the commands
@dataclass
class Runs:
    """Every command's result and where the files are."""

    root: Path
    out: Path
    extract: Extract
    results: dict[str, Result]
    expected_codes: dict[str, int]


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> Runs:
    """Run every command that reads reports, once, with the test key in the environment."""
    root = tmp_path_factory.mktemp("leaks")
    inputs = root / "inputs"
    inputs.mkdir()
    ex = build_extract()
    reports = write_csv(inputs / "reports.csv", ex.rows)
    # 5 of 9 rows rejected; the person whose local id is misplaced is in this file too, so
    # the reader can know that the misplaced value is an id
    owner = next(r for r in ex.rows if r[0] == "LOKAL-ID-4712")
    failing = write_csv(inputs / "mostly_bad.csv", [owner, *ex.rows[-8:]])
    population = write_population(inputs / "population.csv")
    activity = write_activity(inputs / "activity.csv")
    config = inputs / "config.toml"
    config.write_text(CONFIG_TOML, encoding="utf-8")
    out = root / "releases"
    common = ["--population", population, "--config", config]
    commands: dict[str, tuple[list[object], int]] = {
        "validate": (["validate", "--reports", reports, *common, "-v", "--debug"], 0),
        "validate_failing": (["validate", "--reports", failing, "--config", config], 1),
        "run": (
            ["run", "--reports", reports, *common, "--out", out / "2024T1",
             "--counts-parquet", "--activity", activity, "-v"],
            0,
        ),
        "run_draft_en": (
            ["--lang", "en", "run", "--reports", reports, *common, "--out", out / "draft",
             "--period", "2023T3", "--draft", "--ledger", out / "draft.sqlite", "--debug"],
            0,
        ),
        "run_rejected": (["run", "--reports", failing, *common, "--out", out / "failed"], 1),
        "run_bad_period": (
            ["run", "--reports", reports, *common, "--out", out / "future", "--period", "2031T1"],
            2,
        ),
        "model": (
            ["model", "--reports", reports, "--config", config, "--out", out / "model",
             "--models", "logistic", "-v"],
            0,
        ),
    }  # fmt: skip
    runner = CliRunner()
    before = sorted(p for p in root.rglob("*"))
    results: dict[str, Result] = {}
    for name, (args, _code) in commands.items():
        results[name] = runner.invoke(
            app, [str(a) for a in args], env={"RISK_INDICATORS_KEY": KEY_HEX}
        )
        if name == "validate_failing":  # validate writes nothing, anywhere under the root
            assert sorted(p for p in root.rglob("*")) == before, "validate wrote a file"
    return Runs(root, out, ex, results, {k: v[1] for k, v in commands.items()})


# ------------------------------------------------------------------------------ scanning
def png_texts(data: bytes) -> Iterator[tuple[str, bytes]]:
    """The text chunks (tEXt, zTXt, iTXt) of a PNG, decompressed."""
    at = 8
    while at + 8 <= len(data):
        (length,) = struct.unpack(">I", data[at : at + 4])
        kind = data[at + 4 : at + 8]
        body = data[at + 8 : at + 8 + length]
        if kind == b"tEXt":
            yield "tEXt", body
        elif kind == b"zTXt":
            keyword, _, rest = body.partition(b"\x00")
            yield "zTXt", keyword + b"\x00" + zlib.decompress(rest[1:])
        elif kind == b"iTXt":
            keyword, _, rest = body.partition(b"\x00")
            compressed, rest = rest[0], rest[2:]
            _lang, _, rest = rest.partition(b"\x00")
            _translated, _, text = rest.partition(b"\x00")
            yield "iTXt", keyword + b"\x00" + (zlib.decompress(text) if compressed else text)
        at += 12 + length


DATA_URI = re.compile(rb"data:[a-z]+/[a-z0-9.+-]+;base64,([A-Za-z0-9+/=\s]+)")


def expand(where: str, data: bytes) -> Iterator[tuple[str, bytes]]:
    """``data`` and everything inside it: zip members, PNG text chunks, base64 data URIs,
    Parquet values and metadata, an SQLite database's dump (recursively)."""
    yield where, data
    if data[:4] == b"PK\x03\x04":
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            for member in archive.namelist():
                yield from expand(f"{where}!{member}", archive.read(member))
    elif data[:8] == b"\x89PNG\r\n\x1a\n":
        for kind, text in png_texts(data):
            yield f"{where}#{kind}", text
    elif data[:4] == b"PAR1":
        import pyarrow.parquet as pq

        table = pq.read_table(io.BytesIO(data))
        values = [str(table.schema), str(table.schema.metadata)]
        values += [str(v) for column in table.columns for v in column.to_pylist()]
        yield f"{where}#values", "\n".join(values).encode("utf-8")
    elif data[:16] == b"SQLite format 3\x00":
        yield f"{where}#dump", sqlite_dump(data).encode("utf-8")
    for n, match in enumerate(DATA_URI.finditer(data)):
        decoded = base64.b64decode(re.sub(rb"\s", b"", match.group(1)))
        yield from expand(f"{where}#data-uri-{n}", decoded)


def sqlite_dump(data: bytes) -> str:
    """Every statement that recreates an SQLite database given as bytes."""
    source = sqlite3.connect(":memory:")
    try:
        source.deserialize(data)
        return "\n".join(source.iterdump())
    finally:
        source.close()


def output_blobs(root: Path) -> dict[str, bytes]:
    """Every file under ``root`` and everything inside it, as bytes."""
    blobs: dict[str, bytes] = {}
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        for where, data in expand(str(path.relative_to(root)), path.read_bytes()):
            blobs[where] = data
    return blobs


def needles(raw_ids: set[str]) -> dict[bytes, str]:
    """What must never appear, as bytes, with a description: every form of every raw id
    (UTF-8 and UTF-16), unkeyed hashes of them, and the key."""
    found: dict[bytes, str] = {}
    for raw in raw_ids:
        for form in id_forms(raw):
            found[form.encode("utf-8")] = f"raw id {raw!r} as {form!r}"
            found[form.encode("utf-16-le")] = f"raw id {raw!r} as UTF-16 {form!r}"
            for digest in unkeyed_hashes(form):
                found[digest.encode("ascii")] = f"unkeyed hash of {form!r}"
    key_forms = {
        "hex": KEY_HEX.encode(),
        "upper-case hex": KEY_HEX.upper().encode(),
        "bytes": KEY,
        "base64": base64.b64encode(KEY),
        "urlsafe base64": base64.urlsafe_b64encode(KEY).rstrip(b"="),
    }
    found |= {value: f"the key ({name})" for name, value in key_forms.items()}
    return found


def leaks_in(blobs: dict[str, bytes], raw_ids: set[str]) -> list[str]:
    """Every needle found, as ``where: what``; and personnummer-shaped text."""
    wanted = needles(raw_ids)
    problems = []
    for where, data in blobs.items():
        problems += [f"{where}: {what}" for needle, what in wanted.items() if needle in data]
        lowered = data.lower()
        if KEY_HEX.encode() in lowered and KEY_HEX.encode() not in data:
            problems.append(f"{where}: the key (mixed-case hex)")
        shaped = PERSONNUMMER_PATTERN.findall(data.decode("utf-8", errors="replace"))
        problems += [f"{where}: personnummer-shaped text {s!r}" for s in shaped[:3]]
    return problems


# --------------------------------------------------------------------------------- tests
def test_every_command_ran_as_expected(runs: Runs) -> None:
    """Each command ended with its expected exit code and a plain message, never a
    traceback (so the scan below looks at real outputs, including failure messages)."""
    for name, result in runs.results.items():
        printed = result.stdout + result.stderr
        assert result.exit_code == runs.expected_codes[name], f"{name}: {printed}"
        assert "Traceback" not in printed, f"{name}: {printed}"
        assert "Internal error" not in printed, f"{name}: {printed}"
    assert "108 rows read, 102 usable, 5 rejected, 1 duplicates" in runs.results["validate"].stdout


def test_scan_reaches_every_kind_of_output(runs: Runs) -> None:
    """The scan is not vacuous: it opens every folder and container the commands wrote."""
    blobs = output_blobs(runs.out)
    names = list(blobs)
    for part in ("2024T1/public/", "2024T1/internal/", "2024T1/audit/", "draft/public/",
                 "model/public/", "failed/audit/rejected_rows.csv"):  # fmt: skip
        assert any(part in n for n in names), f"nothing scanned under {part}"
    assert any(n.startswith("2024T1/public/report.xlsx!xl/") for n in names), "xlsx members"
    assert any(n.endswith("counts.parquet#values") for n in names), "parquet values"
    assert any(n.endswith("releases.sqlite#dump") for n in names), "ledger dump"
    assert any(n.endswith(".png") for n in names) and any(n.endswith(".svg") for n in names)
    rejected = blobs["2024T1/audit/rejected_rows.csv"].decode("utf-8")
    assert rejected.count("rejected") == 5 and "duplicate" in rejected, rejected
    assert "[personnummer not shown]" in rejected, "the masked value is kept in the reason"


def test_no_raw_id_or_key_in_any_output_file(runs: Runs) -> None:
    """No file under the output folder (public, internal, audit, ledger, model, drafts and
    failed runs; every container expanded) holds a raw id in any form or the key."""
    problems = leaks_in(output_blobs(runs.out), runs.extract.raw_ids)
    assert problems == [], "\n".join(problems[:20])


@pytest.mark.parametrize(
    "name",
    ["validate", "validate_failing", "run", "run_draft_en", "run_rejected", "run_bad_period",
     "model"],
)  # fmt: skip
def test_no_raw_id_or_key_in_console_output(runs: Runs, name: str) -> None:
    """Nothing a command prints (stdout and stderr, with -v and --debug) holds a raw id in
    any form or the key."""
    result = runs.results[name]
    blobs = {f"{name} stdout": result.stdout.encode(), f"{name} stderr": result.stderr.encode()}
    problems = leaks_in(blobs, runs.extract.raw_ids)
    assert problems == [], "\n".join(problems[:20])


def test_inputs_hold_what_the_scan_looks_for(runs: Runs) -> None:
    """Control: the same scan finds the ids and the key in the inputs and the environment
    value, so a clean result above means absent, not unseen."""
    inputs = output_blobs(runs.root / "inputs")
    problems = leaks_in(inputs, runs.extract.raw_ids)
    for raw in sorted(runs.extract.raw_ids):
        assert any(repr(raw) in p for p in problems), f"{raw!r} not found in the inputs"
    assert len(runs.extract.raw_ids) >= 80
    assert leaks_in({"env": KEY_HEX.encode()}, set()) == ["env: the key (hex)"]
    xlsx_like = io.BytesIO()
    with zipfile.ZipFile(xlsx_like, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/sharedStrings.xml", f"<t>{KEY_HEX}</t>")
    expanded = dict(expand("x.xlsx", xlsx_like.getvalue()))
    assert leaks_in(expanded, set()) == ["x.xlsx!xl/sharedStrings.xml: the key (hex)"]
