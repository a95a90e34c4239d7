"""The follow-up report renders exactly the public figures of a release (issue 8).

The fixture below is a hand-made PublicRelease: seven tertials of a Vaggeryd-sized
municipality, threshold T = 5, with suppressed cells (young women in 2024T1, a whole period in
2022T3), a published zero (young women in 2023T1), a value that is not defined (a rate ratio
with no young women) and an alarm in 2024T1. The report computes nothing: every expected text
below is written by hand from these numbers and the formatting rules of the report (Swedish
decimal comma, no-break space as thousands separator and before "%").

Golden files (tests/golden/report_text_{sv,en}.txt) hold the visible text of the HTML report;
regenerate them with ``UPDATE_GOLDEN=1 python -m pytest tests/test_report.py`` and review the
diff by eye.
"""

from __future__ import annotations

import copy
import math
import os
import re
import subprocess
import sys
import zipfile
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import openpyxl
import pandas as pd
import pytest

from risk_indicators.periods import parse_period
from risk_indicators.report import (
    PublicRelease,
    make_figures,
    render_followup_html,
    render_followup_md,
    render_followup_txt,
    render_html,
    write_report,
    write_workbook,
)
from risk_indicators.report.content import fairness_kind
from risk_indicators.report.formatting import Lang, ValueKind, fmt_interval, fmt_value
from risk_indicators.report.labels import LABELS
from risk_indicators.report.summary import direction

GOLDEN = Path(__file__).parent / "golden"
NBSP = "\u00a0"
T = 5
PERIODS = ["2022T1", "2022T2", "2022T3", "2023T1", "2023T2", "2023T3", "2024T1"]
SUPPRESSED_REASON = "suppressed: a count it uses is below the disclosure threshold"


def _ind(
    value: Any = None,
    lo: float | None = None,
    hi: float | None = None,
    n: int | None = None,
    *,
    suppressed: bool = False,
    reason: str = "",
) -> dict[str, Any]:
    if suppressed:
        return {
            "value": None,
            "ci_low": None,
            "ci_high": None,
            "n": None,
            "suppressed": True,
            "reason": SUPPRESSED_REASON,
        }
    out: dict[str, Any] = {"value": value, "ci_low": lo, "ci_high": hi, "n": n, "suppressed": False}
    if reason:
        out["reason"] = reason
    return out


INDICATORS: dict[str, Any] = {
    "schema_version": 1,
    "municipality": "Vaggeryd",
    "period": "2024T1",
    "period_kind": "tertial",
    "rows": {"read": 1234, "used": 1200, "rejected": 22, "duplicates": 12},
    "indicators": {
        "persons": _ind(31, n=31),
        "persons_youth": _ind(14, n=14),
        "youth_share": _ind(0.4516129, 0.2906, 0.6230, 31),
        "female_share": _ind(0.2258065, 0.1142, 0.3979, 31),
        "female_share_youth": _ind(suppressed=True),
        "youth_rate_per_10k": _ind(86.41975, 47.2464, 145.0004, 14),
        "rate_ratio_female_male_youth": _ind(suppressed=True),
        "benchmark_ratio_youth": _ind(suppressed=True),
        "new_persons_youth": _ind(9, n=9),
        "youth_trend_annual_change": _ind(0.0823, -0.0512, 0.2347, 7),
        "female_share_youth_trend": _ind(None, n=7, reason="insufficient_data: too few periods"),
        "goal_status": _ind("not_on_track"),
    },
    "comparisons": {
        "same_period_last_year": {
            "label": "2023T1",
            "indicators": {
                "persons": _ind(24, n=24),
                "persons_youth": _ind(10, n=10),
                "youth_share": _ind(0.4166667, 0.2447, 0.6106, 24),
                "female_share": _ind(0.125, 0.0434, 0.3100, 24),
                "female_share_youth": _ind(0.0, 0.0, 0.2775, 10),
                "youth_rate_per_10k": _ind(62.11180, 29.7847, 114.2255, 10),
                "rate_ratio_female_male_youth": _ind(
                    None, n=10, reason="not defined: no young women"
                ),
                "benchmark_ratio_youth": _ind(0.0, None, None, 10),
            },
        },
        "rolling_12_months": {
            "label": "2023T2-2024T1",
            "indicators": {
                "persons": _ind(80, n=80),
                "persons_youth": _ind(38, n=38),
                "youth_share": _ind(0.475, 0.3686, 0.5836, 80),
                "female_share": _ind(0.2125, 0.1371, 0.3142, 80),
                "female_share_youth": _ind(0.2105263, 0.1107, 0.3640, 38),
                "youth_rate_per_10k": _ind(234.5679, 166.0011, 321.9530, 38),
                "rate_ratio_female_male_youth": _ind(0.2963, 0.1347, 0.6516, 38),
                "benchmark_ratio_youth": _ind(0.4952, 0.2258, 1.0858, 38),
            },
        },
    },
    "package_version": "0.1.0-test",
}

NA = pd.NA


