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
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd
from scipy import stats
from statsmodels.genmod import families
from statsmodels.genmod.generalized_linear_model import GLM

from .config import Config
from .errors import UsageError
from .periods import Period, parse_period
from .rates import (
    REASON_NO_EVENTS_KATZ,
    REASON_NO_EVENTS_REFERENCE,
    REASON_NO_POPULATION,
    Estimate,
    rate_ratio_table,
)

__all__ = [
    "GenderTimeResult",
    "StandardisedResult",
    "gender_counts",
    "gender_time_glm",
    "mantel_haenszel_rate_ratio",
    "standardised_rate_ratio",
]

WOMEN, MEN, TOTAL = "kvinna", "man", "total"
COLOURS = {WOMEN: "#D55E00", MEN: "#0072B2", "crude": "#000000", "standardised": "#009E73"}
Stratum = Literal["age_band", "area"]
Family = Literal["poisson", "quasipoisson"]
REASON_SHORT = "insufficient data: fewer than {need} periods ({years} years) up to {period}"
REASON_FEW = "insufficient data: {who} are reported in fewer than 2 periods"


def _choice(value: Any, allowed: Sequence[Any], name: str, func: str) -> Any:
    if value not in allowed:
        shown = ", ".join(repr(a) for a in sorted(allowed))
        raise UsageError(
            f"The '{name}' parameter of {func} must be one of {shown}. Got {value!r} instead."
        )
    return value


def _strata(by: Sequence[str], func: str) -> tuple[str, ...]:
    out = tuple(by)
    for key in out:
        _choice(key, ("age_band", "area"), "by", func)
    return tuple(k for k in ("area", "age_band") if k in out)


def period_of(label: str) -> Period:
    """The period of a period code, or the last period of a window label ``2023T2-2024T1``."""
    text = str(label)
    for candidate in (text, text[-7:], text[-6:]):  # month codes have 7 characters, T/Q 6
        try:
            return parse_period(candidate)
        except ValueError:
            continue
    raise UsageError(f"{text!r} is neither a period code nor a rolling 12-month label.")


def gender_counts(
    cube: pd.DataFrame,
    *,
    config: Config,
    youth: bool = True,
    by: Sequence[str] = (),
    periods: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Women and men, persons and population, per period (and stratum) from the cube.

    Parameters
    ----------
    cube
        A cube (or window cube) with margins and ``population``.
    youth
        Youth bands only (summed unless ``age_band`` is in ``by``), or all ages.
    by
        Strata kept apart: ``area`` (inner areas; the ``total`` area when the cube has none)
        and/or ``age_band`` (inner bands).
    periods
        Period (or window) labels to keep; default every label in the cube.

    Returns
    -------
    pandas.DataFrame
        ``period, [area], [age_band], women, men, pop_women, pop_men`` in cube order;
        populations are floats, NaN where any cell summed has no population.
    """
    kept = _strata(by, "gender_counts")
    inner = [a for a in dict.fromkeys(cube["area"]) if a != TOTAL]
    areas = inner if ("area" in kept and inner) else [TOTAL]
    if "age_band" in kept:
        bands = list(config.youth_bands if youth else config.age_band_labels)
    else:
        bands = list(config.youth_bands) if youth else [TOTAL]
    rows = cube.loc[
        cube["area"].isin(areas) & cube["age_band"].isin(bands) & cube["gender"].isin([WOMEN, MEN])
    ]
    order = list(dict.fromkeys(cube["period"]))
    if periods is not None:
        order = [p for p in order if p in set(periods)]
        rows = rows.loc[rows["period"].isin(order)]
    keys = ["period", *kept]
    levels = {"period": order, "area": areas, "age_band": bands, "gender": [WOMEN, MEN]}
    frame = pd.DataFrame(
        {k: pd.Categorical(rows[k], categories=levels[k]) for k in [*keys, "gender"]}
    ).assign(
        persons=rows["persons"].to_numpy(np.int64),
        pop=pd.to_numeric(rows["population"], errors="coerce").to_numpy(float),
    )
    grouped = frame.groupby([*keys, "gender"], observed=True)
    agg = grouped["persons"].sum().to_frame()
    # a sum over a cell without population is unknown, not a smaller number
    agg["pop"] = grouped["pop"].sum().where(~grouped["pop"].apply(lambda s: s.isna().any()))
    wide = agg.unstack("gender")
    out = pd.DataFrame(
        {
            "women": wide[("persons", WOMEN)].fillna(0).astype(np.int64),
            "men": wide[("persons", MEN)].fillna(0).astype(np.int64),
            "pop_women": wide[("pop", WOMEN)].astype(float),
            "pop_men": wide[("pop", MEN)].astype(float),
        }
    ).reset_index()
    for k in keys:
        out[k] = out[k].astype(str)
    return out


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
    :func:`risk_indicators.rates.rate_ratio_katz`. ``n`` is the events of both groups.

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


def _check_common(period: str | None, cube: pd.DataFrame, reference: str, func: str) -> str:
    _choice(reference, (MEN, WOMEN), "reference", func)
    labels = list(dict.fromkeys(cube["period"]))
    if period is None:
        return str(labels[-1])
    if period not in labels:
        raise UsageError(f"The period {period!r} given to {func} is not in the cube.")
    return str(period)


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
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
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


def float64_columns(frame: pd.DataFrame, *cols: str) -> pd.DataFrame:
    """Numbers as nullable ``Float64``: a missing value is <NA>, never NaN or inf."""
    for c in cols:
        values = [None if pd.isna(v) or not math.isfinite(float(v)) else float(v)
                  for v in frame[c].tolist()]  # fmt: skip
        frame[c] = pd.array(values, dtype="Float64")
    return frame


def youth_label(config: Config) -> str:
    return f"{config.youth_min_age}-{config.youth_max_age}"
