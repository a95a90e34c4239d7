"""Tests of risk_indicators.intake.records: reading, validating and pseudonymising report rows.

Reference values are written by hand in each test (ages from birth dates, Luhn check digits,
spreadsheet row numbers, row accounting), never taken from the code under test.
"""

from __future__ import annotations

import warnings
from datetime import date, datetime
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from risk_indicators.config import load_config
from risk_indicators.errors import DataError, DataWarning, SchemaError
from risk_indicators.intake.io import read_table
from risk_indicators.intake.pseudonymise import Pseudonymiser
from risk_indicators.intake.records import read_population, read_reports, validate_reports

TEST_KEY = bytes.fromhex("5e" * 32)  # a test key for direct API calls
TODAY = date(2024, 12, 31)
HEADER = ["person_id", "report_date", "age", "gender", "offence", "area"]

# Luhn check digits computed by hand (weights 2,1,2,1,... over YYMMDDNNN; digits of products
# added; check digit = (10 - sum % 10) % 10):
#   0503151235: 0*2 + 5 + 0*2 + 3 + 1*2 + 5 + 1*2 + 2 + 3*2 = 0+5+0+3+2+5+2+2+6 = 25 -> 5
#   0503751232 (samordningsnummer, day 15 + 60 = 75):
#               0 + 5 + 0 + 3 + (7*2=14 -> 1+4=5) + 5 + 2 + 2 + 6 = 28 -> 2
#   8112189876: (8*2=16 -> 7) + 1 + 2 + 2 + 2 + 8 + (9*2=18 -> 9) + 8 + (7*2=14 -> 5) = 44 -> 6
PNR_2005 = "20050315-1235"
SAMORDNING_2005 = "20050375-1232"
PNR_1981 = "19811218-9876"


def _rows(n: int, *, start: int = 0) -> list[list[str]]:
    """``n`` valid rows with local ids, ages 15-24, both genders, dates in January 2024."""
    return [
        [
            f"L{start + i}",
            f"2024-01-{1 + i % 28:02d}",
            str(15 + i % 10),
            "MK"[i % 2],
            "innehav",
            "Centrum",
        ]
        for i in range(n)
    ]


def _frame(rows: list[list[str]], header: list[str] = HEADER) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=header)


def _read(data: object, **kwargs: object) -> object:
    kwargs.setdefault("key", TEST_KEY)
    kwargs.setdefault("today", TODAY)
    kwargs.setdefault("max_rejected_share", 1.0)
    return read_reports(data, **kwargs)  # type: ignore[arg-type]


def _reasons(records: object) -> list[tuple[int, str, str]]:
    rej = records.rejected  # type: ignore[attr-defined]
    return [
        (int(r), c, s) for r, c, s in zip(rej["row"], rej["column"], rej["reason"], strict=True)
    ]


def _assert_accounting(records: object, n_rows: int) -> None:
    acc = records.accounting  # type: ignore[attr-defined]
    assert acc["read"] == n_rows
    assert acc["read"] == acc["used"] + acc["rejected"] + acc["duplicates"]
    assert len(records.valid) == acc["used"]  # type: ignore[attr-defined]


# ------------------------------------------------------------------------ bad values, one each
def test_unknown_gender_is_rejected_with_value_and_fix() -> None:
    rows = _rows(3)
    rows[1][3] = "Z"  # position 1 = spreadsheet row 3
    rec = _read(_frame(rows))
    _assert_accounting(rec, 3)
    assert rec.accounting["rejected"] == 1
    [(row, column, reason)] = _reasons(rec)
    assert (row, column) == (3, "gender")
    assert "'Z'" in reason
    assert "man, kvinna or okänt" in reason


def test_too_many_rejected_rows_fail_the_data() -> None:
    # 5% of 20 rows = 1 row: one rejected row passes, two do not
    rows = _rows(20)
    rows[0][3] = "Z"
    rec = read_reports(_frame(rows), key=TEST_KEY, today=TODAY)
    assert rec.accounting == {"read": 20, "used": 19, "rejected": 1, "duplicates": 0}
    rows[1][3] = "Q"
    with pytest.raises(DataError, match=r"2 of 20 rows were rejected"):
        read_reports(_frame(rows), key=TEST_KEY, today=TODAY)


