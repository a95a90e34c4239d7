"""Female share, women/men rate ratio and benchmark ratio per label, with their intervals.

Private to :mod:`risk_indicators.fairness`, which re-exports every name of ``__all__``. Pure
functions over the cube (``period, area, age_band, gender, persons, reports, population``;
margins ``total``). Women are ``kvinna``, men ``man``; ``okänt`` is left out of every share
and ratio. Youth = the bands of ``config.youth_bands``.

The functions: :func:`female_share` and :func:`female_share_youth` (Wilson 95% interval, any
period or rolling 12-month label), :func:`gender_rate_ratio` (Katz log and exact conditional
intervals and test), :func:`benchmark_ratio_youth` (Woolf interval, optionally with the
benchmark's own error) and :func:`fairness_coverage` (simulated coverage at small counts);
the method table is in :mod:`risk_indicators.fairness`.

All counts are treated as independent Poisson or binomial events; police-initiated detection
makes them measure police effort as much as use, and the intervals describe chance variation
only. The label helpers ``_labels`` and ``_women_men`` are shared with
:mod:`risk_indicators.fairness._decomposition`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd
from statsmodels.stats import rates as sm_rates

from risk_indicators.config import Config
from risk_indicators.errors import UsageError
from risk_indicators.stats import (
    noise_variance,
    odds_ratio_to_benchmark,
    rate_ratio_table,
    wilson_table,
)

from .standardise import (
    COLOURS,
    MEN,
    TOTAL,
    WOMEN,
    float64_columns,
    gender_counts,
    youth_label,
)

__all__ = [
    "BenchmarkResult",
    "RateRatioResult",
    "ShareResult",
    "benchmark_ratio_youth",
    "fairness_coverage",
    "female_share",
    "female_share_youth",
    "gender_rate_ratio",
]


def _labels(cube: pd.DataFrame, period: str | None, func: str) -> list[str]:
    labels = [str(p) for p in dict.fromkeys(cube["period"])]
    if period is None:
        return labels
    if period not in labels:
        raise UsageError(f"The period {period!r} given to {func} is not in the cube.")
    return [period]


def _women_men(counts: pd.DataFrame) -> dict[str, tuple[int, int]]:
    """``{label: (women, men)}`` from :func:`gender_counts`."""
    return {str(p): (int(w), int(m)) for p, w, m in zip(
        counts["period"].tolist(), counts["women"].tolist(), counts["men"].tolist(),
        strict=True)}  # fmt: skip


def _errorbars(ax: Any, x: np.ndarray, t: pd.DataFrame, colour: str, label: str) -> None:
    est = t["estimate"].to_numpy(float, na_value=np.nan)
    low = t["ci_low"].to_numpy(float, na_value=np.nan)
    high = t["ci_high"].to_numpy(float, na_value=np.nan)
    ax.errorbar(x, est, yerr=[est - low, high - est], fmt="o", ms=4, color=colour, label=label)


# --------------------------------------------------------------------------- shares
@dataclass(frozen=True)
class ShareResult:
    """Female share per period (or window) label: ``table`` with ``women, men, reason``."""

    table: pd.DataFrame
    youth: bool
    target: float | None = None

    def summary(self) -> str:
        r = self.table.iloc[-1]
        who = "young persons" if self.youth else "persons"
        if pd.isna(r["estimate"]):
            return f"Female share among reported {who}, {r['period']}: {r['reason']}"
        return (f"Female share among reported {who}, {r['period']}: {r['estimate']:.1%} (95% "
                f"CI {r['ci_low']:.1%}-{r['ci_high']:.1%}; {r['women']} of {r['n']})")  # fmt: skip

    def plot(self, ax: Any = None) -> Any:
        """Share with Wilson intervals per label; the target as a dashed line."""
        import matplotlib.pyplot as plt

        if ax is None:
            _, ax = plt.subplots(figsize=(7, 3.5))
        x = np.arange(len(self.table))
        _errorbars(ax, x, self.table, COLOURS[WOMEN], "female share")
        if self.target is not None:
            ax.axhline(self.target, color=COLOURS["standardised"], ls="--", label="target")
        ax.set_xticks(x, list(self.table["period"]), rotation=90)
        ax.set_ylim(0, 1)
        ax.set_ylabel("female share")
        ax.legend(fontsize=8, frameon=False)
        return ax


def female_share(
    cube: pd.DataFrame, period: str | None = None, *, config: Config, youth: bool = False
) -> ShareResult:
    """Women / (women + men) among reported persons, Wilson 95% interval (CONTRACT 4).

    The values are those of :func:`risk_indicators.stats.slice_indicators` (``female_share``
    or, with ``youth=True``, ``female_share_youth``: the Wilson interval of women among women
    and men) for one label, or for every label of the cube when ``period`` is None; works on
    the period cube and on the rolling 12-month window cube alike.
    """
    labels = _labels(cube, period, "female_share")
    counts = _women_men(gender_counts(cube, config=config, youth=youth, periods=labels))
    women = np.array([counts[label][0] for label in labels], dtype=np.int64)
    men = np.array([counts[label][1] for label in labels], dtype=np.int64)
    cells = len(config.youth_bands) if youth else 1  # perturbed rows summed per count
    ci = wilson_table(women, women + men, noise_variance=noise_variance(cube, cells=cells))
    rows = []
    for i, label in enumerate(labels):
        defined = bool(ci["defined"].iloc[i])
        rows.append({"period": label, "area": TOTAL,
                     "age_band": youth_label(config) if youth else TOTAL, "gender": WOMEN,
                     "estimate": ci["estimate"].iloc[i] if defined else None,
                     "ci_low": ci["ci_low"].iloc[i] if defined else None,
                     "ci_high": ci["ci_high"].iloc[i] if defined else None,
                     "n": int(women[i] + men[i]), "women": int(women[i]), "men": int(men[i]),
                     "reason": ci["reason"].iloc[i]})  # fmt: skip
    table = float64_columns(pd.DataFrame(rows), "estimate", "ci_low", "ci_high")
    return ShareResult(table, youth, config.gender_goal.target_female_share if youth else None)


def female_share_youth(
    cube: pd.DataFrame, period: str | None = None, *, config: Config
) -> ShareResult:
    """``female_share_youth``: :func:`female_share` among young persons."""
    return female_share(cube, period, config=config, youth=True)


# --------------------------------------------------------------------------- rate ratio
@dataclass(frozen=True)
class RateRatioResult:
    """Rate ratio of one gender over the ``reference`` gender per label.

    ``table``: the shared columns (``gender`` = numerator; ``ci_low, ci_high`` Katz),
    ``exact_ci_low, exact_ci_high`` (exact conditional), ``p_value`` (exact conditional test
    of ratio 1), ``count, reference_count, population, reference_population, reference,
    reason``.
    """

    table: pd.DataFrame
    reference: str

    def summary(self) -> str:
        r = self.table.iloc[-1]
        head = f"Rate ratio {r['gender']}/{self.reference}, {r['period']}: "
        if pd.isna(r["estimate"]):
            return head + str(r["reason"])
        katz = ("" if pd.isna(r["ci_low"]) else
                f"Katz 95% CI {r['ci_low']:.3f}-{r['ci_high']:.3f}, ")  # fmt: skip
        return head + (f"{r['estimate']:.3f} ({katz}exact {r['exact_ci_low']:.3f}-"
                       f"{r['exact_ci_high']:.3f}, exact p = {r['p_value']:.3g})")  # fmt: skip

    def plot(self, ax: Any = None) -> Any:
        """Ratio with Katz intervals per label, log scale; 1 = equal rates."""
        import matplotlib.pyplot as plt

        if ax is None:
            _, ax = plt.subplots(figsize=(7, 3.5))
        x = np.arange(len(self.table))
        _errorbars(ax, x, self.table, COLOURS[WOMEN], f"rate ratio vs {self.reference}")
        ax.axhline(1.0, color="grey", ls="--", lw=1)
        ax.set_yscale("log")
        ax.set_xticks(x, list(self.table["period"]), rotation=90)
        ax.legend(fontsize=8, frameon=False)
        return ax


def gender_rate_ratio(
    cube: pd.DataFrame,
    period: str | None = None,
    *,
    config: Config,
    reference: Literal["man", "kvinna"] = "man",
    youth: bool = True,
    alpha: float = 0.05,
) -> RateRatioResult:
    """Women's rate over men's (relative rate index), each per population of its gender.

    ``(a/N1) / (b/N0)``; Katz log interval ``log RR +- z*sqrt(1/a + 1/b)`` (the contract's
    ``rate_ratio_female_male_youth``), the exact conditional interval (Clopper-Pearson for
    ``a`` given ``a + b``, :func:`risk_indicators.stats.rates.rate_ratio_exact`) and the exact
    conditional two-sided p-value of ratio 1 from
    ``statsmodels.stats.rates.test_poisson_2indep(a, N1, b, N0, method="exact-cond")``. Use
    the exact interval when either count is below about 10. ``reference="kvinna"`` gives
    men's rate over women's. With perturbed counts (cell-key) both intervals are widened
    for the noise (exact: effective counts); the p-value treats the counts as exact.
    """
    func = "gender_rate_ratio"
    if reference not in (MEN, WOMEN):
        raise UsageError(f"The 'reference' parameter of {func} must be one of 'kvinna', 'man'. "
                         f"Got {reference!r} instead.")  # fmt: skip
    labels = _labels(cube, period, func)
    c = gender_counts(cube, config=config, youth=youth, periods=labels)
    num, den = ("women", "men") if reference == MEN else ("men", "women")
    a, b = c[num].to_numpy(float), c[den].to_numpy(float)
    p1 = c[f"pop_{num}"].fillna(0).to_numpy(float)
    p0 = c[f"pop_{den}"].fillna(0).to_numpy(float)
    noise = noise_variance(cube, cells=len(config.youth_bands) if youth else 1)
    katz = rate_ratio_table(a, p1, b, p0, method="katz", alpha=alpha, noise_variance=noise)
    exact = rate_ratio_table(a, p1, b, p0, method="exact", alpha=alpha, noise_variance=noise)
    pvals: list[float | None] = []
    for ai, bi, n1, n0 in zip(a, b, p1, p0, strict=True):
        if not (ai + bi > 0 and n1 > 0 and n0 > 0):
            pvals.append(None)
            continue
        with np.errstate(divide="ignore", invalid="ignore"):  # its ratio when bi = 0
            test = sm_rates.test_poisson_2indep(int(ai), n1, int(bi), n0, method="exact-cond")
        pvals.append(float(test.pvalue))
    table = pd.DataFrame({
        "period": c["period"], "area": TOTAL,
        "age_band": youth_label(config) if youth else TOTAL,
        "gender": WOMEN if reference == MEN else MEN,
        "estimate": katz["estimate"].array, "ci_low": katz["ci_low"].array,
        "ci_high": katz["ci_high"].array, "n": katz["n"].to_numpy(),
        "p_value": pd.array(pvals, dtype="Float64"),
        "exact_ci_low": exact["ci_low"].array, "exact_ci_high": exact["ci_high"].array,
        "count": a.astype(np.int64), "reference_count": b.astype(np.int64),
        "population": c[f"pop_{num}"].astype("Float64").array,
        "reference_population": c[f"pop_{den}"].astype("Float64").array,
        "reference": reference, "reason": katz["reason"].to_numpy(),
    })  # fmt: skip
    return RateRatioResult(table, reference)


# --------------------------------------------------------------------------- benchmark
@dataclass(frozen=True)
class BenchmarkResult:
    """``benchmark_ratio_youth`` per label; 1 = women reported in the proportion they are
    found among young users (the survey benchmark named in ``source``)."""

    table: pd.DataFrame
    benchmark_share: float
    source: str
    benchmark_n: float | None

    def summary(self) -> str:
        r = self.table.iloc[-1]
        err = ("treated as exact" if self.benchmark_n is None
               else f"with its sampling error (n = {self.benchmark_n:g})")  # fmt: skip
        head = (f"Benchmark ratio {r['period']} against a female share of "
                f"{self.benchmark_share:.0%} among young users ({self.source}; "
                f"{err}): ")  # fmt: skip
        if pd.isna(r["estimate"]):
            return head + str(r["reason"])
        if pd.isna(r["ci_low"]):
            return head + f"{r['estimate']:.3f} ({r['reason']})"
        return head + f"{r['estimate']:.3f} (95% CI {r['ci_low']:.3f}-{r['ci_high']:.3f})"

    def plot(self, ax: Any = None) -> Any:
        """Odds ratio to the benchmark per label, log scale; 1 = as among users."""
        import matplotlib.pyplot as plt

        if ax is None:
            _, ax = plt.subplots(figsize=(7, 3.5))
        x = np.arange(len(self.table))
        _errorbars(ax, x, self.table, COLOURS[WOMEN], "odds ratio to benchmark")
        ax.axhline(1.0, color="grey", ls="--", lw=1)
        ax.set_yscale("log")
        ax.set_xticks(x, list(self.table["period"]), rotation=90)
        return ax


def benchmark_ratio_youth(
    cube: pd.DataFrame,
    period: str | None = None,
    *,
    config: Config,
    benchmark_n: float | None = None,
    alpha: float = 0.05,
) -> BenchmarkResult:
    """Odds of ``female_share_youth`` over the odds of ``benchmark_female_share`` (CONTRACT 4).

    Woolf interval ``log OR +- z*sqrt(1/k + 1/(n-k) + v_b)``
    (:func:`risk_indicators.stats.rates.odds_ratio_to_benchmark`). The benchmark is a survey
    estimate; with ``benchmark_n`` (the survey's number of young users) its sampling
    variance on the log-odds scale, ``v_b = 1/(s*m) + 1/((1-s)*m)``, is added, which widens
    the interval honestly. Without it the benchmark is treated as exact (``v_b = 0``), as in
    ``indicators.json``. The benchmark's source text (``gender_goal.benchmark_source``) goes
    with the result.
    """
    labels = _labels(cube, period, "benchmark_ratio_youth")
    c = gender_counts(cube, config=config, periods=labels)
    s = config.gender_goal.benchmark_female_share
    noise = noise_variance(cube, cells=len(config.youth_bands))
    rows = []
    for label, (w, m) in _women_men(c).items():
        e = odds_ratio_to_benchmark(w, w + m, s, alpha=alpha, benchmark_n=benchmark_n,
                                    noise_variance=noise)  # fmt: skip
        rows.append({"period": label, "area": TOTAL, "age_band": youth_label(config),
                     "gender": WOMEN, "estimate": e.estimate, "ci_low": e.ci_low,
                     "ci_high": e.ci_high, "n": e.n, "women": w, "men": m,
                     "benchmark_share": s, "reason": e.reason})  # fmt: skip
    table = float64_columns(pd.DataFrame(rows), "estimate", "ci_low", "ci_high")
    return BenchmarkResult(table, s, config.gender_goal.benchmark_source, benchmark_n)


# --------------------------------------------------------------------------- coverage
def fairness_coverage(
    replicates: int = 2000,
    *,
    seed: int = 0,
    expected_women: tuple[float, ...] = (1, 2, 5, 10),
    expected_men: tuple[float, ...] = (20, 50),
    population_women: float = 3_890,
    population_men: float = 4_100,
    alpha: float = 0.05,
) -> pd.DataFrame:
    """Simulated 95% interval coverage of the women/men rate ratio and the female share.

    Young women ~ Poisson(``expected_women``) and young men ~ Poisson(``expected_men``) with
    fixed populations; the true rate ratio is ``(ew/Nw)/(em/Nm)`` and the true share, given
    the total, ``ew/(ew+em)``. For each pair: the Katz and exact conditional ratio intervals
    and the Wilson share interval. ``coverage`` is among replicates where the interval is
    defined (``defined`` of ``replicates``), as the validation study reports it;
    ``coverage_all`` counts an undefined interval as a miss. Expected counts below 5 show where
    the Katz interval fails to exist or to cover.

    Returns
    -------
    pandas.DataFrame
        ``study, estimator, mu0, effect, truth, replicates, defined, mean_estimate, bias,
        coverage, coverage_mcse, coverage_all, expected_women, expected_men, setting``.
    """
    if not (isinstance(replicates, int) and replicates >= 1):
        raise UsageError(f"The 'replicates' parameter of fairness_coverage must be a positive "
                         f"integer. Got {replicates!r} instead.")  # fmt: skip
    rng = np.random.default_rng(seed)
    rows = []
    for ew in expected_women:
        for em in expected_men:
            a, b = rng.poisson(ew, replicates), rng.poisson(em, replicates)
            rr = (ew / population_women) / (em / population_men)
            share = ew / (ew + em)
            cells = [
                ("rate_ratio_katz", rr, rate_ratio_table(a, population_women, b, population_men,
                                                         method="katz", alpha=alpha)),
                ("rate_ratio_exact", rr, rate_ratio_table(a, population_women, b,
                                                          population_men, method="exact",
                                                          alpha=alpha)),
                ("female_share_wilson", share, wilson_table(a, a + b, alpha=alpha)),
            ]  # fmt: skip
            for name, truth, t in cells:
                ok = t["ci_low"].notna().to_numpy() & t["ci_high"].notna().to_numpy()
                low = t["ci_low"].to_numpy(float, na_value=np.nan)[ok]
                high = t["ci_high"].to_numpy(float, na_value=np.nan)[ok]
                est = t["estimate"].to_numpy(float, na_value=np.nan)[ok]
                hit = (low <= truth) & (truth <= high)
                cov = float(hit.mean()) if ok.any() else math.nan
                rows.append({"study": "fairness", "estimator": name, "mu0": float(em),
                             "effect": float(ew), "truth": truth, "replicates": replicates,
                             "defined": int(ok.sum()),
                             "mean_estimate": float(est.mean()) if ok.any() else math.nan,
                             "bias": float(est.mean() - truth) if ok.any() else math.nan,
                             "coverage": cov,
                             "coverage_mcse": math.sqrt(cov * (1 - cov) / ok.sum())
                             if ok.any() else math.nan,
                             "coverage_all": float(hit.sum() / replicates),
                             "expected_women": float(ew), "expected_men": float(em),
                             "setting": f"women expect {ew:g}, men {em:g}"})  # fmt: skip
    return pd.DataFrame(rows)