def _tables() -> dict[str, pd.DataFrame]:
    youth = pd.DataFrame(
        {
            "period": PERIODS,
            "label": [parse_period(p).label_sv() for p in PERIODS],
            "persons_youth": pd.array([9, 12, NA, 10, 13, 11, 14], dtype="Int64"),
            "population_youth": pd.array([1590, 1590, 1590, 1610, 1610, 1610, 1620], dtype="Int64"),
            "rate_per_10k": pd.array(
                [56.60377, 75.47170, NA, 62.11180, 80.74534, 68.32298, 86.41975], dtype="Float64"
            ),
            "ci_low": pd.array([25.88, 39.00, NA, 29.78, 42.99, 34.11, 47.25], dtype="Float64"),
            "ci_high": pd.array(
                [107.45, 131.84, NA, 114.23, 138.08, 122.25, 145.00], dtype="Float64"
            ),
            "fitted_rate": pd.array([60.1, 63.5, 67.0, 70.8, 74.7, 78.9, 83.3], dtype="Float64"),
            "fitted_low": pd.array([41.2, 46.0, 50.3, 54.4, 57.6, 59.8, 61.5], dtype="Float64"),
            "fitted_high": pd.array([87.7, 87.6, 89.2, 92.1, 96.9, 104.1, 112.8], dtype="Float64"),
            "expected": pd.array([NA, NA, NA, NA, 10.9, 11.3, 9.6], dtype="Float64"),
            "upperbound": pd.array([NA, NA, NA, NA, 18.8, 19.2, 13.2], dtype="Float64"),
            "alarm": pd.array([NA, NA, NA, NA, False, False, True], dtype="boolean"),
            "suppressed": [False, False, True, False, False, False, False],
        }
    )
    windows = ["2022T2-2023T1", "2022T3-2023T2", "2023T1-2023T3", "2023T2-2024T1"]
    female = pd.DataFrame(
        {
            "scope": ["period"] * 7 + ["rolling_12_months"] * 4,
            "period": PERIODS + windows,
            "women": pd.array([NA, 5, NA, 0, 5, NA, NA, 5, 5, 8, 8], dtype="Int64"),
            "men": pd.array([NA, 7, NA, 10, 8, NA, NA, 20, 22, 26, 30], dtype="Int64"),
            "estimate": pd.array(
                [NA, 0.4166667, NA, 0.0, 0.3846154, NA, NA, 0.2, 0.1851852, 0.2352941, 0.2105263],
                dtype="Float64",
            ),
            "ci_low": pd.array(
                [NA, 0.1933, NA, 0.0, 0.1771, NA, NA, 0.0886, 0.0818, 0.1244, 0.1107],
                dtype="Float64",
            ),
            "ci_high": pd.array(
                [NA, 0.6805, NA, 0.2775, 0.6448, NA, NA, 0.3913, 0.3671, 0.3989, 0.3640],
                dtype="Float64",
            ),
            "suppressed": [True, False, True, False, False, True, True] + [False] * 4,
        }
    )
    rows = []
    for scope, block, label in (
        ("period", INDICATORS["indicators"], "2024T1"),
        *(
            (s, INDICATORS["comparisons"][s]["indicators"], INDICATORS["comparisons"][s]["label"])
            for s in ("same_period_last_year", "rolling_12_months")
        ),
    ):
        for ind_id, ind in block.items():
            rows.append(
                {
                    "scope": scope,
                    "label": label,
                    "id": ind_id,
                    "value": ind["value"],
                    "ci_low": ind["ci_low"],
                    "ci_high": ind["ci_high"],
                    "n": ind["n"],
                    "suppressed": ind["suppressed"],
                }
            )
    indicators = pd.DataFrame(rows)
    # the publication design: P's persons by area and by age band (all genders), and by
    # gender; the 12 months' persons by gender (a "–" is hidden; zeros only in clean tables)
    count_rows = []
    by_area = {"Skillingaryd": 7, "Vaggeryd": 11, "Övriga": 13, "total": 31}
    by_age = {"0-14": None, "15-17": 6, "18-20": 8, "21-24": None, "25-29": 5, "30-39": 7,
              "40-49": 5, "50-59": None, "60+": None, "total": 31}  # fmt: skip
    for area, v in by_area.items():
        count_rows.append(("persons_by_area", "2024T1", area, "total", "total", "persons", v))
    for band, v in by_age.items():
        count_rows.append(("persons_by_age", "2024T1", "total", band, "total", "persons", v))
    for g, v in (("kvinna", 7), ("man", 24), ("okänt", 0)):
        count_rows.append(("persons_by_gender", "2024T1", "total", "total", g, "persons", v))
    for g, v in (("kvinna", 17), ("man", 63), ("total", 80)):
        count_rows.append(("youth_12m", "2023T2-2024T1", "total", "total", g, "persons", v))
    counts = pd.DataFrame(count_rows, columns=["table", "period", "area", "age_band", "gender",
                                               "measure", "value"])  # fmt: skip
    counts["suppressed"] = counts["value"].isna()
    counts["value"] = counts["value"].astype("Int64")
    trend = pd.DataFrame(
        {
            "term": ["annual_change", "time_in_years"],
            "estimate": [0.0823, 0.0791],
            "ci_low": [-0.0512, -0.0526],
            "ci_high": [0.2347, 0.2109],
            "p_value": [0.2134, 0.2134],
            "n": [7, 7],
        }
    )
    comparison = pd.DataFrame(
        {
            "comparison": ["previous_year", "previous_3_years"],
            "estimate": pd.array([1.3901, NA], dtype="Float64"),
            "ci_low": pd.array([0.5784, NA], dtype="Float64"),
            "ci_high": pd.array([3.4405, NA], dtype="Float64"),
            "p_value": pd.array([0.5413, NA], dtype="Float64"),
            "suppressed": [False, True],
        }
    )
    fairness = pd.DataFrame(
        {
            "measure": [
                "rate_ratio_crude",
                "rate_ratio_crude",
                "rate_ratio_standardised",
                "benchmark_ratio",
                "female_share_by_detection",
                "female_share_by_detection",
                "demographic_parity_ratio",
                # 9/1216 - 4/1150 = 0.00392: "0.00" with two decimals read as no difference
                "demographic_parity_difference",
            ],
            "scope": ["period"] + ["rolling_12_months"] * 7,
            "group": ["kvinna", "kvinna", "kvinna", "kvinna", "polisinitierad", "anmalan", NA, NA],
            "estimate": pd.array(
                [NA, 0.2963, 0.3050, 0.4952, 0.1667, NA, 0.2963, 0.00392], dtype="Float64"
            ),
            "ci_low": pd.array([NA, 0.1347, 0.1390, 0.2258, 0.0729, NA, NA, NA], dtype="Float64"),
            "ci_high": pd.array([NA, 0.6516, 0.6690, 1.0858, 0.3377, NA, NA, NA], dtype="Float64"),
            "n": pd.array([NA, 38, 38, 38, 30, NA, 38, 38], dtype="Int64"),
            "p_value": pd.array([NA, 0.0004, 0.0021, 0.0801, NA, NA, NA, NA], dtype="Float64"),
            "suppressed": [True, False, False, False, False, True, False, False],
        }
    )
    return {
        "youth_by_period": youth,
        "female_share": female,
        "indicators": indicators,
        "counts": counts,
        "trend": trend,
        "comparison": comparison,
        "fairness": fairness,
    }


RULE = {
    "sv": "målet räknas som uppnått när den övre gränsen för andelen kvinnor de senaste 12 "
    "månaderna når målet; på väg när trenden når målet till målperioden.",
    "en": "the goal counts as met when the upper limit of the share of women over the last 12 "
    "months reaches the target; on track when the trend reaches it by the target period.",
}
DECOMPOSITION = {
    "sv": "Två tredjedelar av skillnaden mot jämförelsevärdet finns bland de brott som "
    "upptäcks genom polisens eget arbete.",
    "en": "Two thirds of the gap to the benchmark lies in offences found by police activity.",
}
DECOMPOSITION_PLAIN = {
    "sv": "Andelen kvinnor gick upp, för att färre män rapporterades.",
    "en": "The share of women went up because fewer men were reported.",
}
NOTES = {
    "sv": ("3 personer har olika kön på olika rader; det vanligaste könet används.",),
    "en": ("3 persons have different genders on different rows; the most frequent is used.",),
}