@pytest.mark.parametrize(
    ("age", "accepted"),
    [("-1", False), ("130", False), ("111", False), ("0", True), ("110", True), ("17,0", True)],
)
def test_age_range_0_to_110(age: str, accepted: bool) -> None:
    rows = _rows(2)
    rows[1][2] = age
    rec = _read(_frame(rows))
    _assert_accounting(rec, 2)
    if accepted:
        assert rec.accounting["rejected"] == 0
        assert sorted(rec.valid["age"].tolist()) == sorted([15, int(float(age.replace(",", ".")))])
    else:
        [(row, column, reason)] = _reasons(rec)
        assert (row, column) == (3, "age")
        assert f"age {age} is outside 0-110" in reason


def test_age_that_is_not_a_whole_number_is_rejected() -> None:
    rows = _rows(3)
    rows[0][2] = "17,5"
    rows[1][2] = "sjutton"
    rec = _read(_frame(rows))
    assert [(r, c) for r, c, _ in _reasons(rec)] == [(2, "age"), (3, "age")]
    assert "'17,5'" in _reasons(rec)[0][2]
    assert "'sjutton'" in _reasons(rec)[1][2]


@pytest.mark.parametrize("text", ["05/03/2024", "2024-13-01", "2024-02-30", "igår", "20240305"])
def test_unparseable_date_is_rejected(text: str) -> None:
    rows = _rows(2)
    rows[1][1] = text
    rec = _read(_frame(rows))
    [(row, column, reason)] = _reasons(rec)
    assert (row, column) == (3, "report_date")
    assert f"'{text}'" in reason
    assert "2024-03-17" in reason  # the fix shows the ISO form


def test_date_with_time_part_is_read_as_the_day() -> None:
    rows = _rows(2)
    rows[1][1] = "2024-03-17T10:22"
    rows[0][1] = "2024-03-18 23:59:59"
    rec = _read(_frame(rows))
    assert rec.accounting["rejected"] == 0
    assert sorted(rec.valid["report_date"].dt.strftime("%Y-%m-%d")) == ["2024-03-17", "2024-03-18"]


def test_date_in_the_future_is_rejected() -> None:
    rows = _rows(3)
    rows[0][1] = "2024-03-10"  # today itself is fine
    rows[1][1] = "2024-03-11"  # one day after today
    rec = _read(_frame(rows), today=date(2024, 3, 10))
    [(row, column, reason)] = _reasons(rec)
    assert (row, column) == (3, "report_date")
    assert "future" in reason


def test_header_only_has_nothing_to_analyse() -> None:
    with pytest.raises(DataError, match="nothing to analyse"):
        _read(_frame([]))


def test_missing_required_column_names_it() -> None:
    frame = _frame(_rows(2)).drop(columns="offence")
    with pytest.raises(SchemaError, match=r"'offence'.*is missing") as info:
        _read(frame)
    assert info.value.failure_cases["column"].tolist() == ["offence"]


# --------------------------------------------------------------------------- file formats
def test_semicolon_decimal_comma_cp1252(tmp_path: Path) -> None:
    text = (
        "person_id;report_date;ålder;kön;brott;område\r\n"
        "LOCAL-1;2024-01-05;17,0;K;Överlåtelse;Övriga\r\n"
        "LOCAL-2;2024-02-05;21;pojke;eget bruk;Centrum\r\n"
    )
    path = tmp_path / "cp1252.csv"
    path.write_bytes(text.encode("cp1252"))
    assert "Ö".encode("cp1252") == b"\xd6"  # really a single-byte file, not UTF-8
    rec = _read(path)
    _assert_accounting(rec, 2)
    valid = rec.valid.sort_values("row")
    assert valid["age"].tolist() == [17, 21]
    assert valid["area"].tolist() == ["Övriga", "Centrum"]
    assert valid["gender"].tolist() == ["kvinna", "man"]
    assert valid["offence"].tolist() == ["overlatelse", "eget_bruk"]


def test_utf8_bom_first_column_recognised(tmp_path: Path) -> None:
    body = "person_id,report_date,age,gender,offence\nLOCAL-1,2024-01-05,17,K,innehav\n"
    with_bom = tmp_path / "bom.csv"
    with_bom.write_bytes(b"\xef\xbb\xbf" + body.encode("utf-8"))
    plain = tmp_path / "plain.csv"
    plain.write_bytes(body.encode("utf-8"))
    a, b = _read(with_bom), _read(plain)
    assert a.accounting == {"read": 1, "used": 1, "rejected": 0, "duplicates": 0}
    pd.testing.assert_frame_equal(a.valid, b.valid)  # same pseudonym: the id was read cleanly


