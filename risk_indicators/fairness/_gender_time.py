"""The gender x time Poisson GLM: the yearly change of the women/men rate ratio.

Private to :mod:`risk_indicators.fairness.standardise`, which re-exports
:class:`GenderTimeResult` and :func:`gender_time_glm`. The model is
``persons ~ C(gender) * time + C(age_band) + C(area) + offset(log population)`` over the
youth cells (women and men, inner areas, periods up to P); its gender-by-time term is the
change per year of the log rate ratio, adjusted for age band and area. With ``strata=()`` it
is the crude model ``persons ~ C(gender) * time + offset(log population)`` on youth totals.
The cells come from :func:`risk_indicators.fairness._gender_counts.gender_counts`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd
from scipy import stats
from statsmodels.genmod import families
from statsmodels.genmod.generalized_linear_model import GLM

from risk_indicators.config import Config
from risk_indicators.stats import fit_warnings_ignored

from ._gender_counts import (
    COLOURS,
    MEN,
    WOMEN,
    Stratum,
    _check_common,
    _choice,
    _strata,
    gender_counts,
    period_of,
)

__all__ = ["GenderTimeResult", "gender_time_glm"]

Family = Literal["poisson", "quasipoisson"]
REASON_SHORT = "insufficient data: fewer than {need} periods ({years} years) up to {period}"
REASON_FEW = "insufficient data: {who} are reported in fewer than 2 periods"


# --------------------------------------------------------------------------- results
@dataclass(frozen=True)
class GenderTimeResult:
    """Poisson GLM of women's and men's youth counts with a gender-by-time term.

    Attributes
    ----------
    ratio_change, ci_low, ci_high, p_value
        ``exp`` of the gender-by-time coefficient: the factor by which the rate ratio
        (numerator gender over ``reference``) changes per year, with its interval.
    ratio_at_period, ratio_ci_low, ratio_ci_high
        The model's rate ratio at the period P (time is centred at P).
    strata
        The factors adjusted for (empty: the crude model).
    dispersion
        Pearson chi2 / df; quasi-Poisson intervals use ``max(dispersion, 1)`` and t with the
        residual degrees of freedom, Poisson intervals use z and dispersion 1.
    table
        ``term, estimate, ci_low, ci_high, p_value, n`` (``n`` = cells) for ``ratio_change``,
        ``ratio_at_period`` and the log-scale ``gender:time`` and ``gender``.
    """

    ratio_change: float | None
    ci_low: float | None
    ci_high: float | None
    p_value: float | None
    ratio_at_period: float | None
    ratio_ci_low: float | None
    ratio_ci_high: float | None
    strata: tuple[str, ...]
    reference: str
    family: str
    dispersion: float | None
    n: int
    status: str
    reason: str
    table: pd.DataFrame

    def summary(self) -> str:
        kind = "standardised over " + " and ".join(self.strata) if self.strata else "crude"
        head = f"Women/men rate ratio trend ({kind}, {self.family}): "
        if self.ratio_change is None:
            return head + self.reason
        return head + (
            f"x{self.ratio_change:.3f} per year (CI {self.ci_low:.3f} to {self.ci_high:.3f}, "
            f"p = {self.p_value:.3g}); ratio at P {self.ratio_at_period:.3f}"
        )

    def plot(self, ax: Any = None) -> Any:
        """The yearly change factor with its interval (1 = no change)."""
        import matplotlib.pyplot as plt

        if ax is None:
            _, ax = plt.subplots(figsize=(5, 2))
        est, low, high = self.ratio_change, self.ci_low, self.ci_high
        if est is not None and low is not None and high is not None:
            ax.errorbar([est], [0], xerr=[[est - low], [high - est]], fmt="o",
                        color=COLOURS["standardised" if self.strata else "crude"])  # fmt: skip
        ax.axvline(1.0, color="grey", lw=1, ls="--")
        ax.set_yticks([])
        ax.set_xlabel("change of the women/men rate ratio per year")
        ax.set_title(self.summary(), fontsize=7)
        return ax


def _long_cells(
    cube: pd.DataFrame, labels: list[str], config: Config, strata: tuple[str, ...]
) -> tuple[pd.DataFrame, tuple[str, ...], str]:
    """Youth cells (one row per stratum, period and gender) with positive population."""
    note = ""
    wide = gender_counts(cube, config=config, by=strata, periods=labels)
    if "area" in strata and wide[["pop_women", "pop_men"]].isna().all().all():
        strata = tuple(s for s in strata if s != "area")
        note = "area populations unknown: adjusted for age band only"
        wide = gender_counts(cube, config=config, by=strata, periods=labels)
    long = pd.concat(
        [
            wide[["period", *strata]].assign(gender=g, persons=wide[c], population=wide[p])
            for g, c, p in ((WOMEN, "women", "pop_women"), (MEN, "men", "pop_men"))
        ],
        ignore_index=True,
    )
    return long.loc[long["population"] > 0].reset_index(drop=True), strata, note


def gender_time_glm(
    cube: pd.DataFrame,
    period: str | None = None,
    *,
    config: Config,
    strata: Sequence[Stratum] = ("age_band", "area"),
    reference: Literal["man", "kvinna"] = "man",
    family: Family = "quasipoisson",
    alpha: float = 0.05,
    min_years: int = 2,
) -> GenderTimeResult:
    """Trend of the women/men rate ratio from a Poisson GLM, adjusted for age band and area.

    ``log E[persons] = b0 + b1*g + b2*t + b3*g*t + C(age_band) + C(area) + log(population)``
    over the youth cells (women and men, inner areas, youth bands, every period up to P,
    zeros included, cells without population left out), ``g`` = 1 for the numerator gender,
    ``t`` = years since P (so ``exp(b1)`` is the adjusted rate ratio at P) and ``exp(b3)`` the
    factor by which the ratio changes per year. Levels of a factor with no persons at all are
    left out (their coefficient would be minus infinity and they carry no information).
    Quasi-Poisson (default) scales the covariance by ``max(Pearson chi2/df, 1)`` and uses t,
    as ``youth_trend_annual_change``. Assumes a common ratio trend across strata.

    Returns ``status="insufficient_data"`` with a reason when the periods up to P span fewer
    than ``min_years`` years, either gender is reported in fewer than 2 periods, or the fit
    does not converge.
    """
    func = "gender_time_glm"
    period = _check_common(period, cube, reference, func)
    _choice(family, ("poisson", "quasipoisson"), "family", func)
    labels = list(dict.fromkeys(cube["period"]))
    labels = labels[: labels.index(period) + 1]
    p_end = period_of(period)
    cells, kept, note = _long_cells(cube, labels, config, _strata(strata, func))
    numerator = WOMEN if reference == MEN else MEN

    def empty(reason: str) -> GenderTimeResult:
        na = pd.array([pd.NA] * 4, dtype="Float64")
        table = pd.DataFrame({"term": ["ratio_change", "ratio_at_period", "gender:time",
                              "gender"], "estimate": na, "ci_low": na, "ci_high": na,
                              "p_value": na, "n": len(cells)})  # fmt: skip
        return GenderTimeResult(None, None, None, None, None, None, None, kept, reference,
                                family, None, len(cells), "insufficient_data", reason,
                                table)  # fmt: skip

    need = min_years * p_end.freq
    if len(labels) < need:
        return empty(REASON_SHORT.format(need=need, years=min_years, period=period))
    for gender, who in ((WOMEN, "young women"), (MEN, "young men")):
        part = cells.loc[cells["gender"] == gender]
        if part.loc[part["persons"] > 0, "period"].nunique() < 2:
            return empty(REASON_FEW.format(who=who))
    for s in kept:  # a level without persons has its MLE at -inf
        live = cells.groupby(s)["persons"].transform("sum") > 0
        cells = cells.loc[live]
    ordinals = np.array([period_of(p).ordinal for p in cells["period"]])
    t = (ordinals - p_end.ordinal) / p_end.freq
    g = (cells["gender"] == numerator).to_numpy(float)
    cols: list[np.ndarray] = [np.ones(len(cells)), g, t, g * t]
    for s in kept:
        levels = list(dict.fromkeys(cells[s]))
        cols += [(cells[s] == lev).to_numpy(float) for lev in levels[1:]]
    X = np.column_stack(cols)
    y = cells["persons"].to_numpy(float)
    offset = np.log(cells["population"].to_numpy(float))
    try:
        with fit_warnings_ignored():
            res = GLM(y, X, family=families.Poisson(), offset=offset).fit(tol=1e-12, maxiter=200)
        params = np.asarray(res.params)
        if not res.converged or not np.all(np.isfinite(params)) or np.max(np.abs(params)) > 50:
            return empty("insufficient data: the model fit did not converge")
        mu = np.exp(X @ params + offset)
        cov = np.linalg.inv(X.T @ (mu[:, None] * X))
    except (np.linalg.LinAlgError, ValueError):
        return empty("insufficient data: the model fit did not converge")
    df_resid = len(y) - X.shape[1]
    phi = float(np.sum((y - mu) ** 2 / mu)) / df_resid if df_resid > 0 else math.nan
    if family == "quasipoisson":
        if not df_resid > 0:
            return empty("insufficient data: no residual degrees of freedom")
        cov = cov * max(phi, 1.0)
        dist: Any = stats.t(df_resid)
    else:
        dist = stats.norm
    crit = float(dist.isf(alpha / 2))
    rows = []
    for term, j in (("gender:time", 3), ("gender", 1)):
        b, se = float(params[j]), math.sqrt(float(cov[j, j]))
        rows.append((term, b, b - crit * se, b + crit * se, float(2 * dist.sf(abs(b / se)))))
    (_, b3, lo3, hi3, p3), (_, b1, lo1, hi1, p1) = rows
    exp_rows = [("ratio_change", math.exp(b3), math.exp(lo3), math.exp(hi3), p3),
                ("ratio_at_period", math.exp(b1), math.exp(lo1), math.exp(hi1), p1)]  # fmt: skip
    table = pd.DataFrame(exp_rows + rows, columns=["term", "estimate", "ci_low", "ci_high",
                                                   "p_value"]).assign(n=len(cells))  # fmt: skip
    return GenderTimeResult(
        math.exp(b3), math.exp(lo3), math.exp(hi3), p3, math.exp(b1), math.exp(lo1),
        math.exp(hi1), kept, reference, family, phi if df_resid > 0 else None, len(cells),
        "ok", note, table,
    )  # fmt: skip
