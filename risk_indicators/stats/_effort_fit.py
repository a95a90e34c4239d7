"""The fit behind :func:`risk_indicators.stats.effort_adjusted_trend`: the design of the
youth trend with log effort as a covariate (or an offset), fitted by the quasi-Poisson fitter
of :func:`~risk_indicators.stats.poisson_trend` (``_glm_fit``)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

import numpy as np

from ._glm_fit import REASON_NOT_CONVERGED, _fit_quasipoisson, fit_warnings_ignored

EffortMethod = Literal["covariate", "offset"]
REASON_IN_STEP = (
    "insufficient data: the effort changes in step with time, so the data cannot tell a "
    "change in effort from a trend"
)
#: |beta| or |gamma| above this means the fit ran away (no finite maximum likelihood).
_RUNAWAY = 25.0


@dataclass(frozen=True)
class _Adjusted:
    beta: float
    se: float
    df: float
    dispersion: float
    gamma: float | None
    gamma_se: float | None
    flat: bool


def _season_design(n: int, freq: int, first_pos: int) -> tuple[np.ndarray, np.ndarray]:
    """Intercept, time in years and one indicator per period of the year but the first
    (the design of :func:`~risk_indicators.stats.poisson_trend`)."""
    season = (np.arange(n) + first_pos) % freq
    dummies = (season[:, None] == np.arange(1, freq)[None, :]).astype(float)
    return np.column_stack([np.ones(n), np.arange(n) / freq, dummies]), season


def _residual_norm(z: np.ndarray, X: np.ndarray) -> float:
    """Norm of the part of ``z`` that the columns of ``X`` do not explain."""
    coef, *_ = np.linalg.lstsq(X, z, rcond=None)
    return float(np.linalg.norm(z - X @ coef))


def _adjusted_numbers(
    y: np.ndarray, log_e: np.ndarray, offset: np.ndarray, freq: int, first_pos: int,
    method: EffortMethod,
) -> _Adjusted | str:  # fmt: skip
    """The adjusted fit on a series whose unadjusted trend is estimable, or the reason why
    not. Periods of the year with 0 in every year are left out, as in ``poisson_trend``."""
    X, season = _season_design(len(y), freq, first_pos)
    live = np.array([np.any(y[season == s] > 0) for s in range(freq)])
    keep = live[season]
    cols = np.r_[True, True, live[1:]]
    if not live[0]:
        cols[2 + int(np.argmax(live[1:]))] = False
    Xk, off, flat = X[np.ix_(keep, cols)], offset[keep], False
    if method == "offset":
        off = off + log_e[keep]
    else:
        z = log_e[keep] - log_e[keep].mean()
        scale = 1e-9 * (1.0 + float(np.linalg.norm(z)))
        no_time = np.delete(Xk, 1, axis=1)
        if _residual_norm(z, no_time) <= scale:
            flat = True
        elif _residual_norm(z, Xk) <= scale * 1e3:
            return REASON_IN_STEP
        else:
            Xk = np.column_stack([Xk, z])
    if keep.sum() - Xk.shape[1] < 1:
        return "insufficient data: no residual degrees of freedom to estimate the dispersion"
    try:
        with fit_warnings_ignored():
            fit = _fit_quasipoisson(y[keep], Xk, off)
    except (np.linalg.LinAlgError, ValueError):
        return REASON_NOT_CONVERGED
    beta, var = float(fit.params[1]), float(fit.cov[1, 1])
    covariate = method == "covariate" and not flat
    gamma = float(fit.params[-1]) if covariate else None
    gamma_var = float(fit.cov[-1, -1]) if covariate else None
    numbers = [beta, var] + ([gamma, gamma_var] if covariate else [])
    if not all(math.isfinite(v) for v in numbers) or max(abs(beta), abs(gamma or 0)) > _RUNAWAY:
        return REASON_NOT_CONVERGED
    return _Adjusted(beta, math.sqrt(var), fit.df_resid, fit.dispersion, gamma,
                     None if gamma_var is None else math.sqrt(gamma_var), flat)  # fmt: skip