def test_xlsx_with_swedish_headers(tmp_path: Path) -> None:
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["personnummer", "anmalningsdatum", "ålder", "kön", "brott", "område"])
    sheet.append(["LOCAL-1", datetime(2024, 1, 5), 17, "flicka", "Eget bruk", "Övriga"])
    sheet.append(["LOCAL-2", "2024-02-05", "22", "M", "innehav", "Centrum"])
    sheet.append(["LOCAL-3", datetime(2024, 2, 6), 19, "kvinna", "narkotika", "Centrum"])
    path = tmp_path / "reports.xlsx"
    book.save(path)
    rec = _read(path)
    _assert_accounting(rec, 3)
    valid = rec.valid.sort_values("row")
    assert valid["row"].tolist() == [2, 3]
    assert valid["report_date"].dt.strftime("%Y-%m-%d").tolist() == ["2024-01-05", "2024-02-05"]
    assert valid["age"].tolist() == [17, 22]
    assert valid["gender"].tolist() == ["kvinna", "man"]
    assert valid["offence"].tolist() == ["eget_bruk", "innehav"]
    assert valid["area"].tolist() == ["Övriga", "Centrum"]
    assert _reasons(rec)[0][:2] == (4, "offence")
    assert "'narkotika'" in _reasons(rec)[0][2]


def test_unknown_area_rejected_when_areas_configured(tmp_path: Path) -> None:
    config_path = tmp_path / "config.toml"
    config_path.write_text('areas = ["Centrum", "Skillingaryd"]\n', encoding="utf-8")
    config = load_config(config_path)
    rows = _rows(3)
    rows[1][5] = "Hok"
    rows[2][5] = "CENTRUM"  # case differs: the configured spelling is used
    rec = _read(_frame(rows), config=config)
    [(row, column, reason)] = _reasons(rec)
    assert (row, column) == (3, "area")
    assert "'Hok'" in reason and "areas" in reason
    assert rec.valid["area"].tolist() == ["Centrum", "Centrum"]


# ------------------------------------------------------------------ spreadsheet row numbers
def test_csv_blank_line_keeps_spreadsheet_row_numbers(tmp_path: Path) -> None:
    # line 1 header, line 2 data, line 3 blank, line 4 bad gender, line 5 bad age
    path = tmp_path / "blank.csv"
    path.write_text(
        "person_id,report_date,age,gender,offence\n"
        "A,2024-01-05,17,M,innehav\n"
        "\n"
        "B,2024-01-06,17,Z,innehav\n"
        "C,2024-01-07,-1,K,innehav\n",
        encoding="utf-8",
    )
    rec = _read(path)
    # the blank line is not a data row (io leaves it out): 3 rows read
    _assert_accounting(rec, 3)
    assert [(r, c) for r, c, _ in _reasons(rec)] == [(4, "gender"), (5, "age")]
    assert rec.valid["row"].tolist() == [2]


def test_parquet_row_numbers_are_index_plus_two(tmp_path: Path) -> None:
    rows = _rows(5)
    rows[3][3] = "Z"  # data row index 3 -> row 5
    path = tmp_path / "reports.parquet"
    _frame(rows).to_parquet(path, index=False)
    rec = _read(path)
    assert _reasons(rec)[0][:2] == (5, "gender")
    assert sorted(rec.valid["row"].tolist()) == [2, 3, 4, 6]


# ------------------------------------------------------------------------------ duplicates
def test_exact_duplicate_rows_count_once() -> None:
    rows = _rows(3)
    rows.append(list(rows[0]))  # row 5 repeats row 2
    rows.append(list(rows[0]))  # row 6 too
    rec = _read(_frame(rows))
    assert rec.accounting == {"read": 5, "used": 3, "rejected": 0, "duplicates": 2}
    rej = rec.rejected
    assert rej["row"].tolist() == [5, 6]
    assert pd.api.types.is_integer_dtype(rej["row"])  # row numbers are whole numbers
    assert set(rej["status"]) == {"duplicate"}
    assert all("row 2" in reason for reason in rej["reason"])


def test_same_personnummer_written_two_ways_is_one_person() -> None:
    rows = [
        ["811218-9876", "2024-01-05", "42", "M", "innehav", "C"],
        ["19811218-9876", "2024-02-05", "42", "M", "innehav", "C"],
        ["198112189876", "2024-02-05", "42", "M", "innehav", "C"],  # duplicate of row 3
    ]
    rec = _read(_frame(rows))
    assert rec.accounting == {"read": 3, "used": 2, "rejected": 0, "duplicates": 1}
    assert rec.valid["person"].nunique() == 1


