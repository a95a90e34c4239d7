"""A hand-checked fixture: every indicator of CONTRACT 4 written out by hand.

The fixture (tertials, P = 2024T1, youth = 15-24):

===  ======  ==========  ===  ======  ====  ==========================================
row  person  date        age  gender  area  note
===  ======  ==========  ===  ======  ====  ==========================================
2    A       2021-03-10  20   M       X     before the 24-month look-back (2022-01-01)
3    A       2024-01-10  23   M       X     youth, new (no report 2022-01-01..2023-12-31)
4    B       2023-06-01  16   K       Y     2023T2
5    B       2024-02-01  17   K       Y     youth, not new; cell of B in 2024T1
6    B       2024-03-01  17   K       X     second report of B in 2024T1: same cell as row 5
7    C       2024-04-30  30   M       X     adult, last day of T1
8    D       2024-01-15  19   K       X     youth, new
9    E       2024-02-20  24   X       Y     youth (gender okänt), new
10   F       2024-05-01  18   M       X     2024T2, outside P
11   G       2023-02-01  21   M       X     2023T1 = same period a year earlier
12   D       2024-01-15  19   K       X     same report_id as row 8: a duplicate
===  ======  ==========  ===  ======  ====  ==========================================

In P: persons A, B, C, D, E = 5; youth A, B, D, E = 4; women B, D = 2; men A, C = 2; young
women B, D = 2; young men A = 1; new youth A, D, E = 3.

The figures are exact under ``disclosure.method = "suppression"`` (EXACT); the default
cell-key method perturbs the counts first (tests/test_cellkey.py).
"""

from __future__ import annotations

import math
import warnings

import pandas as pd
import pytest
from scipy import stats

import risk_indicators as ri

Z = stats.norm.ppf(0.975)
KEY = b"fixture-key-0123456789"
EXACT = ri.load_config(disclosure={"method": "suppression"})


def _records() -> ri.Records:
    rows = [
        ("A", "2021-03-10", 20, "M", "X", "r1"),
        ("A", "2024-01-10", 23, "M", "X", "r2"),
        ("B", "2023-06-01", 16, "K", "Y", "r3"),
        ("B", "2024-02-01", 17, "K", "Y", "r4"),
        ("B", "2024-03-01", 17, "K", "X", "r5"),
        ("C", "2024-04-30", 30, "M", "X", "r6"),
        ("D", "2024-01-15", 19, "K", "X", "r7"),
        ("E", "2024-02-20", 24, "X", "Y", "r8"),
        ("F", "2024-05-01", 18, "M", "X", "r9"),
        ("G", "2023-02-01", 21, "M", "X", "r10"),
        ("D", "2024-01-15", 19, "K", "X", "r7"),
    ]
    frame = pd.DataFrame(
        rows, columns=["person_id", "report_date", "age", "gender", "area", "report_id"]
    ).assign(offence="eget_bruk")
    return ri.read_reports(frame, key=KEY)


def _population() -> pd.DataFrame:
    bands = {
        "0-14": (900, 850),
        "15-17": (200, 190),
        "18-20": (210, 200),
        "21-24": (300, 280),
        "25-29": (400, 380),
        "30-39": (800, 790),
        "40-49": (800, 780),
        "50-59": (700, 690),
        "60+": (1500, 1600),
    }
    rows = [
        (year, band, gender, counts[i])
        for year in (2023, 2024)
        for band, counts in bands.items()
        for i, gender in enumerate(("man", "kvinna"))
    ]
    frame = pd.DataFrame(rows, columns=["year", "age_band", "gender", "population"])
    return ri.read_population(frame)


@pytest.fixture(scope="module")
def analysis() -> ri.Analysis:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ri.DataWarning)  # 2021-2022 use the 2023 population
        return ri.analyse(_records(), _population(), period="2024T1", config=EXACT)


def _wilson(k: int, n: int) -> tuple[float, float]:
    # Wilson (1927) by hand: (p + z²/2n ± z sqrt(p(1-p)/n + z²/4n²)) / (1 + z²/n)
    p = k / n
    centre = p + Z**2 / (2 * n)
    half = Z * math.sqrt(p * (1 - p) / n + Z**2 / (4 * n**2))
    return (centre - half) / (1 + Z**2 / n), (centre + half) / (1 + Z**2 / n)


def test_accounting(analysis: ri.Analysis) -> None:
    assert analysis.accounting == {"read": 11, "used": 10, "rejected": 0, "duplicates": 1}


def test_counts(analysis: ri.Analysis) -> None:
    ind = analysis.indicators
    assert ind["persons"]["value"] == 5
    assert ind["persons_youth"]["value"] == 4
    assert ind["new_persons_youth"]["value"] == 3


