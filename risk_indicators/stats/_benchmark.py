"""The odds of an observed share over the odds of a benchmark share (``benchmark_ratio_youth``,
CONTRACT 4, issue 15)."""

from __future__ import annotations

import math

import numpy as np

from risk_indicators.errors import UsageError

from ._estimate import (
    REASON_ALL_SUCCESSES,
    REASON_NO_TRIALS,
    REASON_ZERO_ODDS,
    Estimate,
    _arr,
    _at_least,
    _check_alpha,
    _z,
)
from .rates import wilson_interval

__all__ = ["odds_ratio_to_benchmark"]


def odds_ratio_to_benchmark(
    successes: int,
    trials: int,
    benchmark_share: float,
    *,
    alpha: float = 0.05,
    benchmark_n: float | None = None,
    noise_variance: float = 0.0,
) -> Estimate:
    """Odds of an observed share divided by the odds of a benchmark share.

    ``OR = [k/(n-k)] / [s/(1-s)]``. With the benchmark treated as fixed (``benchmark_n``
    None) the interval is the share's Wilson interval mapped to the odds-ratio scale,
    ``[odds(L), odds(U)] / odds(s)`` (issue 15: the Woolf interval contradicted the published
    Wilson interval of the share in 21 small cases and had none at 0 or all; this one agrees
    with it by construction, has lower limit 0 at ``k = 0`` and no upper limit at
    ``k = n``). When the benchmark is itself a share estimated from ``benchmark_n``
    persons, the Woolf log-odds interval ``log OR +- z * sqrt(1/k + 1/(n-k) + v_b)`` with
    ``v_b = 1/(s*m) + 1/((1-s)*m)`` (independent samples). Used for
    ``benchmark_ratio_youth``: 1 means women are reported in the same proportion as they are
    found among users. ``n`` is ``trials``.

    With ``benchmark_n``, 0 successes give estimate 0 and no interval; all successes
    (infinite odds) and 0 trials are not defined. ``noise_variance`` (perturbed counts)
    widens the Wilson interval as :func:`~risk_indicators.stats.wilson_interval` does, and
    adds ``V/k^2 + V/(n-k)^2`` to the Woolf variance.

    Examples
    --------
    >>> e = odds_ratio_to_benchmark(8, 98, 0.3)
    >>> round(e.estimate, 4), round(e.ci_low, 4), round(e.ci_high, 4)
    (0.2074, 0.1022, 0.4211)
    """
    func = "odds_ratio_to_benchmark"
    alpha = _check_alpha(alpha, func)
    k, n = float(_arr(successes, "successes", func)[0]), float(_arr(trials, "trials", func)[0])
    _at_least(np.asarray(k), np.asarray(n), ("successes", "trials"), func)
    s = benchmark_share
    if not (isinstance(s, int | float) and 0.0 < s < 1.0):
        raise UsageError(
            f"The 'benchmark_share' parameter of {func} must be in (0, 1). Got {s!r} instead."
        )
    v_b = 0.0
    if benchmark_n is not None:
        if not (isinstance(benchmark_n, int | float) and benchmark_n > 0):
            raise UsageError(
                f"The 'benchmark_n' parameter of {func} must be positive or None. "
                f"Got {benchmark_n!r} instead."
            )
        v_b = 1 / (s * benchmark_n) + 1 / ((1 - s) * benchmark_n)
    if n == 0:
        return Estimate(None, None, None, 0, False, REASON_NO_TRIALS)
    bench_odds = s / (1 - s)
    if benchmark_n is None:
        # the Wilson limits of the share on the odds scale: the same interval as the published
        # share's, defined at 0 (lower limit 0) and at all (no upper limit)
        w = wilson_interval(int(k), int(n), alpha=alpha, noise_variance=noise_variance)
        low = None if w.ci_low is None else (w.ci_low / (1 - w.ci_low)) / bench_odds
        high = None if w.ci_high is None or w.ci_high >= 1 else (
            (w.ci_high / (1 - w.ci_high)) / bench_odds)  # fmt: skip
        if k == n:
            return Estimate(None, low, None, int(n), False, REASON_ALL_SUCCESSES)
        return Estimate((k / (n - k)) / bench_odds, low, high, int(n), True, "")
    if k == n:
        return Estimate(None, None, None, int(n), False, REASON_ALL_SUCCESSES)
    if k == 0:
        return Estimate(0.0, None, None, int(n), True, REASON_ZERO_ODDS)
    est = (k / (n - k)) / bench_odds
    noise = noise_variance * (1 / k**2 + 1 / (n - k) ** 2)
    half = _z(alpha) * math.sqrt(1 / k + 1 / (n - k) + v_b + noise)
    return Estimate(est, est * math.exp(-half), est * math.exp(half), int(n), True, "")