def make_release(lang: str = "sv") -> PublicRelease:
    """The hand-made release of this module (see the module docstring)."""
    return PublicRelease(
        municipality="Vaggeryd",
        period=parse_period("2024T1"),
        language=lang,  # type: ignore[arg-type]
        indicators=INDICATORS,
        tables=_tables(),
        min_count=T,
        suppressed_count=19,
        youth_ages=(15, 24),
        goal={
            "status": "not_on_track",
            "target_female_share": 0.25,
            "target_period": "2026T3",
            "rule": RULE,
            "min_detectable_change": 0.187,
            "benchmark_female_share": 0.35,
            "benchmark_source": "CAN:s drogvaneundersökning 2023, exempelvärde",
        },
        sentences={
            "decomposition": DECOMPOSITION[lang],
            "decomposition_plain": DECOMPOSITION_PLAIN[lang],
        },
        inputs={
            "reports": {"file": "anmalda_2024T1.xlsx", "sha256": "ab" * 32},
            "population": {"file": "befolkning.csv", "sha256": "cd" * 32},
        },
        version="0.1.0-test",
        notes=NOTES[lang],
    )


# ----------------------------------------------------------------------------- helpers
def _squash(text: str) -> str:
    """Collapse ASCII whitespace only: the no-break spaces of Swedish numbers are kept."""
    return re.sub(r"[ \t\r\n]+", " ", text).strip()


