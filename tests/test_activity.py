"""The activity file (issue 16): Swedish headers, CSV and XLSX, every problem with its row.

Reference values are written by hand from the small files below (the row numbers as a
spreadsheet shows them: header = row 1).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from risk_indicators.config import load_config
from risk_indicators.errors import SchemaError
from risk_indicators.intake import read_activity

TODAY = date(2025, 9, 1)
CONFIG = load_config(areas=["Skillingaryd", "Vaggeryd", "Övriga"])

SWEDISH = (
    "Tertial;Område;Aktivitet;Omfattning;Enhet\r\n"
    "2024T1;Skillingaryd;Trygghetsvandringar;2;st\r\n"
    "2024T1;;Patrull;310,5;timmar\r\n"
    "2024-03;Vaggeryd;Hot spot;12;tim\r\n"
    "2024T2;hela kommunen;EST;17;antal\r\n"
    "2024T2;vaggeryd;Trafikinsatser;1;Antal\r\n"
)


def _csv(tmp_path: Path, body: str, name: str = "aktiviteter.csv") -> Path:
    path = tmp_path / name
    path.write_bytes(body.encode("cp1252"))
    return path


def test_swedish_csv_gives_codes_areas_periods_and_hours(tmp_path: Path) -> None:
    acts = read_activity(_csv(tmp_path, SWEDISH), config=CONFIG, today=TODAY)
    v = acts.valid
    assert v["row"].tolist() == [2, 3, 4, 5, 6]
    assert v["period"].tolist() == ["2024T1", "2024T1", "2024T1", "2024T2", "2024T2"]
    assert v["activity"].tolist() == ["trygghetsvandring", "Patrull", "hot_spot", "est",
                                      "trafikinsats"]  # fmt: skip
    # empty and "hela kommunen" are the whole municipality; a configured area keeps its spelling
    assert v["area"].tolist() == ["Skillingaryd", "total", "Vaggeryd", "total", "Vaggeryd"]
    assert v["unit"].tolist() == ["antal", "timmar", "timmar", "antal", "antal"]
    assert v["amount"].tolist() == [2.0, 310.5, 12.0, 17.0, 1.0]
    # the effort of a period is its hours only: 310.5 + 12 in T1, none in T2 (unknown, not 0)
    hours = acts.effort_hours(["2023T3", "2024T1", "2024T2"])
    assert hours.loc["2024T1"] == 322.5
    assert hours.isna().tolist() == [True, False, True]
    assert acts.accounting == {"read": 5, "used": 5, "rejected": 0}
    assert acts.sha256 is not None and acts.source == "aktiviteter.csv"
    t = acts.table
    assert t.loc[t["period"] == "2024T1", "amount"].sum() == 2 + 310.5 + 12


def test_xlsx_reads_like_the_csv(tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    for line in SWEDISH.strip().split("\r\n"):
        cells = line.split(";")
        amount = cells[3] if cells[0] == "Tertial" else float(cells[3].replace(",", "."))
        ws.append([*cells[:3], amount, cells[4]])
    path = tmp_path / "aktiviteter.xlsx"
    wb.save(path)
    from_xlsx = read_activity(path, config=CONFIG, today=TODAY).valid
    from_csv = read_activity(_csv(tmp_path, SWEDISH), config=CONFIG, today=TODAY).valid
    pd.testing.assert_frame_equal(from_xlsx, from_csv)


def test_dates_give_the_config_period(tmp_path: Path) -> None:
    body = "datum;aktivitet;omfattning;enhet\n2024-04-30;kontroll;3;timmar\n2024-05-01;x;1;antal\n"
    acts = read_activity(_csv(tmp_path, body), config=CONFIG, today=TODAY)
    assert acts.valid["period"].tolist() == ["2024T1", "2024T2"]
    assert acts.valid["date"].tolist() == ["2024-04-30", "2024-05-01"]
    quarters = read_activity(_csv(tmp_path, body), config=load_config(period="quarter"),
                             today=TODAY)  # fmt: skip
    assert quarters.valid["period"].tolist() == ["2024Q2", "2024Q2"]


def test_every_bad_row_is_named_and_nothing_is_dropped(tmp_path: Path) -> None:
    body = (
        "period;datum;område;aktivitet;omfattning;enhet\n"
        "2024T1;;Skillingaryd;trygghetsvandring;1;antal\n"  # 2: fine
        "2024Q1;;;patrull;3;timmar\n"  # 3: a quarter with a tertial config
        "2024T1;2024-06-02;;patrull;3;timmar\n"  # 4: the date lies in 2024T2
        ";2026-01-05;;patrull;3;timmar\n"  # 5: after today
        "2024T1;;Norrby;patrull;3;timmar\n"  # 6: not a configured area
        "2024T1;;;patrull;-3;timmar\n"  # 7: negative amount
        "2024T1;;;patrull;tre;timmar\n"  # 8: not a number
        "2024T1;;;patrull;3;dagar\n"  # 9: unknown unit
        ";;;patrull;3;timmar\n"  # 10: no period, no date
        "2024T1;;;;3;timmar\n"  # 11: no activity
        "2024T1;;19750101-1234;patrull;3;timmar\n"  # 12: a personnummer as area
    )
    with pytest.raises(
        SchemaError, match=r"aktiviteter\.csv: the activity file has 10 problems"
    ) as e:
        read_activity(_csv(tmp_path, body), config=CONFIG, today=TODAY)
    cases = e.value.failure_cases
    assert list(zip(cases["row"], cases["column"], strict=True)) == [
        (3, "period"), (4, "period"), (5, "date"), (6, "area"), (7, "amount"), (8, "amount"),
        (9, "unit"), (10, "period"), (11, "activity"), (12, "area"),
    ]  # fmt: skip
    assert "row 3, period" in str(e.value) and "no activity row is left out" in str(e.value)
    assert "19750101" not in str(e.value) + " ".join(cases["reason"])


def test_missing_columns_are_usage_errors_naming_them(tmp_path: Path) -> None:
    with pytest.raises(SchemaError, match="'unit'"):
        read_activity(_csv(tmp_path, "period;aktivitet;omfattning\n2024T1;x;1\n"), config=CONFIG)
    with pytest.raises(SchemaError, match=r"needs a column 'period'.*or 'date'") as e:
        read_activity(_csv(tmp_path, "aktivitet;omfattning;enhet\nx;1;antal\n"), config=CONFIG)
    assert e.value.exit_code == 2
    with pytest.raises(SchemaError, match="no data rows"):
        read_activity(_csv(tmp_path, "period;aktivitet;omfattning;enhet\n"), config=CONFIG)


def test_repeated_rows_count_and_are_noted(tmp_path: Path) -> None:
    body = "period;aktivitet;omfattning;enhet\n2024T1;trygghetsrunda;2;timmar\n" * 1
    body += "2024T1;trygghetsrunda;2;timmar\n"
    acts = read_activity(_csv(tmp_path, body), config=CONFIG, today=TODAY)
    assert len(acts.valid) == 2 and acts.effort_hours().loc["2024T1"] == 4.0
    assert acts.notes and "1 activity row(s) repeat" in acts.notes[0]


def test_any_area_is_accepted_without_configured_areas() -> None:
    frame = pd.DataFrame({"period": ["2024T1"], "area": ["Hok"], "activity": ["walk"],
                          "amount": ["1"], "unit": ["antal"]})  # fmt: skip
    acts = read_activity(frame, config=load_config(), today=TODAY)
    assert acts.valid[["area", "activity"]].values.tolist() == [["Hok", "walk"]]
    assert acts.summary().splitlines()[1] == "2024T1: 0 hours, 1 occasions"
