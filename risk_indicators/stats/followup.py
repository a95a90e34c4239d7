"""Statistics of the youth series for period P: trend, period comparison and period alarms.

Composes :mod:`trends` and :mod:`alarms` on the series of young persons (``persons_youth``
per period, all areas and genders) with the youth population as offset. Computes nothing of
its own beyond choosing the series and the alarm history.

Alarm settings for tertials (see :mod:`risk_indicators.stats.alarms`): ``w=1`` (a whole year
around the same tertial), ``b`` = as many whole years of history as the data have, at most 5
and at least 3 (R never fits a trend with fewer than 3), ``limit54=(5, 4)``, the ``delta``
threshold with the 2/3 power transform and a Student t quantile (``quantile="t"``, issue 15),
and no trend term (``trend=False``). Quarters and months
use ``w=1`` and ``w=2``. Why no trend: in the validation study (``reports/validation.md``) the
trend rule of surveillance 1.20.3 keeps a spurious trend in a third to two thirds of trend-free
tertial series after reweighting, which lifts the false-alarm rate to 6-10 % against the
nominal 5 %; without the trend term it is 4.0-4.6 % with detection within 2 points. The
long-run trend is reported separately (``youth_trend_annual_change``).
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from risk_indicators.config import Config
from risk_indicators.periods import Period

from .alarms import FarringtonResult, farrington_flexible
from .comparisons import compare_periods
from .indicators import Indicator, noise_variance
from .trends import TrendResult, poisson_trend

__all__ = ["YouthStatistics", "youth_series", "youth_statistics"]

MIN_ALARM_YEARS = 3
MAX_ALARM_YEARS = 5
_ALARM_W = {1: 0, 3: 1, 4: 1, 12: 2}


def youth_series(cube: pd.DataFrame, *, config: Config) -> pd.DataFrame:
    """Per period: young persons, young women and men, and the youth population.

    Returns
    -------
    pandas.DataFrame
        Indexed by period label in cube order; columns ``persons``, ``women``, ``men``,
        ``population`` (``Int64``, missing where the population is unknown).
    """
    youth = cube.loc[(cube["area"] == "total") & cube["age_band"].isin(config.youth_bands)]
    wide = youth.pivot_table(
        index="period", columns="gender", values="persons", aggfunc="sum", sort=False
    )
    pop = youth.loc[youth["gender"] == "total"].groupby("period", sort=False)["population"]
    population = pop.sum(min_count=len(config.youth_bands))
    order = list(dict.fromkeys(cube["period"]))
    return pd.DataFrame(
        {
            "persons": wide["total"].reindex(order).astype("int64"),
            "women": wide["kvinna"].reindex(order).astype("int64"),
            "men": wide["man"].reindex(order).astype("int64"),
            "population": population.reindex(order).astype("Int64"),
        }
    )


@dataclass(frozen=True)
class YouthStatistics:
    """Trend, comparison and alarms of the youth series up to P (for the report)."""

    series: pd.DataFrame
    trend: TrendResult
    comparison: pd.DataFrame
    alarms: FarringtonResult | None
    alarm_note: str

    @property
    def trend_indicator(self) -> Indicator:
        """``youth_trend_annual_change`` of CONTRACT 4."""
        t = self.trend
        if t.status != "ok":
            return Indicator(
                "youth_trend_annual_change",
                None,
                n=t.n,
                reason=f"insufficient_data: {t.reason}",
                uses=(),
            )
        return Indicator(
            "youth_trend_annual_change", t.annual_change, t.ci_low, t.ci_high, n=t.n, uses=()
        )


def youth_statistics(cube: pd.DataFrame, period: Period, *, config: Config) -> YouthStatistics:
    """Trend, comparison with earlier years and alarms for the youth series up to ``period``.

    The trend is the quasi-Poisson GLM of CONTRACT 4 (``youth_trend_annual_change``). Periods
    with unknown youth population make the trend fall back to counts without offset, said in
    the reason. The comparison is the exact conditional rate ratio of P against the same period
    a year earlier and the three previous years
    (:func:`risk_indicators.stats.trends.compare_periods`).
    """
    series = youth_series(cube, config=config)
    series = series.loc[: period.code]
    has_pop = bool(series["population"].notna().all() and (series["population"] > 0).all())
    trend = poisson_trend(
        series["persons"],
        population=series["population"].astype(float) if has_pop else None,
        freq=period.freq,
    )
    # perturbed counts (cell-key): a count of the young sums one cell per youth band
    noise = noise_variance(cube, cells=len(config.youth_bands))
    comparison = _comparison(series, period, has_pop, noise)
    alarms, note = _alarms(series, period, has_pop)
    return YouthStatistics(series, trend, comparison, alarms, note)


def _comparison(series: pd.DataFrame, period: Period, has_pop: bool,
                noise: float = 0.0) -> pd.DataFrame:  # fmt: skip
    earlier = [period.shift(-k * period.freq).code for k in (3, 2, 1)]
    earlier = [code for code in earlier if code in series.index]
    persons = {str(k): int(v) for k, v in series["persons"].items()}
    population = (
        {str(k): float(v) for k, v in series["population"].items()}
        if has_pop
        else dict.fromkeys(persons, 1.0)
    )
    return compare_periods(
        persons[period.code],
        population[period.code],
        [persons[c] for c in earlier],
        [population[c] for c in earlier],
        noise_variance=noise,
    )


def _alarms(
    series: pd.DataFrame, period: Period, has_pop: bool
) -> tuple[FarringtonResult | None, str]:
    freq = period.freq
    w = _ALARM_W.get(freq, 1)
    years = (len(series) - 1 - w) // freq
    if years < MIN_ALARM_YEARS:
        return None, (
            f"No period alarms: they need {MIN_ALARM_YEARS} years of history before the period "
            f"(plus {w} period(s)); the data have {max(years, 0)}."
        )
    b = min(MAX_ALARM_YEARS, years)
    last = len(series) - 1
    first_evaluated = max(b * freq + w, last - 2 * freq + 1)
    result = farrington_flexible(
        series["persons"],
        freq=freq,
        population=series["population"].astype(float).to_numpy() if has_pop else None,
        b=b,
        w=w,
        trend=False,
        quantile="t",
        range=list(range(first_evaluated, last + 1)),
    )
    return result, f"Period alarms with {b} years of history (w={w})."
