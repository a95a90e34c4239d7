"""Selection rates by gender from a fairlearn ``MetricFrame``, with analytic intervals.

Private to :mod:`risk_indicators.fairness`, which re-exports :class:`ParityResult` and
:func:`selection_rates`. The selection rate of a youth cell is its reported persons per
inhabitant; fairlearn gives the rates by gender and their parity ratio (min/max) and
difference (max-min), and :mod:`risk_indicators.stats.rates` gives the intervals (Wilson, Katz,
Newcombe), because fairlearn's bootstrap would resample cells, not persons.
"""

from __future__ import annotations

import functools
import math
import warnings
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from risk_indicators.config import Config
from risk_indicators.stats import rate_ratio_table, wilson_table

from ._detection import DETECTIONS, detection_cubes
from .standardise import COLOURS, MEN, TOTAL, WOMEN, float64_columns

__all__ = ["ParityResult", "selection_rates"]


# --------------------------------------------------------------------------- fairlearn
@dataclass(frozen=True)
class ParityResult:
    """Selection rates by gender from a fairlearn ``MetricFrame`` over the cube.

    ``frame``, ``table`` and ``parity`` are computed on first access: the follow-up needs
    only ``overall`` and ``headline``, and the ``MetricFrame`` over every period, youth band
    and detection mode took 1.2 s of the demo's 6.8 s (fairlearn applies the metric group by
    group).

    Attributes
    ----------
    frame
        The ``MetricFrame`` (metric ``selection_rate``; sensitive feature gender; control
        features period, age band and, when given, detection mode).
    table
        One row per group: ``period, age_band, [detection], gender, estimate`` (fairlearn's
        selection rate), Wilson ``ci_low, ci_high``, ``n`` (population) and ``persons``.
    parity
        One row per control group: fairlearn's ``ratio`` (min/max) and ``difference``
        (max-min), and analytic intervals from :mod:`risk_indicators.stats.rates`: the women/men
        ``rate_ratio`` with its Katz interval and the ``rate_difference`` (women - men) with
        the Newcombe hybrid score interval; ``reason`` where a ratio is not defined.
    overall
        Per period, youth bands (and modes) pooled: the parity ratio and difference that a
        ``MetricFrame`` with period as the only control feature gives, computed with pandas
        (``_pooled_parity``; ``tests/test_fairness.py`` checks them against fairlearn).
    headline
        The last period's ``demographic_parity_ratio`` and ``demographic_parity_difference``:
        the last row of ``overall`` (``tests/test_fairness.py`` checks it against the pooled
        persons / population by hand).
    cells, controls
        The youth cells (with population) and the control features the ``MetricFrame`` is
        made of.
    """

    overall: pd.DataFrame
    headline: dict[str, Any]
    cells: pd.DataFrame = field(repr=False)
    controls: tuple[str, ...] = field(repr=False)

    @functools.cached_property
    def _fairlearn(self) -> tuple[Any, pd.DataFrame, pd.DataFrame]:
        return _fairlearn_tables(self.cells, list(self.controls))

    @property
    def frame(self) -> Any:
        return self._fairlearn[0]

    @property
    def table(self) -> pd.DataFrame:
        return self._fairlearn[1]

    @property
    def parity(self) -> pd.DataFrame:
        return self._fairlearn[2]

    def summary(self) -> str:
        h = self.headline
        ratio = h["demographic_parity_ratio"]
        text = "not defined (no one reported)" if ratio is None else f"{ratio:.3f}"
        return (f"Demographic parity {h['period']} (selection = reported per inhabitant): "
                f"ratio {text}, difference {h['demographic_parity_difference']:.2e}")  # fmt: skip

    def plot(self, ax: Any = None) -> Any:
        """Demographic parity ratio per period (1 = equal selection rates)."""
        import matplotlib.pyplot as plt

        if ax is None:
            _, ax = plt.subplots(figsize=(7, 3))
        x = np.arange(len(self.overall))
        ax.plot(x, self.overall["demographic_parity_ratio"].to_numpy(float, na_value=np.nan),
                "o-", color=COLOURS[WOMEN])  # fmt: skip
        ax.set_xticks(x, list(self.overall["period"]), rotation=90)
        ax.set_ylim(0, 1.05)
        ax.set_ylabel("demographic parity ratio")
        return ax