class _TextAndCells(HTMLParser):
    """Visible text as lines (one per block element), key-table cells, images, tag balance."""

    BLOCK = frozenset(
        {"p", "h1", "h2", "h3", "h4", "tr", "li", "dt", "dd", "caption", "title", "figure", "table"}
    )
    VOID = frozenset({"meta", "img", "br", "hr", "link", "input"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.lines: list[str] = []
        self.cells: dict[tuple[str, str], str] = {}
        self.images: list[dict[str, str | None]] = []
        self.stack: list[str] = []
        self.errors: list[str] = []
        self._cur: list[str] = []
        self._skip = False
        self._cell: tuple[str, str] | None = None
        self._cell_text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag not in self.VOID:
            self.stack.append(tag)
        if tag in ("style", "script"):
            self._skip = True
        if tag in self.BLOCK:
            self._flush()
        if tag in ("td", "th") and self._cur:
            self._cur.append(" | ")
        if tag == "img":
            self.images.append(a)
            self._cur.append(f"[{a.get('alt')}]")
        if tag == "td" and "data-scope" in a:
            self._cell = (str(a["data-scope"]), str(a["data-id"]))
            self._cell_text = []

    def handle_endtag(self, tag: str) -> None:
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(f"</{tag}> closes {self.stack[-1:]}")
        else:
            self.stack.pop()
        if tag in ("style", "script"):
            self._skip = False
        if tag == "td" and self._cell is not None:
            self.cells[self._cell] = _squash("".join(self._cell_text))
            self._cell = None
        if tag in self.BLOCK:
            self._flush()

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self._cur.append(data)
            if self._cell is not None:
                self._cell_text.append(data)

    def _flush(self) -> None:
        line = _squash("".join(self._cur))
        if line:
            self.lines.append(line)
        self._cur = []


def _parse(html: str) -> _TextAndCells:
    parser = _TextAndCells()
    parser.feed(html)
    parser.close()
    parser._flush()
    return parser


@pytest.fixture(scope="module")
def rendered() -> dict[str, tuple[str, _TextAndCells]]:
    out = {}
    for lang in ("sv", "en"):
        html = render_html(make_release(lang))
        out[lang] = (html, _parse(html))
    return out


# ----------------------------------------------------------------------------- labels
def test_both_languages_have_the_same_label_keys_and_placeholders() -> None:
    import string

    assert set(LABELS["sv"]) == set(LABELS["en"])
    for key in LABELS["sv"]:
        names = [
            {f for _, f, _, _ in string.Formatter().parse(LABELS[lang][key]) if f}
            for lang in ("sv", "en")
        ]
        assert names[0] == names[1], key


# ----------------------------------------------------------------------------- numbers
def test_numbers_are_written_in_the_language_by_hand() -> None:
    assert fmt_value(1234.5, "rate", "sv") == f"1{NBSP}234,5"
    assert fmt_value(1234.5, "rate", "en") == "1,234.5"
    assert fmt_value(0.125, "percent", "sv") == f"12,5{NBSP}%"
    assert fmt_value(0.125, "percent", "en") == "12.5%"
    assert fmt_value(0, "int", "sv") == "0"  # zeros are published
    assert fmt_value(0.0823, "signed_percent", "en") == "+8.2%"
    assert fmt_value(-0.0512, "signed_percent", "sv") == f"\u22125,1{NBSP}%"
    assert fmt_value(-0.00004, "rate", "sv") == "0,0"  # never a negative zero
    assert fmt_value(0.0004, "p", "sv") == f"<{NBSP}0,001"
    assert fmt_value(0.0213, "p", "en") == "0.021"
    # the parity difference 9/1216 - 4/1150 = 0.00392 of two shares per inhabitant
    assert fmt_value(0.00392, fairness_kind("demographic_parity_difference"), "sv") == (
        f"0,4{NBSP}procentenheter"
    )
    assert fairness_kind("demographic_parity_ratio") == "ratio"
    assert fmt_value(None, "int", "sv", suppressed=True) == "–"
    assert fmt_value(float("nan"), "rate", "sv") == ""
    assert fmt_value(pd.NA, "rate", "en", missing="n/a") == "n/a"
    assert fmt_interval(47.2464, 145.0004, "rate", "sv") == "47,2–145,0"
    assert fmt_interval(-0.0512, 0.2347, "signed_percent", "sv") == f"\u22125,1 till 23,5{NBSP}%"
    assert fmt_interval(0.0, 0.2775, "percent", "en") == "0.0–27.8%"
    assert fmt_interval(None, 1.0, "ratio", "en") == ""
    # a signed interval that holds zero keeps the minus of a bound rounded to zero: the
    # female share trend of the demo, -0.0035 to 0.527, read as "0,00–0,53" looked certain
    assert fmt_interval(-0.0035, 0.527, "coef", "sv") == "\u22120,00 till 0,53"
    assert fmt_interval(-0.0004, 0.2, "signed_percent", "en") == "\u22120.0 to 20.0%"
    assert fmt_interval(0.0004, 0.2, "coef", "en") == "0.00–0.20"  # a positive bound: no sign


# ----------------------------------------------------------------------------- html
@pytest.mark.parametrize("lang", ["sv", "en"])
def test_html_parses_and_is_self_contained(
    lang: str, rendered: dict[str, tuple[str, _TextAndCells]]
) -> None:
    html, parsed = rendered[lang]
    assert parsed.errors == [] and parsed.stack == []
    assert html.startswith("<!DOCTYPE html>") and f'<html lang="{lang}">' in html
    assert re.search(r"https?://|<link|<script|@import|url\(", html) is None
    assert len(parsed.images) == 2
    pngs = {png for png, _ in make_figures(make_release(lang)).values()}
    import base64

    for img in parsed.images:
        src = str(img["src"])
        assert src.startswith("data:image/png;base64,")
        assert base64.b64decode(src.split(",", 1)[1]) in pngs
        assert img["alt"]


@pytest.mark.parametrize("lang", ["sv", "en"])
def test_html_text_matches_the_golden_file(
    lang: str, rendered: dict[str, tuple[str, _TextAndCells]]
) -> None:
    got = "\n".join(rendered[lang][1].lines) + "\n"
    path = GOLDEN / f"report_text_{lang}.txt"
    if os.environ.get("UPDATE_GOLDEN") == "1":
        path.parent.mkdir(exist_ok=True)
        path.write_text(got, encoding="utf-8")
    assert got == path.read_text(encoding="utf-8")


@pytest.mark.parametrize("lang", ["sv", "en"])
def test_every_key_figure_agrees_with_the_indicators(
    lang: Lang, rendered: dict[str, tuple[str, _TextAndCells]]
) -> None:
    cells = rendered[lang][1].cells
    blocks = {"period": INDICATORS["indicators"]}
    blocks.update(
        {
            s: INDICATORS["comparisons"][s]["indicators"]
            for s in ("same_period_last_year", "rolling_12_months")
        }
    )
    kinds: dict[str, ValueKind] = {
        "persons": "int",
        "persons_youth": "int",
        "new_persons_youth": "int",
        "youth_rate_per_10k": "rate",
        "rate_ratio_female_male_youth": "ratio",
        "benchmark_ratio_youth": "ratio",
        "youth_trend_annual_change": "signed_percent",
        "female_share_youth_trend": "coef",
    }
    checked = 0
    for scope, block in blocks.items():
        for ind_id, ind in block.items():
            if ind_id == "goal_status":
                continue
            cell = cells[(scope, ind_id)]
            if ind["suppressed"]:
                assert cell == "–", (scope, ind_id)
            elif ind["value"] is None:
                assert cell == ("ej def." if lang == "sv" else "n/a"), (scope, ind_id)
            else:
                kind: ValueKind = kinds.get(ind_id, "percent")
                assert cell.startswith(fmt_value(ind["value"], kind, lang)), (scope, ind_id)
                interval = fmt_interval(ind["ci_low"], ind["ci_high"], kind, lang)
                if interval:
                    assert cell.endswith(f"({interval})")
            checked += 1
    assert checked == 27
    # the same cells written out by hand from the fixture's numbers
    if lang == "sv":
        assert cells[("period", "youth_rate_per_10k")] == "86,4 (47,2–145,0)"
        assert cells[("same_period_last_year", "female_share_youth")] == (
            f"0,0{NBSP}% (0,0–27,8{NBSP}%)"
        )
        assert cells[("period", "youth_trend_annual_change")] == (
            f"+8,2{NBSP}% (\u22125,1 till 23,5{NBSP}%)"
        )
        assert cells[("rolling_12_months", "rate_ratio_female_male_youth")] == "0,30 (0,13–0,65)"
    else:
        assert cells[("period", "youth_rate_per_10k")] == "86.4 (47.2–145.0)"
        assert cells[("period", "youth_share")] == "45.2% (29.1–62.3%)"
    assert cells[("period", "persons")] == "31"


def _binomial_two_sided(x: int, m: int) -> float:
    """Two-sided exact binomial p of x in m at 1/2, summed by hand (R's binom.test rule:
    every outcome no more probable than the observed one)."""
    prob = [math.comb(m, i) / 2**m for i in range(m + 1)]
    return sum(q for q in prob if q <= prob[x] * (1 + 1e-7))


def _fisher_two_sided(a: int, b: int, c: int, d: int) -> float:
    """Fisher's exact p of [[a, b], [c, d]], summed by hand over the hypergeometric tables
    with the same margins (R's fisher.test rule)."""
    r1, r2, c1 = a + b, c + d, a + c

    def h(x: int) -> float:
        return math.comb(r1, x) * math.comb(r2, c1 - x) / math.comb(r1 + r2, c1)

    tables = [h(x) for x in range(max(0, c1 - r2), min(r1, c1) + 1)]
    return sum(q for q in tables if q <= h(a) * (1 + 1e-7))


def _with(release: PublicRelease, now: dict[str, Any], before: dict[str, Any],
          noise: tuple[int, float, int] | None = None) -> PublicRelease:  # fmt: skip
    ind = copy.deepcopy(release.indicators)
    ind["indicators"].update(now)
    ind["comparisons"]["same_period_last_year"]["indicators"].update(before)
    return PublicRelease(**{**release.__dict__, "indicators": ind, "noise": noise})


def test_every_arrow_is_tested_by_an_exact_test_of_the_published_counts() -> None:
    release = make_release("sv")
    chance, alone = "↑ högre, inom slumpens variation", "↑ högre"
    # persons of all ages 31 against 24: binomial 31 of 55 at 1/2
    assert _binomial_two_sided(31, 55) > 0.05
    assert direction(release, "persons") == chance
    # 14 of 31 young against 10 of 24: Fisher [[14, 17], [10, 14]]
    assert _fisher_two_sided(14, 17, 10, 14) > 0.05
    assert direction(release, "youth_share") == chance
    # the women of all ages 20 of 31 against 3 of 24: beyond chance, the arrow alone
    assert _fisher_two_sided(20, 11, 3, 21) < 0.05
    moved = _with(release, {"female_share": _ind(20 / 31, 0.47, 0.79, 31)},
                  {"female_share": _ind(3 / 24, 0.04, 0.31, 24)})  # fmt: skip
    assert direction(moved, "female_share") == alone
    assert direction(moved, "persons") == chance  # the other rows keep their own tests
    # young women 7 of 14 against 1 of 14; the two ratios of the young follow that table
    assert _fisher_two_sided(7, 7, 1, 13) < 0.05
    young = {"female_share_youth": _ind(0.5, 0.27, 0.73, 14),
             "rate_ratio_female_male_youth": _ind(0.97, 0.4, 2.4, 14),
             "benchmark_ratio_youth": _ind(1.86, 0.6, 5.6, 14)}  # fmt: skip
    earlier = {"female_share_youth": _ind(1 / 14, 0.01, 0.31, 14),
               "rate_ratio_female_male_youth": _ind(0.07, 0.01, 0.6, 14),
               "benchmark_ratio_youth": _ind(0.14, 0.02, 1.1, 14)}  # fmt: skip
    exact = _with(release, young, earlier)
    for ind_id in young:
        assert direction(exact, ind_id) == alone, ind_id
    # cell-key counts (V = 1 a cell, 3 age bands: V = 3 for each count of the young) enter
    # with Kish's effective trials n / (1 + V (k^2 + (n-k)^2) / n^4 / (p q / n + z^2 / 4n^2)),
    # the ones that widen the published Wilson intervals: 7 of 14 -> 5 of 10, 1 of 14 -> 0 of 6
    z = 1.959963984540054
    kish = [n / (1 + 3 * (k**2 + (n - k) ** 2) / n**4 / ((k / n) * (1 - k / n) / n
                                                          + z**2 / (4 * n**2)))
            for k, n in ((7, 14), (1, 14))]  # fmt: skip
    assert [round(t) for t in kish] == [10, 6]
    assert _fisher_two_sided(5, 5, 0, 6) > 0.05
    perturbed = _with(release, young, earlier, noise=(2, 1.0, 3))
    for ind_id in young:
        assert direction(perturbed, ind_id) == chance, ind_id
    # a share without its denominator cannot be tested: no arrow rather than an untested one
    untested = _with(release, {"female_share": _ind(20 / 31, 0.47, 0.79, None)},
                     {"female_share": _ind(3 / 24, 0.04, 0.31, 24)})  # fmt: skip
    assert direction(untested, "female_share") == ""


@pytest.mark.parametrize("lang", ["sv", "en"])
def test_summary_sentences_use_only_published_numbers(
    lang: str, rendered: dict[str, tuple[str, _TextAndCells]]
) -> None:
    lines = rendered[lang][1].lines
    if lang == "sv":
        expected = [
            "Under T1 2024 rapporterades 14 unga (15-24 år) för narkotikabrott.",
            f"Det motsvarar 86,4 per 10{NBSP}000 invånare i samma ålder "
            f"(95{NBSP}% konfidensintervall 47,2–145,0).",
            "Det är fler än samma period året innan (T1 2023), då 10 rapporterades.",
            "Larm: antalet unga under T1 2024 var högre än väntat utifrån tidigare år.",
        ]
    else:
        expected = [
            "In T1 2024, 14 young people (15-24 years) were reported for narcotics offences.",
            "That is more than in the same period a year earlier (T1 2023), when 10 were reported.",
        ]
    for sentence in expected:
        assert sentence in lines
    # the share of young women in P is suppressed: said in words, never as a number
    hidden = [
        line
        for line in lines
        if line.startswith(
            ("Andelen kvinnor bland de unga (", "The share of women among young people (")
        )
    ]
    assert len(hidden) == 1 and "(–)" in hidden[0]


@pytest.mark.parametrize("lang", ["sv", "en"])
def test_suppressed_table_cells_show_a_dash_with_the_footnote(
    lang: str, rendered: dict[str, tuple[str, _TextAndCells]]
) -> None:
    lines = rendered[lang][1].lines
    label = "T3 2022"
    row = next(line for line in lines if line.startswith(f"{label} | "))
    assert row.split(" | ")[1:5] == ["–", f"1{NBSP}590" if lang == "sv" else "1,590", "–", "–"]
    footnote = (
        "– = visas inte: färre än 5 personer, kanske inga, eller dolt för att en annan siffra "
        "inte ska kunna räknas fram."
        if lang == "sv"
        else "– = not shown: fewer than 5 persons, possibly none, or hidden so that another "
        "figure cannot be worked out."
    )
    assert footnote in lines


@pytest.mark.parametrize("lang", ["sv", "en"])
def test_no_missing_value_text_in_outputs(
    lang: str, rendered: dict[str, tuple[str, _TextAndCells]]
) -> None:
    texts = ["\n".join(rendered[lang][1].lines), render_followup_md(make_release(lang))]
    for body in texts:
        assert re.search(r"\b(nan|NaN|None|null|inf|NaT)\b|<NA>", body) is None


# ----------------------------------------------------------------------------- workbook
def _sheet_rows(ws: Any) -> list[list[Any]]:
    return [list(r) for r in ws.iter_rows(values_only=True)]


SV_SHEETS = [
    "Om rapporten",
    "Unga per period",
    "Andel kvinnor bland unga",
    "Indikatorer",
    "Antal",
    "Trend",
    "Jämförelse",
    "Grupper",
    "Aktiviteter",
    "Metod och definitioner",
]
#: Sheets of several small tables (police activity, trend with effort, detection split): each
#: table has its own columns, the detection table its own note column.
MULTI_TABLE_SHEETS = {"Aktiviteter"}
#: The notes of the Swedish workbook, written out by hand.
NOTE_SUPPRESSED = "Dold: färre än 5 personer, kanske inga, eller kan avslöja ett sådant tal."
NOTE_NOT_DEFINED = "Ej definierat: kan inte beräknas (t.ex. noll i nämnaren)."
NOTE_NO_HISTORY = (
    "Inget väntat antal, ingen larmgräns och inget larm: larm kräver flera års tidigare data "
    "från samma tid på året."
)
NOTE_WITHHELD = (
    "Trend, väntat antal, larmgräns och larm visas inte: ett antal i serien är dolt och skulle "
    "kunna räknas fram ur dem."
)
NOTE_NOT_APPLICABLE = (
    "Ej tillämpligt: radens tomma celler (intervall, n eller p-värde) tas inte fram för det här "
    "måttet."
)
#: Headers of the label (not value) columns of the Swedish data sheets.
SV_LABEL_HEADERS = (
    "Tabell",
    "Period",
    "Omfattning",
    "Indikator",
    "Område",
    "Åldersgrupp",
    "Kön",
    "Mått",
    "Term",
    "Jämförelse",
    "Grupp",
    "Anmärkning",
)


def _assert_every_empty_value_cell_has_a_note(wb: Any) -> int:
    """Every empty value cell of a data sheet has a note in its row; full rows have none.

    Returns the number of empty value cells seen."""
    empty = 0
    for ws in wb.worksheets[1:-1]:
        if ws.title in MULTI_TABLE_SHEETS:
            continue
        header = [c.value for c in ws[1]]
        assert header[-1] == "Anmärkning", ws.title
        values = [i for i, h in enumerate(header) if h not in SV_LABEL_HEADERS]
        for row in _sheet_rows(ws)[1:]:
            missing = [header[i] for i in values if row[i] is None]
            empty += len(missing)
            if missing:
                assert isinstance(row[-1], str) and row[-1].strip(), (ws.title, row, missing)
            else:
                assert row[-1] is None, (ws.title, row)
    return empty


def test_workbook_holds_real_numbers_and_empty_suppressed_cells(tmp_path: Path) -> None:
    path = tmp_path / "report.xlsx"
    write_workbook(make_release("sv"), path)
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == SV_SHEETS
    note = NOTE_SUPPRESSED
    youth = wb["Unga per period"]
    assert youth.freeze_panes == "A2"
    rows = _sheet_rows(youth)
    assert rows[0][:4] == ["Period", "Unga", "Befolkning 15-24 år", f"Per 10{NBSP}000"]
    assert rows[0][-1] == "Anmärkning"
    assert rows[1][:4] == ["T1 2022", 9, 1590, pytest.approx(56.60377)]
    assert isinstance(rows[1][1], int) and isinstance(rows[1][3], float)
    assert youth["D2"].number_format == "0.0"
    # T3 2022: the count is suppressed, and it is too early in the series for an alarm
    assert rows[3][1] is None and rows[3][3] is None
    assert rows[3][-1] == f"{note} {NOTE_NO_HISTORY}"
    assert rows[3][2] == 1590  # the population is published
    # the first periods have no history for alarms; from T2 2023 every cell is filled
    assert rows[1][9:12] == [None, None, None] and rows[1][-1] == NOTE_NO_HISTORY
    assert rows[5][0] == "T2 2023" and rows[5][-1] is None
    assert rows[7][-2] == "Ja" and rows[7][-1] is None  # alarm in T1 2024; no note
    female = wb["Andel kvinnor bland unga"]
    assert female["E3"].value == pytest.approx(0.4166667) and female["E3"].number_format == "0.0%"
    assert female["E5"].value == 0 and female["C5"].value == 0  # a published zero
    assert female["H2"].value == note and female["H3"].value is None
    comparison = _sheet_rows(wb["Jämförelse"])
    assert comparison[2][1] is None and comparison[2][-1] == note
    assert comparison[1][-1] is None
    groups = _sheet_rows(wb["Grupper"])
    parity = next(r for r in groups if r[0].startswith("Lägsta delat med högsta"))
    assert parity[3] == pytest.approx(0.2963) and parity[4:6] == [None, None]
    assert parity[-1] == NOTE_NOT_APPLICABLE  # no interval and no test for this measure
    police = next(r for r in groups if r[2] == "Upptäckt genom polisens arbete")
    assert police[7] is None and police[-1] == NOTE_NOT_APPLICABLE  # no test for a share
    assert groups[1][3] is None and groups[1][-1] == note  # suppressed crude rate ratio
    assert _assert_every_empty_value_cell_has_a_note(wb) > 0
    for ws in wb.worksheets[1:-1]:
        assert ws.freeze_panes == "A2"
        header = [c.value for c in ws[1]]
        numeric_columns = [
            i for i, h in enumerate(header) if h not in (*SV_LABEL_HEADERS, "Larm", "Värde")
        ]
        for row in _sheet_rows(ws)[1:]:
            for i in numeric_columns:
                assert row[i] is None or isinstance(row[i], int | float), (ws.title, header[i])
    indicators = _sheet_rows(wb["Indikatorer"])
    goal = next(r for r in indicators if r[2] == "Målstatus")
    assert goal[3] == "inte på väg att nå målet"
    assert goal[4:7] == [None, None, None] and goal[-1] == NOTE_NOT_APPLICABLE
    undefined = next(r for r in indicators if r[0] == "Perioden" and r[2].startswith("Trend: f"))
    assert undefined[3] is None and undefined[-1] == NOTE_NOT_DEFINED
    persons = next(r for r in indicators if r[0] == "Perioden" and r[2].startswith("Rapporterade"))
    assert persons[3] == 31 and persons[4:6] == [None, None]
    assert persons[-1] == NOTE_NOT_APPLICABLE  # a count has no interval
    youth_rate = next(
        r
        for r in indicators
        if r[2] == f"Unga per 10{NBSP}000 invånare 15-24 år" and r[0] == "Perioden"
    )
    assert youth_rate[3:7] == [
        pytest.approx(86.41975),
        pytest.approx(47.2464),
        pytest.approx(145.0004),
        14,
    ]


def _cells_text(ws: Any) -> list[str]:
    return [str(v) for row in ws.iter_rows(values_only=True) for v in row if v is not None]


def test_workbook_has_the_goal_rule_definitions_rows_and_sources(tmp_path: Path) -> None:
    path = tmp_path / "report.xlsx"
    write_workbook(make_release("sv"), path)
    wb = openpyxl.load_workbook(path)
    about = _cells_text(wb["Om rapporten"])
    assert (
        "Målet, definitioner, metoder, röjandekontroll, rader i indata och källor finns på "
        "bladet Metod och definitioner."
    ) in about
    ws = wb["Metod och definitioner"]
    rows = _sheet_rows(ws)
    cells = _cells_text(ws)
    assert "Så görs bedömningen: " + RULE["sv"] in cells  # the release's rule, verbatim
    assert "Bedömning: inte på väg att nå målet." in cells
    assert ["Andel unga av alla rapporterade", "Unga delat med alla rapporterade personer."] in [
        r[:2] for r in rows
    ]
    # the input rows of the release, stored as numbers
    counts = {r[0]: r[1] for r in rows if r[0] and isinstance(r[1], int)}
    assert counts["Rader i polisens uttag"] == 1234
    assert counts["Använda rader"] == 1200
    assert counts[next(k for k in counts if k.startswith("Avvisade rader"))] == 22
    assert counts[next(k for k in counts if k.startswith("Dubbletter"))] == 12
    assert NOTES["sv"][0] in cells
    assert (
        "Polismyndigheten: personer rapporterade för narkotikabrott, uttag för Vaggeryd." in cells
    )
    assert "SCB: befolkning efter ålder och kön den 31 december." in cells
    assert "Framställd med risk_indicators version 0.1.0-test." in cells
    assert "ab" * 32 in cells and "anmalda_2024T1.xlsx" in cells
    assert any(c.startswith("Larm för enskilda perioder följer Farringtons") for c in cells)
    assert "I rapportens tabeller visas 19 antal som streck (–)." in cells
    # the workbook has no dashes: the HTML footnote about "–" is left out
    assert not any(c.startswith("– = visas inte") for c in cells)
    # the same texts as the HTML report's method section
    html_lines = _parse(render_html(make_release("sv"))).lines
    for text in (
        "Så görs bedömningen: " + RULE["sv"],
        "Unga delat med alla rapporterade personer.",
    ):
        assert _squash(text) in html_lines


def test_workbook_notes_say_when_model_values_are_withheld(tmp_path: Path) -> None:
    release = make_release("sv")
    youth = release.tables["youth_by_period"].copy()
    for col in ("fitted_rate", "fitted_low", "fitted_high", "expected", "upperbound"):
        youth[col] = pd.array([NA] * len(youth), dtype="Float64")
    youth["alarm"] = pd.array([NA] * len(youth), dtype="boolean")
    tables = {**release.tables, "youth_by_period": youth}
    path = tmp_path / "report.xlsx"
    write_workbook(PublicRelease(**{**release.__dict__, "tables": tables}), path)
    wb = openpyxl.load_workbook(path)
    rows = _sheet_rows(wb["Unga per period"])
    assert [r[-1] for r in rows[1:]] == [NOTE_WITHHELD] * 2 + [
        f"{NOTE_SUPPRESSED} {NOTE_WITHHELD}"
    ] + [NOTE_WITHHELD] * 4
    assert rows[7][1] == 14 and rows[7][6:12] == [None] * 6  # numbers as published
    assert _assert_every_empty_value_cell_has_a_note(wb) > 0
    cells = _cells_text(wb["Metod och definitioner"])
    assert any(
        c.startswith("Trendlinje, väntat antal och larmgräns per period visas inte") for c in cells
    )


def test_workbook_is_byte_identical_with_fixed_dates(tmp_path: Path) -> None:
    a, b = tmp_path / "a.xlsx", tmp_path / "b.xlsx"
    release = make_release("en")
    write_workbook(release, a)
    write_workbook(release, b)
    assert a.read_bytes() == b.read_bytes()
    with zipfile.ZipFile(a) as z:
        assert {info.date_time for info in z.infolist()} == {(2000, 1, 1, 0, 0, 0)}
        core = z.read("docProps/core.xml").decode()
    assert core.count("2000-01-01T00:00:00Z") == 2 and "risk_indicators" in core
    wb = openpyxl.load_workbook(a)
    assert wb.sheetnames[1:3] == ["Young people", "Share of women, young people"]
    assert wb.sheetnames[-1] == "Methods and definitions"
    assert max(len(name) for name in wb.sheetnames) <= 31
    hidden = "Hidden: fewer than 5 persons, possibly none, or could reveal such a number."
    no_history = (
        "No expected number, alarm threshold or alarm: alarms need several years of earlier "
        "data for the same time of year."
    )
    assert wb["Young people"]["M4"].value == f"{hidden} {no_history}"  # T3 2022
    assert wb["Groups"]["I8"].value == (
        "Not applicable: the row's empty cells (interval, n or p-value) are not computed for "
        "this measure."
    )
    methods = _cells_text(wb["Methods and definitions"])
    assert "How the assessment is made: " + RULE["en"] in methods
    assert "Rows in the police extract" in methods and "1234" in methods


# ----------------------------------------------------------------------------- figures
def test_figures_are_deterministic_png_and_svg() -> None:
    release = make_release("sv")
    first, second = make_figures(release), make_figures(release)
    assert set(first) == {"youth_rate", "female_share"}
    for name, (png, svg) in first.items():
        assert png.startswith(b"\x89PNG\r\n\x1a\n")
        assert svg.lstrip().startswith("<?xml") and "<svg" in svg
        assert (png, svg) == second[name]
        assert "<dc:date>" not in svg and b"Software" not in png
    # the language changes the drawing (labels), so the bytes differ
    assert make_figures(make_release("en"))["youth_rate"][0] != first["youth_rate"][0]


def _empty_release(lang: str) -> PublicRelease:
    indicators = {
        "schema_version": 1,
        "municipality": "Vaggeryd",
        "period": "2024T1",
        "period_kind": "tertial",
        "rows": {"read": 0, "used": 0, "rejected": 0, "duplicates": 0},
        "indicators": {
            "persons": _ind(0, n=0),
            "persons_youth": _ind(0, n=0),
            "youth_share": _ind(None, n=0, reason="not defined: no persons"),
        },
        "comparisons": {},
    }
    return PublicRelease(
        municipality="Vaggeryd",
        period=parse_period("2024T1"),
        language=lang,  # type: ignore[arg-type]
        indicators=indicators,
        tables={},
        min_count=T,
        suppressed_count=0,
        youth_ages=(15, 24),
        goal={"status": "insufficient_data"},
    )


@pytest.mark.parametrize("lang", ["sv", "en"])
def test_a_release_with_empty_tables_still_renders(lang: str, tmp_path: Path) -> None:
    release = _empty_release(lang)
    files = write_report(release, tmp_path / "public")
    html = (tmp_path / "public" / "report.html").read_text(encoding="utf-8")
    parsed = _parse(html)
    assert parsed.errors == []
    assert parsed.cells[("period", "persons")] == "0"  # zeros are published
    assert parsed.cells[("period", "youth_share")] == ("ej def." if lang == "sv" else "n/a")
    assert re.search(r"\b(nan|NaN|None|null)\b|<NA>", "\n".join(parsed.lines)) is None
    assert (tmp_path / "public" / "tables" / "fairness.csv").read_text() == (
        "measure,scope,group,estimate,ci_low,ci_high,n,p_value,suppressed\n"
    )
    assert len(files) == 4 + 7 + 5  # figures, tables (one of counts), html, xlsx, 3 follow-ups
    assert make_figures(release) == make_figures(release)


@pytest.mark.parametrize("lang", ["sv", "en"])
def test_the_three_follow_up_texts_say_the_same(lang: str) -> None:
    """Issue 19: followup.html (a fragment for a web editor) and followup.txt say what
    followup.md says, block for block: the same title, headings and paragraphs."""
    import html as html_module

    release = make_release(lang)
    md = render_followup_md(release).strip().split("\n\n")
    fragment = render_followup_html(release).strip().splitlines()
    txt = render_followup_txt(release, width=60).strip().split("\n\n")
    assert len(md) == len(fragment) == len(txt)
    for m, h, t in zip(md, fragment, txt, strict=True):
        if m == "---":
            assert h == "<hr>" and set(t) == {"-"}
            continue
        level = len(m) - len(m.lstrip("#"))
        body = m.lstrip("# ")
        tag = {0: "p", 1: "h2", 2: "h3"}[level]
        assert h == f"<{tag}>{html_module.escape(body)}</{tag}>"
        lines = t.splitlines()
        if level:  # a heading: its text, then a line of = or - as long as it
            assert lines == [body, ("=" if level == 1 else "-") * len(body)]
        else:  # a paragraph: the same words, no line longer than the width
            assert " ".join(lines) == body and max(map(len, lines)) <= 60
    assert "#" not in "".join(line[:1] for line in txt)  # no Markdown marks in the text
    assert not re.search(r"<(?!/?(h2|h3|p|hr)>)", "\n".join(fragment))  # only these tags


# ----------------------------------------------------------------------------- files
def test_write_report_writes_every_public_file(tmp_path: Path) -> None:
    release = make_release("sv")
    out = tmp_path / "public"
    files = write_report(release, out)
    names = sorted(str(p.relative_to(out)) for p in files)
    assert names == sorted(
        ["report.html", "report.xlsx", "followup.md", "followup.html", "followup.txt"]
        + [f"figures/{n}.{ext}" for n in ("youth_rate", "female_share") for ext in ("png", "svg")]
        + [
            f"tables/{n}.csv"
            for n in (
                "youth_by_period",
                "female_share",
                "indicators",
                "counts",
                "trend",
                "comparison",
                "fairness",
            )
        ]
    )
    assert (out / "report.html").read_text(encoding="utf-8") == render_html(release)
    youth = (out / "tables" / "youth_by_period.csv").read_text(encoding="utf-8").splitlines()
    assert youth[0].startswith("period,label,persons_youth,population_youth,rate_per_10k")
    assert youth[3].startswith("2022T3,T3 2022,,1590,,,,67,")  # suppressed: empty cells
    again = tmp_path / "again"
    write_report(release, again)
    for path in files:
        assert (again / path.relative_to(out)).read_bytes() == path.read_bytes(), path.name


@pytest.mark.parametrize("lang", ["sv", "en"])
def test_followup_text_is_ready_to_paste(lang: str) -> None:
    md = render_followup_md(make_release(lang))
    if lang == "sv":
        assert md.startswith(
            "# Medborgarlöfte Vaggeryd: uppföljning av narkotikabrott, tertial 1 2024 (jan-apr)\n"
        )
        assert "Under T1 2024 rapporterades 14 unga (15-24 år) för narkotikabrott." in md
        assert f"andelen kvinnor bland de unga 21,1{NBSP}%" in md  # rolling 12 months
        assert "Bedömning: inte på väg att nå målet." in md
    else:
        assert md.startswith(
            "# Citizen promise Vaggeryd: follow-up of narcotics offences, T1 2024 (Jan-Apr)\n"
        )
        assert "Assessment: not on track to meet the goal." in md
    # residents get the plain sentence; the one with log-odds stays in report.html
    assert DECOMPOSITION_PLAIN[lang] in md and DECOMPOSITION[lang] not in md
    assert re.search(r"https?://", md) is None


def test_public_release_rejects_unknown_language_and_tables() -> None:
    good = make_release("sv")
    with pytest.raises(ValueError, match="The 'language' parameter of PublicRelease must be"):
        PublicRelease(**{**good.__dict__, "language": "de"})
    with pytest.raises(ValueError, match="unknown tables"):
        PublicRelease(**{**good.__dict__, "tables": {"youth": pd.DataFrame()}})
    with pytest.raises(ValueError, match="lacks the columns"):
        PublicRelease(**{**good.__dict__, "tables": {"trend": pd.DataFrame({"term": []})}})


# ----------------------------------------------------------------------------- reports/
REPORTS = Path(__file__).resolve().parent.parent / "reports"


def test_vaggeryd_config_is_a_valid_run_config() -> None:
    import risk_indicators as ri

    cfg = ri.load_config(REPORTS / "config.toml")
    assert cfg.municipality == "Vaggeryd" and cfg.period == "tertial"
    assert cfg.areas == ("Skillingaryd", "Vaggeryd", "Övriga")
    assert cfg.disclosure.min_count == 5 and cfg.youth_bands == ("15-17", "18-20", "21-24")


def test_run_followup_builds_the_cli_calls(tmp_path: Path) -> None:
    done = subprocess.run(
        [
            sys.executable,
            str(REPORTS / "run_followup.py"),
            "--reports",
            "anmalda.xlsx",
            "--population",
            "befolkning.csv",
            "--period",
            "2024T1",
            "--out-root",
            str(tmp_path),
            "--dry-run",
        ],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    validate = next(line for line in lines if " validate " in line)
    run = next(line for line in lines if " run " in line)
    assert "--reports anmalda.xlsx" in validate and "--period" not in validate
    assert f"--period 2024T1 --out {tmp_path / '2024T1'}" in run
    assert f"--config {REPORTS / 'config.toml'}" in run
    assert not (tmp_path / "2024T1").exists()  # a dry run writes nothing


def test_run_followup_picks_the_last_complete_period(tmp_path: Path, key_env: bytes) -> None:
    data = Path(__file__).resolve().parent.parent / "data" / "synthetic" / "vaggeryd_like"
    done = subprocess.run(
        [
            sys.executable,
            str(REPORTS / "run_followup.py"),
            "--reports",
            str(data / "reports.csv"),
            "--population",
            str(data / "population.csv"),
            "--out-root",
            str(tmp_path),
            "--dry-run",
        ],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
        env=dict(os.environ),
    )
    assert done.returncode == 0, done.stderr
    # the synthetic reports end 2025-08-31, the last day of T2 (May-Aug): 2025T2 is complete
    assert f"--period 2025T2 --out {tmp_path / '2025T2'}" in done.stdout


def test_run_followup_without_the_key_says_so(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 19: the key's message and exit code 2 (CLI's usage error), never a traceback."""
    monkeypatch.delenv("RISK_INDICATORS_KEY", raising=False)
    data = Path(__file__).resolve().parent.parent / "data" / "synthetic" / "vaggeryd_like"
    done = subprocess.run(
        [sys.executable, str(REPORTS / "run_followup.py"), "--reports", str(data / "reports.csv"),
         "--population", str(data / "population.csv"), "--out-root", str(tmp_path)],
        capture_output=True, text=True, check=False, timeout=60, env=dict(os.environ),
    )  # fmt: skip
    assert done.returncode == 2, done.stdout + done.stderr
    assert "RISK_INDICATORS_KEY is not set" in done.stderr
    assert "Traceback" not in done.stderr and not list(tmp_path.iterdir())


def test_a_suppressed_youth_count_is_said_in_words_not_numbers() -> None:
    import copy

    indicators = copy.deepcopy(INDICATORS)
    for ind_id in ("persons_youth", "youth_rate_per_10k", "youth_share", "new_persons_youth"):
        indicators["indicators"][ind_id] = _ind(suppressed=True)
    release = PublicRelease(**{**make_release("sv").__dict__, "indicators": indicators})
    lines = _parse(render_html(release)).lines
    assert (
        "Antalet unga (15-24 år) som rapporterades för narkotikabrott under T1 2024 redovisas "
        "inte (–): det är färre än 5, kanske inga, eller skulle kunna avslöja ett sådant tal."
    ) in lines
    # no "more/fewer than a year earlier" sentence can be formed without this period's count
    assert "Samma period året innan (T1 2023) var antalet 10." in lines
    assert not any(
        line.startswith(
            ("Under T1 2024 rapporterades", "Det motsvarar", "Det är fler", "9 av de unga")
        )
        for line in lines
    )


def test_nan_and_none_count_as_missing_like_na() -> None:
    release = make_release("en")
    as_nan = {
        name: df.astype(object).where(df.notna(), None if name == "fairness" else float("nan"))
        for name, df in release.tables.items()
    }
    other = PublicRelease(**{**release.__dict__, "tables": as_nan})
    assert _parse(render_html(other)).lines == _parse(render_html(release)).lines


@pytest.mark.parametrize(("p_value", "lang", "phrase"), [
    (0.0004, "sv", f"(exakt test, p <{NBSP}0,001)"),
    (0.0004, "en", f"(exact test, p <{NBSP}0.001)"),
    (0.5413, "sv", "(exakt test, p = 0,541)"),
])  # fmt: skip
def test_p_value_phrase_reads_as_a_sentence(p_value: float, lang: str, phrase: str) -> None:
    """Issue 19: "p < 0,001", never "p = < 0,001" (the phrases written by hand)."""
    release = make_release(lang)
    tables = dict(release.tables)
    comparison = tables["comparison"].copy()
    comparison.loc[comparison["comparison"] == "previous_year", "p_value"] = p_value
    tables["comparison"] = comparison
    md = render_followup_md(PublicRelease(**{**release.__dict__, "tables": tables}))
    assert phrase in md
    assert "= <" not in md
