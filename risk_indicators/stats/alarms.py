"""Period alarms: the improved Farrington method of R's ``surveillance::farringtonFlexible``.

A faithful port of ``farringtonFlexible`` in surveillance 1.20.3 (Farrington et al. 1996 with
the improvements of Noufaily et al. 2013), checked against recorded R output to relative
1e-6 (``tests/results/results_farrington.py``). For each evaluated period ``k``:

1. Reference values: the periods ``k - i*freq - w ... k - i*freq + w`` of the ``b`` previous
   years (``i = 1..b``); with ``no_periods > 1`` also every period in between, grouped into a
   factor of ``no_periods`` levels (the reference windows being one level). The last
   ``past_periods_not_included`` periods before ``k`` and ``k`` itself are left out.
2. A quasi-Poisson log-linear GLM (``log mu = intercept [+ trend*t] [+ level]``
   ``[+ log population]``); the dispersion is ``phi = max(Pearson chi2 / df, 1)``.
3. Past outbreaks are down-weighted: reference values with an Anscombe residual above
   ``weights_threshold`` get weight ``gamma/s^2`` and the model is refitted.
4. The trend is kept only if ``b >= 3``, its t-test p-value is below ``p_threshold_trend`` and
   the predicted count is not above the largest reference count; else it is refitted without.
5. The upper bound: ``"delta"`` (Farrington 1996) transforms counts by ``power_transform`` and
   adds ``qnorm(1 - alpha)`` delta-method standard errors; ``"nbPlugin"`` is the ``1 - alpha``
   quantile of a negative binomial with mean ``mu`` and variance ``phi*mu``; ``"muan"`` uses
   the upper ``1 - alpha`` confidence limit of ``mu`` in that quantile. ``alpha`` is
   one-sided.
6. An alarm is raised when the score (``(y - mu)/(U - mu)``) exceeds 1, ``y > 0`` and at least
   ``limit54[0]`` cases fell in the last ``limit54[1]`` periods.

Assumptions: counts are quasi-Poisson (variance proportional to the mean), the seasonal
pattern and any log-linear trend are stable over the ``b`` years, and past outbreaks are rare
enough that down-weighting removes them.

Suited defaults for tertials (``freq=3``): ``b=5`` years (at least 3: R never fits a trend
with fewer), ``w=1`` and ``no_periods=1``. With three periods a year, ``2*w + 1 >= 3`` for any
``w >= 1``: ``w=1`` already pools the same tertial with both neighbours, i.e. a whole year per
reference window (15 reference values for ``b=5``), which suits small counts and assumes no
seasonality between tertials; ``w=3`` (R's default for weeks) gives windows longer than a year
that overlap. If tertials differ systematically (e.g. summer activity), use ``w=0`` with
``no_periods=3``: every period of the ``b`` years is used and each tertial gets its own level.
``limit54=(5, 4)`` asks for 5 cases in the last 16 months before any alarm.

Deviations from R, all deliberate: ``expected`` and ``upperbound`` are reported also when the
limit54 rule holds back an alarm (R sets them to NA; ``enough_cases`` says which); a NaN trend
p-value counts as "not significant" (R 1.20.3 stops with an error); ``w > freq`` is refused
(R would then use periods after ``k``); missing counts are refused (R drops them). Kept from
R 1.20.3 on purpose: after reweighting, the prediction standard error and the trend test use
``sum(omega*((y - mu)/mu)^2)/df`` as dispersion (surveillance stores the prior weights where
``glm`` keeps its working weights), and the score of ``"nbPlugin"``/``"muan"`` is computed
with ``eta = log(mu)`` in place of ``mu``.

References: Farrington, Andrews, Beale and Catchpole (1996), JRSS A 159, 547-563; Noufaily,
Enki, Farrington, Garthwaite, Andrews and Charlett (2013), Statistics in Medicine 32,
1206-1222; Salmon, Schumacher and Höhle (2016), J. Stat. Softw. 70(10).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import pandas as pd

from risk_indicators.errors import InsufficientDataError, UsageError

from . import _farrington_threshold as core

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = ["FarringtonResult", "farrington_flexible"]

_builtin_range = range  # the parameter 'range' (R's control$range) shadows the builtin

PowerTransform = core.PowerTransform
ThresholdMethod = core.ThresholdMethod
FitFun = Literal["algo.farrington.fitGLM.flexible"]
_FUNC = "farrington_flexible"

NOTE_LIMIT54 = "fewer than {cases} cases in the last {periods} periods: no alarm (limit54)"
NOTE_NO_FIT = (
    "no threshold: the quasi-Poisson GLM did not converge with or without trend, or there are "
    "no more reference values than parameters"
)
NOTE_NO_UPPER = "upper bound not defined: the upper confidence limit of the mean is infinite"
NOTE_HISTORY = (
    "not evaluated: {years:.3g} years of history lacking ({have} of the {need} earlier periods "
    "needed for b={b} years of {freq} periods plus w={w})"
)
MSG_NOTHING = (
    "farrington_flexible cannot evaluate any period: it needs b={b} years of {freq} periods "
    "plus w={w} periods of history ({need} periods) before a period, and the series has {n}. "
    "Use a smaller b or w, or a longer series."
)


@dataclass(frozen=True)
class FarringtonResult:
    """Alarms of :func:`farrington_flexible`.

    Attributes
    ----------
    table
        One row per evaluated period: ``period, observed, expected, upperbound, alarm, score,
        p_value, trend, phi, n_reference, enough_cases, history_note, note``. ``expected``,
        ``upperbound``, ``score``, ``p_value`` and ``phi`` are nullable ``Float64``: ``<NA>``
        where not defined, and ``history_note``/``note`` say why.
    options
        The options used (R's ``control`` list, in the Python names).
    """

    table: pd.DataFrame
    options: Mapping[str, Any] = field(default_factory=dict)

    def summary(self) -> str:
        """Plain-text summary: periods evaluated, alarms and the method."""
        t = self.table
        done = t[t["history_note"] == ""]
        alarms = done[done["alarm"]]
        o = self.options
        lines = [
            f"Farrington flexible (surveillance 1.20.3 port): threshold {o['threshold_method']!r}, "
            f"one-sided alpha={o['alpha']}, b={o['b']}, w={o['w']}, freq={o['freq']}.",
            f"{len(done)} of {len(t)} periods evaluated; {len(alarms)} alarm(s).",
        ]
        for _, row in alarms.iterrows():
            lines.append(
                f"  alarm {row['period']}: observed {row['observed']} > upper bound "
                f"{row['upperbound']:.2f} (expected {row['expected']:.2f})"
            )
        if len(done) < len(t):
            lines.append(f"{len(t) - len(done)} period(s) lack history; see history_note.")
        return "\n".join(lines)

    def plot(self, ax: Axes | None = None) -> Axes:
        """Bars of observed counts, the upper bound as a step line, alarms as red triangles."""
        import matplotlib.pyplot as plt

        if ax is None:
            _, ax = plt.subplots(figsize=(8, 3.5))
        t = self.table
        x = np.arange(len(t))
        upper = t["upperbound"].astype("float64").to_numpy(na_value=np.nan)
        ax.bar(x, t["observed"], color="0.75", label="observed")
        ax.step(x, upper, where="mid", color="tab:blue", label="upper bound")
        hit = t["alarm"].to_numpy(dtype=bool)
        ax.plot(x[hit], t["observed"][hit], "v", color="tab:red", label="alarm")
        ax.set_xticks(x, [str(p) for p in t["period"]], rotation=90)
        ax.set_ylabel("count")
        ax.legend(frameon=False)
        return ax


def _int_param(name: str, value: object, low: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < low:
        raise UsageError(
            f"The '{name}' parameter of {_FUNC} must be an int in the range [{low}, inf). "
            f"Got {value!r} instead."
        )
    return int(value)


def _real_param(
    name: str, value: object, low: float, high: float, *, closed: bool = False
) -> float:
    ok = isinstance(value, int | float | np.number) and not isinstance(value, bool)
    x = float(value) if ok else float("nan")  # type: ignore[arg-type]
    if not (low < x < high or (closed and x == high)):
        bracket = "]" if closed else ")"
        raise UsageError(
            f"The '{name}' parameter of {_FUNC} must be a float in the range ({low}, {high}"
            f"{bracket}. Got {value!r} instead."
        )
    return x


def _choice(name: str, value: object, allowed: Iterable[object]) -> None:
    allowed = list(allowed)
    if value not in allowed or isinstance(value, bool) is not isinstance(allowed[0], bool):
        shown = ", ".join(repr(a) for a in allowed)
        raise UsageError(
            f"The '{name}' parameter of {_FUNC} must be one of {shown}. Got {value!r} instead."
        )


def _counts(name: str, values: object, n: int | None, *, positive: bool) -> np.ndarray:
    try:
        arr = np.asarray(values, dtype=float)
    except (TypeError, ValueError):
        arr = np.full((0, 0), np.nan)  # not numbers: reported below
    bad = arr.ndim != 1 or (n is not None and arr.size != n)
    if not bad:
        bad = bool(np.any(~np.isfinite(arr)))
        bad |= bool(np.any(arr <= 0)) if positive else bool(np.any((arr < 0) | (arr % 1 != 0)))
    if bad:
        what = "positive numbers" if positive else "non-negative whole counts"
        size = f" of length {n}" if n is not None else ""
        raise UsageError(
            f"The '{name}' parameter of {_FUNC} must be a 1-d array{size} of {what} "
            "without missing values."
        )
    return arr


def farrington_flexible(
    observed: Any,
    *,
    freq: int,
    population: Any = None,
    b: int = 5,
    w: int = 3,
    no_periods: int = 1,
    alpha: float = 0.05,
    reweight: bool = True,
    weights_threshold: float = 2.58,
    trend: bool = True,
    p_threshold_trend: float = 0.05,
    limit54: tuple[int, int] = (5, 4),
    power_transform: PowerTransform = "2/3",
    threshold_method: ThresholdMethod = "delta",
    quantile: Literal["normal", "t"] = "normal",
    past_periods_not_included: int | None = None,
    range: Iterable[int] | None = None,
    fit_fun: FitFun = "algo.farrington.fitGLM.flexible",
) -> FarringtonResult:
    """Flag periods whose count exceeds what the same season of past years predicts.

    Port of R ``surveillance::farringtonFlexible`` 1.20.3; see the module docstring for the
    method, its assumptions, the defaults suited to tertials and the deviations from R.

    Parameters
    ----------
    observed
        Counts per period in time order (array-like, or a Series whose index labels the
        periods; labels are kept in the ``period`` column, positions are used otherwise).
    freq
        Periods per year: 3 tertials, 4 quarters, 12 months, 52 weeks (R: ``sts@freq``).
    population
        Population per period; when given it is the offset ``log(population)`` (R:
        ``populationOffset = TRUE`` with the population in the sts object).
    b, w
        Years back and half-width (in periods) of the reference windows.
    no_periods
        R's ``noPeriods``: levels of the factor that models the periods between windows.
    alpha
        One-sided level: the upper bound is a ``1 - alpha`` limit.
    reweight, weights_threshold
        Down-weight reference values whose Anscombe residual exceeds the threshold.
    trend, p_threshold_trend
        Allow a log-linear trend, kept when significant at this level (and ``b >= 3``).
    limit54
        ``(cases, periods)``: no alarm unless the last ``periods`` periods hold ``cases``.
    power_transform
        ``"2/3"``, ``"1/2"`` or ``"none"``, for ``threshold_method="delta"``.
    threshold_method
        ``"delta"`` (Farrington 1996), ``"nbPlugin"`` or ``"muan"`` (Noufaily 2013).
    quantile
        ``"normal"`` (R) or ``"t"``: for ``threshold_method="delta"``, the quantile of
        Student's t with the fit's residual degrees of freedom, which pays for a dispersion
        estimated from few reference values (the follow-up's choice; issue 15: with
        ``phi = 2`` the normal quantile gives 6-7 % false alarms at a nominal 5 %).
    past_periods_not_included
        Periods just before the evaluated one left out of the fit (R's
        ``pastWeeksNotIncluded``); default ``w``.
    range
        0-based positions to evaluate. R needs it; the default here is every period with
        ``b*freq + w`` periods before it (R's default range). Positions with less history
        get a row with ``history_note`` and no values.
    fit_fun
        Only ``"algo.farrington.fitGLM.flexible"`` (as in R).

    Returns
    -------
    FarringtonResult

    Raises
    ------
    UsageError
        An option is invalid.
    InsufficientDataError
        No requested period has enough history.

    Examples
    --------
    >>> counts = [13, 10, 12, 17, 11, 11, 8, 7, 14, 12, 9, 13, 13, 5, 14, 18, 8, 25]
    >>> res = farrington_flexible(counts, freq=3, b=5, w=1)
    >>> res.table[["period", "observed", "alarm"]].to_dict("records")
    [{'period': 16, 'observed': 8, 'alarm': False}, {'period': 17, 'observed': 25, 'alarm': True}]
    """
    freq, b, w = _int_param("freq", freq, 1), _int_param("b", b, 1), _int_param("w", w, 0)
    if w > freq:
        raise UsageError(
            f"The 'w' parameter of {_FUNC} must be at most freq={freq}: wider windows would use "
            f"periods after the evaluated one. Got {w!r} instead."
        )
    no_periods = _int_param("no_periods", no_periods, 1)
    if no_periods > freq:
        raise UsageError(
            f"The 'no_periods' parameter of {_FUNC} must be at most freq={freq} (R: 'Number of "
            f"factors too big!'). Got {no_periods!r} instead."
        )
    pw = w if past_periods_not_included is None else past_periods_not_included
    pw = _int_param("past_periods_not_included", pw, 0)
    for name, flag in (("reweight", reweight), ("trend", trend)):
        _choice(name, flag, [True, False])
    _choice("power_transform", power_transform, ["2/3", "1/2", "none"])
    _choice("threshold_method", threshold_method, ["delta", "nbPlugin", "muan"])
    _choice("quantile", quantile, ["normal", "t"])
    _choice("fit_fun", fit_fun, ["algo.farrington.fitGLM.flexible"])
    if not (isinstance(limit54, tuple | list) and len(limit54) == 2):
        raise UsageError(
            f"The 'limit54' parameter of {_FUNC} must be a pair (cases, periods). "
            f"Got {limit54!r} instead."
        )
    cases54 = _int_param("limit54[0]", limit54[0], 0)
    periods54 = _int_param("limit54[1]", limit54[1], 1)
    settings = core.Settings(
        b=b,
        no_periods=no_periods,
        alpha=_real_param("alpha", alpha, 0.0, 0.5),
        reweight=reweight,
        weights_threshold=_real_param("weights_threshold", weights_threshold, 0.0, np.inf),
        trend=trend,
        p_threshold_trend=_real_param("p_threshold_trend", p_threshold_trend, 0, 1, closed=True),
        power_transform=power_transform,
        threshold_method=threshold_method,
        t_quantile=quantile == "t",
    )
    labels = list(observed.index) if isinstance(observed, pd.Series) else None
    y = _counts("observed", observed, None, positive=False)
    n = y.size
    pop = None if population is None else _counts("population", population, n, positive=True)
    need = b * freq + w
    positions = list(_builtin_range(need, n)) if range is None else _positions(range, n)
    if not any(i >= need for i in positions):
        raise InsufficientDataError(MSG_NOTHING.format(b=b, freq=freq, w=w, need=need, n=n))

    rows = []
    for i in positions:
        row: dict[str, Any] = {
            "period": labels[i] if labels is not None else i,
            "observed": int(y[i]),
            "history_note": "",
            "note": "",
        }
        rows.append(row)
        if i < need:
            row["history_note"] = NOTE_HISTORY.format(
                years=(need - i) / freq, have=i, need=need, b=b, freq=freq, w=w
            )
            continue
        k = i + 1  # R's 1-based time index
        groups = core.blocks(n, k, freq, b, w, no_periods)
        keep = ~np.isnan(groups)
        keep[max(k - pw, 1) - 1 : k] = False  # pastWeeksNotIncluded and k itself
        idx = np.flatnonzero(keep)
        data = core.Reference(
            y=y[idx],
            t=(idx + 1).astype(float),
            group=groups[idx],
            offset=np.log(pop[idx]) if pop is not None else np.zeros(idx.size),
            k=k,
            offset_now=float(np.log(pop[i])) if pop is not None else 0.0,
            y_now=float(y[i]),
        )
        out = core.evaluate(data, settings) if idx.size else None
        enough = bool(y[max(i - periods54 + 1, 0) : i + 1].sum() >= cases54)
        row["enough_cases"] = enough
        if out is None:
            row.update(note=NOTE_NO_FIT, n_reference=int(idx.size))
            continue
        row.update(out)
        row["alarm"] = bool(enough and out["score"] > 1 and y[i] != 0)  # False for NaN
        if np.isnan(out["upperbound"]):
            row["note"] = NOTE_NO_UPPER
        elif not enough:
            row["note"] = NOTE_LIMIT54.format(cases=cases54, periods=periods54)
    options = {"freq": freq, "w": w, "past_periods_not_included": pw, **vars(settings)}
    options.update(limit54=(cases54, periods54), population_offset=population is not None)
    return FarringtonResult(table=_table(rows), options=options)


def _positions(values: Iterable[int], n: int) -> list[int]:
    positions = sorted({_int_param("range", i, 0) for i in values})
    if positions and positions[-1] >= n:
        raise UsageError(
            f"The 'range' parameter of {_FUNC} must hold positions in [0, {n - 1}]. "
            f"Got {positions[-1]} instead."
        )
    return positions


def _table(rows: list[dict[str, Any]]) -> pd.DataFrame:
    columns = ["period", "observed", "expected", "upperbound", "alarm", "score", "p_value"]
    columns += ["trend", "phi", "n_reference", "enough_cases", "history_note", "note"]
    t = pd.DataFrame(rows).reindex(columns=columns)
    for col in ("expected", "upperbound", "score", "p_value", "phi"):
        values = pd.to_numeric(t[col], errors="coerce").astype(float).to_numpy()
        t[col] = pd.array(np.where(np.isfinite(values), values, np.nan), dtype="Float64")
    for col in ("alarm", "trend", "enough_cases"):
        t[col] = t[col].astype("boolean").fillna(False).astype(bool)
    t["n_reference"] = t["n_reference"].fillna(0).astype(int)
    return t
