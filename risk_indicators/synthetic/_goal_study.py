"""The goal study of ``simulate`` (issue 15): how often the goal status is confidently wrong,
and how well the female-share trend's interval covers, at Vaggeryd's scale.

Series of tertials from 2019T1, evaluated at 2025T2 (20 tertials; six yearly 12-month windows
end 2020T2 ... 2025T2), target 25 % by 2026T3. Young persons per tertial ``Poisson(15)``,
each a woman with the scenario's share ``p_t`` of that tertial; with ``extra`` variation the
share of each tertial is ``expit(logit(p_t) + e_t)``, ``e_t ~ N(0, 0.5^2)`` (police operations,
a group reported together). A window's women and men are the sums of its tertials (each
person in one tertial: distinct persons, as the 12-month windows of a release).

Scenarios (``p_t`` by tertial): flat 0.20, 0.22, 0.25, 0.30 and 0.35; ``rising_to_target``
(linear in the log-odds from 0.15 in 2019T1 to 0.25 in 2026T3); ``plateau`` (from 0.12 in
2019T1 up to 0.22 in 2023T1, flat after). A *confident wrong call* is ``on_track`` or
``met`` when the truth stays at or below 0.22 (flat 0.20, flat 0.22, plateau), or
``not_on_track`` when it is at or above 0.30 (flat 0.30, 0.35). Every status is counted with
its Monte Carlo SE ``sqrt(p(1-p)/R)``.

The share-trend part fits :func:`risk_indicators.fairness.female_share_youth_trend`'s model
(quasi-binomial and binomial, per tertial) to the same kind of series with a true slope of 0
and of 0.2 log-odds a year, and counts how often the 95 % interval covers the true slope.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
from scipy import special

from risk_indicators.fairness import assess_goal, fit_logit_trend, logit_trend_problem

__all__ = ["goal_cells", "goal_study", "goal_summary"]

TERTIALS = 20  # 2019T1 .. 2025T2
HORIZON_YEARS = 4 / 3  # 2025T2 -> 2026T3
TARGET = 0.25
MEAN_YOUNG = 15.0
EXTRA_SD = 0.5
VARIATIONS = {"binomial": 0.0, "extra": EXTRA_SD}
STATUSES = ("met", "on_track", "not_on_track", "cannot_tell_yet", "insufficient_data")
LOW_TRUTH = ("flat 0.20", "flat 0.22", "plateau")
HIGH_TRUTH = ("flat 0.30", "flat 0.35")
SLOPES = (0.0, 0.2)


def _logit(p: float) -> float:
    return math.log(p / (1 - p))


def scenario_shares(name: str) -> np.ndarray:
    """The true female share of each tertial 2019T1..2025T2 in scenario ``name``."""
    k = np.arange(TERTIALS, dtype=float)
    if name.startswith("flat "):
        return np.full(TERTIALS, float(name.split()[1]))
    if name == "rising_to_target":  # 2026T3 is tertial 23 from 2019T1
        return special.expit(_logit(0.15) + (_logit(0.25) - _logit(0.15)) * k / 23)
    if name == "plateau":  # 2023T1 is tertial 12
        step = (_logit(0.22) - _logit(0.12)) / 12
        return special.expit(_logit(0.12) + step * np.minimum(k, 12))
    raise ValueError(name)


SCENARIOS = ("flat 0.20", "flat 0.22", "flat 0.25", "flat 0.30", "flat 0.35",
             "rising_to_target", "plateau")  # fmt: skip


def goal_cells() -> list[tuple[str, str]]:
    return [(s, v) for v in VARIATIONS for s in SCENARIOS] + [
        (f"slope {b:g}", v) for v in VARIATIONS for b in SLOPES
    ]


def _draw(rng: np.random.Generator, shares: np.ndarray, sd: float,
          replicates: int) -> tuple[np.ndarray, np.ndarray]:  # fmt: skip
    n = rng.poisson(MEAN_YOUNG, (replicates, len(shares)))
    p = shares[None, :]
    if sd > 0:
        p = special.expit(special.logit(p) + rng.normal(0, sd, n.shape))
    women = rng.binomial(n, p)
    return women, n - women


def _rate_row(scenario: str, variation: str, name: str, hits: np.ndarray,
              replicates: int) -> dict[str, Any]:  # fmt: skip
    rate = float(hits.mean()) if len(hits) else float("nan")
    return {"study": "goal", "estimator": scenario, "dispersion": variation, "years": 6,
            "mu0": MEAN_YOUNG, "replicates": replicates, "defined": len(hits),
            "rate_name": name, "rate": rate, "rate_mcse": math.sqrt(rate * (1 - rate) / replicates),
            "setting": f"{scenario}, {variation}, evaluated at 2025T2"}  # fmt: skip


def _goal_cell(scenario: str, variation: str, rng: np.random.Generator,
               replicates: int) -> list[dict[str, Any]]:  # fmt: skip
    women, men = _draw(rng, scenario_shares(scenario), VARIATIONS[variation], replicates)
    # six yearly windows ending 2020T2 .. 2025T2: tertials 2..4, 5..7, ..., 17..19
    starts = np.arange(2, TERTIALS, 3)
    years = np.arange(len(starts), dtype=float) - (len(starts) - 1)
    statuses = []
    for r in range(replicates):
        w = np.array([women[r, s : s + 3].sum() for s in starts], dtype=float)
        m = np.array([men[r, s : s + 3].sum() for s in starts], dtype=float)
        statuses.append(assess_goal(w, m, years, horizon_years=HORIZON_YEARS, target=TARGET)[0])
    got = np.array(statuses)
    rows = [_rate_row(scenario, variation, s, got == s, replicates) for s in STATUSES]
    if scenario in LOW_TRUTH:
        wrong = np.isin(got, ["on_track", "met"])
    elif scenario in HIGH_TRUTH:
        wrong = got == "not_on_track"
    else:
        wrong = None
    if wrong is not None:
        rows.append(_rate_row(scenario, variation, "confident_wrong", wrong, replicates))
    return rows


def _slope_cell(slope: float, variation: str, rng: np.random.Generator,
                replicates: int) -> list[dict[str, Any]]:  # fmt: skip
    t = np.arange(TERTIALS, dtype=float) / 3
    shares = special.expit(_logit(0.2) + slope * (t - t.mean()))
    women, men = _draw(rng, shares, VARIATIONS[variation], replicates)
    rows = []
    for method in ("quasi", "binomial"):
        covered = []
        for r in range(replicates):
            w, m = women[r].astype(float), men[r].astype(float)
            if logit_trend_problem(w, m, t, method=method):
                continue
            fit = fit_logit_trend(w, m, t, method=method)
            if fit is None:
                continue
            _, low, high, _ = fit.slope()
            covered.append(low <= slope <= high)
        c = np.array(covered, dtype=bool)
        cov = float(c.mean())
        rows.append({"study": "goal", "estimator": f"female_share_youth_trend ({method})",
                     "dispersion": variation, "years": 6, "mu0": MEAN_YOUNG,
                     "effect": slope, "truth": slope, "replicates": replicates,
                     "defined": len(c), "coverage": cov,
                     "coverage_mcse": math.sqrt(cov * (1 - cov) / max(len(c), 1)),
                     "setting": f"slope {slope:g} log-odds/year, {variation}"})  # fmt: skip
    return rows


def goal_study(replicates: int, seed: int, tick: Callable[[], None]) -> list[dict[str, Any]]:
    """Rows of the goal study (see the module docstring), one stream per cell."""
    rows: list[dict[str, Any]] = []
    for cell, (name, variation) in enumerate(goal_cells()):
        rng = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(5, cell)))
        if name.startswith("slope "):
            rows += _slope_cell(float(name.split()[1]), variation, rng, replicates)
        else:
            rows += _goal_cell(name, variation, rng, replicates)
        tick()
    return rows


def goal_summary(t: pd.DataFrame) -> pd.DataFrame:
    """One row per scenario and variation: the share of each status and of confident wrong
    calls (percent, MC SE in brackets); then the share-trend coverage rows."""

    def pct(v: Any, se: Any = None) -> str:
        if v is None or pd.isna(v):
            return "–"
        return f"{100 * v:.1f}" + ("" if se is None or pd.isna(se) else f" ({100 * se:.1f})")

    out = []
    status_rows = t[t["rate_name"].notna()]
    for (scenario, variation), g in status_rows.groupby(["estimator", "dispersion"], sort=False):
        g = g.set_index("rate_name")
        row: dict[str, Any] = {"truth": scenario, "variation": variation}
        for s in (*STATUSES, "confident_wrong"):
            row[s] = pct(g.at[s, "rate"], g.at[s, "rate_mcse"]) if s in g.index else "–"
        out.append(row)
    for r in t[t["coverage"].notna()].to_dict("records"):
        out.append({"truth": r["setting"], "variation": r["estimator"],
                    "met": f"coverage {pct(r['coverage'], r['coverage_mcse'])}"})  # fmt: skip
    return pd.DataFrame(out).fillna("")