def test_same_report_id_and_person_is_a_duplicate_even_if_values_differ() -> None:
    header = [*HEADER, "report_id"]
    rows = [
        ["A", "2024-01-05", "17", "M", "innehav", "C", "5000-K1"],
        ["A", "2024-01-05", "17", "M", "eget bruk", "C", "5000-K1"],  # same case, same person
        ["B", "2024-01-05", "18", "K", "innehav", "C", "5000-K1"],  # same case, other person
    ]
    rec = _read(_frame(rows, header))
    assert rec.accounting == {"read": 3, "used": 2, "rejected": 0, "duplicates": 1}
    assert [int(r) for r in rec.rejected["row"]] == [3]


def test_rows_without_report_id_are_not_duplicates_of_each_other() -> None:
    # CONTRACT 1.1: rows with the same report_id AND person_id are duplicates. An empty
    # report_id is no case number; two different reports of one person (different dates and
    # offences) that both lack it are two reports, not one.
    header = [*HEADER, "report_id"]
    rows = [
        ["A", "2024-01-05", "17", "M", "innehav", "C", ""],
        ["A", "2024-03-09", "17", "M", "eget bruk", "C", ""],
        ["B", "2024-01-05", "18", "K", "innehav", "C", "5000-K1"],
    ]
    rec = _read(_frame(rows, header))
    assert rec.accounting == {"read": 3, "used": 3, "rejected": 0, "duplicates": 0}


def test_each_duplicate_names_its_own_first_row_when_both_kinds_interleave() -> None:
    # rows 2-9: duplicates by (person, report_id) and exact duplicates of rows without a
    # report_id, interleaved; by hand: row 4 repeats 2 (K1), row 5 repeats 3 (exact), row 7
    # repeats 6 (K2), row 8 repeats 3 (exact), row 9 repeats 2 (K1)
    header = [*HEADER, "report_id"]
    rows = [
        ["P1", "2024-01-05", "17", "M", "innehav", "C", "5000-K1"],  # row 2
        ["P2", "2024-02-01", "18", "K", "innehav", "C", ""],  # row 3
        ["P1", "2024-01-06", "17", "M", "eget bruk", "C", "5000-K1"],  # row 4 -> 2
        ["P2", "2024-02-01", "18", "K", "innehav", "C", ""],  # row 5 -> 3
        ["P3", "2024-03-01", "19", "M", "innehav", "C", "5000-K2"],  # row 6
        ["P3", "2024-03-02", "19", "M", "innehav", "C", "5000-K2"],  # row 7 -> 6
        ["P2", "2024-02-01", "18", "K", "innehav", "C", ""],  # row 8 -> 3
        ["P1", "2024-01-07", "17", "M", "innehav", "C", "5000-K1"],  # row 9 -> 2
    ]
    rec = _read(_frame(rows, header))
    assert rec.accounting == {"read": 8, "used": 3, "rejected": 0, "duplicates": 5}
    table = rec.rejected
    found = {int(r): reason for r, reason in zip(table["row"], table["reason"], strict=True)}
    assert found == {r: f"duplicate of row {f}; counted once." for r, f in
                     [(4, 2), (5, 3), (7, 6), (8, 3), (9, 2)]}  # fmt: skip


def test_rejected_table_matches_accounting() -> None:
    rows = _rows(6)
    rows[0][2] = "-1"
    rows[0][3] = "Z"  # two problems in one row: one rejected row, two reasons
    rows[1][1] = "bad"
    rows.append(list(rows[2]))
    rec = _read(_frame(rows))
    acc = rec.accounting
    assert acc == {"read": 7, "used": 4, "rejected": 2, "duplicates": 1}
    rej = rec.rejected
    assert rej.loc[rej["status"] == "rejected", "row"].nunique() == acc["rejected"]
    assert (rej["status"] == "duplicate").sum() == acc["duplicates"]
    assert sorted({int(r) for r in rej["row"]}) == [2, 3, 8]


# ------------------------------------------------------------------------- gender conflicts
def test_gender_conflict_most_frequent_wins_with_warning() -> None:
    rows = [
        ["A", "2024-01-05", "17", "man", "innehav", "C"],
        ["A", "2024-02-05", "17", "M", "innehav", "C"],
        ["A", "2024-03-05", "17", "kvinna", "innehav", "C"],  # latest, but outvoted 2:1
        ["B", "2024-01-05", "17", "K", "innehav", "C"],
    ]
    with pytest.warns(DataWarning, match="different genders"):
        rec = _read(_frame(rows))
    valid = rec.valid.sort_values("row")
    assert valid["gender"].tolist() == ["man", "man", "man", "kvinna"]
    assert len(rec.notes) == 1


