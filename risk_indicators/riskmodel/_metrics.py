"""Performance on the test set: AUC with a bootstrap interval, Brier score, calibration.

Private to :mod:`risk_indicators.riskmodel`.

- **AUC** (area under the ROC curve, scikit-learn's ``roc_auc_score``): the chance that a
  random person reported again gets a higher score than a random person who was not (ties
  count one half). Its 95 % interval is a percentile bootstrap over persons, stratified by
  outcome (persons with and without the outcome resampled separately, as R's ``pROC``
  does by default), so every resample has both kinds and the test set's make-up; with about
  100 of each the percentile interval is close to DeLong's (checked in the tests).
  A difference of two scores' AUC on the same persons (the model against the truth) uses the
  same resamples (paired).
- **Brier score**: mean of (score - outcome)^2, with the same bootstrap interval.
- **Calibration slope** and **intercept** (Cox 1958; Van Calster et al. 2019, BMC Medicine
  17:230): the logistic regression of the outcome on the logit of the score (statsmodels
  GLM, binomial) gives the slope (1 = the spread of the scores is right; below 1 they are
  too extreme, as after over-fitting), and the same model with the logit as an offset gives
  the intercept (calibration in the large: 0 = right on average, above 0 = too low scores).
  Wald 95 % intervals. Scores are clipped to [1e-6, 1 - 1e-6] for the logit.
- **Calibration curve**: the test persons in ``bins`` groups of equal size by score; each
  group's mean score against its observed rate (Wilson interval). Neighbouring groups are
  merged until every group's persons, persons reported again and not reported again are 0
  or at least ``min_count``, so that the curve can be shown.
"""

from __future__ import annotations

import itertools
import warnings
from typing import Any

import numpy as np
import pandas as pd

__all__ = [
    "auc_table",
    "bootstrap_indices",
    "calibration_bins",
    "calibration_fit",
    "rank_auc",
]

_EPS = 1e-6


def bootstrap_indices(y: np.ndarray, replicates: int, rng: np.random.Generator) -> np.ndarray:
    """Row indices of ``replicates`` resamples, stratified by the outcome, shape (B, n)."""
    pos, neg = np.flatnonzero(y == 1), np.flatnonzero(y == 0)
    parts = [g[rng.integers(0, g.size, size=(replicates, g.size))] for g in (pos, neg) if g.size]
    return np.concatenate(parts, axis=1) if parts else np.zeros((replicates, 0), dtype=np.int64)


def rank_auc(y: np.ndarray, scores: np.ndarray, boot: np.ndarray | None = None) -> np.ndarray:
    """AUC of ``scores`` against outcomes ``y`` (both length n), or of each resample when
    ``boot`` (B, n) holds row indices.

    Mann-Whitney with ties counted one half: per resample, the persons with and without the
    outcome at each distinct score value are counted (one ``bincount``), and
    ``AUC = sum_k pos_k (neg_below_k + neg_k / 2) / (n1 n0)``. NaN where a resample lacks
    either outcome.
    """
    boot = np.arange(y.size)[None, :] if boot is None else boot
    values, level = np.unique(scores, return_inverse=True)
    b, u = boot.shape[0], values.size
    key = (np.arange(b)[:, None] * u + level[boot]) * 2 + y[boot].astype(np.int64)
    tally = np.bincount(key.ravel(), minlength=b * u * 2).reshape(b, u, 2)
    neg, pos = tally[:, :, 0].astype(float), tally[:, :, 1].astype(float)
    below = np.cumsum(neg, axis=1) - neg
    n1, n0 = pos.sum(axis=1), neg.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        auc = (pos * (below + neg / 2.0)).sum(axis=1) / (n1 * n0)
    return np.where((n1 > 0) & (n0 > 0), auc, np.nan)


def _interval(values: np.ndarray) -> tuple[float | None, float | None]:
    v = values[np.isfinite(values)]
    if v.size < 20:
        return None, None
    low, high = np.quantile(v, [0.025, 0.975])
    return float(low), float(high)