def _parity_cells(cube: pd.DataFrame, config: Config,
                  detection: pd.DataFrame | None) -> tuple[pd.DataFrame, list[str]]:  # fmt: skip
    controls = ["period", "age_band"]
    if detection is not None:
        frames = detection_cubes(detection, cube)
        cells = pd.concat([frames[m].assign(detection=m) for m in DETECTIONS], ignore_index=True)
        controls.append("detection")
    else:
        cells = cube.loc[cube["area"] == TOTAL]
    cells = cells.loc[cells["age_band"].isin(config.youth_bands)
                      & cells["gender"].isin([WOMEN, MEN])]  # fmt: skip
    pop = pd.to_numeric(cells["population"], errors="coerce")
    # a cell without population, or with more persons than inhabitants, has no rate
    cells = cells.loc[(pop > 0) & (cells["persons"] <= pop)].reset_index(drop=True)
    cells = cells.assign(population=pd.to_numeric(cells["population"]).astype(np.int64))
    keys = [*controls, "gender"]
    return cells.astype({k: str for k in keys}), controls


def _metric_frame(y: np.ndarray, w: np.ndarray, gender: pd.Series,
                  controls: pd.DataFrame) -> Any:  # fmt: skip
    from fairlearn.metrics import MetricFrame, selection_rate

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # 0/0 rates of groups with no one
        return MetricFrame(metrics={"selection_rate": selection_rate}, y_true=y, y_pred=y,
                           sensitive_features=gender, control_features=controls,
                           sample_params={"selection_rate": {"sample_weight": w}})  # fmt: skip


def _pooled_parity(cells: pd.DataFrame) -> pd.DataFrame:
    """Per period, the youth bands pooled: the ratio (min/max) and difference (max-min) of
    the genders' rates ``persons / population``, which fairlearn's ``MetricFrame`` with the
    period as control feature and these weights gives (a second MetricFrame cost 0.4 s a
    release; ``tests/test_fairness.py`` compares the two)."""
    pooled = cells.groupby(["period", "gender"], observed=True, sort=True)[
        ["persons", "population"]].sum()  # fmt: skip
    rates = (pooled["persons"] / pooled["population"]).groupby(level="period", sort=True)
    with np.errstate(invalid="ignore", divide="ignore"):  # 0/0: no one reported
        ratio = rates.min() / rates.max()
    out = pd.DataFrame({"demographic_parity_ratio": ratio,
                        "demographic_parity_difference": rates.max() - rates.min()})
    out.index.name = "period"
    return float64_columns(out.reset_index(), "demographic_parity_ratio",
                           "demographic_parity_difference")  # fmt: skip


def selection_rates(
    cube: pd.DataFrame, *, config: Config, detection: pd.DataFrame | None = None
) -> ParityResult:
    """fairlearn ``MetricFrame`` of selection rates (reported per inhabitant) by gender.

    Each youth cell (period x youth band x gender, all areas; with ``detection`` also x mode,
    the population being that of the age and gender cell) becomes two weighted rows:
    reported (``y = 1``, weight ``persons``) and not reported (``y = 0``, weight
    ``population - persons``); the weights reach ``selection_rate`` through
    ``sample_params={"selection_rate": {"sample_weight": w}}``, so each group's rate is
    exactly ``persons / population``. Cells without population are left out.

    fairlearn's bootstrap intervals (``n_boot``) are NOT used: they resample these weighted
    rows (cells), not persons, so they describe no real sampling variation. The intervals
    are analytic, from the counts: Wilson for each rate, Katz for the women/men ratio,
    Newcombe for the difference. fairlearn's ratio (min/max) and difference (max-min) have no
    direction; the analytic columns say which gender is higher.
    """
    cells, controls = _parity_cells(cube, config, detection)
    overall = _pooled_parity(cells)
    last_label = str(overall["period"].iloc[-1]) if len(overall) else ""
    headline: dict[str, Any] = {"period": last_label, "demographic_parity_ratio": None,
                                "demographic_parity_difference": None}  # fmt: skip
    if len(overall):
        # fairlearn's demographic_parity_ratio / _difference of the last period's rows: the
        # same MetricFrame by period, so its last row (tests/test_fairness.py checks both)
        at_last = overall.iloc[-1]
        ratio, difference = at_last["demographic_parity_ratio"], at_last[
            "demographic_parity_difference"]  # fmt: skip
        finite = not pd.isna(ratio) and math.isfinite(float(ratio))
        headline["demographic_parity_ratio"] = float(ratio) if finite else None
        headline["demographic_parity_difference"] = (
            None if pd.isna(difference) else float(difference))  # fmt: skip
    return ParityResult(overall, headline, cells, tuple(controls))


