"""The effort indicators of period P (issue 16), from the youth series, the activity hours
and the detection split of the young.

==========================================  ==============================================
id                                          definition
==========================================  ==============================================
``police_initiated_share_youth``            young women and men found by police activity /
                                            (found by police activity + reported by
                                            someone else), in P; detection ``okand`` and
                                            gender ``okänt`` left out; Wilson 95% CI
``youth_per_100_activity_hours``            ``persons_youth`` of P per 100 activity hours of
                                            P (all areas); exact (Garwood) Poisson 95% CI
``youth_trend_annual_change_effort_adjusted``  :func:`~risk_indicators.stats.effort.
                                            effort_adjusted_trend` of the youth series
                                            (log effort as a covariate), t 95% CI
==========================================  ==============================================

Counts used (for disclosure control): the share uses the detection split of the young in P
(``detection:<mode>:<gender>``: not cells of the audited cube); the rate per activity hours
uses the young of P (``youth``), the hours are public facts of the police's work, not counts of
persons; the adjusted trend is a whole-series summary like ``youth_trend_annual_change``
(``n`` = periods) and uses no count.

The rate per 100 hours treats the young persons of P as a Poisson count over the hours as
exposure: it describes how many young persons were reported per unit of recorded activity, not
what an extra hour would bring (that is the elasticity of the adjusted trend).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import pandas as pd

from risk_indicators.config import Config
from risk_indicators.periods import Period

from ._estimate import Estimate
from .effort import REASON_NO_EFFORT, EffortTrendResult, effort_adjusted_trend
from .followup import YouthStatistics
from .indicators import Indicator, noise_variance
from .rates import poisson_rate, wilson_interval

__all__ = [
    "DETECTION_MODES",
    "EFFORT_INDICATORS",
    "EffortStatistics",
    "effort_statistics",
    "police_initiated_share_youth",
    "youth_by_detection",
    "youth_per_100_activity_hours",
]

#: Detection modes of the detection cube (``risk_indicators.cube.detection_cube``).
DETECTION_MODES = ("polisinitierad", "anmalan", "okand")
EFFORT_INDICATORS = (
    "police_initiated_share_youth",
    "youth_per_100_activity_hours",
    "youth_trend_annual_change_effort_adjusted",
)
NO_ACTIVITY = "no activity file was given (--activity)"


def _detection_uses(modes: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(f"detection:{m}:{g}" for m in modes for g in ("kvinna", "man"))


def youth_by_detection(detection: pd.DataFrame, period: str, *, config: Config) -> pd.DataFrame:
    """Young persons of ``period`` by detection mode and gender (kvinna, man; all areas).

    Returns
    -------
    pandas.DataFrame
        Indexed by mode (:data:`DETECTION_MODES`), columns ``kvinna`` and ``man`` (int).
    """
    cells = detection.loc[
        (detection["period"] == period)
        & detection["age_band"].isin(config.youth_bands)
        & detection["gender"].isin(["kvinna", "man"])
        & detection["detection"].isin(DETECTION_MODES)
    ]
    wide = cells.pivot_table(index="detection", columns="gender", values="persons",
                             aggfunc="sum", fill_value=0)  # fmt: skip
    return wide.reindex(index=list(DETECTION_MODES), columns=["kvinna", "man"],
                        fill_value=0).astype("int64")  # fmt: skip


def police_initiated_share_youth(
    detection: pd.DataFrame,
    period: str,
    *,
    config: Config,
    alpha: float = 0.05,
    noise_variance: float = 0.0,
) -> Estimate:
    """Share of the young found by police activity, among those whose mode is known.

    Wilson score interval (:func:`~risk_indicators.stats.wilson_interval`); assumes the young
    persons are independent trials. Not defined when no young person of P has a known mode.

    Examples
    --------
    >>> from risk_indicators.config import load_config
    >>> det = pd.DataFrame({"period": "2024T1", "detection": ["polisinitierad", "anmalan"],
    ...                     "age_band": "15-17", "gender": "man", "persons": [8, 2]})
    >>> e = police_initiated_share_youth(det, "2024T1", config=load_config())
    >>> e.estimate, round(e.ci_low, 3), e.n
    (0.8, 0.49, 10)
    """
    split = youth_by_detection(detection, period, config=config)
    police = int(split.loc["polisinitierad"].sum())
    return wilson_interval(police, police + int(split.loc["anmalan"].sum()), alpha=alpha,
                           noise_variance=noise_variance)  # fmt: skip


def youth_per_100_activity_hours(
    persons_youth: int, hours: float | None, *, alpha: float = 0.05, noise_variance: float = 0.0
) -> Estimate:
    """Young persons per 100 activity hours with the exact (Garwood) Poisson interval.

    ``hours`` None, NaN or 0 gives a value that is not defined (the effort is unknown).

    Examples
    --------
    >>> e = youth_per_100_activity_hours(12, 400.0)
    >>> e.estimate, round(e.ci_low, 3), round(e.ci_high, 3)
    (3.0, 1.55, 5.24)
    """
    if hours is None or not np.isfinite(hours) or hours <= 0:
        reason = REASON_NO_EFFORT.format(what="no activity hours in the period")
        return Estimate(None, None, None, int(persons_youth), False, reason)
    return poisson_rate(int(persons_youth), float(hours), per=100, alpha=alpha,
                        noise_variance=noise_variance)  # fmt: skip


@dataclass(frozen=True)
class EffortStatistics:
    """The effort figures of one follow-up.

    Attributes
    ----------
    known
        Whether activity data were given.
    hours
        Activity hours per period of the youth series (NaN where unknown); None without
        activity data.
    trend
        The effort-adjusted youth trend beside the unadjusted one over the same periods.
    per_hours
        ``youth_per_100_activity_hours`` of P.
    share
        ``police_initiated_share_youth`` of P (None in counts mode: no detection split).
    detection
        Young persons of P by detection mode (rows) and gender (``kvinna``, ``man``); None in
        counts mode.
    period
        The period P.
    """

    known: bool
    hours: pd.Series | None
    trend: EffortTrendResult
    per_hours: Estimate
    share: Estimate | None
    detection: pd.DataFrame | None
    period: str

    @property
    def indicators(self) -> dict[str, Indicator]:
        """The three indicators of P (see the module docstring), with the counts they use."""
        out: dict[str, Indicator] = {}
        if self.share is None:
            out["police_initiated_share_youth"] = Indicator(
                "police_initiated_share_youth", None,
                reason="not defined: the detection mode needs person-level rows (counts mode)",
                uses=_detection_uses(DETECTION_MODES[:2]),
            )  # fmt: skip
        else:
            out["police_initiated_share_youth"] = _indicator(
                "police_initiated_share_youth", self.share, _detection_uses(DETECTION_MODES[:2])
            )
        out["youth_per_100_activity_hours"] = _indicator(
            "youth_per_100_activity_hours", self.per_hours, ("youth",)
        )
        t, key = self.trend, "youth_trend_annual_change_effort_adjusted"
        if t.status != "ok":
            unknown = t.reason.startswith("effort unknown")
            reason = t.reason if unknown else f"insufficient_data: {t.reason}"
            out[key] = Indicator(key, None, n=t.n, reason=reason, uses=())
        else:
            out[key] = Indicator(key, t.annual_change, t.ci_low, t.ci_high, n=t.n, uses=())
        return out

    @property
    def table(self) -> pd.DataFrame:
        """The trend terms (``term, estimate, ci_low, ci_high, p_value, n``)."""
        return self.trend.table

    def summary(self) -> str:
        lines = [self.trend.summary()]
        for name, e in (("per 100 activity hours", self.per_hours),
                        ("police-initiated share", self.share)):  # fmt: skip
            if e is not None:
                lines.append(
                    f"{self.period} young {name}: "
                    + ("n/a: " + e.reason if e.estimate is None else f"{e.estimate:.3g}")
                )
        return "\n".join(lines)

    def plot(self, ax: Any = None) -> Any:
        return self.trend.plot(ax=ax)


def _indicator(id_: str, e: Estimate, uses: tuple[str, ...]) -> Indicator:
    return Indicator(id_, e.estimate, e.ci_low, e.ci_high, n=e.n, reason=e.reason, uses=uses)


def effort_statistics(
    youth: YouthStatistics,
    *,
    hours: pd.Series | None,
    detection: pd.DataFrame | None,
    period: Period,
    config: Config,
) -> EffortStatistics:
    """The effort figures of P: the adjusted trend of the youth series (with the youth
    population as offset when it is known for every period, as the unadjusted trend), the young
    per 100 activity hours and the police-initiated share of the young.

    Parameters
    ----------
    youth
        The statistics of the youth series (:func:`~risk_indicators.stats.youth_statistics`).
    hours
        Activity hours per period (:meth:`risk_indicators.intake.Activities.effort_hours`);
        None when no activity file was given.
    detection
        The detection cube (``Analysis.detection``); None in counts mode.
    period
        The period P.
    config
        Youth bands.
    """
    series = youth.series
    index = [str(p) for p in series.index]
    has_pop = bool(series["population"].notna().all() and (series["population"] > 0).all())
    aligned = None if hours is None else pd.Series(hours).reindex(index).astype(float)
    if aligned is not None:
        aligned.index = series.index
    trend = effort_adjusted_trend(
        series["persons"],
        aligned,
        population=series["population"].astype(float) if has_pop else None,
        freq=period.freq,
    )
    if aligned is None:
        trend = _unknown(trend)
    p_hours = None if aligned is None else float(aligned.iloc[-1])
    persons = int(series["persons"].iloc[-1])
    # perturbed counts (cell-key; the detection cube carries the noise): a count of the
    # young sums one cell per youth band, a detection mode's young one per band and gender
    bands = len(config.youth_bands)
    noise = 0.0 if detection is None else noise_variance(detection, cells=bands)
    per_hours = youth_per_100_activity_hours(persons, p_hours, noise_variance=noise)
    if aligned is None:
        per_hours = Estimate(None, None, None, persons, False,
                             REASON_NO_EFFORT.format(what=NO_ACTIVITY))  # fmt: skip
    share = split = None
    if detection is not None:
        split = youth_by_detection(detection, period.code, config=config)
        share = police_initiated_share_youth(detection, period.code, config=config,
                                             noise_variance=2 * noise)  # fmt: skip
    return EffortStatistics(aligned is not None, aligned, trend, per_hours, share, split,
                            period.code)  # fmt: skip


def _unknown(trend: EffortTrendResult) -> EffortTrendResult:
    return replace(trend, reason=REASON_NO_EFFORT.format(what=NO_ACTIVITY))
