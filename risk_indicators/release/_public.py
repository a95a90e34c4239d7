"""What may be published: disclosure control of an analysis and the public tables it allows.

:func:`protect_analysis` (from :mod:`risk_indicators.release._protection`, re-exported here)
protects every published count (the cube with margins, the rolling 12 months, the indicator
counts of every period and the rows used) with :func:`risk_indicators.disclosure.protect`.
:func:`public_tables` then builds the public tables under one rule (CONTRACT 5): a figure is
published only when every count it uses is published.
Model summaries over all periods (the trends' slopes, the goal status) are published, with
``n`` the number of periods. Per-period model values (fitted trend and band, the alarms'
expected counts, thresholds and flags) are functions of every count of the series (a Poisson
GLM with a season term reproduces the observed season sums; Farrington's expected counts are
weighted means of earlier counts), so they are published only when every youth count of the
series is; an alarm flag is shown only beside a published count.

Counts each public figure uses:

- period figures: the cube margins of all areas (persons, women, men) and the audited
  indicator counts ``youth``, ``youth_women``, ``youth_men`` (sums over the youth bands) and,
  for P, ``new_youth`` (between 0 and ``youth``);
- rolling 12 months (the window ending with P and the one a year earlier): the window margins
  of all areas and the audited youth counts of the window;
- standardised (Mantel-Haenszel) ratios: every stratum cell they sum;
- figures by detection mode: the detection split is not part of the audited cube, so they are
  shown only when every youth count of the split (women and men in each mode) is 0 or at least
  T; any difference an attacker can take is then a sum of such counts.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np
import pandas as pd

from risk_indicators.analysis import SCOPES, Analysis
from risk_indicators.disclosure import Protection, window_block
from risk_indicators.fairness import FairnessResult
from risk_indicators.periods import window_label
from risk_indicators.stats import count_refs, poisson_rate_table, wilson_table

from ._protection import (
    TOTAL,
    _window_periods,
    followup_priority,
    protect_analysis,
    published_windows,
)

__all__ = [
    "followup_priority",
    "protect_analysis",
    "public_tables",
    "published_windows",
    "suppressed_indicators",
]

#: Indicators that summarise every period up to P (scope ``all_periods`` in public tables).
WHOLE_SERIES = ("youth_trend_annual_change", "female_share_youth_trend")


def _blank(values: Any, ok: np.ndarray, dtype: str) -> Any:
    """``values`` as a nullable array with ``<NA>`` where ``ok`` is false (NaN too)."""
    numbers = pd.to_numeric(pd.Series(np.asarray(values, dtype=object)), errors="coerce")
    out = pd.array(numbers.to_numpy(dtype=float, na_value=np.nan), dtype="Float64")
    out[~np.asarray(ok, dtype=bool) | np.isnan(numbers.to_numpy(dtype=float))] = pd.NA
    return out.astype(dtype)  # type: ignore[call-overload]


class _Published:
    """Fast look-up of which counts a protection publishes."""

    def __init__(self, protection: Protection, blocks: dict[str, str] | None = None) -> None:
        self.blocks = blocks or {}
        t = protection.table
        shown = t["value"].notna().to_numpy()
        keys = zip(
            t["table"],
            t["period"],
            t["area"],
            t["age_band"],
            t["gender"],
            t["measure"],
            strict=True,
        )
        self._cells = {k: bool(s) for k, s in zip(keys, shown, strict=True)}

    def cell(
        self, table: str, period: str, area: str, band: str, gender: str, measure: str = "persons"
    ) -> bool:
        return self._cells.get((table, period, area, band, gender, measure), False)

    def indicator_count(self, period: str, name: str) -> bool:
        return self._cells.get(("indicator_counts", period, TOTAL, TOTAL, TOTAL, name), False)

    def ref(
        self, scope_table: str, label: str, name: str, bands: Iterable[str], gender: str
    ) -> bool:
        """A named count of :func:`indicators.count_refs`."""
        bands = tuple(bands)
        if bands == (TOTAL,):
            return self.cell(scope_table, label, TOTAL, TOTAL, gender)
        return self.indicator_count(self.blocks.get(label, label), name)


def _published(analysis: Analysis, protection: Protection) -> _Published:
    periods = _window_periods(analysis)
    return _Published(protection, {w: window_block(p) for w, p in periods.items()})


def suppressed_indicators(analysis: Analysis, protection: Protection) -> frozenset[tuple[str, str]]:
    """(scope, indicator id) pairs that use a suppressed count."""
    pub = _published(analysis, protection)
    out = set()
    for scope in SCOPES:
        if scope not in analysis.results:
            continue
        label = analysis.labels[scope]
        table = "rolling_12_months" if scope == "rolling_12_months" else "cube"
        refs = count_refs(label, config=analysis.config)
        for ind_id, ind in analysis.results[scope].items():
            for use in ind.uses:
                if use == "new_youth":
                    ok = pub.indicator_count(label, "new_youth")
                else:
                    r = refs[use]
                    ok = pub.ref(table, label, use, r.age_bands, r.gender)
                if not ok:
                    out.add((scope, ind_id))
    # The female-share trend's slope and interval, with the published young persons per
    # period, give back the model's sufficient statistics (the sums of young women and of
    # time x young women over all periods), and two releases a period apart give that
    # period's young women by subtraction (found by an attack review). So, although a
    # model summary, it is published only when every period's split of the young is.
    periods = [str(q) for q in analysis.cube["period"].unique()]
    split_public = all(
        pub.indicator_count(q, name) for q in periods for name in ("youth_women", "youth_men")
    )
    if not split_public:
        out.update((scope, "female_share_youth_trend") for scope in SCOPES)
    return frozenset(out)


def _long(protection: Protection, table: str) -> pd.DataFrame:
    t = protection.table.loc[protection.table["table"] == table]
    return pd.DataFrame(
        {
            "period": t["period"].to_numpy(),
            "area": t["area"].to_numpy(),
            "age_band": t["age_band"].to_numpy(),
            "gender": t["gender"].to_numpy(),
            "measure": t["measure"].to_numpy(),
            "value": t["value"].astype("Int64").to_numpy(),
            "suppressed": t["value"].isna().to_numpy(),
        }
    )


def _youth_by_period(analysis: Analysis, pub: _Published) -> pd.DataFrame:
    youth = analysis.youth
    assert youth is not None  # analyse always sets it
    s = youth.series
    ok = np.array([pub.indicator_count(str(p), "youth") for p in s.index])
    pop = s["population"].astype("Float64")
    rates = poisson_rate_table(s["persons"].to_numpy(), pop.fillna(0).to_numpy(dtype=float))
    fitted = youth.trend.fitted.set_index("period")
    # one hidden count of the series comes back from per-period model values by subtraction
    # (see the module docstring): they need every count of the series
    series_public = bool(ok.all())
    out = pd.DataFrame(
        {
            "period": [str(p) for p in s.index],
            "label": [str(p) for p in s.index],
            "persons_youth": _blank(s["persons"], ok, "Int64"),
            "population_youth": _blank(s["population"], np.ones(len(s), bool), "Int64"),
            "rate_per_10k": _blank(rates["estimate"], ok, "Float64"),
            "ci_low": _blank(rates["ci_low"], ok, "Float64"),
            "ci_high": _blank(rates["ci_high"], ok, "Float64"),
        }
    )
    scale = 10_000 / pop.to_numpy(dtype=float, na_value=np.nan)
    for col, src in (
        ("fitted_rate", "fitted"),
        ("fitted_low", "ci_low"),
        ("fitted_high", "ci_high"),
    ):
        values = fitted[src].reindex(out["period"]).to_numpy(dtype=float, na_value=np.nan)
        if not series_public:
            values = np.full(len(out), np.nan)
        out[col] = pd.array(
            np.where(np.isfinite(values * scale), values * scale, np.nan), dtype="Float64"
        )
    alarms = youth.alarms.table.set_index("period") if youth.alarms is not None else None
    for col in ("expected", "upperbound"):
        values = (
            alarms[col].reindex(out["period"]).to_numpy(dtype=float, na_value=np.nan)
            if alarms is not None and series_public
            else np.full(len(out), np.nan)
        )
        out[col] = pd.array(values, dtype="Float64")
    flags = (
        alarms["alarm"].reindex(out["period"])
        if alarms is not None
        else pd.Series([pd.NA] * len(out))
    )
    out["alarm"] = pd.array(
        [
            bool(f) if (k and series_public and not pd.isna(f)) else pd.NA
            for f, k in zip(flags, ok, strict=True)
        ],
        dtype="boolean",
    )
    out["suppressed"] = ~ok
    for col in out.columns:
        if out[col].dtype == "Float64":
            out[col] = out[col].fillna(pd.NA)
    return out


def _female_share(analysis: Analysis, pub: _Published) -> pd.DataFrame:
    rows: list[dict[str, Any]] = []
    s = analysis.youth.series if analysis.youth is not None else pd.DataFrame()
    for period, r in s.iterrows():
        ok = pub.indicator_count(str(period), "youth_women") and pub.indicator_count(
            str(period), "youth_men"
        )
        rows.append(
            {
                "scope": "period",
                "period": str(period),
                "women": int(r["women"]),
                "men": int(r["men"]),
                "ok": ok,
            }
        )
    w = published_windows(analysis)
    if w is not None:
        youth = w.loc[(w["area"] == TOTAL) & w["age_band"].isin(analysis.config.youth_bands)]
        sums = youth.groupby(["period", "gender"], sort=False)["persons"].sum()
        for label in w["period"].unique():
            block = pub.blocks.get(str(label), str(label))
            ok = pub.indicator_count(block, "youth_women") and pub.indicator_count(
                block, "youth_men"
            )
            rows.append(
                {
                    "scope": "rolling_12_months",
                    "period": str(label),
                    "women": int(sums[(label, "kvinna")]),
                    "men": int(sums[(label, "man")]),
                    "ok": ok,
                }
            )
    frame = pd.DataFrame(rows)
    if frame.empty:
        return pd.DataFrame(
            columns=[
                "scope",
                "period",
                "women",
                "men",
                "estimate",
                "ci_low",
                "ci_high",
                "suppressed",
            ]
        )
    ci = wilson_table(frame["women"].to_numpy(), (frame["women"] + frame["men"]).to_numpy())
    shown = frame["ok"].to_numpy(dtype=bool)
    out = pd.DataFrame({"scope": frame["scope"], "period": frame["period"]})
    for col in ("women", "men"):
        out[col] = _blank(frame[col], shown, "Int64")
    for col in ("estimate", "ci_low", "ci_high"):
        out[col] = _blank(ci[col], shown, "Float64")
    out["suppressed"] = ~shown
    return out


def _fairness_rows(
    analysis: Analysis,
    fairness: FairnessResult,
    pub: _Published,
    suppressed: frozenset[tuple[str, str]],
) -> pd.DataFrame:
    table = fairness.report_table().copy()
    p = analysis.period.code
    cfg = analysis.config
    youth_ok = pub.indicator_count(p, "youth_women") and pub.indicator_count(p, "youth_men")
    strata_ok = all(
        pub.cell("cube", p, a, b, g)
        for a in set(analysis.cube["area"])
        for b in cfg.youth_bands
        for g in ("kvinna", "man")
    )
    detection_ok = _detection_publishable(analysis)

    def allowed(measure: str, scope: str) -> bool:
        if measure in ("female_share_youth", "female_share"):
            return (scope, measure) not in suppressed
        if measure == "female_share_youth_trend":
            # a model summary, but with the young per period it gives its inputs back
            return ("period", measure) not in suppressed
        if measure == "rate_ratio_mantel_haenszel":
            return youth_ok and strata_ok
        if measure == "female_share_by_detection":
            return youth_ok and detection_ok
        return youth_ok

    ok = np.array([allowed(m, s) for m, s in zip(table["measure"], table["scope"], strict=True)])
    for col in ("estimate", "ci_low", "ci_high", "p_value"):
        table[col] = _blank(table[col], ok, "Float64")
    # the trend's n is its number of periods, as for the youth trend: the number of young
    # women and men over all periods would give back a hidden period's count by subtraction
    trend = (table["measure"] == "female_share_youth_trend").to_numpy()
    table.loc[trend, "n"] = fairness.trend.periods
    table.loc[trend & (table["scope"] == "period").to_numpy(), "scope"] = "all_periods"
    table["n"] = _blank(table["n"], ok, "Int64")
    table["suppressed"] = ~ok
    return table


def _detection_publishable(analysis: Analysis) -> bool:
    det = analysis.detection
    if det is None:
        return False
    t = analysis.config.disclosure.min_count
    cells = det.loc[
        (det["period"] == analysis.period.code)
        & det["age_band"].isin(analysis.config.youth_bands)
        & det["gender"].isin(["kvinna", "man"])
        & (det["detection"] != TOTAL)
    ]
    split = cells.groupby(["detection", "gender"])["persons"].sum()
    return bool(((split == 0) | (split >= t)).all())


def _comparison(analysis: Analysis, pub: _Published) -> pd.DataFrame:
    youth = analysis.youth
    assert youth is not None
    table = youth.comparison.copy()
    p = analysis.period
    needed = {
        "previous_year": [p.code, p.shift(-p.freq).code],
        "previous_3_years": [p.code] + [p.shift(-k * p.freq).code for k in (1, 2, 3)],
    }
    ok = np.array(
        [
            all(pub.indicator_count(c, "youth") for c in needed[str(name)])
            for name in table["comparison"]
        ]
    )
    out = table.loc[:, ["comparison", "estimate", "ci_low", "ci_high", "p_value"]].copy()
    for col in ("estimate", "ci_low", "ci_high", "p_value"):
        out[col] = _blank(out[col], ok, "Float64")
    out["suppressed"] = ~ok
    return out


def public_tables(
    analysis: Analysis, protection: Protection, fairness: FairnessResult
) -> tuple[dict[str, pd.DataFrame], frozenset[tuple[str, str]], bool]:
    """The public tables of CONTRACT 3, the suppressed indicators, and whether the
    decomposition sentence (it quotes 12-month counts) may be published."""
    pub = _published(analysis, protection)
    suppressed = suppressed_indicators(analysis, protection)
    indicators = []
    for scope in SCOPES:
        for ind_id, ind in analysis.results.get(scope, {}).items():
            hidden = (scope, ind_id) in suppressed
            value = ind.value if not hidden else None
            indicators.append(
                {
                    "scope": scope,
                    "label": analysis.labels[scope],
                    "id": ind_id,
                    "value": None
                    if value is None
                    else str(value)
                    if isinstance(value, str)
                    else float(value),
                    "ci_low": None if hidden else ind.ci_low,
                    "ci_high": None if hidden else ind.ci_high,
                    "n": None if hidden else ind.n,
                    "suppressed": hidden,
                }
            )
    # whole-series summaries are not figures of the period: label them so
    for row in indicators:
        if row["id"] in WHOLE_SERIES and row["scope"] == "period":
            row["scope"] = "all_periods"
    youth = analysis.youth
    assert youth is not None
    share = _female_share(analysis, pub)
    tables = {
        "youth_by_period": _youth_by_period(analysis, pub),
        "female_share": share,
        "indicators": pd.DataFrame(indicators),
        "cube": _long(protection, "cube"),
        "rolling_12_months": _long(protection, "rolling_12_months"),
        "trend": youth.trend.table.copy(),
        "comparison": _comparison(analysis, pub),
        "fairness": _fairness_rows(analysis, fairness, pub, suppressed),
    }
    p = analysis.period
    windows = {window_label(p), window_label(p.shift(-p.freq))}
    rows = share.loc[(share["scope"] == "rolling_12_months") & share["period"].isin(windows)]
    decomposition_ok = len(rows) == 2 and not rows["suppressed"].any()
    return tables, suppressed, decomposition_ok
