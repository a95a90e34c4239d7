"""The simulation study of CONTRACT 6: the estimators checked against known truths.

Every cell of the study draws ``replicates`` data sets from a known model, runs the package's
own estimator on each, and reports bias, 95% interval coverage and rejection rates, each with
its Monte Carlo standard error ``sqrt(p(1-p)/R)``.

- **trend**: ``youth_trend_annual_change`` (:func:`risk_indicators.stats.trends.poisson_trend`,
  quasi-Poisson, fitted through its fast path) and, for comparison, the Mann-Kendall test.
  Tertial series of 3, 4 and 6 years, ``mu0`` = 5, 10 or 20 expected persons per tertial in
  the first year, tertial effects ``(1.1, 0.8, 1.1)``, a constant population of 2000 (the
  offset), true rate ratios 1 (type-I error), 1.2 and 1.5 a year (power).
- **alarms**: :func:`risk_indicators.stats.alarms.farrington_flexible` with the defaults documented
  for tertials (``freq=3, b=5, w=1, no_periods=1``; ``alpha=0.05``, ``limit54=(5, 4)``,
  ``"delta"`` threshold), on 6 years of flat tertial counts (mean ``mu0``), the last period
  evaluated: false-alarm rate without outbreak, detection rate when its mean is 2 or 3 times
  ``mu0``; ``bias`` is that of the expected count. Also with ``trend=False`` on the same
  draws. One fit per series serves all outbreak sizes (:func:`alarm_decision`).
- **rates**: Wilson shares, exact Poisson rates and Katz rate ratios at small counts (and the
  fairness module's ``fairness_coverage`` when it exists).

Over-dispersed counts (``dispersion="overdispersed"``) are gamma-Poisson with gamma shape
``mu/(phi - 1)`` per cell, so that ``var = phi*mu`` with ``phi = 2`` for every mean (NB1): the
quasi-Poisson models of the trend and of Farrington are then correctly specified. Estimates
that are not defined (e.g. a trend of an all-zero series, a Katz ratio with a zero count) are
left out of bias, coverage and rates; ``defined`` counts the replicates that remain.

Every cell has its own random stream, ``SeedSequence(seed, spawn_key=(study, cell))``, so a
cell's result does not depend on which other studies run.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, Literal, cast

import numpy as np
import pandas as pd

from risk_indicators.errors import UsageError
from risk_indicators.fairness import fairness_coverage
from risk_indicators.stats import (
    farrington_flexible,
    mann_kendall,
    poisson_rate_table,
    rate_ratio_table,
    trend_replicates,
    wilson_table,
)

from ._effort_study import effort_cells, effort_study
from ._goal_study import goal_cells, goal_study
from ._goal_study import scenario_shares as goal_scenario_shares
from ._validation_tables import ALARM_RISES, SECTIONS, TREND_RATIOS, markdown, rates_summary

__all__ = ["COLUMNS", "ValidationResult", "alarm_decision", "draw_counts",
           "goal_scenario_shares", "simulate", "simulate_command", "trend_replicates"]  # fmt: skip

Study = Literal["trend", "alarms", "rates", "effort", "goal"]
Progress = Callable[[int, int], None]
STUDIES: tuple[Study, ...] = ("trend", "alarms", "rates", "effort", "goal")
DEFAULT_SEED = 20211001
NOMINAL = 0.95
COLUMNS = ["study", "estimator", "dispersion", "years", "mu0", "effect", "truth", "replicates",
           "defined", "mean_estimate", "bias", "coverage", "coverage_mcse", "rate_name", "rate",
           "rate_mcse", "setting"]  # fmt: skip

PHI = {"poisson": 1.0, "overdispersed": 2.0}
TREND_YEARS, TREND_MU0 = (3, 4, 6), (5, 10, 20)
SEASON = np.array([1.1, 0.8, 1.1])  # tertial effects T1, T2, T3 of the trend series
POP0 = 2_000.0
ALARM_OPTIONS: dict[str, Any] = {"freq": 3, "b": 5, "w": 1, "no_periods": 1}
ALARM_VARIANTS = {"farrington_flexible": {}, "farrington_flexible_no_trend": {"trend": False},
                  "farrington_flexible_no_trend_t": {"trend": False, "quantile": "t"}}  # fmt: skip
ALARM_YEARS, ALARM_MU0, LIMIT54 = 6, (5, 10, 20), (5, 4)
WILSON = [(n, p) for n in (5, 10, 20, 50) for p in (0.1, 0.25, 0.5)]
RATE_COUNTS = (1.0, 2.0, 5.0, 10.0, 20.0)
KATZ = [(m0, rr) for m0 in (5.0, 10.0, 20.0, 40.0) for rr in (0.3, 1.0)]
KATZ_POPS = (950.0, 1_050.0)  # young women, young men


@dataclass(frozen=True)
class ValidationResult:
    """Result of :func:`simulate`.

    Attributes
    ----------
    table
        One row per estimator and setting (:data:`COLUMNS`): ``study, estimator, dispersion,
        years, mu0, effect`` (true rate ratio a year, outbreak factor, share or rate ratio),
        ``truth`` (the estimand), ``replicates``, ``defined``, ``mean_estimate``, ``bias``,
        ``coverage`` of the 95% interval and its Monte Carlo SE, ``rate_name``
        (``type_I_error``, ``power``, ``false_alarm_rate``, ``detection_rate``), ``rate`` and
        its Monte Carlo SE, and a readable ``setting``. Numbers that do not apply are <NA>.
    replicates, seed, seconds
        Replicates per cell, the seed, and the wall-clock time of the run.
    """

    table: pd.DataFrame
    replicates: int
    seed: int
    seconds: float

    def summary(self) -> str:
        """Markdown tables, one per study (coverage and rates in percent, MC SE beside)."""
        parts = [f"Simulation study: {self.replicates} replicates per cell, seed {self.seed}."]
        for study, rows in self.table.groupby("study", sort=False):
            title, make = SECTIONS.get(str(study), (str(study), rates_summary))
            parts += ["", f"### {title}", "", markdown(make(rows))]
        return "\n".join(parts) + "\n"

    def plot(self, ax: Any = None) -> Any:
        """Coverage of every cell with +-2 Monte Carlo SE against the nominal 95%."""
        import matplotlib.pyplot as plt

        t = self.table[self.table["coverage"].notna()].reset_index(drop=True)
        if ax is None:
            _, ax = plt.subplots(figsize=(9, 3.5))
        for study, part in t.groupby("study", sort=False):
            err = 2 * part["coverage_mcse"].to_numpy(float)
            ax.errorbar(part.index, part["coverage"].to_numpy(float), yerr=err, fmt="o", ms=3,
                        label=str(study))  # fmt: skip
        ax.axhline(NOMINAL, color="black", lw=1, ls="--", label="nominal 95%")
        ax.set(xlabel="simulation cell", ylabel="coverage")
        ax.legend(fontsize=8, frameon=False)
        return ax


# --------------------------------------------------------------------------- helpers
def draw_counts(
    rng: np.random.Generator, mu: np.ndarray, replicates: int, phi: float = 1.0
) -> np.ndarray:
    """``replicates`` rows of counts with means ``mu``: Poisson (``phi = 1``) or gamma-Poisson
    with ``var = phi*mu`` in every cell (gamma shape ``mu/(phi-1)``, scale ``phi-1``)."""
    mu = np.broadcast_to(np.asarray(mu, float), (replicates, np.size(mu)))
    if phi > 1:
        mu = rng.gamma(shape=mu / (phi - 1), scale=phi - 1)
    return rng.poisson(mu).astype(float)


def _rng(seed: int, study: int, cell: int) -> np.random.Generator:
    return np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(study, cell)))


def _row(study: str, estimator: str, *, truth: float | None, est: np.ndarray,
         covered: np.ndarray | None = None, rejected: np.ndarray | None = None,
         rate_name: str | None = None, replicates: int, **keys: Any) -> dict[str, Any]:  # fmt: skip
    """One row of the table from the per-replicate results of the defined replicates; the
    Monte Carlo SE of a proportion ``p`` of ``R`` is ``sqrt(p(1-p)/R)``."""
    out = {"study": study, "estimator": estimator, **keys, "truth": truth,
           "replicates": replicates, "defined": int(est.size), "rate_name": rate_name}  # fmt: skip
    for name, hits in (("coverage", covered), ("rate", rejected)):
        if hits is not None and hits.size:
            p = float(np.mean(hits))
            out[name], out[f"{name}_mcse"] = p, math.sqrt(p * (1 - p) / hits.size)
    if est.size:
        out["mean_estimate"] = float(np.mean(est))
        out["bias"] = None if truth is None else out["mean_estimate"] - truth
    return out


# --------------------------------------------------------------------------- studies
def _trend_cells() -> list[tuple[str, int, int, float]]:
    return [(d, yr, m, rr) for d in PHI for yr in TREND_YEARS for m in TREND_MU0
            for rr in TREND_RATIOS]  # fmt: skip


def _trend_study(replicates: int, seed: int, tick: Callable[[], None]) -> list[dict[str, Any]]:
    rows = []
    for cell, (disp, years, mu0, ratio) in enumerate(_trend_cells()):
        n = 3 * years
        t, pop = np.arange(n) / 3, np.full(n, POP0)
        y = draw_counts(_rng(seed, 1, cell), mu0 * SEASON[np.arange(n) % 3] * ratio**t,
                        replicates, PHI[disp])  # fmt: skip
        f = trend_replicates(y, pop).dropna()
        log_rr, name = math.log(ratio), "type_I_error" if ratio == 1 else "power"
        setting = f"{n} tertials, mu0={mu0}, RR={ratio}/year, {disp}"
        keys: dict[str, Any] = dict(dispersion=disp, years=years, mu0=float(mu0), effect=ratio,
                                    setting=setting)  # fmt: skip
        rows.append(_row(
            "trend", "youth_trend_annual_change", truth=ratio - 1,
            est=np.expm1(f["beta"].to_numpy()), replicates=replicates, rate_name=name,
            covered=((f["ci_low"] <= log_rr) & (log_rr <= f["ci_high"])).to_numpy(),
            rejected=(f["p_value"] < 0.05).to_numpy(), **keys,
        ))  # fmt: skip
        # on counts: the population is constant, and on rates with a changing population
        # tied counts would be ordered by population (a bias of S, not of the test)
        mk = np.array([mann_kendall(row).p_value for row in y], dtype=float)
        mk = mk[np.isfinite(mk)]
        rows.append(_row("trend", "mann_kendall", truth=None, est=mk, rejected=mk < 0.05,
                         rate_name=name, replicates=replicates, **keys))  # fmt: skip
        rows[-1]["mean_estimate"] = None  # the mean p-value is no estimate of anything
        tick()
    return rows


def alarm_decision(
    recent: np.ndarray, now: np.ndarray, expected: np.ndarray, upperbound: np.ndarray
) -> np.ndarray:
    """The alarm rule of :func:`~risk_indicators.stats.alarms.farrington_flexible` (delta threshold)
    for other counts ``now`` of the evaluated period, whose threshold does not depend on that
    count (it is left out of the fit): score ``(now - expected)/(upperbound - expected) > 1``,
    ``now > 0`` and ``limit54[0]`` cases in the last ``limit54[1]`` periods (``recent``: the
    ``limit54[1] - 1`` counts before it, one row per replicate)."""
    with np.errstate(all="ignore"):
        score = (now - expected) / (upperbound - expected)
    enough = recent.sum(axis=1) + now >= LIMIT54[0]
    return np.asarray(enough & (now > 0) & (score > 1), dtype=bool)


def _alarm_cells() -> list[tuple[str, int, str]]:
    return [(d, m, v) for d in PHI for m in ALARM_MU0 for v in ALARM_VARIANTS]


def _alarm_study(replicates: int, seed: int, tick: Callable[[], None]) -> list[dict[str, Any]]:
    n, rows = 3 * ALARM_YEARS, []
    for cell, (disp, mu0, variant) in enumerate(_alarm_cells()):
        # the same draws for both variants: a paired comparison
        rng = _rng(seed, 2, cell // len(ALARM_VARIANTS))
        y = draw_counts(rng, np.full(n, float(mu0)), replicates, PHI[disp])
        now = draw_counts(rng, np.array(ALARM_RISES) * mu0, replicates, PHI[disp])
        now[:, 0] = y[:, -1]
        expected, upper = np.full(replicates, np.nan), np.full(replicates, np.nan)
        direct = np.zeros(replicates, bool)
        options = {**ALARM_OPTIONS, **ALARM_VARIANTS[variant], "limit54": LIMIT54}
        for r, row in enumerate(y):
            res = farrington_flexible(row, range=[n - 1], **options).table.iloc[0]
            direct[r] = bool(res["alarm"])
            if pd.notna(res["expected"]):
                expected[r] = float(res["expected"])
                upper[r] = np.nan if pd.isna(res["upperbound"]) else float(res["upperbound"])
        ok = np.isfinite(expected)
        for j, rise in enumerate(ALARM_RISES):
            alarm = direct if rise == 1 else alarm_decision(
                y[:, n - LIMIT54[1] : n - 1], now[:, j], expected, upper)  # fmt: skip
            rows.append(_row(
                "alarms", variant, truth=float(mu0), est=expected[ok], rejected=alarm[ok],
                rate_name="false_alarm_rate" if rise == 1 else "detection_rate",
                replicates=replicates, dispersion=disp, years=ALARM_YEARS, mu0=float(mu0),
                effect=rise, setting=f"{n} tertials, mu0={mu0}, last period x{rise:g}, {disp}",
            ))  # fmt: skip
        tick()
    return rows


def _rates_cells() -> list[tuple[str, float, float]]:
    return ([("wilson_share", n, p) for n, p in WILSON]
            + [("poisson_rate_exact", m, 1.0) for m in RATE_COUNTS]
            + [("rate_ratio_katz", m0, rr) for m0, rr in KATZ])  # fmt: skip


def _rates_study(replicates: int, seed: int, tick: Callable[[], None]) -> list[dict[str, Any]]:
    rows, (pop1, pop0) = [], KATZ_POPS
    for cell, (name, size, effect) in enumerate(_rates_cells()):
        rng, keys = _rng(seed, 3, cell), cast(dict[str, Any], {})
        if name == "wilson_share":
            t, truth = wilson_table(rng.binomial(int(size), effect, replicates), size), effect
            keys = {"mu0": size * effect, "setting": f"n={size:g}, p={effect:g}"}
        elif name == "poisson_rate_exact":
            t, truth = poisson_rate_table(rng.poisson(size, replicates), POP0), size / POP0 * 1e4
            keys = {"mu0": size, "setting": f"expected count {size:g}, population {POP0:g}"}
        else:  # young women (1) against young men (0)
            b = rng.poisson(size, replicates)
            a = rng.poisson(size * effect * pop1 / pop0, replicates)
            t, truth = rate_ratio_table(a, pop1, b, pop0, method="katz"), effect
            keys = {"mu0": size, "setting": f"men expect {size:g} per {pop0:g}, RR={effect:g}"}
        t = t[t["ci_low"].notna()]  # Katz: no interval with a zero count
        est, lo, hi = (t[c].to_numpy(float) for c in ("estimate", "ci_low", "ci_high"))
        rows.append(_row("rates", name, truth=truth, est=est, replicates=replicates,
                         covered=(lo <= truth) & (truth <= hi), effect=effect, **keys))  # fmt: skip
        tick()
    return rows


def _fairness_rows(replicates: int, seed: int) -> list[dict[str, Any]]:
    """Rows of :func:`risk_indicators.fairness.fairness_coverage` in the study's columns."""
    frame = pd.DataFrame(fairness_coverage(replicates, seed=seed))
    records = frame.reindex(columns=COLUMNS).assign(study="fairness").to_dict("records")
    return [{str(k): v for k, v in r.items()} for r in records]


