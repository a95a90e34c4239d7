"""The count GLMs behind :func:`risk_indicators.stats.trends.poisson_trend`.

Quasi-Poisson (statsmodels IRLS, Pearson dispersion floored at 1, t inference) and negative
binomial NB2 (profile likelihood for ``alpha``, Newton-Raphson for ``beta``, Wald z
inference, as R's ``MASS::glm.nb``). Each fitter takes counts, a design matrix and a log
offset and returns a :class:`_Fit`; a fit that does not converge raises
``numpy.linalg.LinAlgError`` with :data:`REASON_NOT_CONVERGED`.
"""

from __future__ import annotations

import contextlib
import math
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy import optimize, special
from statsmodels.genmod import families
from statsmodels.genmod.generalized_linear_model import GLM
from statsmodels.tools.sm_exceptions import (
    ConvergenceWarning,
    DomainWarning,
    PerfectSeparationWarning,
)

REASON_NOT_CONVERGED = "insufficient data: the model fit did not converge"
#: What a small-count fit may warn of and the caller checks itself (convergence, finite and
#: bounded estimates): overflow and 0/0 on the way, non-convergence, perfect separation.
FIT_WARNINGS = (RuntimeWarning, ConvergenceWarning, PerfectSeparationWarning, DomainWarning)


@contextlib.contextmanager
def fit_warnings_ignored() -> Iterator[None]:
    """Silence :data:`FIT_WARNINGS` (and only those) inside a model fit whose outcome the
    caller checks; every other warning still reaches the user."""
    with warnings.catch_warnings():
        for category in FIT_WARNINGS:
            warnings.simplefilter("ignore", category)
        yield


@dataclass(frozen=True)
class _Fit:
    params: np.ndarray
    cov: np.ndarray  # covariance already scaled by the dispersion
    dispersion: float
    df_resid: float  # t degrees of freedom; inf for likelihood (z) inference


def _fit_quasipoisson(y: np.ndarray, X: np.ndarray, offset: np.ndarray) -> _Fit:
    """Poisson GLM by IRLS; covariance scaled by ``max(Pearson chi2 / df_resid, 1)``.

    The floor at 1 keeps under-dispersed (or perfectly fitting) series from getting
    intervals narrower than Poisson ones.
    """
    params, mu, cov = _glm(y, X, offset, families.Poisson())
    df_resid = len(y) - X.shape[1]
    phi = max(float(np.sum((y - mu) ** 2 / mu)) / df_resid, 1.0)
    return _Fit(params, cov * phi, phi, float(df_resid))


def _glm(
    y: np.ndarray, X: np.ndarray, offset: np.ndarray, family: Any
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Poisson GLM (statsmodels IRLS): parameters, fitted means and the inverse Fisher
    information ``(X' diag(mu) X)^-1`` at the estimate itself (statsmodels' own covariance
    uses the weights of the step before, off by ~1e-9)."""
    res = GLM(y, X, family=family, offset=offset).fit(tol=1e-12, maxiter=100)
    if not res.converged:
        raise np.linalg.LinAlgError(REASON_NOT_CONVERGED)
    params = np.asarray(res.params)
    mu = np.exp(X @ params + offset)
    return params, mu, np.linalg.inv(X.T @ (mu[:, None] * X))


def _nb_loglik(
    y: np.ndarray, X: np.ndarray, offset: np.ndarray, alpha: float, beta: np.ndarray
) -> float:
    with np.errstate(all="ignore"):
        mu = np.exp(X @ beta + offset)
        r, pos = 1 / alpha, y > 0
        # log Gamma(y+r) - log Gamma(r) as gammaln(y) - betaln(y, r) - log(y): stable for big r
        lg = np.zeros_like(y)
        lg[pos] = special.gammaln(y[pos]) - special.betaln(y[pos], r) - np.log(y[pos])
        ll = lg - special.gammaln(y + 1) + y * np.log(alpha * mu / (1 + alpha * mu))
        total = float(np.sum(ll - r * np.log1p(alpha * mu)))
    return total if math.isfinite(total) else -math.inf


def _nb_irls(
    y: np.ndarray, X: np.ndarray, offset: np.ndarray, alpha: float, beta: np.ndarray
) -> tuple[np.ndarray, float, np.ndarray]:
    """NB2 log-link GLM at fixed ``alpha`` by Newton-Raphson with step halving (numpy, far
    cheaper than a statsmodels fit per profile step). The log-likelihood is concave in
    ``beta``; the observed Hessian converges fast where Fisher scoring crawls on sparse data.
    Returns parameters, log-likelihood and the inverse expected information
    ``(X' W X)^-1``, ``W = mu/(1 + alpha*mu)`` (as R's ``glm.nb``)."""
    ll = _nb_loglik(y, X, offset, alpha, beta)
    for _ in range(200):
        mu = np.exp(X @ beta + offset)
        hess = X.T @ ((mu * (1 + alpha * y) / (1 + alpha * mu) ** 2)[:, None] * X)
        step = np.linalg.solve(hess, X.T @ ((y - mu) / (1 + alpha * mu)))
        for _ in range(40):
            new_ll = _nb_loglik(y, X, offset, alpha, beta + step)
            if new_ll >= ll - 1e-13 * abs(ll):
                break
            step = step / 2
        beta, gain, ll = beta + step, new_ll - ll, new_ll
        if np.max(np.abs(step)) < 1e-11 * (1 + np.max(np.abs(beta))) or abs(gain) < 1e-14:
            break
    else:
        raise np.linalg.LinAlgError(REASON_NOT_CONVERGED)
    mu = np.exp(X @ beta + offset)
    w = mu / (1 + alpha * mu)
    return beta, ll, np.linalg.inv(X.T @ (w[:, None] * X))


def _fit_negbin(y: np.ndarray, X: np.ndarray, offset: np.ndarray) -> _Fit:
    """NB2 (``var = mu + alpha*mu**2``) by maximum likelihood, Wald z inference.

    ``alpha`` maximises the profile log-likelihood (bounded Brent search on ``log alpha``
    over 1e-8..1e4); ``beta`` and its covariance are those of the NB2 GLM at that ``alpha``
    (expected information, as R's ``MASS::glm.nb``). When the likelihood does not rise from
    ``alpha = 0`` (score ``sum((y - mu)**2 - y) <= 0`` at the Poisson fit, i.e. no
    over-dispersion) or the maximum is at the lower end, the model is the Poisson GLM and
    ``alpha = 0``.
    """
    params, mu, cov = _glm(y, X, offset, families.Poisson())
    if np.sum((y - mu) ** 2 - y) <= 0:
        return _Fit(params, cov, 0.0, math.inf)

    def neg_loglik(log_alpha: float) -> float:
        return -_nb_irls(y, X, offset, math.exp(log_alpha), params)[1]

    lo, hi = math.log(1e-8), math.log(1e4)
    opt = optimize.minimize_scalar(
        neg_loglik, bounds=(lo, hi), method="bounded", options={"xatol": 1e-9}
    )
    if opt.x > hi - 1e-3:
        raise np.linalg.LinAlgError(REASON_NOT_CONVERGED)
    if opt.x < lo + 1e-3:
        return _Fit(params, cov, 0.0, math.inf)
    alpha = math.exp(opt.x)
    beta, _, nb_cov = _nb_irls(y, X, offset, alpha, params)
    return _Fit(beta, nb_cov, alpha, math.inf)
