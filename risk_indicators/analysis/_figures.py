"""The tidy table of every figure of a follow-up, computed once, with the counts each uses.

:func:`figure_table` is the single source of every published number (like pyfixest's
``tidy()``): one row per figure, with ``table`` (the public table it belongs to), ``figure``
(its id or column), ``scope`` (``period``, ``same_period_last_year``, ``rolling_12_months``
or ``all_periods``), ``label`` (the period or window label), ``group`` (``total`` or a
detection mode), ``value``, ``ci_low``, ``ci_high``, ``n``, ``p_value`` and ``uses``: the
:class:`~risk_indicators.cube.CountName` of every count the figure is computed from. The
release publishes a figure exactly when every count it uses is published
(:class:`risk_indicators.release.Publication`); it selects and blanks, it computes nothing.

What each figure uses:

- a count figure uses itself (the young persons of a period are the derived count ``youth``
  of that period; a share of the young uses ``youth_women`` and ``youth_men``);
- per-period model values (the fitted trend and its band, the alarms' expected counts,
  thresholds and flags) use every count of the youth series: each is a function of all of
  them (a Poisson GLM with a season term reproduces the observed season sums; Farrington's
  expected counts are weighted means of earlier counts), so with one count hidden they
  would give it back by subtraction; a flag uses its own period's count too;
- the female-share trend uses every period's split of the young: its slope and interval,
  with the young per period, give back the sums of young women;
- whole-series summaries (the youth trend, the goal status) use no count (``n`` is the
  number of periods, never a sum of counts);
- standardised (Mantel-Haenszel) ratios use every stratum cell they sum;
- figures by detection mode use the detection split of the young (``detection:<mode>:<gender>``
  derived counts, not part of the audited cube: the release shows them only when each is 0
  or at least T);
- the smallest detectable change uses the 12-month split it is computed from; the
  decomposition sentence the splits of both 12-month windows it compares.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
import pandas as pd

from risk_indicators.config import Config
from risk_indicators.cube import TOTAL, CountName, window_block
from risk_indicators.fairness import DETECTIONS, FairnessResult
from risk_indicators.periods import Period, window_label
from risk_indicators.stats import Indicator, YouthStatistics, poisson_rate_table, wilson_table

from ._periods import detail_periods

__all__ = ["FIGURE_COLUMNS", "SCOPES", "WHOLE_SERIES", "detection_counts", "figure_table"]

SCOPES = ("period", "same_period_last_year", "rolling_12_months")
#: Indicators that summarise every period up to P (scope ``all_periods`` in public tables).
WHOLE_SERIES = ("youth_trend_annual_change", "female_share_youth_trend",
                "youth_trend_annual_change_effort_adjusted")  # fmt: skip
FIGURE_COLUMNS = ["table", "figure", "scope", "label", "group", "value", "ci_low", "ci_high",
                  "n", "p_value", "uses"]  # fmt: skip
_GENDER_OF = {"women": "kvinna", "men": "man", "persons": TOTAL}


def _youth(block: str, name: str = "youth") -> CountName:
    return CountName.derived_count(name, block)


def _split(block: str) -> tuple[CountName, ...]:
    return (_youth(block, "youth_women"), _youth(block, "youth_men"))


def detection_counts(period: str) -> tuple[CountName, ...]:
    """The detection split of the young in ``period``: one derived count per mode and gender."""
    return tuple(
        CountName.derived_count(f"detection:{mode}:{gender}", period)
        for mode in DETECTIONS
        for gender in ("kvinna", "man")
    )


def _uses(names: Iterable[str], block: str) -> tuple[CountName, ...]:
    """The counts of :func:`risk_indicators.stats.count_refs` names in a block."""
    out = []
    for name in names:
        if name in _GENDER_OF:
            out.append(CountName("persons", block, gender=_GENDER_OF[name]))
        else:  # youth, youth_women, youth_men, new_youth: sums of youth bands
            out.append(_youth(block, name))
    return tuple(out)


class _Rows:
    """Collects figure rows."""

    def __init__(self) -> None:
        self.rows: list[dict[str, Any]] = []

    def add(self, table: str, figure: str, scope: str, label: str, value: Any,
            uses: Sequence[CountName], *, ci_low: Any = None, ci_high: Any = None,
            n: Any = None, p_value: Any = None, group: str = TOTAL) -> None:  # fmt: skip
        self.rows.append({"table": table, "figure": figure, "scope": scope, "label": label,
                          "group": group, "value": value, "ci_low": ci_low, "ci_high": ci_high,
                          "n": n, "p_value": p_value, "uses": tuple(uses)})  # fmt: skip


def figure_table(
    *,
    period: Period,
    config: Config,
    results: dict[str, dict[str, Indicator]],
    labels: dict[str, str],
    youth: YouthStatistics,
    fairness: FairnessResult,
    cube_periods: Sequence[str],
    areas: Sequence[str],
    windows: Sequence[Period] = (),
    noise_variance: float = 0.0,
) -> pd.DataFrame:
    """Every figure of one analysis (see the module docstring), one row each.

    Parameters
    ----------
    period
        The analysed period P.
    config
        Youth bands and the gender goal.
    results, labels
        The indicators of each scope and the scope's period or window label.
    youth
        Trend, comparison and alarms of the youth series.
    fairness
        Every gender figure.
    cube_periods
        The periods of the cube, in order.
    areas
        The areas of the cube (the Mantel-Haenszel strata).
    windows
        The last periods of the 12-month windows the follow-up reports
        (:func:`~risk_indicators.analysis.followup_windows`).
    noise_variance
        Of a count of the young when the counts are perturbed (the cell-key method,
        :func:`~risk_indicators.stats.noise_variance`): widens the per-period intervals.
    """
    rows = _Rows()
    blocks = {p: p for p in cube_periods}
    for end in windows:
        blocks[window_label(end)] = window_block([q.code for q in end.window()])
    labels_w = [window_label(end) for end in windows]
    all_splits = tuple(u for p in cube_periods for u in _split(p))
    # the goal rests on its yearly 12-month windows (from the baseline on; counts mode: on
    # every period's split)
    goal_labels = [str(lab) for lab in fairness.goal.windows["label"] if lab in labels_w]
    yearly_splits = (tuple(u for lab in goal_labels for u in _split(blocks[lab]))
                     if labels_w else all_splits)  # fmt: skip
    for scope in SCOPES:
        if scope not in results:
            continue
        label = labels[scope]
        block = blocks.get(label, label)
        for ind_id, ind in results[scope].items():
            # P's own ids of the 12-month figures rest on the window ending with P
            own = blocks.get(window_label(period), block) if ind_id.endswith("_12m") else block
            if ind_id == "female_share_youth_trend":
                uses = all_splits
            elif ind_id == "goal_status":
                uses = yearly_splits
            else:
                uses = _uses(ind.uses, own)
            rows.add("indicators", ind_id, scope, label, ind.value, uses, ci_low=ind.ci_low,
                     ci_high=ind.ci_high, n=ind.n)  # fmt: skip
    _youth_rows(rows, youth, noise_variance)
    _share_rows(rows, youth, fairness, labels_w, blocks, detail_periods(period, cube_periods),
                noise_variance)  # fmt: skip
    _comparison_rows(rows, youth, period)
    _fairness_rows(rows, fairness, period, config, areas, all_splits)
    _goal_rows(rows, fairness, period, blocks, yearly_splits)
    for r in youth.trend.table.to_dict("records"):
        rows.add("trend", str(r["term"]), "all_periods", period.code, r["estimate"], (),
                 ci_low=r["ci_low"], ci_high=r["ci_high"], n=r["n"],
                 p_value=r["p_value"])  # fmt: skip
    return pd.DataFrame(rows.rows, columns=FIGURE_COLUMNS)


def _youth_rows(rows: _Rows, youth: YouthStatistics, noise: float) -> None:
    s = youth.series
    pop = s["population"].astype("Float64")
    rates = poisson_rate_table(s["persons"].to_numpy(), pop.fillna(0).to_numpy(dtype=float),
                               noise_variance=noise)  # fmt: skip
    fitted = youth.trend.fitted.set_index("period")
    scale = 10_000 / pop.to_numpy(dtype=float, na_value=np.nan)
    alarms = youth.alarms.table.set_index("period") if youth.alarms is not None else None
    series = tuple(_youth(str(p)) for p in s.index)
    for i, p in enumerate(str(q) for q in s.index):
        own = (_youth(p),)
        rows.add("youth_by_period", "persons_youth", "period", p, s["persons"].iloc[i], own)
        rows.add("youth_by_period", "population_youth", "period", p, s["population"].iloc[i], ())
        rows.add("youth_by_period", "rate_per_10k", "period", p, rates["estimate"].iloc[i], own,
                 ci_low=rates["ci_low"].iloc[i], ci_high=rates["ci_high"].iloc[i])  # fmt: skip
        f = fitted.reindex([p]).iloc[0] if p in fitted.index else None

        def scaled(col: str, f: Any = f, i: int = i) -> Any:
            if f is None:
                return None
            v = float(f[col]) * scale[i] if not pd.isna(f[col]) else np.nan
            return v if np.isfinite(v) else None

        rows.add("youth_by_period", "fitted_rate", "period", p, scaled("fitted"), series,
                 ci_low=scaled("ci_low"), ci_high=scaled("ci_high"))  # fmt: skip
        a = alarms.loc[p] if alarms is not None and p in alarms.index else None
        for col in ("expected", "upperbound"):
            rows.add("youth_by_period", col, "period", p, None if a is None else a[col], series)
        flag = None if a is None or pd.isna(a["alarm"]) else bool(a["alarm"])
        rows.add("youth_by_period", "alarm", "period", p, flag, own + series)


def _share_rows(rows: _Rows, youth: YouthStatistics, fairness: FairnessResult,
                windows: Sequence[str], blocks: dict[str, str],
                periods: Sequence[str], noise: float) -> None:  # fmt: skip
    """The female share of the young in the periods broken down and in the reported
    12-month windows."""
    entries = [("period", str(p), int(r["women"]), int(r["men"]))
               for p, r in youth.series.iterrows() if str(p) in periods]  # fmt: skip
    shares = fairness.window_shares.table if fairness.window_shares is not None else None
    for label in windows:
        if shares is None:
            break
        r = shares.loc[shares["period"] == label].iloc[0]
        entries.append(("rolling_12_months", label, int(r["women"]), int(r["men"])))
    if not entries:
        return
    women = np.array([e[2] for e in entries])
    men = np.array([e[3] for e in entries])
    ci = wilson_table(women, women + men, noise_variance=noise)
    for k, (scope, label, w, m) in enumerate(entries):
        uses = _split(blocks.get(label, label))
        rows.add("female_share", "women", scope, label, w, uses)
        rows.add("female_share", "men", scope, label, m, uses)
        rows.add("female_share", "share", scope, label, ci["estimate"].iloc[k], uses,
                 ci_low=ci["ci_low"].iloc[k], ci_high=ci["ci_high"].iloc[k])  # fmt: skip


def _comparison_rows(rows: _Rows, youth: YouthStatistics, period: Period) -> None:
    back = [period.shift(-k * period.freq).code for k in (1, 2, 3)]
    needed = {"previous_year": [period.code, back[0]], "previous_3_years": [period.code, *back]}
    for r in youth.comparison.to_dict("records"):
        uses = tuple(_youth(c) for c in needed[str(r["comparison"])])
        rows.add("comparison", str(r["comparison"]), "period", period.code, r["estimate"], uses,
                 ci_low=r["ci_low"], ci_high=r["ci_high"], p_value=r["p_value"])  # fmt: skip


def _fairness_rows(rows: _Rows, fairness: FairnessResult, period: Period, config: Config,
                   areas: Sequence[str], all_splits: tuple[CountName, ...]) -> None:  # fmt: skip
    p = period.code
    split = _split(p)
    strata = tuple(CountName("persons", p, a, b, g) for a in sorted(areas)
                   for b in config.youth_bands for g in ("kvinna", "man"))  # fmt: skip
    table = fairness.report_table()
    window = window_block([q.code for q in period.window()])
    for r in table.to_dict("records"):
        measure, scope = str(r["measure"]), str(r["scope"])
        n = r["n"]
        if measure in ("female_share_youth", "female_share"):
            block = window if scope == "rolling_12_months" else p
            uses = _uses(["youth_women", "youth_men"] if measure == "female_share_youth"
                         else ["women", "men"], block)  # fmt: skip
        elif measure == "female_share_youth_trend":
            # the trend's n is its number of periods, as for the youth trend: the number of
            # young women and men over all periods would give back a hidden period's count
            uses, n, scope = all_splits, fairness.trend.periods, "all_periods"
        elif measure == "rate_ratio_mantel_haenszel":
            uses = split + strata
        elif measure == "female_share_by_detection":
            uses = split + detection_counts(p)
        else:
            uses = split
        label = window if scope == "rolling_12_months" else p
        rows.add("fairness", measure, scope, label, r["estimate"], uses, ci_low=r["ci_low"],
                 ci_high=r["ci_high"], n=n, p_value=r["p_value"],
                 group=str(r["group"]))  # fmt: skip


def _goal_rows(rows: _Rows, fairness: FairnessResult, period: Period,
               blocks: dict[str, str], yearly: tuple[CountName, ...]) -> None:  # fmt: skip
    current = window_block([q.code for q in period.window()])
    goal = fairness.report_goal()
    rows.add("goal", "min_detectable_change", "rolling_12_months", period.code,
             goal["min_detectable_change"], _split(current))  # fmt: skip
    # the assessment's numbers are functions of the yearly windows' splits
    g = fairness.goal
    for key, value in (
        ("probability", g.probability),
        ("projected", g.projected),
        ("persons_needed_per_year", g.persons_needed_per_year),
        ("persons_per_year", g.persons_per_year if len(g.windows) else None),
    ):
        rows.add("goal", key, "all_periods", period.code, value, yearly,
                 ci_low=g.projected_low if key == "projected" else None,
                 ci_high=g.projected_high if key == "projected" else None)  # fmt: skip
    d = fairness.decomposition
    if d is None:
        return
    # the sentence quotes both labels' counts of young women and men
    both = _split(blocks.get(d.start, d.start)) + _split(blocks.get(d.end, d.end))
    language = fairness.config.language
    for key, plain in (("decomposition", False), ("decomposition_plain", True)):
        rows.add("sentence", key, "rolling_12_months", period.code,
                 d.sentence(language, plain=plain), both)  # fmt: skip
