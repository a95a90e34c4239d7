"""A logistic trend of a share on time, binomial or quasi-binomial: the fit both the
female-share trend (per period) and the goal assessment (per 12-month window) use.

Quasi-binomial (the default): the binomial GLM's estimates, their covariance multiplied by
the dispersion ``phi = max(1, X2 / df)`` (Pearson chi-square over the residual degrees of
freedom, floored at 1 so that a series that varies less than binomial is not credited with
extra precision), and intervals and tests from Student's t with ``df`` degrees of freedom.
This is R's ``glm(cbind(w, m) ~ t, family = quasibinomial)`` with the floor. Why: the share
of women among the young moves from period to period more than binomial sampling alone
allows (police operations, one group of friends reported together), and the binomial Wald
interval then covers the slope only 88-93 % of the time (issue 15). The t quantile with few
degrees of freedom pays for the dispersion estimated from few points.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

import numpy as np
from scipy import special, stats
from statsmodels.genmod import families
from statsmodels.genmod.generalized_linear_model import GLM

from risk_indicators.stats import fit_warnings_ignored

__all__ = ["LogitFit", "TrendMethod", "fit_logit_trend", "logit_trend_problem"]

TrendMethod = Literal["quasi", "binomial"]


@dataclass(frozen=True)
class LogitFit:
    """``logit(share) = b0 + b1 * t``: estimates, covariance (scaled by ``dispersion``), and
    the reference distribution of its intervals (``df`` None: normal, else Student's t)."""

    params: tuple[float, float]
    cov: tuple[tuple[float, float], tuple[float, float]]
    dispersion: float
    pearson_dispersion: float | None
    df: int | None
    method: TrendMethod

    def quantile(self, alpha: float) -> float:
        """The two-sided ``1 - alpha`` quantile of the reference distribution."""
        if self.df is None:
            return float(stats.norm.isf(alpha / 2))
        return float(stats.t.isf(alpha / 2, self.df))

    def cdf(self, x: float) -> float:
        return float(stats.norm.cdf(x) if self.df is None else stats.t.cdf(x, self.df))

    def eta(self, t: float) -> tuple[float, float]:
        """Fitted log-odds at time ``t`` and its standard error."""
        x = np.array([1.0, t])
        var = float(x @ np.array(self.cov) @ x)
        return self.params[0] + self.params[1] * t, math.sqrt(max(var, 0.0))

    def share(self, t: float, *, alpha: float = 0.05) -> tuple[float, float, float]:
        """Fitted share at time ``t`` with its pointwise interval (on the logit scale)."""
        eta, se = self.eta(t)
        q = self.quantile(alpha)
        return (float(special.expit(eta)), float(special.expit(eta - q * se)),
                float(special.expit(eta + q * se)))  # fmt: skip

    def slope(self, *, alpha: float = 0.05) -> tuple[float, float, float, float]:
        """``b1`` with its interval and two-sided p-value."""
        b, se = self.params[1], math.sqrt(self.cov[1][1])
        q = self.quantile(alpha)
        p = 2 * (1 - self.cdf(abs(b) / se)) if se > 0 else float("nan")
        return b, b - q * se, b + q * se, float(p)


def logit_trend_problem(women: np.ndarray, men: np.ndarray, t: np.ndarray,
                        *, method: TrendMethod) -> str:  # fmt: skip
    """Why no logistic trend can be fitted to these points ("" when one can)."""
    used = (women + men) > 0
    w, m, t = women[used], men[used], t[used]
    need = 3 if method == "quasi" else 2
    if len(t) < need:
        return (f"fewer than {need} points have young women or men"
                + (" (the dispersion needs one more)" if method == "quasi" else ""))  # fmt: skip
    if w.sum() == 0 or m.sum() == 0:
        who = "woman" if w.sum() == 0 else "man"
        return f"no young {who} is reported, the log-odds are infinite"
    if t[w > 0].min() >= t[m > 0].max() or t[w > 0].max() <= t[m > 0].min():
        return "women and men are reported in separate periods of time, so the slope is infinite"
    return ""


def fit_logit_trend(women: np.ndarray, men: np.ndarray, t: np.ndarray, *,
                    method: TrendMethod = "quasi") -> LogitFit | None:  # fmt: skip
    """Fit ``logit(women / (women + men)) = b0 + b1 * t`` (see the module docstring).

    Points without young persons are left out. Returns None when the fit does not converge;
    call :func:`logit_trend_problem` first for the cases where no finite fit exists.

    Examples
    --------
    Two points: the line passes through both log-odds, ``b1 = log(4/16) - log(2/18)``.

    >>> f = fit_logit_trend(np.array([2, 4]), np.array([18, 16]), np.array([0.0, 1.0]),
    ...                     method="binomial")
    >>> round(f.params[1], 6), round(math.log(2.25), 6)
    (0.81093, 0.81093)
    """
    used = (women + men) > 0
    w, m = women[used].astype(float), men[used].astype(float)
    X = np.column_stack([np.ones(int(used.sum())), t[used].astype(float)])
    with fit_warnings_ignored():
        res = GLM(np.column_stack([w, m]), X, family=families.Binomial()).fit(tol=1e-12)
    params = np.asarray(res.params, dtype=float)
    if not res.converged or not np.all(np.isfinite(params)):
        return None
    p = special.expit(X @ params)
    nn = w + m
    # inverse Fisher information at the estimate itself
    cov = np.linalg.inv(X.T @ ((nn * p * (1 - p))[:, None] * X))
    df = len(nn) - 2
    pearson = float(np.sum((w - nn * p) ** 2 / (nn * p * (1 - p)))) / df if df > 0 else None
    if method == "quasi" and pearson is not None:
        phi, dist_df = max(1.0, pearson), df
    else:
        phi, dist_df = 1.0, None
    cov = cov * phi
    return LogitFit((float(params[0]), float(params[1])),
                    ((float(cov[0, 0]), float(cov[0, 1])), (float(cov[1, 0]), float(cov[1, 1]))),
                    phi, pearson, dist_df, method)  # fmt: skip
