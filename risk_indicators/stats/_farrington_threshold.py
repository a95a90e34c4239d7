"""Numerical core of :func:`risk_indicators.stats.alarms.farrington_flexible` (private).

Ports, line by line, the pieces of R that decide the numbers of ``farringtonFlexible`` in
surveillance 1.20.3 (R 4.2.2):

- ``blocks`` and ``algo.farrington.data.glm``: the reference set of a period (integer epoch).
- ``algo.farrington.fitGLM.flexible`` and ``algo.farrington.glm``: fit, reweighting, the
  trend rule and the prediction at the evaluated period.

- ``stats::glm.fit`` for ``quasipoisson(link = "log")``: IRLS started at ``mu = y + 0.1``,
  stopped when ``|dev - devold| / (|dev| + 0.1) < 1e-8`` or after 25 iterations. R's own
  stopping point matters when a reference set is all zero: the intercept then runs towards
  minus infinity by one unit per iteration, and the expected count R reports (about 1e-10) is
  wherever the iterations stopped. statsmodels' GLM starts elsewhere and keeps different
  bookkeeping for the last step, so it agrees with R only to about 1e-6 on regular data and not
  at all on such boundary fits; this port reproduces R to rounding error.
- ``summary.glm``, ``predict.glm`` (standard errors) and ``hatvalues`` for that fit: they use
  the working weights of the last IRLS step and the working residuals ``(y - mu) / mu``.
- ``anscombe.residuals``, ``algo.farrington.assign.weights``,
  ``algo.farrington.threshold.farrington`` (the delta method of Farrington et al. 1996) and
  ``algo.farrington.threshold.noufaily`` (negative binomial quantiles of Noufaily et al. 2013).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import numpy.typing as npt
from scipy import stats

FloatArray = npt.NDArray[np.float64]
PowerTransform = Literal["2/3", "1/2", "none"]
ThresholdMethod = Literal["delta", "nbPlugin", "muan"]

_EPSILON = 1e-8  # glm.control()$epsilon
_MAXIT = 25  # glm.control()$maxit
_QR_TOL = 1e-11  # min(1e-7, epsilon / 1000), the rank tolerance glm.fit gives the QR
_DBL_EPS = float(np.finfo(float).eps)


@dataclass(frozen=True)
class GlmFit:
    """A quasi-Poisson fit with the quantities R's ``glm`` object keeps.

    ``cov_unscaled`` is ``(X' W X)^-1`` and ``hat`` the leverages, both with the working
    weights ``working_weights`` of the last IRLS step, exactly as R's QR holds them.
    """

    coef: FloatArray
    mu: FloatArray
    y: FloatArray
    cov_unscaled: FloatArray
    hat: FloatArray
    working_weights: FloatArray
    converged: bool

    @property
    def df_residual(self) -> int:
        return int(self.y.size - self.coef.size)

    def dispersion(self, weights: FloatArray | None = None) -> float:
        """``summary.glm(m)$dispersion``: ``sum(m$weights * residuals^2) / df``.

        ``m$weights`` are the working weights unless surveillance replaced them by the prior
        weights (``weights`` here), which it does after reweighting.
        """
        if self.df_residual <= 0:
            return float("nan")
        w = self.working_weights if weights is None else weights
        residuals = (self.y - self.mu) / self.mu
        keep = w > 0
        return float(np.sum((w * residuals**2)[keep]) / self.df_residual)


def _deviance(y: FloatArray, mu: FloatArray, weights: FloatArray) -> float:
    ylogy = np.where(y > 0, y * np.log(np.where(y > 0, y, 1.0) / mu), 0.0)
    return float(np.sum(2.0 * weights * (ylogy - (y - mu))))


def glm_quasipoisson(
    x: FloatArray, y: FloatArray, offset: FloatArray, prior_weights: FloatArray
) -> GlmFit | None:
    """Fit ``glm(y ~ x + offset(offset), family = quasipoisson, weights = prior_weights)``.

    Returns ``None`` where R would stop with an error (no valid coefficients, a step that
    cannot be corrected), where the design is rank deficient (R would drop the aliased
    column and then fail to find the trend coefficient) and where no residual degree of
    freedom is left (R's dispersion, hence ``phi`` and the threshold, would be NaN).
    """
    if x.shape[0] <= x.shape[1]:
        return None  # no residual degrees of freedom: R's dispersion and phi would be NaN
    mu = y + 0.1
    eta = np.log(mu)
    devold = _deviance(y, mu, prior_weights)
    coefold: FloatArray | None = None
    converged = False
    for _ in range(_MAXIT):
        w = np.sqrt(prior_weights * mu)  # mu.eta(eta)^2 / variance(mu) = mu for the log link
        z = (eta - offset) + (y - mu) / mu
        q, r = np.linalg.qr(x * w[:, None])
        col_norm = np.linalg.norm(x * w[:, None], axis=0)
        if np.any(np.abs(np.diag(r)) < _QR_TOL * np.where(col_norm > 0, col_norm, 1.0)):
            return None
        coef = np.linalg.solve(r, q.T @ (z * w))
        eta = x @ coef + offset
        mu = np.exp(eta)
        dev = _deviance(y, mu, prior_weights)
        halvings = 0
        while not (np.isfinite(dev) and np.all(np.isfinite(mu)) and np.all(mu > 0)):
            # glm.fit's step halving; it stops with an error without a previous step
            if coefold is None or halvings >= _MAXIT:
                return None
            halvings += 1
            coef = (coef + coefold) / 2
            eta = x @ coef + offset
            mu = np.exp(eta)
            dev = _deviance(y, mu, prior_weights)
        if abs(dev - devold) / (abs(dev) + 0.1) < _EPSILON:
            converged = True
            break
        devold, coefold = dev, coef
    r_inv = np.linalg.inv(r)
    hat = np.sum(q**2, axis=1)
    hat[hat > 1 - 10 * _DBL_EPS] = 1.0  # lm.influence does the same
    return GlmFit(
        coef=coef,
        mu=mu,
        y=y,
        cov_unscaled=r_inv @ r_inv.T,
        hat=hat,
        working_weights=w**2,
        converged=converged,
    )


def anscombe_weights(fit: GlmFit, phi: float, threshold: float) -> FloatArray:
    """Weights that down-weight past outbreaks (Farrington et al. 1996, section 3.3).

    Anscombe residuals ``s = 3/2 (y^(2/3) mu^(-1/6) - mu^(1/2)) / sqrt(phi (1 - h))``; the
    weight is ``gamma s^-2`` where ``s > threshold`` and ``gamma`` otherwise, with ``gamma``
    making the weights sum to the number of reference values.
    """
    with np.errstate(divide="ignore", invalid="ignore"):
        s = 1.5 * (fit.y ** (2 / 3) * fit.mu ** (-1 / 6) - fit.mu**0.5)
        s = s / np.sqrt(phi * (1 - fit.hat))
        high = s > threshold
        gamma = s.size / np.sum(np.where(high, s**-2.0, 1.0))
        return np.where(high, gamma * s**-2.0, gamma)


def _r_quantile(dist: stats.rv_discrete, p: float) -> float:
    """Smallest count ``y`` with ``P(Y <= y) >= p (1 - 64 eps)``: R's ``qpois``/``qnbinom``."""
    target = p * (1 - 64 * _DBL_EPS)
    y = float(dist.ppf(p))
    y = 0.0 if not np.isfinite(y) else max(y, 0.0)
    while y > 0 and dist.cdf(y - 1) >= target:
        y -= 1
    while dist.cdf(y) < target:
        y += 1
    return y


@dataclass(frozen=True)
class Threshold:
    """What R's threshold functions return: ``upper``, ``score`` and ``prob`` (p-value)."""

    upper: float
    score: float
    pvalue: float


def threshold_delta(
    mu0: float,
    se_mu0: float,
    phi: float,
    power: PowerTransform,
    alpha: float,
    y: float,
    df: float | None = None,
) -> Threshold:
    """``algo.farrington.threshold.farrington``: upper limit on a power-transformed scale.

    With exponent ``e`` (2/3 removes most of the skewness of Poisson counts) the count is
    approximately normal with mean ``mu0^e`` and the delta-method variance of
    ``phi mu0 + var(mu0_hat)``; the limit is transformed back. With ``df`` the quantile and
    p-value come from Student's t with ``df`` degrees of freedom instead of the normal (the
    dispersion ``phi`` is estimated from the few reference values; issue 15).
    """
    tau = phi + se_mu0**2 / mu0
    if power == "none":
        se, exponent = np.sqrt(mu0 * tau), 1.0
    elif power == "1/2":
        se, exponent = np.sqrt(tau / 4), 0.5
    else:
        se, exponent = np.sqrt(4 / 9 * mu0 ** (1 / 3) * tau), 2 / 3
    z = stats.norm.ppf(1 - alpha) if df is None else stats.t.ppf(1 - alpha, df)
    with np.errstate(invalid="ignore"):
        limits = (mu0**exponent + np.array([-1.0, 1.0]) * z * se) ** (1 / exponent)
    finite = np.sort(limits[~np.isnan(limits)])  # sort(..., na.last = FALSE)[2]
    upper = float(finite[-1]) if finite.size else float("nan")
    if df is None:
        pvalue = float(stats.norm.sf(y**exponent, loc=mu0**exponent, scale=se))
    else:
        pvalue = float(stats.t.sf((y**exponent - mu0**exponent) / se, df))
    score = (y - mu0) / (upper - mu0) if not np.isnan(upper) else float("nan")
    return Threshold(upper=upper, score=float(score), pvalue=pvalue)


def threshold_noufaily(
    eta0: float, se_eta0: float, phi: float, method: ThresholdMethod, alpha: float, y: float
) -> Threshold:
    """``algo.farrington.threshold.noufaily``: a quantile of the count distribution.

    The counts are negative binomial with mean ``mu`` and variance ``phi mu`` (Poisson when
    ``phi == 1``). ``nbPlugin`` plugs in ``mu = exp(eta0)``; ``muan`` uses the upper
    ``1 - alpha`` confidence limit ``exp(eta0 + z se(eta0))`` for ``mu``. As in R the score is
    ``(y - eta0) / (upper - eta0)``, with ``eta0`` on the log scale.
    """
    with np.errstate(over="ignore"):
        if method == "nbPlugin":
            mu_q = float(np.exp(eta0))
        else:
            mu_q = float(np.exp(stats.norm.ppf(1 - alpha, loc=eta0, scale=se_eta0)))
    if not np.isfinite(mu_q):
        return Threshold(upper=float("nan"), score=float("nan"), pvalue=float("nan"))
    dist = stats.nbinom(mu_q / (phi - 1), 1 / phi) if phi > 1 else stats.poisson(mu_q)
    upper = _r_quantile(dist, 1 - alpha)
    pvalue = float(dist.sf(y - 1))
    with np.errstate(divide="ignore", invalid="ignore"):
        score = float(np.float64(y - eta0) / np.float64(upper - eta0))
    return Threshold(upper=upper, score=score, pvalue=pvalue)


# ---- reference sets and the model (surveillance's blocks, fitGLM.flexible, farrington.glm) ----


@dataclass(frozen=True)
class Settings:
    """The options of ``farringtonFlexible``'s control list that the model uses."""

    b: int
    no_periods: int
    alpha: float
    reweight: bool
    weights_threshold: float
    trend: bool
    p_threshold_trend: float
    power_transform: PowerTransform
    threshold_method: ThresholdMethod
    t_quantile: bool = False


@dataclass(frozen=True)
class Reference:
    """``dataGLM`` of one period: the reference counts and what is needed to predict."""

    y: FloatArray
    t: FloatArray  # R's 1-based time index, the trend covariate
    group: FloatArray  # level of the noPeriods factor
    offset: FloatArray
    k: int  # 1-based index of the evaluated period
    offset_now: float
    y_now: float


def _rseq(a: int, b: int) -> npt.NDArray[np.int64]:
    """R's ``a:b`` (descending when ``a > b``)."""
    return np.arange(a, b + 1) if a <= b else np.arange(a, b - 1, -1)


def blocks(n: int, k: int, freq: int, b: int, w: int, p: int) -> FloatArray:
    """``surveillance:::blocks`` for an integer epoch; ``k`` is 1-based, the result 0-based.

    Reference windows ``k - i*freq +- w`` and the current window ``k - w ... k`` get level
    ``p``; with ``p > 1`` the periods between windows are split into ``p - 1`` blocks (R's
    ``a:b`` runs backwards for empty blocks; kept). Periods outside are NaN.
    """
    f = np.full(n + 1, np.nan)  # slot 0 unused: R indexes from 1
    f[k - w : k + 1] = p
    for i in range(1, b + 1):
        ref = k - i * freq
        f[ref - w : ref + w + 1] = p
        if p != 1:
            length, rest = divmod(freq - 2 * w - 1, p - 1)
            lengths = [length + (j < rest) for j in range(p - 1)]
            ends = np.concatenate([[0], np.cumsum(lengths)]).astype(int)
            for j in range(1, p):
                f[_rseq(ref + w + 1 + ends[j - 1], ref + w + ends[j])] = j
    return f[1:]


@dataclass(frozen=True)
class _Model:
    fit: GlmFit
    x0: FloatArray
    phi: float
    disp_weights: FloatArray | None  # what surveillance leaves in model$weights
    has_trend: bool


def _floored(fit: GlmFit) -> float:
    return max(fit.dispersion(), 1.0)  # R: max(summary(model)$dispersion, 1)


def _fit(data: Reference, trend: bool, s: Settings) -> _Model | None:
    """``algo.farrington.fitGLM.flexible``."""

    def design(with_trend: bool) -> tuple[FloatArray, FloatArray]:
        cols, x0 = [np.ones_like(data.y)], [1.0]
        if with_trend:
            cols.append(data.t)
            x0.append(float(data.k))
        if s.no_periods != 1:
            for level in np.unique(data.group)[1:]:
                cols.append((data.group == level).astype(float))
                x0.append(float(level == s.no_periods))
        return np.column_stack(cols), np.array(x0)

    ones = np.ones_like(data.y)
    x, x0 = design(trend)
    fit = glm_quasipoisson(x, data.y, data.offset, ones)
    if (fit is None or not fit.converged) and trend:
        trend = False
        x, x0 = design(False)
        fit = glm_quasipoisson(x, data.y, data.offset, ones)
    if fit is None or not fit.converged:
        return None
    phi = _floored(fit)
    if not s.reweight:
        return _Model(fit, x0, phi, None, trend)
    omega = anscombe_weights(fit, phi, s.weights_threshold)
    if not np.all(np.isfinite(omega)):
        return None
    refit = glm_quasipoisson(x, data.y, data.offset, omega)
    if refit is None:
        return None
    return _Model(refit, x0, _floored(refit), omega, trend)


def _predict(m: _Model, offset_now: float) -> tuple[float, float]:
    """``predict.glm(type = "link", se.fit = TRUE)`` at the evaluated period."""
    eta = float(m.x0 @ m.fit.coef) + offset_now
    var = float(m.x0 @ m.fit.cov_unscaled @ m.x0) * m.fit.dispersion(m.disp_weights)
    return eta, float(np.sqrt(var))


def evaluate(data: Reference, s: Settings) -> dict[str, Any] | None:
    """``algo.farrington.glm`` and the threshold step of ``farringtonFlexible``.

    Returns ``expected, upperbound, score, p_value, trend, phi, n_reference`` or ``None``
    when the GLM cannot be fitted (R: "The model could not converge ...").
    """
    model = _fit(data, s.trend, s)
    if model is None:
        return None
    do_trend = False
    if model.has_trend:
        fit = model.fit
        eta, _ = _predict(model, data.offset_now)
        se = np.sqrt(fit.cov_unscaled[1, 1] * fit.dispersion(model.disp_weights))
        with np.errstate(divide="ignore", invalid="ignore"):
            p_trend = 2 * stats.t.sf(abs(fit.coef[1] / se), fit.df_residual)
        # a NaN p-value is "not significant" (R 1.20.3 stops with an error)
        do_trend = bool(s.b >= 3 and p_trend < s.p_threshold_trend and np.exp(eta) <= data.y.max())
        if not do_trend:
            model = _fit(data, False, s)
            if model is None:
                return None
    eta0, se_eta0 = _predict(model, data.offset_now)
    if s.threshold_method == "delta":
        mu0 = float(np.exp(eta0))
        df = float(model.fit.df_residual) if s.t_quantile else None
        th = threshold_delta(mu0, se_eta0 * mu0, model.phi, s.power_transform, s.alpha,
                             data.y_now, df)  # fmt: skip
    else:
        th = threshold_noufaily(eta0, se_eta0, model.phi, s.threshold_method, s.alpha, data.y_now)
    return {
        "expected": float(np.exp(eta0)) if not np.isnan(th.upper) else float("nan"),
        "upperbound": th.upper,
        "score": th.score,
        "p_value": th.pvalue,
        "trend": do_trend,
        "phi": model.phi,
        "n_reference": int(data.y.size),
    }