def _fairlearn_tables(cells: pd.DataFrame,
                      controls: list[str]) -> tuple[Any, pd.DataFrame, pd.DataFrame]:  # fmt: skip
    """The ``MetricFrame``, the rate table and the parity table of :class:`ParityResult`."""
    from statsmodels.stats.proportion import confint_proportions_2indep

    rows = cells.loc[np.repeat(np.arange(len(cells)), 2)].reset_index(drop=True)
    y = np.tile([1, 0], len(cells))
    w = np.where(y == 1, rows["persons"], rows["population"] - rows["persons"]).astype(float)
    mf = _metric_frame(y, w, rows["gender"], rows[controls])
    rates = mf.by_group["selection_rate"].rename("estimate").reset_index()
    rates.columns = [*controls, "gender", "estimate"]
    # fairlearn reports every combination of the features; only those with cells have a rate
    table = rates.merge(cells[[*controls, "gender", "persons", "population"]],
                        on=[*controls, "gender"], how="inner")  # fmt: skip
    wil = wilson_table(table["persons"], table["population"])
    table = table.assign(ci_low=wil["ci_low"].to_numpy(), ci_high=wil["ci_high"].to_numpy(),
                         n=table["population"])  # fmt: skip
    wide = table.pivot_table(index=controls, columns="gender", values=["persons", "population"],
                             aggfunc="sum", sort=False).dropna()  # fmt: skip
    a, n1 = wide[("persons", WOMEN)].to_numpy(float), wide[("population", WOMEN)].to_numpy(float)
    b, n0 = wide[("persons", MEN)].to_numpy(float), wide[("population", MEN)].to_numpy(float)
    rr = rate_ratio_table(a, n1, b, n0)
    diff = np.array([
        confint_proportions_2indep(ai, ni, bi, mi, method="newcomb", compare="diff")
        for ai, ni, bi, mi in zip(a, n1, b, n0, strict=True)
    ]).reshape(-1, 2)  # fmt: skip
    analytic = wide.index.to_frame(index=False).assign(
        rate_ratio=rr["estimate"].to_numpy(), rr_ci_low=rr["ci_low"].to_numpy(),
        rr_ci_high=rr["ci_high"].to_numpy(), rate_difference=a / n1 - b / n0,
        diff_ci_low=diff[:, 0], diff_ci_high=diff[:, 1],
        reason=rr["reason"].to_numpy())  # fmt: skip
    parity = pd.DataFrame(
        {"ratio": mf.ratio()["selection_rate"], "difference": mf.difference()["selection_rate"]}
    )
    parity = parity.reset_index()
    parity.columns = [*controls, "ratio", "difference"]
    parity = float64_columns(parity.merge(analytic, on=controls, how="left"), "ratio", "difference",
                       "rate_ratio", "rr_ci_low", "rr_ci_high", "rate_difference",
                       "diff_ci_low", "diff_ci_high")  # fmt: skip
    return mf, float64_columns(table, "estimate"), parity
