"""Women/men rate ratios, crude and standardised over age bands and areas.

A crude ratio of young women's to young men's rate can move because the age or area mix of
the reported persons moves, not because women are reported more or less often than men of the
same age in the same area (Simpson's paradox). Two standardised views sit beside the crude one:

- :func:`mantel_haenszel_rate_ratio`: the Mantel-Haenszel rate ratio for person-time data
  over strata ``i`` (age band x area cells),
  ``RR_MH = sum(a_i*N0_i/T_i) / sum(b_i*N1_i/T_i)``, with ``a_i, b_i`` the women's and
  men's counts, ``N1_i, N0_i`` their populations and ``T_i = N1_i + N0_i`` (Rothman &
  Greenland, *Modern Epidemiology*, 2nd ed. 1998, eq. 15-23), and the Greenland-Robins
  (1985, *Biometrics* 41:55-68) variance
  ``var(log RR_MH) = sum(M_i*N1_i*N0_i/T_i**2) / [sum(a_i*N0_i/T_i) * sum(b_i*N1_i/T_i)]``,
  ``M_i = a_i + b_i``; valid for sparse strata (many small cells), as here. With one stratum
  it is the crude ratio with the Katz variance ``1/a + 1/b``.
- :func:`gender_time_glm`: the Poisson GLM
  ``persons ~ C(gender) * time + C(age_band) + C(area) + offset(log population)`` over the
  youth cells (women and men, inner areas, periods up to P), whose gender-by-time term is the
  change per year of the log rate ratio, adjusted for age band and area; with ``strata=()`` it
  is the crude model ``persons ~ C(gender) * time + offset(log population)`` on youth totals.

:func:`standardised_rate_ratio` puts the crude and Mantel-Haenszel ratios side by side for
every period and flags where they disagree in direction.

This module holds the Mantel-Haenszel job and re-exports the rest, one job per private
module: women's and men's counts and the helpers the gender modules share (codes,
colours, :func:`period_of`, :func:`float64_columns`, :func:`youth_label`) in
``_gender_counts``; the gender x time GLM in ``_gender_time``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd
from scipy import stats

from risk_indicators.config import Config
from risk_indicators.errors import UsageError
from risk_indicators.stats import (
    REASON_NO_EVENTS_KATZ,
    REASON_NO_EVENTS_REFERENCE,
    REASON_NO_POPULATION,
    Estimate,
    rate_ratio_table,
)

from ._gender_counts import (
    COLOURS,
    MEN,
    TOTAL,
    WOMEN,
    Stratum,
    _check_common,
    _strata,
    float64_columns,
    gender_counts,
    period_of,
    youth_label,
)
from ._gender_time import GenderTimeResult, gender_time_glm

__all__ = [
    "COLOURS",
    "MEN",
    "TOTAL",
    "WOMEN",
    "GenderTimeResult",
    "StandardisedResult",
    "float64_columns",
    "gender_counts",
    "gender_time_glm",
    "mantel_haenszel_rate_ratio",
    "period_of",
    "standardised_rate_ratio",
    "youth_label",
]


# --------------------------------------------------------------------------- Mantel-Haenszel
def _mh_sums(a: Any, n1: Any, b: Any, n0: Any) -> tuple[float, float, float, int, bool]:
    """``R = sum a*N0/T``, ``S = sum b*N1/T``, ``V = sum M*N1*N0/T^2`` over usable strata."""
    a, n1, b, n0 = (np.asarray(x, dtype=float) for x in (a, n1, b, n0))
    ok = (n1 > 0) & (n0 > 0)  # NaN populations compare False: the stratum is left out
    a, n1, b, n0 = a[ok], n1[ok], b[ok], n0[ok]
    t = n1 + n0
    r, s = float(np.sum(a * n0 / t)), float(np.sum(b * n1 / t))
    v = float(np.sum((a + b) * n1 * n0 / t**2))
    return r, s, v, int(np.sum(a + b)), bool(np.any(ok))


def _mh_estimate(r: float, s: float, v: float, n: int, any_ok: bool, z: float) -> Estimate:
    if not any_ok:
        return Estimate(None, None, None, n, False, REASON_NO_POPULATION)
    if s == 0:
        return Estimate(None, None, None, n, False, REASON_NO_EVENTS_REFERENCE)
    if r == 0:
        return Estimate(0.0, None, None, n, True, REASON_NO_EVENTS_KATZ)
    est = r / s
    half = z * math.sqrt(v / (r * s))
    return Estimate(est, est * math.exp(-half), est * math.exp(half), n, True, "")


def mantel_haenszel_rate_ratio(
    count1: Any, pop1: Any, count0: Any, pop0: Any, *, alpha: float = 0.05
) -> Estimate:
    """Mantel-Haenszel rate ratio over strata with the Greenland-Robins log interval.

    ``RR_MH = sum(a_i*N0_i/T_i) / sum(b_i*N1_i/T_i)``, ``T_i = N1_i + N0_i``;
    ``var(log RR_MH) = sum((a_i+b_i)*N1_i*N0_i/T_i**2) / [sum(a_i*N0_i/T_i) *
    sum(b_i*N1_i/T_i)]`` (Greenland & Robins 1985; Rothman & Greenland 1998, eq. 15-23 and
    15-24). Group 1 (``count1``, ``pop1``) is the numerator. Assumes a common rate ratio
    across strata and Poisson counts; consistent when strata are many and sparse. Strata
    without population in either group are left out. Zeros as in
    :func:`risk_indicators.stats.rates.rate_ratio_katz`. ``n`` is the events of both groups.

    Examples
    --------
    Doll and Hill's smoking data by age (Stata's ``ir deaths smokes pyears, by(age)``):

    >>> e = mantel_haenszel_rate_ratio([32, 104, 206, 186, 102],
    ...     [52407, 43248, 28612, 12663, 5317], [2, 12, 28, 28, 31],
    ...     [18790, 10673, 5710, 2585, 1462])
    >>> round(e.estimate, 6), round(e.ci_low, 6), round(e.ci_high, 6)
    (1.424682, 1.154703, 1.757784)
    """
    if not 0 < alpha < 1:
        raise UsageError(f"The 'alpha' parameter of mantel_haenszel_rate_ratio must be in (0, 1). "
                         f"Got {alpha!r} instead.")  # fmt: skip
    arrays = [np.atleast_1d(np.asarray(x, dtype=float)) for x in (count1, pop1, count0, pop0)]
    if any(np.any(x[np.isfinite(x)] < 0) for x in arrays) or any(
        np.any(~np.isfinite(x)) for x in (arrays[0], arrays[2])
    ):
        raise UsageError("mantel_haenszel_rate_ratio needs non-negative counts and populations.")
    return _mh_estimate(*_mh_sums(*arrays), float(stats.norm.isf(alpha / 2)))


# --------------------------------------------------------------------------- crude vs standardised
@dataclass(frozen=True)
class StandardisedResult:
    """Crude and Mantel-Haenszel women/men rate ratios per period, and their GLM trends.

    Attributes
    ----------
    table
        Long: ``period, area, age_band, gender, method`` (``crude`` or ``mantel_haenszel``),
        ``estimate, ci_low, ci_high, n, reason``; ``gender`` is the numerator.
    comparison
        Wide, one row per period: ``crude``, ``standardised`` and ``direction_differs`` (True
        when one ratio is above 1 and the other below).
    glm, crude_glm
        :func:`gender_time_glm` adjusted and crude; ``trend_direction_differs`` says whether
        their yearly changes point in opposite directions.
    """

    table: pd.DataFrame
    comparison: pd.DataFrame
    strata: tuple[str, ...]
    reference: str
    glm: GenderTimeResult
    crude_glm: GenderTimeResult
    note: str = ""

    @property
    def trend_direction_differs(self) -> bool:
        a, b = self.glm.ratio_change, self.crude_glm.ratio_change
        return a is not None and b is not None and (a - 1) * (b - 1) < 0

    def change(self, start: str, end: str) -> dict[str, Any]:
        """Crude and standardised ratio change from ``start`` to ``end``; a Simpson flag.

        ``direction_differs`` is True when one ratio rises and the other falls.
        """
        labels = [str(p) for p in self.comparison["period"].tolist()]
        for label in (start, end):
            if label not in labels:
                raise UsageError(f"The period {label!r} is not in the standardised table.")
        out: dict[str, Any] = {"start": start, "end": end}
        for kind in ("crude", "standardised"):
            values = dict(zip(labels, self.comparison[kind].tolist(), strict=True))
            s, e = values[start], values[end]
            ok = not (pd.isna(s) or pd.isna(e)) and float(s) > 0
            out[f"{kind}_change"] = float(e) / float(s) if ok else None
        a, b = out["crude_change"], out["standardised_change"]
        out["direction_differs"] = a is not None and b is not None and (a - 1) * (b - 1) < 0
        return out

    def summary(self) -> str:
        flagged = self.comparison.loc[self.comparison["direction_differs"], "period"].tolist()
        kind = " and ".join(self.strata) or "nothing"
        lines = [f"Women/men rate ratio, crude and standardised over {kind}:",
                 self.crude_glm.summary(), self.glm.summary()]  # fmt: skip
        if flagged:
            lines.append("Crude and standardised ratios disagree in direction in: "
                         + ", ".join(flagged))  # fmt: skip
        if self.trend_direction_differs:
            lines.append("The crude and standardised trends point in opposite directions.")
        return "\n".join(lines)

    def plot(self, ax: Any = None) -> Any:
        """Crude and standardised ratio per period with intervals (log scale)."""
        import matplotlib.pyplot as plt

        if ax is None:
            _, ax = plt.subplots(figsize=(7, 3.5))
        methods = (("crude", COLOURS["crude"]), ("mantel_haenszel", COLOURS["standardised"]))
        for k, (method, colour) in enumerate(methods):
            part = self.table.loc[self.table["method"] == method].reset_index(drop=True)
            est = part["estimate"].to_numpy(float, na_value=np.nan)
            low = part["ci_low"].to_numpy(float, na_value=np.nan)
            high = part["ci_high"].to_numpy(float, na_value=np.nan)
            x = np.arange(len(part)) + (k - 0.5) * 0.2
            ax.errorbar(x, est, yerr=[est - low, high - est], fmt="o", ms=3, color=colour,
                        label=method.replace("_", "-"))  # fmt: skip
        labels = list(dict.fromkeys(self.table["period"]))
        ax.set_xticks(np.arange(len(labels)), labels, rotation=90)
        ax.axhline(1.0, color="grey", lw=1, ls="--")
        ax.set_yscale("log")
        ax.set_ylabel("rate ratio women/men")
        ax.legend(fontsize=8, frameon=False)
        return ax


def standardised_rate_ratio(
    cube: pd.DataFrame,
    period: str | None = None,
    *,
    config: Config,
    strata: Sequence[Stratum] = ("age_band", "area"),
    reference: Literal["man", "kvinna"] = "man",
    alpha: float = 0.05,
) -> StandardisedResult:
    """Crude (Katz) and Mantel-Haenszel (Greenland-Robins) rate ratios for every period up to P.

    Both use the same youth cells (strata = age band x area cells with population), so they
    differ only by the weighting; the crude ratio pools the strata, the Mantel-Haenszel ratio
    compares women and men within each stratum. ``direction_differs`` flags periods where one
    is above 1 and the other below; :meth:`StandardisedResult.change` flags a Simpson's
    paradox between two periods. The GLM trends (:func:`gender_time_glm`, crude and adjusted)
    come with it.
    """
    func = "standardised_rate_ratio"
    period = _check_common(period, cube, reference, func)
    kept = _strata(strata, func)
    labels = list(dict.fromkeys(cube["period"]))
    labels = labels[: labels.index(period) + 1]
    wide = gender_counts(cube, config=config, by=kept, periods=labels)
    note = ""
    if "area" in kept and wide[["pop_women", "pop_men"]].isna().all().all():
        kept = tuple(s for s in kept if s != "area")
        note = "area populations unknown: standardised over age band only"
        wide = gender_counts(cube, config=config, by=kept, periods=labels)
    num, den = ("women", "men") if reference == MEN else ("men", "women")
    z = float(stats.norm.isf(alpha / 2))
    numerator = WOMEN if reference == MEN else MEN
    rows, comp = [], []
    for label, part in wide.groupby("period", sort=False):
        ok = (part[f"pop_{num}"] > 0) & (part[f"pop_{den}"] > 0)
        used = part.loc[ok]
        a, b = int(used[num].sum()), int(used[den].sum())
        n1, n0 = float(used[f"pop_{num}"].sum()), float(used[f"pop_{den}"].sum())
        crude = rate_ratio_table(a, n1 if ok.any() else 0.0, b, n0 if ok.any() else 0.0,
                                 alpha=alpha).iloc[0]  # fmt: skip
        mh = _mh_estimate(*_mh_sums(part[num], part[f"pop_{num}"], part[den],
                                    part[f"pop_{den}"]), z)  # fmt: skip
        keys = {"period": str(label), "area": TOTAL, "age_band": youth_label(config),
                "gender": numerator}  # fmt: skip
        rows.append({**keys, "method": "crude", **{k: crude[k] for k in
                     ("estimate", "ci_low", "ci_high", "n", "reason")}})  # fmt: skip
        rows.append({**keys, "method": "mantel_haenszel", "estimate": mh.estimate,
                     "ci_low": mh.ci_low, "ci_high": mh.ci_high, "n": mh.n,
                     "reason": mh.reason})  # fmt: skip
        c_est = None if pd.isna(crude["estimate"]) else float(crude["estimate"])
        differs = (c_est is not None and mh.estimate is not None and c_est > 0
                   and mh.estimate > 0 and math.log(c_est) * math.log(mh.estimate) < 0)  # fmt: skip
        comp.append({"period": str(label), "crude": c_est, "standardised": mh.estimate,
                     "direction_differs": bool(differs)})  # fmt: skip
    table = float64_columns(pd.DataFrame(rows), "estimate", "ci_low", "ci_high")
    comparison = float64_columns(pd.DataFrame(comp), "crude", "standardised")
    glm = gender_time_glm(cube, period, config=config, strata=kept,  # type: ignore[arg-type]
                          reference=reference, alpha=alpha)  # fmt: skip
    crude_glm = gender_time_glm(cube, period, config=config, strata=(), reference=reference,
                                alpha=alpha)  # fmt: skip
    return StandardisedResult(table, comparison, kept, reference, glm, crude_glm, note)
