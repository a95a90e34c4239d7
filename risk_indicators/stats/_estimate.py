"""The :class:`Estimate` result, the "not defined" reasons and the shared interval helpers.

Every function of :mod:`risk_indicators.stats.rates` computes on arrays, then passes the result
through :func:`_table`, the single place where an undefined or overflowing number becomes
``pd.NA`` with a reason (never NaN or inf). Re-exported by :mod:`risk_indicators.stats.rates`.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from risk_indicators.errors import UsageError

__all__ = [
    "REASON_ALL_SUCCESSES",
    "REASON_NO_EVENTS_KATZ",
    "REASON_NO_EVENTS_REFERENCE",
    "REASON_NO_POPULATION",
    "REASON_NO_TRIALS",
    "REASON_OVERFLOW",
    "REASON_ZERO_ODDS",
    "Estimate",
]

REASON_NO_TRIALS = "not defined: no trials (the denominator is 0)"
REASON_NO_POPULATION = "not defined: the population is 0"
REASON_NO_EVENTS_REFERENCE = "not defined: no events in the reference group (division by 0)"
REASON_NO_EVENTS_KATZ = (
    "interval not defined: no events in the first group, the Katz log interval needs log(0)"
)
REASON_ZERO_ODDS = "interval not defined: no successes, the log-odds interval needs log(0)"
REASON_OVERFLOW = "not defined: the result overflows (the population is too small)"
REASON_ALL_SUCCESSES = "not defined: all trials are successes, the odds are infinite"

_COLUMNS = ["estimate", "ci_low", "ci_high", "n", "defined", "reason"]


@dataclass(frozen=True)
class Estimate:
    """A point estimate with its confidence interval.

    Attributes
    ----------
    estimate, ci_low, ci_high
        Numbers, or None when not defined (never NaN or inf).
    n
        The count the estimate rests on: trials for a share, events for a rate, the events of
        both groups for a rate ratio, the trials of both groups for a risk ratio.
    defined
        True when ``estimate`` exists; the interval can still be None (see ``reason``).
    reason
        Empty when everything is defined, otherwise why not.
    """

    estimate: float | None
    ci_low: float | None
    ci_high: float | None
    n: int
    defined: bool
    reason: str

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _check_alpha(alpha: float, func: str) -> float:
    if not (isinstance(alpha, int | float) and 0.0 < float(alpha) < 1.0):
        raise UsageError(
            f"The 'alpha' parameter of {func} must be a float in (0, 1). Got {alpha!r} instead."
        )
    return float(alpha)


def _arr(x: Any, name: str, func: str, *, whole: bool = True) -> np.ndarray:
    """Non-negative finite numbers as floats; counts must be whole, populations need not be."""
    arr = np.atleast_1d(np.asarray(x, dtype=float))
    bad = ~np.isfinite(arr) | (arr < 0) | ((arr != np.round(arr)) if whole else False)
    if np.any(bad):
        kind = "whole numbers" if whole else "finite numbers"
        raise UsageError(
            f"The '{name}' parameter of {func} must hold non-negative {kind} (no missing values)."
        )
    return arr


def _at_least(small: np.ndarray, big: np.ndarray, names: tuple[str, str], func: str) -> None:
    if np.any(small > big):
        raise UsageError(f"In {func}, '{names[0]}' cannot exceed '{names[1]}'.")


def _z(alpha: float) -> float:
    return float(stats.norm.isf(alpha / 2))


@dataclass(frozen=True)
class _Columns:
    """Cleaned result arrays: NaN where undefined (each with its reason), never inf."""

    est: np.ndarray
    low: np.ndarray
    high: np.ndarray
    n: np.ndarray
    reason: np.ndarray


def _clean(
    est: np.ndarray, low: np.ndarray, high: np.ndarray, n: np.ndarray, reason: np.ndarray
) -> _Columns:
    # a population of, say, 1e-310 overflows; such a result is reported as not defined
    unexplained = (reason == "") & (np.isnan(est) | np.isnan(low) | np.isnan(high))
    overflow = np.isinf(est) | np.isinf(low) | np.isinf(high) | unexplained
    if np.any(overflow):
        est, low, high = _where(~overflow, est, low, high)
        reason = np.where(overflow, REASON_OVERFLOW, reason)
    return _Columns(est, low, high, n, reason)


def _table(cols: _Columns, index: pd.Index | None) -> pd.DataFrame:
    """The tidy frame of a ``*_table`` function (pd.array turns NaN into <NA>)."""
    out = pd.DataFrame(
        {
            "estimate": pd.array(cols.est, dtype="Float64"),
            "ci_low": pd.array(cols.low, dtype="Float64"),
            "ci_high": pd.array(cols.high, dtype="Float64"),
            "n": cols.n.astype(np.int64),
            "defined": np.isfinite(cols.est),
            "reason": cols.reason.astype(object),
        },
        index=index,
    )
    return out[_COLUMNS]


def _first(cols: _Columns) -> Estimate:
    """The first result as an :class:`Estimate`, without building a frame (scalar calls are
    made hundreds of times per report)."""
    est, low, high = (
        None if np.isnan(v[0]) else float(v[0]) for v in (cols.est, cols.low, cols.high)
    )
    return Estimate(est, low, high, int(cols.n[0]), est is not None, str(cols.reason[0]))


def _index_of(*args: Any) -> pd.Index | None:
    for a in args:
        if isinstance(a, pd.Series):
            return a.index
    return None


def _reasons(shape: tuple[int, ...]) -> np.ndarray:
    return np.full(shape, "", dtype=object)


def _where(ok: np.ndarray, *values: np.ndarray) -> list[np.ndarray]:
    """Each value where ``ok``, NaN elsewhere (turned into <NA> by :func:`_table`)."""
    return [np.where(ok, v, np.nan) for v in values]


def _katz(
    a: np.ndarray, b: np.ndarray, est: np.ndarray, var_log: np.ndarray, z: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    both = (a > 0) & (b > 0)
    half = z * np.sqrt(np.where(both, var_log, 0.0))
    low, high = _where(both, est * np.exp(-half), est * np.exp(half))
    return np.where(b > 0, est, np.nan), low, high


def _noise(noise: float, func: str) -> bool:
    """Whether a noise variance is given (checked: a number >= 0)."""
    if isinstance(noise, bool) or not isinstance(noise, int | float) or not noise >= 0:
        raise UsageError(
            f"The 'noise_variance' parameter of {func} must be a number >= 0. Got {noise!r}."
        )
    return noise > 0


def _noise_factor(count: Any, noise: float) -> Any:
    """``f = 1 + V / max(k, 1)``: a perturbed count ``k`` of noise variance ``V`` carries the
    information of ``k / f`` exact events (the effective count of Fay and Feuer 1997)."""
    return 1 + noise / np.maximum(count, 1)


def _kish_trials(k: Any, n: Any, z: float, noise: float, trials_noise: float | None) -> Any:
    """Kish's effective trials ``n / f`` of the share ``k / n`` of perturbed counts (the
    docstring of :mod:`risk_indicators.stats.rates`): ``f = 1 + added / sampling``, the
    sampling variance with Wilson's ``z^2 / (4 n^2)`` (finite at 0 and n)."""
    sampling = (k / n) * (1 - k / n) / n + z**2 / (4 * n**2)
    added = (noise * (k**2 + (n - k) ** 2) / n**4 if trials_noise is None
             else noise / n**2 + k**2 * trials_noise / n**4)  # fmt: skip
    return n / (1 + added / sampling)
