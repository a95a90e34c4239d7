"""Tests of risk_indicators.intake.io: reading Swedish CSV/XLSX/Parquet files and atomic writes."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import math
import re
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest

from risk_indicators.errors import InputFileError, SchemaError
from risk_indicators.intake.io import (
    atomic_directory,
    atomic_write_bytes,
    atomic_write_text,
    iter_parquet_batches,
    parquet_metadata,
    read_table,
    sha256_file,
    write_csv,
    write_json,
)


def _files(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


# -------------------------------------------------------------------------------- CSV
def test_semicolon_decimal_comma_cp1252(tmp_path: Path) -> None:
    text = "person_id;ålder;kön;belopp\r\nabc1;17;kvinna;2,5\r\nabc2;;man;\r\n"
    data = text.encode("cp1252")
    assert b"\xe5" in data  # "å" is the single byte 0xE5 in cp1252, invalid as UTF-8 here
    path = tmp_path / "export.csv"
    path.write_bytes(data)
    raw = read_table(path)
    assert list(raw.frame.columns) == ["person_id", "ålder", "kön", "belopp"]
    assert raw.frame["belopp"].tolist() == ["2,5", ""]  # decimal comma kept as text
    assert raw.frame["ålder"].tolist() == ["17", ""]  # empty stays "", not NaN
    assert raw.dialect == {"separator": ";", "encoding": "cp1252", "decimal": ","}
    assert raw.source == "export.csv"
    assert raw.sha256 == hashlib.sha256(data).hexdigest()
    assert raw.row_numbers.tolist() == [2, 3]


def test_cp1252_byte_after_the_first_megabyte(tmp_path: Path) -> None:
    rows = "".join(f"id{i};{i % 90}\n" for i in range(120_000))  # about 1.3 MB of ASCII
    path = tmp_path / "long.csv"
    path.write_bytes(("person_id;age\n" + rows + "Östen;40\n").encode("cp1252"))
    raw = read_table(path)
    assert raw.dialect["encoding"] == "cp1252"
    assert raw.frame["person_id"].iloc[-1] == "Östen" and len(raw.frame) == 120_001


def test_utf8_with_bom_and_comma(tmp_path: Path) -> None:
    path = tmp_path / "bom.csv"
    path.write_bytes("\ufeffperson_id,område,age\nx1,Skillingaryd,007\nNA,null,NaN\n".encode())
    raw = read_table(path, what="reports")
    assert list(raw.frame.columns) == ["person_id", "område", "age"]  # no BOM in the name
    assert raw.frame.iloc[0].tolist() == ["x1", "Skillingaryd", "007"]  # leading zeros kept
    assert raw.frame.iloc[1].tolist() == ["NA", "null", "NaN"]  # no value guessed as missing
    assert raw.dialect == {"separator": ",", "encoding": "utf-8-sig", "decimal": "."}


def test_plain_utf8_comma_quoted_and_blank_rows(tmp_path: Path) -> None:
    path = tmp_path / "plain.csv"
    path.write_text('id,note\na,"x, y"\n\nb,"två\nrader"\n,\n', encoding="utf-8")
    raw = read_table(path)
    assert raw.dialect["encoding"] == "utf-8"
    assert raw.frame["note"].tolist() == ["x, y", "två\nrader"]
    # the blank line (spreadsheet row 3) and the empty record ",": left out, numbering kept
    assert raw.row_numbers.tolist() == [2, 4]
    assert raw.blank_rows == 2


def test_header_only_gives_zero_rows(tmp_path: Path) -> None:
    path = tmp_path / "header.csv"
    path.write_text("person_id;report_date\n", encoding="utf-8")
    raw = read_table(path)
    assert raw.frame.shape == (0, 2)
    assert list(raw.frame.columns) == ["person_id", "report_date"]


@pytest.mark.parametrize(
    ("content", "fragment"),
    [
        (b"", "is empty (0 bytes)"),
        (b"\n\n", "has no header row"),
        (b"a,b,,a\n1,2,,3\n", "columns 1 and 4 (A and D in Excel)"),
        (b"a,b\n1,2,3\n4,5,6\n", "row 2 has more fields than the header"),
        (b"a,b\n1,2\n4,5,6\n", "Expected 2 fields in line 3, saw 3"),
        (b"a;b\n1;\x81\n", "could not be decoded as UTF-8 or Windows-1252"),
        (b"PK\x03\x04rest", "Excel workbook saved with the extension .csv"),
        ("a,b\n".encode("utf-16"), "not plain text"),
        (b'a,b\n1,2\n"3,4\n5,6\n', "the quote that opens a value in row 3 is never closed"),
        (b"a,b\n" + b"1,2\n" * 300_000 + b"3,\x00\n", "a NUL byte (a binary zero) in line 300002"),
        (b"a," + b"x" * 200_000 + b"\n1,2\n", "characters in its header row (row 1)"),
        (b"Title\n\nyear,gender,population\n2024,M,3\n", "Delete rows 1-2 so that row 1"),
    ],
)
def test_unreadable_csv_files(tmp_path: Path, content: bytes, fragment: str) -> None:
    path = tmp_path / "bad.csv"
    path.write_bytes(content)
    with pytest.raises(InputFileError, match=re.escape(fragment)) as error:
        read_table(path, what="population")
    assert error.value.exit_code == 2
    assert "bad.csv" in str(error.value) and "population" in str(error.value)


def test_headerless_file_error_does_not_echo_cells(tmp_path: Path) -> None:
    # no header row: the first data row becomes the "names", and it holds a person id twice
    path = tmp_path / "r.csv"
    path.write_text("LOCAL-77,17,LOCAL-77\nLOCAL-78,18,LOCAL-78\n", encoding="utf-8")
    with pytest.raises(InputFileError, match="columns 1 and 3") as error:
        read_table(path)
    assert "LOCAL-77" not in str(error.value)


def test_missing_file_and_unknown_extension(tmp_path: Path) -> None:
    with pytest.raises(InputFileError, match="was not found") as missing:
        read_table(tmp_path / "nope.csv")
    assert missing.value.exit_code == 2
    other = tmp_path / "data.txt"
    other.write_text("a,b\n1,2\n")
    with pytest.raises(InputFileError, match=r"use \.csv, \.xlsx or \.parquet"):
        read_table(other)
    old = tmp_path / "data.xls"
    old.write_bytes(b"\xd0\xcf\x11\xe0")
    with pytest.raises(InputFileError, match="old Excel file"):
        read_table(old)
    with pytest.raises(InputFileError, match="is a folder"):
        read_table(tmp_path)


# ------------------------------------------------------------------------------- XLSX
def test_xlsx_swedish_headers_dates_and_numbers(tmp_path: Path) -> None:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["personnummer", "anmälningsdatum", "ålder", "kön", "andel"])
    sheet.append(["811218-9876", dt.datetime(2024, 3, 17), 17, "K", 0.25])
    sheet.append([198112189876, dt.datetime(2024, 3, 18, 14, 30), 18.0, "M", None])
    sheet.append([None, None, None, None, None])  # a blank row inside the data
    sheet.append(["x9", dt.date(2024, 4, 1), 30, "X", 1.5])
    sheet["F1"] = None  # formatted but empty column: not a column of the table
    second = workbook.create_sheet("annat")
    second.append(["ignored"])
    path = tmp_path / "rapport.xlsx"
    workbook.save(path)
    raw = read_table(path)
    frame = raw.frame
    assert list(frame.columns) == ["personnummer", "anmälningsdatum", "ålder", "kön", "andel"]
    assert frame["personnummer"].tolist() == ["811218-9876", "198112189876", "x9"]
    assert frame["anmälningsdatum"].tolist() == ["2024-03-17", "2024-03-18 14:30:00", "2024-04-01"]
    assert frame["ålder"].tolist() == ["17", "18", "30"]  # 18.0 -> "18"
    assert frame["andel"].tolist() == ["0.25", "", "1.5"]
    assert raw.row_numbers.tolist() == [2, 3, 5]  # Excel rows; row 4 is blank
    assert raw.blank_rows == 1 and raw.sha256 == sha256_file(path)


def test_xlsx_header_only_and_corrupt(tmp_path: Path) -> None:
    workbook = openpyxl.Workbook()
    workbook.active.append(["person_id", "age"])
    path = tmp_path / "tom.xlsx"
    workbook.save(path)
    assert read_table(path).frame.shape == (0, 2)
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(b"this is not a zip file")
    with pytest.raises(InputFileError, match="cannot be opened as an Excel workbook") as error:
        read_table(broken)
    assert error.value.exit_code == 2


# ---------------------------------------------------------------------------- Parquet
def test_parquet_round_trip_as_text(tmp_path: Path) -> None:
    frame = pd.DataFrame(
        {
            "person_id": ["a", None, "c"],
            "age": [17, 18, 30],
            "share": [0.5, np.nan, 2.0],
            "report_date": pd.Series(
                ["2024-01-05", "2024-02-01 08:15", None], dtype="datetime64[ns]"
            ),
            "day": [dt.date(2024, 1, 5), dt.date(2024, 2, 1), None],
        }
    )
    path = tmp_path / "national.parquet"
    frame.to_parquet(path)
    raw = read_table(path)
    assert raw.frame.to_dict("list") == {
        "person_id": ["a", "", "c"],
        "age": ["17", "18", "30"],
        "share": ["0.5", "", "2"],
        "report_date": ["2024-01-05", "2024-02-01 08:15:00", ""],
        "day": ["2024-01-05", "2024-02-01", ""],
    }
    assert raw.row_numbers.tolist() == [2, 3, 4]
    assert parquet_metadata(path) == {"columns": list(frame.columns), "num_rows": 3}


def test_parquet_batches_continue_the_row_numbers(tmp_path: Path) -> None:
    frame = pd.DataFrame({"person_id": [f"p{i}" for i in range(7)], "age": range(7)})
    path = tmp_path / "big.parquet"
    frame.to_parquet(path)
    batches = list(iter_parquet_batches(path, batch_size=3, columns=["age"]))
    assert [len(b) for b in batches] == [3, 3, 1]
    joined = pd.concat(batches)
    assert joined.index.tolist() == list(range(7))
    assert joined["age"].tolist() == [str(i) for i in range(7)]
    assert list(joined.columns) == ["age"]
    with pytest.raises(SchemaError, match="has no column 'gender'"):
        list(iter_parquet_batches(path, columns=["gender"]))
    broken = tmp_path / "broken.parquet"
    broken.write_bytes(b"PAR1 but not really")
    with pytest.raises(InputFileError, match="cannot be read as Parquet"):
        read_table(broken)


def test_dataframe_input_is_copied_and_renumbered() -> None:
    frame = pd.DataFrame(
        {
            "age": [17.0, 18.5],
            3: [True, None],
            "n": pd.array([4, None], dtype="Int64"),
            "kön": pd.Categorical(["K", None]),
            "mixed": [1, "a"],
        },
        index=[10, 10],
    )
    before = frame.copy()
    raw = read_table(frame)
    assert raw.source == "<DataFrame>" and raw.sha256 is None
    assert raw.frame.to_dict("list") == {
        "age": ["17", "18.5"],
        "3": ["TRUE", ""],
        "n": ["4", ""],
        "kön": ["K", ""],
        "mixed": ["1", "a"],
    }
    assert raw.row_numbers.tolist() == [2, 3]
    pd.testing.assert_frame_equal(frame, before)


# ----------------------------------------------------------------------------- writing
def test_atomic_writes_leave_no_temporary_files(tmp_path: Path) -> None:
    out = tmp_path / "out"
    atomic_write_bytes(out / "a.bin", b"\x00\x01")
    atomic_write_text(out / "b.txt", "rad ett\nrad två\n")
    write_csv(pd.DataFrame({"period": ["2024T1"], "estimate": [1 / 3], "n": [12]}), out / "c.csv")
    write_json({"b": 1, "a": [np.int64(2), None], "ö": dt.date(2024, 1, 1)}, out / "d.json")
    assert _files(out) == ["a.bin", "b.txt", "c.csv", "d.json"]
    assert (out / "b.txt").read_bytes() == "rad ett\nrad två\n".encode()
    # %.10g: 1/3 -> 0.3333333333 (10 significant digits)
    assert (out / "c.csv").read_bytes() == b"period,estimate,n\n2024T1,0.3333333333,12\n"
    assert (out / "d.json").read_text(encoding="utf-8") == (
        '{\n  "b": 1,\n  "a": [\n    2,\n    null\n  ],\n  "ö": "2024-01-01"\n}\n'
    )
    atomic_write_text(out / "b.txt", "ny\n")  # replacing keeps a single file
    assert (out / "b.txt").read_text() == "ny\n"
    with pytest.raises(TypeError):  # a failed write removes its temporary file
        atomic_write_bytes(out / "b.txt", "not bytes")  # type: ignore[arg-type]
    assert (out / "b.txt").read_text() == "ny\n"
    assert _files(out) == ["a.bin", "b.txt", "c.csv", "d.json"]


def test_write_json_refuses_nan_and_keeps_the_old_file(tmp_path: Path) -> None:
    path = tmp_path / "indicators.json"
    write_json({"value": 1.0}, path)
    with pytest.raises(ValueError, match="NaN, infinity or a missing value"):
        write_json({"value": math.nan}, path)
    with pytest.raises(ValueError, match="NaN, infinity or a missing value"):
        write_json({"ci": [np.float64("inf")]}, path)
    with pytest.raises(ValueError, match="NaN, infinity or a missing value"):
        write_json({"date": pd.NaT}, path)
    assert json.loads(path.read_text()) == {"value": 1.0}
    assert _files(tmp_path) == ["indicators.json"]


def test_atomic_directory_replaces_on_success(tmp_path: Path) -> None:
    final = tmp_path / "public"
    final.mkdir()
    (final / "old.txt").write_text("old")
    with atomic_directory(final) as work:
        assert work.parent == tmp_path and work != final
        atomic_write_text(work / "new.txt", "new")
        assert (final / "old.txt").exists()  # nothing visible until the block ends
    assert _files(final) == ["new.txt"]
    assert _files(tmp_path) == ["public"]


def test_atomic_directory_keeps_old_folder_on_error(tmp_path: Path) -> None:
    final = tmp_path / "public"
    final.mkdir()
    (final / "old.txt").write_text("old")
    with (
        pytest.raises(RuntimeError, match="disclosure audit failed"),
        atomic_directory(final) as work,
    ):
        atomic_write_text(work / "new.txt", "new")
        raise RuntimeError("disclosure audit failed")
    assert _files(final) == ["old.txt"] and (final / "old.txt").read_text() == "old"
    assert _files(tmp_path) == ["public"]


def test_sha256_file(tmp_path: Path) -> None:
    path = tmp_path / "x.bin"
    path.write_bytes(b"abc")
    # FIPS 180-2 test vector: SHA-256("abc")
    assert sha256_file(path) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