def _tidy(rows: list[dict[str, Any]]) -> pd.DataFrame:
    t = pd.DataFrame(rows).reindex(columns=COLUMNS)
    for c in COLUMNS:
        if c in ("study", "estimator", "dispersion", "rate_name", "setting"):
            t[c] = t[c].astype(object).where(t[c].notna(), None)
        else:
            kind: Any = "Int64" if c in ("years", "replicates", "defined") else "Float64"
            t[c] = pd.to_numeric(t[c], errors="coerce").astype(kind)
    return t


def simulate(
    *,
    replicates: int = 2000,
    seed: int = DEFAULT_SEED,
    progress: Progress | None = None,
    include: Iterable[Study] = STUDIES,
) -> ValidationResult:
    """Run the simulation study of CONTRACT 6.

    Parameters
    ----------
    replicates
        Data sets drawn per cell (at least 10). The Monte Carlo SE of a 95% coverage is
        ``sqrt(0.95*0.05/replicates)``: 0.0049 at 2000.
    seed
        Seed of the whole study; each cell has its own stream derived from it.
    progress
        Called as ``progress(done, total)`` after each cell.
    include
        Studies to run: any of ``"trend"``, ``"alarms"``, ``"rates"``, ``"effort"``,
        ``"goal"`` (the goal assessment and the female-share trend, issue 15).

    Returns
    -------
    ValidationResult

    Examples
    --------
    >>> res = simulate(replicates=200, include=("rates",))
    >>> bool(res.table["coverage"].min() > 0.8)
    True
    """
    studies = list(include)
    bad = [s for s in studies if s not in STUDIES]
    if bad or not studies:
        raise UsageError(
            "The 'include' parameter of simulate must be a non-empty selection of 'alarms', "
            f"'effort', 'goal', 'rates', 'trend'. Got {tuple(studies)!r} instead."
        )
    if isinstance(replicates, bool) or not isinstance(replicates, int) or replicates < 10:
        raise UsageError(
            f"The 'replicates' parameter of simulate must be an int in the range [10, inf). "
            f"Got {replicates!r} instead."
        )
    sizes = {"trend": len(_trend_cells()), "alarms": len(_alarm_cells()),
             "rates": len(_rates_cells()), "effort": len(effort_cells()),
             "goal": len(goal_cells())}  # fmt: skip
    total, done = sum(sizes[s] for s in STUDIES if s in studies), [0]

    def tick() -> None:
        done[0] += 1
        if progress is not None:
            progress(done[0], total)

    start = time.perf_counter()
    runners = {"trend": _trend_study, "alarms": _alarm_study, "rates": _rates_study,
               "effort": effort_study, "goal": goal_study}  # fmt: skip
    rows: list[dict[str, Any]] = []
    for study in STUDIES:
        if study in studies:
            rows += runners[study](replicates, seed, tick)
    if "rates" in studies:
        rows += _fairness_rows(replicates, seed)
    return ValidationResult(_tidy(rows), replicates, seed, time.perf_counter() - start)


def simulate_command(replicates: int, seed: int, progress: Progress | None) -> str:
    """The ``risk-indicators simulate`` command: the study's markdown tables and runtime."""
    res = simulate(replicates=replicates, seed=seed, progress=progress)
    return res.summary() + f"\nRuntime: {res.seconds:.0f} s.\n"
