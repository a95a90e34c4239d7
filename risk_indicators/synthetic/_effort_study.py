"""The effort study of the validation (issue 16): does the adjusted trend separate use from
police effort?

Private to :mod:`risk_indicators.synthetic`; :func:`risk_indicators.synthetic.simulate` runs
it as the study ``"effort"``. Every replicate is a youth series (ages 15-24) of the synthetic
Vaggeryd-like municipality (:meth:`SynthParams.municipal`, about 14 young persons a tertial),
drawn from the generator's own model: the expected persons of every period x area x age band x
gender cell (:func:`~risk_indicators.synthetic.expected_persons`) with the cell's negative
binomial count (size ``dispersion_k``), the young summed over areas, bands and genders. The
population is that of the first year in every year, so the true trend of the young persons'
*use* is exactly ``trend_man = trend_kvinna``. The effort series acts as in the generator
(:func:`~risk_indicators.synthetic.with_effort`): on police-initiated detection only, 85 % of
men's and 65 % of women's. The effort the estimators see is the hours of the generator's
activity file (:func:`~risk_indicators.synthetic.activity_frame`).

Scenarios over 18 tertials (2019T1-2024T3):

- effort x2 (or x1.3) from 2022T1, flat use: the adjusted interval should cover 0, the
  unadjusted trend finds a "trend" that is only effort;
- a true trend of +10 % a year with the municipality's hot-spot weeks as the only change in
  effort: both should recover it;
- the same trend with effort x2 from 2022T1: only the adjusted trend should.

Estimators: ``youth_trend_annual_change`` (unadjusted), ``effort_adjusted`` (log effort as a
covariate, the published indicator) and ``effort_adjusted_offset`` (log effort as an offset).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

from risk_indicators.intake import HOURS_UNIT
from risk_indicators.stats import effort_trend_replicates, trend_replicates

from ._activity import activity_frame, with_effort
from ._generator import expected_persons
from ._model import AGE_LABELS, SynthParams, draw_population
from ._run import _grid, _population_frame

__all__ = ["EFFORT_SCENARIOS", "effort_cells", "effort_study", "effort_summary"]

START, END, STEP = "2019-01-01", "2024-12-31", "2022T1"
YOUTH_BANDS = AGE_LABELS[1:4]
TRUE_TREND = math.log(1.10)
#: name -> (log trend a year of both genders, effort factor from STEP on)
EFFORT_SCENARIOS: dict[str, tuple[float, float]] = {
    "effort x2, flat use": (0.0, 2.0),
    "effort x1.3, flat use": (0.0, 1.3),
    "trend +10 %/year, hot-spot weeks only": (TRUE_TREND, 1.0),
    "trend +10 %/year, effort x2": (TRUE_TREND, 2.0),
}
ESTIMATORS = ("youth_trend_annual_change", "effort_adjusted", "effort_adjusted_offset")


def effort_cells() -> list[str]:
    """The scenarios, in study order."""
    return list(EFFORT_SCENARIOS)


def _series(scenario: str) -> tuple[SynthParams, np.ndarray, np.ndarray, np.ndarray]:
    """Parameters, expected youth cells (periods x cells), NB size and effort hours."""
    trend, factor = EFFORT_SCENARIOS[scenario]
    params = SynthParams.municipal(trend_man=trend, trend_kvinna=trend, trend_origin="2019T1")
    grid = _grid(params, START, END)
    steps = {label: factor for label in grid.labels if label >= STEP}
    params = with_effort(params, steps)
    first = draw_population(params, 1, np.random.Generator(np.random.PCG64(2019)))
    pop = _population_frame(np.repeat(first, len(grid.years), axis=0), grid.years, params.areas)
    cells = expected_persons(params, pop, start=START, end=END)
    youth = cells.loc[cells["age_band"].isin(YOUTH_BANDS)]
    mu = youth.pivot_table(index="period", columns=["area", "age_band", "gender"],
                           values="expected", sort=False).reindex(list(grid.labels))  # fmt: skip
    acts = activity_frame(params, grid)
    hours = acts.loc[acts["unit"] == HOURS_UNIT].groupby("period")["amount"].sum()
    return params, mu.to_numpy(float), np.asarray(params.dispersion_k), hours.reindex(
        list(grid.labels)).to_numpy(float)  # fmt: skip


def _row(estimator: str, scenario: str, truth: float, beta: np.ndarray, low: np.ndarray,
         high: np.ndarray, p: np.ndarray, replicates: int, mu0: float,
         factor: float) -> dict[str, Any]:  # fmt: skip
    ok = np.isfinite(beta)
    beta, low, high, p = beta[ok], low[ok], high[ok], p[ok]
    out: dict[str, Any] = {
        "study": "effort", "estimator": estimator, "dispersion": "negative binomial k=6",
        "years": 6, "mu0": mu0, "effect": factor, "truth": math.expm1(truth),
        "replicates": replicates, "defined": int(ok.sum()), "setting": scenario,
        "rate_name": "type_I_error" if truth == 0 else "power",
    }  # fmt: skip
    for name, hits in (("coverage", (low <= truth) & (truth <= high)), ("rate", p < 0.05)):
        if hits.size:
            share = float(np.mean(hits))
            out[name], out[f"{name}_mcse"] = share, math.sqrt(share * (1 - share) / hits.size)
    if beta.size:
        out["mean_estimate"] = float(np.mean(np.expm1(beta)))
        out["bias"] = out["mean_estimate"] - out["truth"]
    return out


def effort_study(replicates: int, seed: int, tick: Callable[[], None],
                 scenarios: list[str] | None = None) -> list[dict[str, Any]]:  # fmt: skip
    """Rows of the validation table (``study = "effort"``) for each scenario and estimator."""
    rows = []
    for cell, scenario in enumerate(effort_cells()):
        if scenarios is not None and scenario not in scenarios:
            continue
        trend, factor = EFFORT_SCENARIOS[scenario]
        _, mu, k, hours = _series(scenario)
        rng = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(4, cell)))
        frailty = rng.gamma(shape=k, scale=1.0 / k, size=(replicates, *mu.shape))
        y = rng.poisson(mu[None] * frailty).sum(axis=2).astype(float)
        pop = np.ones(y.shape[1])
        fits = {"youth_trend_annual_change": trend_replicates(y, pop)}
        for name, method in (
            ("effort_adjusted", "covariate"),
            ("effort_adjusted_offset", "offset"),
        ):
            fits[name] = effort_trend_replicates(y, hours, pop, method=method)
        mu0 = float(mu[:3].sum(axis=1).mean())
        for name in ESTIMATORS:
            f = fits[name]
            rows.append(_row(name, scenario, trend, *(f[c].to_numpy(float) for c in
                             ("beta", "ci_low", "ci_high", "p_value")), replicates, mu0,
                             factor))  # fmt: skip
        tick()
    return rows


def effort_summary(t: pd.DataFrame) -> pd.DataFrame:
    """One row per scenario: coverage (MC SE), bias and share "significant" per estimator."""

    def pct(v: Any, se: Any = None) -> str:
        if v is None or pd.isna(v):
            return "–"
        return f"{100 * v:.1f}" + ("" if se is None or pd.isna(se) else f" ({100 * se:.1f})")

    short = {"youth_trend_annual_change": "unadjusted", "effort_adjusted": "adjusted",
             "effort_adjusted_offset": "offset"}  # fmt: skip
    out = []
    for scenario, g in t.groupby("setting", sort=False):
        g = g.set_index("estimator")
        row: dict[str, Any] = {"scenario": scenario,
                               "true change": f"{100 * g['truth'].iloc[0]:+.0f} %"}  # fmt: skip
        for est, name in short.items():
            row[f"coverage {name}"] = pct(g.at[est, "coverage"], g.at[est, "coverage_mcse"])
        for est, name in short.items():
            b = g.at[est, "bias"]
            row[f"bias {name}"] = "–" if pd.isna(b) else f"{b:+.3f}"
        for est, name in short.items():
            row[f"significant {name}"] = pct(g.at[est, "rate"], g.at[est, "rate_mcse"])
        out.append(row)
    return pd.DataFrame(out)
