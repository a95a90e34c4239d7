"""The result of one analysis: :class:`Analysis`, with ``.table``, ``.summary()``, ``.plot()``."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from risk_indicators._version import __version__
from risk_indicators.config import Config
from risk_indicators.fairness import FairnessResult
from risk_indicators.intake import Activities
from risk_indicators.periods import Period
from risk_indicators.stats import EffortStatistics, Indicator, YouthStatistics

from ._figures import SCOPES

__all__ = ["Analysis"]


@dataclass(frozen=True)
class Analysis:
    """The result of :func:`~risk_indicators.analyse` for one period.

    Attributes
    ----------
    period
        The analysed period P.
    config
        The run configuration.
    cube
        The full cube (``internal/counts.csv``): every period from the first in the data up
        to P, with margins and population.
    windows
        Rolling 12-month window cube (label ``2023T2-2024T1``) for every complete window up to
        P; None in counts mode (a window needs person-level rows).
    results
        ``{"period" | "same_period_last_year" | "rolling_12_months": {id: Indicator}}``.
    labels
        The period or window label of each scope.
    accounting
        Rows read, used, rejected and duplicates.
    figures
        Every figure of the follow-up, one row each, with the counts it uses
        (:func:`~risk_indicators.analysis.figure_table`): the single source of every
        published number.
    youth
        Trend, comparison with earlier years and alarms of the youth series.
    fairness
        Every gender figure (:func:`~risk_indicators.fairness.gender_figures`).
    detection
        Persons by period x detection mode x age band x gender (all areas), from
        :func:`risk_indicators.cube.detection_cube`; None in counts mode.
    effort
        The effort figures of P (issue 16: the effort-adjusted youth trend, the young per 100
        activity hours, the police-initiated share of the young).
    activities
        The activity file's rows (:func:`risk_indicators.intake.read_activity`); None when
        no activity file was given (the effort is unknown).
    exact_counts
        With the cell-key method (``disclosure.method = "cell_key"``) ``cube`` and
        ``windows`` hold the published, perturbed counts every figure is computed from; this
        is the exact cube followed by the exact windows, for ``internal/counts.csv`` only.
        None otherwise (``cube`` and ``windows`` are exact).
    """

    period: Period
    config: Config
    cube: pd.DataFrame
    windows: pd.DataFrame | None
    results: dict[str, dict[str, Indicator]]
    labels: dict[str, str]
    accounting: dict[str, int]
    figures: pd.DataFrame
    youth: YouthStatistics
    fairness: FairnessResult
    inputs: dict[str, str | None] = field(default_factory=dict)
    notes: tuple[str, ...] = ()
    mode: str = "records"
    detection: pd.DataFrame | None = None
    effort: EffortStatistics | None = None
    activities: Activities | None = None
    exact_counts: pd.DataFrame | None = None

    @property
    def perturbed(self) -> bool:
        """Whether ``cube`` and ``windows`` hold perturbed counts (the cell-key method)."""
        return self.exact_counts is not None

    @property
    def indicators(self) -> dict[str, dict[str, Any]]:
        """The ``indicators`` object of ``indicators.json`` for P, every value exact."""
        return {k: ind.to_json() for k, ind in self.results["period"].items()}

    @property
    def table(self) -> pd.DataFrame:
        """The indicators of every scope in the shared column names: ``scope, period, id,
        estimate, ci_low, ci_high, n`` (exact values; :attr:`figures` has every figure)."""
        ind = self.figures.loc[self.figures["table"] == "indicators"]
        return pd.DataFrame({"scope": ind["scope"].to_numpy(), "period": ind["label"].to_numpy(),
                             "id": ind["figure"].to_numpy(), "estimate": ind["value"].to_numpy(),
                             "ci_low": ind["ci_low"].to_numpy(),
                             "ci_high": ind["ci_high"].to_numpy(),
                             "n": ind["n"].to_numpy()})  # fmt: skip

    def summary(self) -> str:
        """A few plain lines: the period, the rows used and the headline figures (exact)."""
        acc, ind = self.accounting, self.results["period"]

        def show(key: str, fmt: str) -> str:
            value = ind[key].value if key in ind else None
            return "n/a" if value is None else format(value, fmt)

        lines = [
            f"{self.config.municipality} {self.period.code} ({self.mode}): {acc['used']} of "
            f"{acc['read']} rows used.",
            f"Persons {show('persons', 'd')}, of whom young {show('persons_youth', 'd')} "
            f"(rate {show('youth_rate_per_10k', '.1f')} per 10,000); female share of the young "
            f"{show('female_share_youth', '.1%')}.",
            f"Youth trend {show('youth_trend_annual_change', '+.1%')} a year; goal status: "
            f"{show('goal_status', 's')}.",
            "Exact figures, not for publication: write_release decides what is public.",
        ]
        return "\n".join(lines)

    def plot(self, ax: Any = None) -> Any:
        """The youth series: young persons per 10,000 with the fitted trend (exact values)."""
        return self.youth.trend.plot(ax=ax)

    def to_json(self, *, suppressed: frozenset[tuple[str, str]] = frozenset()) -> dict[str, Any]:
        """``indicators.json`` (CONTRACT 4); ``suppressed`` holds (scope, id) pairs to null."""

        def block(scope: str) -> dict[str, Any]:
            return {
                k: ind.to_json(suppressed=(scope, k) in suppressed)
                for k, ind in self.results.get(scope, {}).items()
            }

        return {
            "schema_version": 1,
            "municipality": self.config.municipality,
            "period": self.period.code,
            "period_kind": self.period.kind,
            "rows": dict(self.accounting),
            "indicators": block("period"),
            "comparisons": {
                scope: {"label": self.labels[scope], "indicators": block(scope)}
                for scope in SCOPES[1:]
                if scope in self.results
            },
            "package_version": __version__,
        }