@pytest.mark.parametrize("reverse_file_order", [False, True])
def test_gender_tie_takes_latest_report(reverse_file_order: bool) -> None:
    rows = [
        ["A", "2024-01-05", "17", "man", "innehav", "C"],
        ["A", "2024-02-05", "17", "kvinna", "innehav", "C"],  # the latest report
    ]
    if reverse_file_order:
        rows.reverse()  # the latest report is now the first row: dates decide, not rows
    with pytest.warns(DataWarning):
        rec = _read(_frame(rows))
    assert rec.valid["gender"].tolist() == ["kvinna", "kvinna"]


def test_unknown_gender_does_not_conflict_with_a_known_one() -> None:
    rows = [
        ["A", "2024-01-05", "17", "M", "innehav", "C"],
        ["A", "2024-02-05", "17", "", "innehav", "C"],
        ["B", "2024-01-05", "17", "X", "innehav", "C"],
    ]
    with warnings.catch_warnings():
        warnings.simplefilter("error", DataWarning)
        rec = _read(_frame(rows))
    assert rec.valid.sort_values("row")["gender"].tolist() == ["man", "man", "okänt"]


# --------------------------------------------------------------------- ages from personnummer
@pytest.mark.parametrize("person", [PNR_2005, "200503151235", "050315-1235", SAMORDNING_2005])
def test_age_derived_from_personnummer(person: str) -> None:
    # born 2005-03-15: on 2024-03-14 the 19th birthday is one day away -> 18; on 2024-03-15 -> 19
    frame = pd.DataFrame(
        {
            "person_id": [person, person],
            "report_date": ["2024-03-14", "2024-03-15"],
            "gender": ["M", "M"],
            "offence": ["innehav", "innehav"],
        }
    )  # no age column at all
    rec = _read(frame)
    assert rec.accounting["used"] == 2
    assert rec.valid.sort_values("row")["age"].tolist() == [18, 19]


def test_empty_age_cell_derived_and_given_age_wins() -> None:
    rows = [
        [PNR_2005, "2024-03-14", "", "M", "innehav", "C"],  # derived: 18
        [PNR_2005, "2024-05-14", "20", "M", "innehav", "C"],  # the file says 20: it wins
        ["LOCAL-77", "2024-03-14", "", "M", "innehav", "C"],  # nothing to derive from
        ["20050315-1234", "2024-03-14", "", "M", "innehav", "C"],  # bad Luhn: a local id
    ]
    rec = _read(_frame(rows))
    assert rec.valid.sort_values("row")["age"].tolist() == [18, 20]
    assert [(r, c) for r, c, _ in _reasons(rec)] == [(4, "age"), (5, "age")]
    assert "fill in the age" in _reasons(rec)[0][2]


# ------------------------------------------------------------------------------- privacy
def test_no_raw_id_in_records_tables() -> None:
    ids = [PNR_1981, "LOCAL-77", PNR_2005]
    rows = [
        [pid, "2024-01-05", "17", "Z" if i == 2 else "M", "innehav", "C"]
        for i, pid in enumerate(ids)
    ]
    rec = _read(_frame(rows))
    assert rec.accounting["rejected"] == 1
    text = rec.valid.to_csv() + rec.rejected.to_csv()
    for raw in [*ids, "811218-9876", "8112189876", "198112189876", "200503151235"]:
        assert raw not in text
    assert rec.valid["person"].str.fullmatch(r"p_[0-9a-f]{32}").all()
    assert rec.rejected["person"].str.fullmatch(r"p_[0-9a-f]{32}").all()


# ----------------------------------------------------------------------- hypothesis property
_PERSONS = ["A", "B", " A ", PNR_2005]
_AGES = ["17", "30", "17,0", "", "-1", "130", "x"]
_GENDERS = ["M", "K", "kvinna", "", "Z"]
_OFFENCES = ["innehav", "Eget bruk", "foo"]
_DATE_OK = [True, True, True, False]


def _expect_valid(person: str, age: str, gender: str, offence: str, date_ok: bool) -> bool:
    """Oracle written from CONTRACT 1.1 for the small alphabet above."""
    age_ok = age in ("17", "30", "17,0") or (age == "" and person == PNR_2005)
    return date_ok and age_ok and gender != "Z" and offence != "foo"