def test_shares(analysis: ri.Analysis) -> None:
    ind = analysis.indicators
    for key, (k, n) in {
        "youth_share": (4, 5),
        "female_share": (2, 4),
        "female_share_youth": (2, 3),
    }.items():
        low, high = _wilson(k, n)
        assert ind[key]["value"] == pytest.approx(k / n, abs=1e-12)
        assert ind[key]["ci_low"] == pytest.approx(low, abs=1e-12)
        assert ind[key]["ci_high"] == pytest.approx(high, abs=1e-12)
        assert ind[key]["n"] == n


def test_youth_rate(analysis: ri.Analysis) -> None:
    ind = analysis.indicators["youth_rate_per_10k"]
    youth_population = 200 + 190 + 210 + 200 + 300 + 280  # = 1380
    assert ind["value"] == pytest.approx(4 / 1380 * 10_000, rel=1e-12)  # 28.9855...
    # Garwood exact interval, chi-square form: chi2(0.025, 2k)/2, chi2(0.975, 2k+2)/2
    assert ind["ci_low"] == pytest.approx(stats.chi2.ppf(0.025, 8) / 2 / youth_population * 1e4)
    assert ind["ci_high"] == pytest.approx(stats.chi2.ppf(0.975, 10) / 2 / youth_population * 1e4)


def test_rate_ratio_and_benchmark(analysis: ri.Analysis) -> None:
    ind = analysis.indicators
    rr = (2 / (190 + 200 + 280)) / (1 / (200 + 210 + 300))  # = 1420/670
    se = math.sqrt(1 / 2 + 1 / 1)  # Katz: sqrt(1/a + 1/b)
    got = ind["rate_ratio_female_male_youth"]
    assert got["value"] == pytest.approx(rr, rel=1e-12)
    assert got["ci_low"] == pytest.approx(rr * math.exp(-Z * se), rel=1e-10)
    assert got["ci_high"] == pytest.approx(rr * math.exp(Z * se), rel=1e-10)
    odds = (2 / 1) / (0.35 / 0.65)  # odds of 2/3 over odds of the benchmark 0.35
    got = ind["benchmark_ratio_youth"]
    assert got["value"] == pytest.approx(odds, rel=1e-12)
    # fixed benchmark: the Wilson limits of 2/3 on the odds scale (issue 15), by hand:
    # Wilson lower = (p + z^2/2n - z sqrt(p(1-p)/n + z^2/4n^2)) / (1 + z^2/n), n = 3
    n, p = 3, 2 / 3
    low = (p + Z**2 / (2 * n) - Z * math.sqrt(p * (1 - p) / n + Z**2 / (4 * n * n))) / (
        1 + Z**2 / n
    )
    assert got["ci_low"] == pytest.approx((low / (1 - low)) / (0.35 / 0.65), rel=1e-10)


def test_comparison_scopes(analysis: ri.Analysis) -> None:
    last_year = analysis.results["same_period_last_year"]
    assert analysis.labels["same_period_last_year"] == "2023T1"
    assert last_year["persons"].value == 1  # G
    assert last_year["persons_youth"].value == 1
    window = analysis.results["rolling_12_months"]
    assert analysis.labels["rolling_12_months"] == "2023T2-2024T1"
    assert window["persons"].value == 5  # B counted once although reported in 2023T2 and 2024T1
    assert window["persons_youth"].value == 4  # B is 16 at her first report in the window


def test_cube_cells(analysis: ri.Analysis) -> None:
    cube = analysis.cube.set_index(["period", "area", "age_band", "gender"])
    # B counts once, in the cell of her first report (area Y), with both reports
    assert cube.loc[("2024T1", "Y", "15-17", "kvinna"), "persons"] == 1
    assert cube.loc[("2024T1", "Y", "15-17", "kvinna"), "reports"] == 2
    assert cube.loc[("2024T1", "X", "15-17", "kvinna"), "persons"] == 0
    assert cube.loc[("2024T1", "Y", "21-24", "okänt"), "persons"] == 1
    assert cube.loc[("2024T1", "total", "total", "total"), "persons"] == 5
    assert cube.loc[("2024T1", "total", "total", "total"), "reports"] == 6
    assert pd.isna(cube.loc[("2024T1", "X", "15-17", "kvinna"), "population"])  # no areas
    assert cube.loc[("2024T1", "total", "15-17", "total"), "population"] == 390
    assert list(analysis.cube["period"].unique()) == [
        "2021T1",
        "2021T2",
        "2021T3",
        "2022T1",
        "2022T2",
        "2022T3",
        "2023T1",
        "2023T2",
        "2023T3",
        "2024T1",
    ]


def test_new_persons_needs_24_months_of_history() -> None:
    records = _records()
    late = ri.Records(
        valid=records.valid.loc[records.valid["report_date"] >= "2022-06-01"],
        rejected=records.rejected,
        accounting=records.accounting,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ri.DataWarning)
        a = ri.analyse(late, _population(), period="2024T1", config=EXACT)
    got = a.indicators["new_persons_youth"]
    assert got["value"] is None
    assert "24 months" in got["reason"]
