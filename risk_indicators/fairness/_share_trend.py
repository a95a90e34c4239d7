"""The trend of the female share among young persons: a binomial GLM on time in years.

Private to :mod:`risk_indicators.fairness.goal`, which re-exports :class:`ShareTrendResult` and
:func:`female_share_youth_trend` (CONTRACT 4): ``logit(share) ~ time_in_years`` over every
period up to P that has young women or men (women successes, men failures), Wald 95%
interval; the value is the change per year in the log-odds, ``exp`` of it the odds ratio per
year. :meth:`ShareTrendResult.projected` carries the fitted share to any period, which the
goal status uses to judge whether the share is on track.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy import special, stats
from statsmodels.genmod import families
from statsmodels.genmod.generalized_linear_model import GLM

from risk_indicators.config import Config
from risk_indicators.errors import UsageError
from risk_indicators.periods import parse_period
from risk_indicators.stats import fit_warnings_ignored

from ._gender_counts import COLOURS, gender_counts, period_of

__all__ = ["MIN_YEARS", "ShareTrendResult", "female_share_youth_trend"]

Z95 = float(stats.norm.isf(0.025))
MIN_YEARS = 2


@dataclass(frozen=True)
class ShareTrendResult:
    """Trend of the female share: logistic regression of women vs men on time in years.

    Attributes
    ----------
    estimate, ci_low, ci_high, p_value
        Change per year in the log-odds of the share (Wald z interval and test); None when
        ``status`` is ``insufficient_data``.
    odds_ratio, or_ci_low, or_ci_high
        ``exp`` of the above: the factor by which the odds women:men change per year.
    intercept
        Log-odds at ``time_in_years = 0`` (the first period of the cube).
    cov
        2x2 covariance of (intercept, slope), as nested tuples.
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

    def projected(self, period: str, *, alpha: float = 0.05) -> tuple[float, float, float] | None:
        """Fitted share at any period (also a future one) with its Wald interval."""
        if self.intercept is None or self.estimate is None or self.cov is None:
            return None
        t = (parse_period(period).ordinal - parse_period(self.first_period).ordinal) / self.freq
        x = np.array([1.0, t])
        eta = self.intercept + self.estimate * t
        se = math.sqrt(float(x @ np.array(self.cov) @ x))
        z = float(stats.norm.isf(alpha / 2))
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
                 reason: str) -> ShareTrendResult:  # fmt: skip
    na = pd.array([pd.NA, pd.NA], dtype="Float64")
    n = int(series["women"].sum() + series["men"].sum())
    table = pd.DataFrame({"term": ["log_odds_per_year", "odds_ratio_per_year"], "estimate": na,
                          "ci_low": na, "ci_high": na, "p_value": na, "n": [n, n]})  # fmt: skip
    fitted = _fitted_frame(series, t, None, None)
    return ShareTrendResult(None, None, None, None, None, None, None, None, None, None, n,
                            len(series), freq, first, "insufficient_data", reason, table,
                            fitted)  # fmt: skip


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
) -> ShareTrendResult:
    """Change per year in the log-odds of ``female_share_youth`` (CONTRACT 4).

    Binomial GLM with logit link, ``logit(p_t) = b0 + b1 * time_in_years``, over every period
    up to P with at least one young woman or man (women are successes, men failures;
    ``time_in_years`` = periods since the first period of the cube / periods per year); Wald
    ``b1 +- z * se`` interval and z test. Assumes the persons of a period are independent
    with a common share that moves linearly on the logit scale; the Pearson dispersion is
    reported, not used (CONTRACT 4 asks for the binomial Wald interval).

    ``insufficient_data`` (with the reason) when the periods from the first in the cube to P
    span fewer than ``min_years`` years, fewer than 2 periods have young persons, no young
    woman or no young man is reported at all, or women and men are separated in time (all
    women at or after the last man, or at or before the first), where the slope is infinite.

    Examples
    --------
    Two periods a year apart: the slope is the difference of the two log-odds,
    ``log(4/16) - log(2/18) = log(2.25)``.
    """
    func = "female_share_youth_trend"
    if not 0 < alpha < 1:
        raise UsageError(f"The 'alpha' parameter of {func} must be in (0, 1). Got {alpha!r}.")
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
    elif len(series) < 2:
        reason = "insufficient data: fewer than 2 periods have young women or men"
    elif w.sum() == 0 or m.sum() == 0:
        who = "woman" if w.sum() == 0 else "man"
        reason = f"insufficient data: no young {who} is reported, the log-odds are infinite"
    elif t[w > 0].min() >= t[m > 0].max() or t[w > 0].max() <= t[m > 0].min():
        reason = ("insufficient data: women and men are reported in separate periods of time, "
                  "so the slope is infinite")  # fmt: skip
    if reason:
        return _trend_empty(series, t, freq, first.code, reason)
    X = np.column_stack([np.ones(len(t)), t])
    with fit_warnings_ignored():
        res = GLM(np.column_stack([w, m]), X, family=families.Binomial()).fit(tol=1e-12)
    params = np.asarray(res.params, dtype=float)
    if not res.converged or not np.all(np.isfinite(params)):
        return _trend_empty(series, t, freq, first.code, "insufficient data: no convergence")
    p = special.expit(X @ params)
    nn = w + m
    # inverse Fisher information at the estimate itself
    cov = np.linalg.inv(X.T @ ((nn * p * (1 - p))[:, None] * X))
    z = float(stats.norm.isf(alpha / 2))
    b, se = float(params[1]), math.sqrt(float(cov[1, 1]))
    low, high, pv = b - z * se, b + z * se, float(2 * stats.norm.sf(abs(b / se)))
    df = len(t) - 2
    disp = float(np.sum((w - nn * p) ** 2 / (nn * p * (1 - p)))) / df if df > 0 else None
    n = int(nn.sum())
    table = pd.DataFrame({"term": ["log_odds_per_year", "odds_ratio_per_year"],
                          "estimate": [b, math.exp(b)], "ci_low": [low, math.exp(low)],
                          "ci_high": [high, math.exp(high)], "p_value": [pv, pv],
                          "n": [n, n]})  # fmt: skip
    cov_t = ((float(cov[0, 0]), float(cov[0, 1])), (float(cov[1, 0]), float(cov[1, 1])))
    return ShareTrendResult(b, low, high, pv, math.exp(b), math.exp(low), math.exp(high),
                            float(params[0]), cov_t, disp, n, len(series), freq, first.code,
                            "ok", "", table, _fitted_frame(series, t, params, cov, z))  # fmt: skip