@st.composite
def _reports(draw: st.DrawFn) -> tuple[pd.DataFrame, int, int, int]:
    n_base = draw(st.integers(1, 10))
    base = []
    for i in range(n_base):
        person = draw(st.sampled_from(_PERSONS))
        age = draw(st.sampled_from(_AGES))
        gender = draw(st.sampled_from(_GENDERS))
        offence = draw(st.sampled_from(_OFFENCES))
        date_ok = draw(st.sampled_from(_DATE_OK))
        # every base row has its own day, so two base rows are never equal and gender ties
        # are decided by date, never by file order
        day = f"2024-02-{1 + i:02d}" if date_ok else f"2024-02-3{i % 2}"
        base.append(
            (
                [person, day, age, gender, offence, "C"],
                _expect_valid(person, age, gender, offence, date_ok),
            )
        )
    copies = draw(st.lists(st.integers(0, n_base - 1), max_size=6))
    rows = [r for r, _ in base] + [list(base[i][0]) for i in copies]
    order = draw(st.permutations(range(len(rows))))
    n_valid = sum(ok for _, ok in base)
    used = n_valid
    duplicates = sum(base[i][1] for i in copies)
    rejected = (n_base - n_valid) + (len(copies) - duplicates)
    frame = _frame([rows[k] for k in order])
    return frame, used, rejected, duplicates


def _validate(frame: pd.DataFrame) -> object:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataWarning)
        return validate_reports(
            read_table(frame),
            config=load_config(),
            pseudonymiser=Pseudonymiser(TEST_KEY),
            today=TODAY,
        )


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=_reports(), seed=st.randoms(use_true_random=False))
def test_accounting_holds_and_order_does_not_matter(
    data: tuple[pd.DataFrame, int, int, int], seed: object
) -> None:
    frame, used, rejected, duplicates = data
    rec = _validate(frame)
    assert rec.accounting == {
        "read": len(frame),
        "used": used,
        "rejected": rejected,
        "duplicates": duplicates,
    }
    order = list(range(len(frame)))
    seed.shuffle(order)  # type: ignore[attr-defined]
    shuffled = _validate(frame.iloc[order].reset_index(drop=True))
    assert shuffled.accounting == rec.accounting

    def canonical(valid: pd.DataFrame) -> pd.DataFrame:
        cols = [c for c in valid.columns if c != "row"]
        return valid.loc[:, cols].sort_values(cols).reset_index(drop=True)

    pd.testing.assert_frame_equal(canonical(rec.valid), canonical(shuffled.valid))


def test_large_parquet_in_batches_equals_whole_file(tmp_path: Path) -> None:
    """Batched reading (CONTRACT 7: large files stream) gives exactly the whole-file result,
    with duplicates and gender conflicts that span batches."""
    import warnings
    from datetime import date

    from risk_indicators.intake.records import read_reports as read
    from risk_indicators.synthetic._generator import SynthParams, generate

    data = generate(
        SynthParams.municipal(), seed=3, start="2023-01-01", end="2023-12-31", defects=True
    )
    frame = data.reports.astype(str)
    # a duplicate and a conflicting gender far from their first rows (other batches)
    first = frame.iloc[[0]].copy()
    conflict = frame.iloc[[1]].copy()
    conflict["report_id"] = conflict["report_id"] + "-B"
    conflict["gender"] = "kvinna" if conflict["gender"].iloc[0].lower().startswith("m") else "man"
    frame = pd.concat([frame, first, conflict], ignore_index=True)
    path = tmp_path / "reports.parquet"
    frame.to_parquet(path, index=False)
    kwargs = {"key": b"p" * 16, "today": date(2024, 6, 1), "max_rejected_share": 1.0}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        whole = read(path, batch_rows=10**9, **kwargs)  # type: ignore[arg-type]
        batched = read(path, batch_rows=37, **kwargs)  # type: ignore[arg-type]
    assert len(frame) > 3 * 37  # several batches
    assert batched.accounting == whole.accounting
    assert batched.accounting["duplicates"] >= 1
    pd.testing.assert_frame_equal(batched.valid, whole.valid)
    pd.testing.assert_frame_equal(batched.rejected, whole.rejected)
    assert batched.sha256 == whole.sha256
    # the appended duplicate sits at the last rows: spreadsheet row = index + 2
    dup_rows = batched.rejected.loc[batched.rejected["status"] == "duplicate", "row"]
    assert len(frame) in set(dup_rows)  # index len(frame) - 2, row = index + 2


