"""The markdown tables of the simulation study (private to
:mod:`risk_indicators.synthetic.validation`)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, cast

import pandas as pd

from ._effort_study import effort_summary
from ._goal_study import goal_summary

__all__ = ["ALARM_RISES", "SECTIONS", "TREND_RATIOS", "markdown", "rates_summary"]

#: True rate ratios a year of the trend study; outbreak factors of the alarm study.
TREND_RATIOS = (1.0, 1.2, 1.5)
ALARM_RISES = (1.0, 2.0, 3.0)


def _pct(value: Any, se: Any = None) -> str:
    if value is None or pd.isna(value):
        return "–"
    return f"{100 * value:.1f}" + ("" if se is None or pd.isna(se) else f" ({100 * se:.1f})")


def _fmt(value: Any, spec: str) -> str:
    return "–" if value is None or pd.isna(value) else format(value, spec)


def _trend_summary(t: pd.DataFrame) -> pd.DataFrame:
    out = []
    for key, g in t.groupby(["dispersion", "years", "mu0"], sort=False):
        disp, years, mu0 = cast(tuple[Any, ...], key)
        glm = g[g["estimator"] == "youth_trend_annual_change"].set_index("effect")
        mk = g[g["estimator"] == "mann_kendall"].set_index("effect")
        row = {"dispersion": disp, "tertials": 3 * int(years), "mu0": f"{mu0:g}"}
        for rr in TREND_RATIOS:
            row[f"coverage RR {rr:g}"] = _pct(glm.at[rr, "coverage"], glm.at[rr, "coverage_mcse"])
        row["bias RR 1/1.2/1.5"] = " / ".join(
            _fmt(glm.at[rr, "bias"], "+.3f") for rr in TREND_RATIOS
        )
        row["type I GLM"] = _pct(glm.at[1.0, "rate"], glm.at[1.0, "rate_mcse"])
        row["type I MK"] = _pct(mk.at[1.0, "rate"], mk.at[1.0, "rate_mcse"])
        for rr in TREND_RATIOS[1:]:
            row[f"power {rr:g} GLM"] = _pct(glm.at[rr, "rate"])
            row[f"power {rr:g} MK"] = _pct(mk.at[rr, "rate"])
        out.append(row)
    return pd.DataFrame(out)


def _alarm_summary(t: pd.DataFrame) -> pd.DataFrame:
    out = []
    for key, g in t.groupby(["estimator", "dispersion", "mu0"], sort=False):
        est, disp, mu0 = cast(tuple[Any, ...], key)
        g = g.set_index("effect")
        row = {"trend term": "if significant" if est == "farrington_flexible" else "never",
               "quantile": "t" if str(est).endswith("_t") else "normal",
               "dispersion": disp, "mu0": f"{mu0:g}",
               "bias of expected": _fmt(g.at[1.0, "bias"], "+.2f")}  # fmt: skip
        for rise in ALARM_RISES:
            name = "false alarms" if rise == 1 else f"detected x{rise:g}"
            row[name] = _pct(g.at[rise, "rate"], g.at[rise, "rate_mcse"])
        out.append(row)
    return pd.DataFrame(out)


def rates_summary(t: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame({
        "estimator": t["estimator"], "setting": t["setting"],
        "defined": [f"{d}/{r}" for d, r in zip(t["defined"], t["replicates"], strict=True)],
        "bias": [_fmt(b, "+.3g") for b in t["bias"]],
        "coverage": [_pct(c, s) for c, s in zip(t["coverage"], t["coverage_mcse"], strict=True)],
    })  # fmt: skip


SECTIONS: dict[str, tuple[str, Callable[[pd.DataFrame], pd.DataFrame]]] = {
    "trend": ("Trend (`youth_trend_annual_change` and Mann-Kendall)", _trend_summary),
    "alarms": ("Period alarms (`farrington_flexible`, b=5, w=1, last of 18 tertials)",
               _alarm_summary),
    "rates": ("Rates and shares at small counts", rates_summary),
    "effort": ("Police effort (`youth_trend_annual_change_effort_adjusted`)", effort_summary),
    "fairness": ("Women/men rate ratio and female share (`fairness_coverage`)", rates_summary),
    "goal": ("Goal assessment and female-share trend (issue 15; percent of series, MC SE)",
             goal_summary),
}  # fmt: skip


def markdown(frame: pd.DataFrame) -> str:
    head = [str(c) for c in frame.columns]
    lines = ["| " + " | ".join(head) + " |", "|" + "|".join("---" for _ in head) + "|"]
    lines += ["| " + " | ".join(str(v) for v in row) + " |" for row in frame.to_numpy()]
    return "\n".join(lines)