def auc_table(
    y: np.ndarray, scores: dict[str, np.ndarray], boot: np.ndarray, *, against: str | None
) -> pd.DataFrame:
    """AUC and Brier score of every score with bootstrap intervals; with ``against`` (the
    name of a score, the truth) also ``auc_gap`` = AUC(score) - AUC(against), paired.

    Returns columns ``model, figure, estimate, ci_low, ci_high``.
    """
    from sklearn.metrics import brier_score_loss, roc_auc_score

    yb = y[boot]
    rows: list[dict[str, Any]] = []
    replicate_auc: dict[str, np.ndarray] = {}
    for name, s in scores.items():
        auc = float(roc_auc_score(y, s)) if 0 < y.sum() < y.size else None
        replicate_auc[name] = rank_auc(y, s, boot)
        low, high = _interval(replicate_auc[name])
        rows.append({"model": name, "figure": "auc", "estimate": auc, "ci_low": low,
                     "ci_high": high})  # fmt: skip
        brier = ((s[boot] - yb) ** 2).mean(axis=1)
        low, high = _interval(brier)
        rows.append({"model": name, "figure": "brier", "estimate": float(brier_score_loss(y, s)),
                     "ci_low": low, "ci_high": high})  # fmt: skip
    if against is not None:
        base = rows[[r["model"] for r in rows].index(against)]["estimate"]
        for name in scores:
            if name == against:
                continue
            own = rows[[r["model"] for r in rows].index(name)]["estimate"]
            low, high = _interval(replicate_auc[name] - replicate_auc[against])
            gap = None if own is None or base is None else own - base
            rows.append({"model": name, "figure": "auc_gap", "estimate": gap, "ci_low": low,
                         "ci_high": high})  # fmt: skip
    return pd.DataFrame(rows)


def calibration_fit(y: np.ndarray, score: np.ndarray) -> dict[str, Any]:
    """Calibration slope and intercept with Wald 95 % intervals (module docstring)."""
    import statsmodels.api as sm
    from statsmodels.tools.sm_exceptions import PerfectSeparationWarning

    logit = np.log(np.clip(score, _EPS, 1 - _EPS) / (1 - np.clip(score, _EPS, 1 - _EPS)))
    out: dict[str, Any] = {}
    binomial = sm.families.Binomial()
    with warnings.catch_warnings():
        warnings.simplefilter("error", PerfectSeparationWarning)
        try:
            slope = sm.GLM(y, sm.add_constant(logit), family=binomial).fit()
            ci = slope.conf_int()
            out["calibration_slope"] = (float(slope.params[1]), float(ci[1, 0]), float(ci[1, 1]))
            large = sm.GLM(y, np.ones((y.size, 1)), family=binomial, offset=logit).fit()
            ci = large.conf_int()
            out["calibration_intercept"] = (float(large.params[0]), float(ci[0, 0]),
                                            float(ci[0, 1]))  # fmt: skip
        except (PerfectSeparationWarning, np.linalg.LinAlgError, ValueError):
            out["calibration_slope"] = out["calibration_intercept"] = (None, None, None)
    return out


def calibration_bins(
    y: np.ndarray, score: np.ndarray, *, bins: int, min_count: int
) -> pd.DataFrame:
    """Calibration groups (module docstring): ``bin, mean_predicted, n, positives, negatives``."""
    n = y.size
    if n == 0:
        return pd.DataFrame(columns=["bin", "mean_predicted", "n", "positives", "negatives"])
    order = np.argsort(score, kind="mergesort")
    edges = np.linspace(0, n, min(bins, n) + 1).round().astype(int)
    groups = [order[a:b] for a, b in itertools.pairwise(edges) if b > a]

    def small(g: np.ndarray) -> bool:
        k = int(y[g].sum())
        return any(0 < c < min_count for c in (g.size, k, g.size - k))

    merged = True
    while merged and len(groups) > 1:
        merged = False
        for i, g in enumerate(groups):
            if small(g):
                j = i + 1 if i + 1 < len(groups) else i - 1
                if i + 1 < len(groups) and i > 0 and groups[i - 1].size < groups[i + 1].size:
                    j = i - 1
                lo, hi = min(i, j), max(i, j)
                groups[lo : hi + 1] = [np.concatenate([groups[lo], groups[hi]])]
                merged = True
                break
    rows = []
    for b, g in enumerate(groups, start=1):
        k = int(y[g].sum())
        # no smallest or largest score of a group: those are one person's score
        rows.append({"bin": b, "mean_predicted": float(score[g].mean()), "n": int(g.size),
                     "positives": k, "negatives": int(g.size - k)})  # fmt: skip
    return pd.DataFrame(rows)