def _with_every_band(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` plus population-0 rows for the default bands it lacks (one age each), so that
    every year, area and gender has every band, as a real population file does."""
    ages = [0, 15, 18, 21, 25, 30, 40, 50, 60]  # one age in each default band
    keys = ["year", "area"] if "area" in frame else ["year"]
    extra = []
    for key, rows in frame.groupby(keys):
        fixed = dict(zip(keys, key if isinstance(key, tuple) else (key,), strict=True))
        for gender in ("man", "kvinna"):
            have = set(rows.loc[rows["gender"] == gender, "age"] // 1)
            bands = {next(a for a in reversed(ages) if a <= x) for x in have}
            extra += [{**fixed, "age": a, "gender": gender, "population": 0}
                      for a in ages if a not in bands]  # fmt: skip
    return pd.concat([frame, pd.DataFrame(extra)], ignore_index=True)


def test_a_population_group_without_rows_is_named() -> None:
    """Issue 19: a year with a band and gender missing left that group's rates without a
    denominator, silently. By hand: 2023 has every band for both genders; 2024 lacks 15-17
    women, the one hole. (A band that no year has is a partial table: allowed.)"""
    frame = _with_every_band(pd.DataFrame({"year": [2023, 2024], "age": [17, 17],
                                           "gender": ["man", "man"], "population": [10, 10]}))
    frame = frame.loc[~((frame["year"] == 2024) & (frame["age"] == 15)
                        & (frame["gender"] == "kvinna"))]  # fmt: skip
    partial = frame.loc[frame["age"] != 60]  # no year has 60+: no hole, a partial table
    partial = partial.loc[~((partial["age"] == 15) & (partial["gender"] == "kvinna"))]
    assert set(read_population(partial)["age_band"]) == {"0-14", "15-17", "18-20", "21-24",
                                                          "25-29", "30-39", "40-49", "50-59"}
    with pytest.raises(SchemaError, match=r"no rows for 1 year, age band and gender group\(s\) "
                                          r"\(2024, 15-17, kvinna\)"):  # fmt: skip
        read_population(frame)


def test_a_repeated_population_row_is_an_error_that_names_the_row() -> None:
    # issue 19: a year pasted twice doubled the denominator silently. Rows (header = row 1):
    # row 2 and row 4 are the same year, area, age and gender.
    frame = pd.DataFrame({"year": [2024, 2024, 2024], "age": [17, 17, 17],
                          "gender": ["man", "kvinna", "man"], "area": ["A", "A", "A"],
                          "population": [10, 11, 10]})  # fmt: skip
    with pytest.raises(SchemaError, match=r"row 4: the same year, area, age and gender") as info:
        read_population(frame)
    assert info.value.failure_cases["row"].tolist() == [4]
    # the same counts over two years are fine
    ok = read_population(_with_every_band(frame.assign(year=[2023, 2024, 2024]).iloc[:2]))
    assert ok["population"].sum() == 21


def test_population_areas_must_match_the_configured_areas() -> None:
    """Issue 19: a misspelt or missing area passed silently and left its rates without a
    denominator. Rows (header = row 1): row 3 has an area the config does not list."""
    cfg = load_config(areas=["Skillingaryd", "Vaggeryd"])
    frame = pd.DataFrame({"year": [2024, 2024, 2024], "age": [17, 17, 18],
                          "gender": ["man", "kvinna", "man"],
                          "area": ["Skillingaryd", "Skillingaryds", "vaggeryd"],
                          "population": [10, 11, 12]})  # fmt: skip
    with pytest.raises(SchemaError, match=r"row 3: area is not one of the configured") as info:
        read_population(frame, config=cfg)
    assert info.value.failure_cases["row"].tolist() == [3]
    # a configured area without any row is named
    only_one = frame.iloc[:1]
    with pytest.raises(SchemaError, match=r"no rows for the configured area\(s\) Vaggeryd"):
        read_population(only_one, config=cfg)
    # case and accents as the reports are read: 'vaggeryd' is Vaggeryd
    ok = read_population(_with_every_band(frame.assign(
        area=["Skillingaryd", "Skillingaryd", "vaggeryd"])), config=cfg)  # fmt: skip
    assert set(ok["area"]) == {"Skillingaryd", "Vaggeryd"}
    # without an area column the population is the whole municipality, as before
    whole = read_population(_with_every_band(frame.drop(columns="area")), config=cfg)
    assert set(whole["area"]) == {"total"} and whole["population"].sum() == 33


def test_a_repeated_counts_cell_is_an_error_that_names_both_rows() -> None:
    """Issue 19: a counts file with the same period, area, band and gender twice was summed
    silently. Rows (header = row 1): row 4 repeats row 2's cell."""
    from risk_indicators.intake import read_counts

    cfg = load_config()
    frame = pd.DataFrame({"period": ["2024T1", "2024T1", "2024T1"],
                          "area": ["A", "A", "A"], "age_band": ["15-17", "18-20", "15-17"],
                          "gender": ["man", "man", "man"], "persons": [3, 4, 3]})  # fmt: skip
    with pytest.raises(SchemaError, match=r"row 4, period: the same period, area, age_band "
                                          r"and gender as row 2") as info:  # fmt: skip
        read_counts(frame, config=cfg)
    assert info.value.failure_cases["row"].tolist() == [4]
    ok = read_counts(frame.iloc[:2], config=cfg)
    assert int(ok.data["persons"].sum()) == 7


@pytest.mark.parametrize("areas", [(), ("Vaggeryd",)])
def test_a_shifted_export_puts_no_local_id_in_the_rejected_rows(areas: tuple[str, ...]) -> None:
    """Issue 19: an export shifted by a column puts the person's local id (not a personnummer,
    so ``scrub`` does not catch it) into the date, gender or area column. The row is rejected,
    and its reason does not quote the id; without configured areas (any area name is a label)
    an area that is one of the file's ids is rejected too, instead of becoming a label."""
    good = [[f"LOC{i:05d}", f"2024-0{1 + i % 8}-1{i % 9}", str(16 + i % 8), "man", "Eget bruk",
             "Vaggeryd"] for i in range(40)]  # fmt: skip
    shifted = [
        ["LOC77777", "LOC77777", "17", "man", "Eget bruk", "Vaggeryd"],
        ["LOC88888", "2024-02-02", "17", "LOC88888", "Eget bruk", "Vaggeryd"],
        ["LOC99999", "2024-02-02", "17", "man", "Eget bruk", "LOC99999"],
    ]
    frame = pd.DataFrame(good + shifted, columns=["person_id", "report_date", "age", "gender",
                                                  "offence", "area"])  # fmt: skip
    config = load_config(None, areas=list(areas)) if areas else load_config(None)
    rec = read_reports(frame, config=config, key=b"0" * 32, max_rejected_share=1.0)
    rejected = rec.rejected.set_index("column")
    assert list(rec.rejected["column"]) == ["report_date", "gender", "area"]
    assert rec.accounting["used"] == 40
    assert "[a person id, not shown]" in rejected.loc["report_date", "reason"]
    assert "[a person id, not shown]" in rejected.loc["gender", "reason"]
    text = rec.rejected.to_csv(index=False)
    assert not any(f"LOC{n}" in text for n in ("77777", "88888", "99999"))
    assert set(rec.valid["area"].astype(str)) == {"Vaggeryd"}


def test_a_long_intake_reports_the_rows_checked(caplog: pytest.LogCaptureFixture) -> None:
    """One progress line per batch, ending with every row of the file (795 in the bundled
    extract, counted by ``accounting['read']``); a file of one batch prints none."""
    import logging

    import risk_indicators as ri

    data = ri.demo_data_dir()
    cfg = load_config(data / "config.toml")
    # a command line test may have stopped this logger's propagation (its console shows the
    # lines): listen to it directly, and only directly, so each line is caught once
    steps = logging.getLogger("risk_indicators.progress")
    level, propagate = steps.level, steps.propagate
    steps.addHandler(caplog.handler)
    steps.setLevel(logging.INFO)
    steps.propagate = False
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DataWarning)
            records = read_reports(data / "reports.csv", config=cfg, key=ri.DEMO_KEY,
                                   batch_rows=300)  # fmt: skip
            lines = [r.getMessage() for r in caplog.records if r.name == steps.name]
            caplog.clear()
            read_reports(data / "reports.csv", config=cfg, key=ri.DEMO_KEY)
            one_batch = [r for r in caplog.records if r.name == steps.name]
    finally:
        steps.removeHandler(caplog.handler)
        steps.setLevel(level)
        steps.propagate = propagate
    # batches finish in any order on threads; the lines follow the file's order
    assert lines == ["  reports.csv: 300 rows checked", "  reports.csv: 600 rows checked",
                     "  reports.csv: 795 rows checked"]  # fmt: skip
    assert records.accounting["read"] == 795
    assert not one_batch
