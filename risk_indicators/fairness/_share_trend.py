"""The trend of the female share among young persons: a logistic trend on time in years.

Private to :mod:`risk_indicators.fairness.goal`, which re-exports :class:`ShareTrendResult` and
:func:`female_share_youth_trend` (CONTRACT 4, changed by issue 15): ``logit(share) ~
time_in_years`` over every period up to P that has young women or men (women successes, men
failures), quasi-binomial by default (dispersion floored at 1, t interval with the residual
degrees of freedom; :mod:`._logit_trend`), the binomial Wald interval of the contract with
``method="binomial"``; the value is the change per year in the log-odds, ``exp`` of it the
odds ratio per year. :meth:`ShareTrendResult.projected` carries the fitted share to any period.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy import special, stats

from risk_indicators.config import Config
from risk_indicators.errors import UsageError
from risk_indicators.periods import parse_period

from ._gender_counts import COLOURS, gender_counts, period_of
from ._logit_trend import LogitFit, TrendMethod, fit_logit_trend, logit_trend_problem

__all__ = ["MIN_YEARS", "ShareTrendResult", "female_share_youth_trend"]

Z95 = float(stats.norm.isf(0.025))
MIN_YEARS = 2


@dataclass(frozen=True)
class ShareTrendResult:
    """Trend of the female share: logistic regression of women vs men on time in years.

    Attributes
    ----------
    estimate, ci_low, ci_high, p_value
        Change per year in the log-odds of the share (quasi-binomial: t interval and test
        with ``df`` degrees of freedom; binomial: Wald z); None when ``status`` is
        ``insufficient_data``.
    odds_ratio, or_ci_low, or_ci_high
        ``exp`` of the above: the factor by which the odds women:men change per year.
    intercept
        Log-odds at ``time_in_years = 0`` (the first period of the cube).
    cov
        2x2 covariance of (intercept, slope), as nested tuples (scaled by ``dispersion``).
    dispersion
        The Pearson dispersion ``X2 / df`` of the binomial fit (None with 2 periods); the
        quasi-binomial covariance uses ``max(1, dispersion)``.
    method, df
        ``"quasi"`` or ``"binomial"``; the t distribution's degrees of freedom (None: normal).
    n
        Young women and men over the periods used; ``periods`` their number.
    fitted
        ``period, time_in_years, women, men, share, fitted, ci_low, ci_high`` (fitted share
        and its pointwise Wald band, computed on the logit scale).
    """

    estimate: float | None
    ci_low: float | None
    ci_high: float | None
    p_value: float | None
    odds_ratio: float | None
    or_ci_low: float | None
    or_ci_high: float | None
    intercept: float | None
    cov: tuple[tuple[float, float], tuple[float, float]] | None
    dispersion: float | None
    n: int
    periods: int
    freq: int
    first_period: str
    status: str
    reason: str
    table: pd.DataFrame
    fitted: pd.DataFrame
    method: TrendMethod = "quasi"
    df: int | None = None

    def projected(self, period: str, *, alpha: float = 0.05) -> tuple[float, float, float] | None:
        """Fitted share at any period (also a future one) with its Wald interval."""
        if self.intercept is None or self.estimate is None or self.cov is None:
            return None
        t = (parse_period(period).ordinal - parse_period(self.first_period).ordinal) / self.freq
        x = np.array([1.0, t])
        eta = self.intercept + self.estimate * t
        se = math.sqrt(float(x @ np.array(self.cov) @ x))
        z = float(stats.norm.isf(alpha / 2) if self.df is None else stats.t.isf(alpha / 2, self.df))
        return (
            float(special.expit(eta)),
            float(special.expit(eta - z * se)),
            float(special.expit(eta + z * se)),
        )

    def summary(self) -> str:
        head = f"Female share trend ({self.periods} periods, {self.n} young women and men): "
        if self.estimate is None:
            return head + self.reason
        return head + (
            f"{self.estimate:+.3f} log-odds per year (CI {self.ci_low:+.3f} to "
            f"{self.ci_high:+.3f}, p = {self.p_value:.3g}); odds ratio per year "
            f"{self.odds_ratio:.3f} (CI {self.or_ci_low:.3f} to {self.or_ci_high:.3f})"
        )

    def plot(self, ax: Any = None) -> Any:
        """Observed share per period (points sized by n) and the fitted logistic trend."""
        import matplotlib.pyplot as plt

        if ax is None:
            _, ax = plt.subplots(figsize=(7, 3.5))
        f = self.fitted
        x = np.arange(len(f))
        n = (f["women"] + f["men"]).to_numpy(float)
        share = f["share"].to_numpy(float, na_value=np.nan)
        ax.scatter(x, share, s=8 + 2 * n, color=COLOURS["kvinna"], label="observed share")
        if self.status == "ok":
            ax.plot(x, f["fitted"].to_numpy(float), color="black", label="fitted trend")
            ax.fill_between(x, f["ci_low"].to_numpy(float), f["ci_high"].to_numpy(float),
                            color="grey", alpha=0.25, label="95% band")  # fmt: skip
        ax.set_xticks(x, list(f["period"]), rotation=90)
        ax.set_ylim(0, 1)
        ax.set_ylabel("female share")
        ax.set_title(self.summary(), fontsize=7)
        ax.legend(fontsize=8, frameon=False)
        return ax


def _trend_empty(series: pd.DataFrame, t: np.ndarray, freq: int, first: str,
                 reason: str, method: TrendMethod) -> ShareTrendResult:  # fmt: skip
    na = pd.array([pd.NA, pd.NA], dtype="Float64")
    n = int(series["women"].sum() + series["men"].sum())
    table = pd.DataFrame({"term": ["log_odds_per_year", "odds_ratio_per_year"], "estimate": na,
                          "ci_low": na, "ci_high": na, "p_value": na, "n": [n, n]})  # fmt: skip
    fitted = _fitted_frame(series, t, None, None)
    return ShareTrendResult(None, None, None, None, None, None, None, None, None, None, n,
                            len(series), freq, first, "insufficient_data", reason, table,
                            fitted, method)  # fmt: skip


def _fitted_frame(series: pd.DataFrame, t: np.ndarray, params: np.ndarray | None,
                  cov: np.ndarray | None, z: float = Z95) -> pd.DataFrame:  # fmt: skip
    w, m = series["women"].to_numpy(np.int64), series["men"].to_numpy(np.int64)
    tot = w + m
    share = pd.array(np.where(tot > 0, w / np.maximum(tot, 1), np.nan), dtype="Float64")
    out = pd.DataFrame({"period": series["period"].to_numpy(), "time_in_years": t,
                        "women": w, "men": m, "share": share})  # fmt: skip
    na = pd.array([pd.NA] * len(t), dtype="Float64")
    if params is None or cov is None:
        return out.assign(fitted=na, ci_low=na, ci_high=na)
    X = np.column_stack([np.ones(len(t)), t])
    eta = X @ params
    se = np.sqrt(np.einsum("ij,jk,ik->i", X, cov, X))
    return out.assign(fitted=special.expit(eta), ci_low=special.expit(eta - z * se),
                      ci_high=special.expit(eta + z * se))  # fmt: skip


def female_share_youth_trend(
    cube: pd.DataFrame,
    period: str | None = None,
    *,
    config: Config,
    alpha: float = 0.05,
    min_years: int = MIN_YEARS,
    youth: bool = True,
    method: TrendMethod = "quasi",
) -> ShareTrendResult:
    """Change per year in the log-odds of ``female_share_youth`` (CONTRACT 4, issue 15).

    Logistic regression ``logit(p_t) = b0 + b1 * time_in_years`` over every period up to P
    with at least one young woman or man (women are successes, men failures;
    ``time_in_years`` = periods since the first period of the cube / periods per year).
    ``method="quasi"`` (default): quasi-binomial, the covariance times ``max(1, X2/df)`` and
    a t interval and test with ``df = periods - 2`` (R ``glm(..., family = quasibinomial)``
    with the dispersion floored at 1); ``method="binomial"``: the Wald ``b1 +- z * se`` of the
    contract. Assumes the periods are independent given the trend (a person reported in two
    periods counts in both; the dispersion absorbs part of that); the extra variation from
    period to period is taken as proportional to binomial variance.

    ``insufficient_data`` (with the reason) when the periods from the first in the cube to P
    span fewer than ``min_years`` years, fewer than 2 periods (quasi: 3) have young persons,
    no young woman or no young man is reported at all, or women and men are separated in time
    (all women at or after the last man, or at or before the first), where the slope is
    infinite.

    Examples
    --------
    Two periods a year apart (binomial): the slope is the difference of the two log-odds,
    ``log(4/16) - log(2/18) = log(2.25)``.
    """
    func = "female_share_youth_trend"
    if not 0 < alpha < 1:
        raise UsageError(f"The 'alpha' parameter of {func} must be in (0, 1). Got {alpha!r}.")
    if method not in ("quasi", "binomial"):
        raise UsageError(f"The 'method' parameter of {func} must be 'quasi' or 'binomial'. "
                         f"Got {method!r} instead.")  # fmt: skip
    labels = list(dict.fromkeys(cube["period"]))
    period = str(labels[-1]) if period is None else period
    if period not in labels:
        raise UsageError(f"The period {period!r} given to {func} is not in the cube.")
    labels = labels[: labels.index(period) + 1]
    counts = gender_counts(cube, config=config, youth=youth, periods=labels)
    first = period_of(labels[0])
    freq = first.freq
    t_all = np.array([(period_of(p).ordinal - first.ordinal) / freq for p in counts["period"]])
    used = (counts["women"] + counts["men"] > 0).to_numpy()
    series, t = counts.loc[used].reset_index(drop=True), t_all[used]
    w, m = series["women"].to_numpy(float), series["men"].to_numpy(float)
    reason = ""
    if len(labels) < min_years * freq:
        reason = (f"insufficient data: fewer than {min_years * freq} periods ({min_years} years) "
                  f"up to {period}")  # fmt: skip
    elif problem := logit_trend_problem(w, m, t, method=method):
        problem = problem.replace("points", "periods")
        reason = f"insufficient data: {problem}"
    fit = None if reason else fit_logit_trend(w, m, t, method=method)
    if fit is None:
        return _trend_empty(series, t, freq, first.code, reason or
                            "insufficient data: no convergence", method)  # fmt: skip
    return _trend_result(fit, series, t, freq, first.code, alpha)


def _trend_result(fit: LogitFit, series: pd.DataFrame, t: np.ndarray, freq: int, first: str,
                  alpha: float) -> ShareTrendResult:  # fmt: skip
    b, low, high, pv = fit.slope(alpha=alpha)
    n = int(series["women"].sum() + series["men"].sum())
    table = pd.DataFrame({"term": ["log_odds_per_year", "odds_ratio_per_year"],
                          "estimate": [b, math.exp(b)], "ci_low": [low, math.exp(low)],
                          "ci_high": [high, math.exp(high)], "p_value": [pv, pv],
                          "n": [n, n]})  # fmt: skip
    fitted = _fitted_frame(series, t, np.array(fit.params), np.array(fit.cov),
                           fit.quantile(alpha))  # fmt: skip
    return ShareTrendResult(b, low, high, pv, math.exp(b), math.exp(low), math.exp(high),
                            fit.params[0], fit.cov, fit.pearson_dispersion, n, len(series),
                            freq, first, "ok", "", table, fitted, fit.method,
                            fit.df)  # fmt: skip
