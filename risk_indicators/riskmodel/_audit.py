"""The fairness audit by gender and age band (fairlearn), and the equal-opportunity variant.

Private to :mod:`risk_indicators.riskmodel`.

At the chosen threshold a person is *flagged* when the score reaches it. For each group of a
split (gender; age band) a fairlearn ``MetricFrame`` gives the confusion counts and the
true positive rate (flagged among those reported again), false positive rate (flagged among
those not), selection rate (flagged among all) and precision (reported again among the
flagged); a second ``MetricFrame`` over the scores gives the observed rate and the mean
score, whose difference ``mean_predicted - observed_rate`` is the group's calibration in the
large (above 0: the model over-predicts for the group). Rates have Wilson 95 % intervals
(:func:`risk_indicators.stats.wilson_table`; fairlearn's own bootstrap is not used); the
calibration difference takes the observed rate's interval, treating the mean score as fixed.

``equalized_odds_difference`` (fairlearn) is the larger of the between-gender differences
in true and in false positive rate; its 95 % interval is a percentile bootstrap over
persons (the resamples of the AUC).

With ``equal_opportunity`` a fairlearn ``ThresholdOptimizer`` (constraint
``true_positive_rate_parity``, objective balanced accuracy, fitted on the training set with
the fitted pipeline as a prefit estimator) chooses a threshold per gender, possibly
randomised between two, so that the true positive rates are equal; the audit is repeated
on its decisions, and its cost is the change in balanced accuracy and the rates. It uses
gender at the moment of decision, which is a legal and ethical question of its own.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from risk_indicators.stats import wilson_table

__all__ = ["eod_bootstrap", "equal_opportunity_predictions", "group_metrics"]

_COUNT_NAMES = ("tp", "fp", "fn", "tn")


def _counts(y: np.ndarray, p: np.ndarray) -> dict[str, int]:
    return {
        "tp": int(((y == 1) & (p == 1)).sum()),
        "fp": int(((y == 0) & (p == 1)).sum()),
        "fn": int(((y == 1) & (p == 0)).sum()),
        "tn": int(((y == 0) & (p == 0)).sum()),
    }


def group_metrics(
    y: np.ndarray, flagged: np.ndarray, score: np.ndarray | None, groups: pd.Series, *,
    group_by: str,
) -> tuple[pd.DataFrame, float]:  # fmt: skip
    """The audit of one split (module docstring), one row per group and one for ``all``,
    and fairlearn's equalized odds difference of the split.

    The table has columns ``group_by, group, n, positives, negatives, tp, fp, fn, tn``, fairlearn's
    ``true_positive_rate, false_positive_rate, selection_rate, precision``, ``observed_rate``,
    ``mean_predicted`` (NaN without ``score``) and Wilson intervals ``<rate>_low``,
    ``<rate>_high``.
    """
    from fairlearn.metrics import (
        MetricFrame,
        false_positive_rate,
        selection_rate,
        true_positive_rate,
    )
    from sklearn.metrics import precision_score

    def precision(yt: Any, yp: Any) -> float:
        return float(precision_score(yt, yp, zero_division=np.nan))

    metrics: dict[str, Any] = {
        "true_positive_rate": true_positive_rate,
        "false_positive_rate": false_positive_rate,
        "selection_rate": selection_rate,
        "precision": precision,
    }
    params: dict[str, Any] = {}
    if score is not None:  # calibration in the large: the scores ride along as a sample param
        metrics["mean_predicted"] = lambda yt, yp, score: float(np.mean(score))
        params["mean_predicted"] = {"score": np.asarray(score, dtype=float)}
    sensitive = pd.Series(np.asarray(groups, dtype=object), name=group_by)
    frame = MetricFrame(metrics=metrics, y_true=y, y_pred=flagged, sensitive_features=sensitive,
                        sample_params=params or None)  # fmt: skip
    table = pd.concat(
        [frame.by_group.reset_index().rename(columns={group_by: "group"}),
         frame.overall.to_frame().T.assign(group="all")],
        ignore_index=True,
    )  # fmt: skip
    # fairlearn's equalized_odds_difference (between groups, worst case) is the larger of
    # the frame's between-group differences in these two rates (tests check it equals the
    # function's value); taken from this frame, not from two more frames inside it
    eod = float(frame.difference(method="between_groups")[
        ["true_positive_rate", "false_positive_rate"]].max())  # fmt: skip
    if score is None:
        table["mean_predicted"] = np.nan
    # the confusion counts the rates rest on, by numpy (not through fairlearn)
    codes = sensitive.to_numpy()
    for name in _COUNT_NAMES:
        per = {g: _counts(y[codes == g], flagged[codes == g])[name] for g in table["group"]
               if g != "all"}  # fmt: skip
        per["all"] = _counts(y, flagged)[name]
        table[name] = table["group"].map(per).astype(np.int64)
    table["positives"] = table["tp"] + table["fn"]
    table["negatives"] = table["fp"] + table["tn"]
    table["n"] = table["positives"] + table["negatives"]
    table["observed_rate"] = table["positives"] / table["n"].where(table["n"] > 0)
    pairs = {
        "true_positive_rate": ("tp", "positives"),
        "false_positive_rate": ("fp", "negatives"),
        "selection_rate": (None, "n"),
        "precision": ("tp", None),
        "observed_rate": ("positives", "n"),
    }
    for rate, (num, den) in pairs.items():
        hits = table["tp"] + table["fp"] if num is None else table[num]
        trials = table["tp"] + table["fp"] if den is None else table[den]
        ci = wilson_table(hits.to_numpy(), trials.to_numpy())
        table[f"{rate}_low"] = ci["ci_low"].to_numpy(dtype=float, na_value=np.nan)
        table[f"{rate}_high"] = ci["ci_high"].to_numpy(dtype=float, na_value=np.nan)
    table.insert(0, "group_by", group_by)
    return table, eod


def eod_bootstrap(
    y: np.ndarray, flagged: np.ndarray, groups: np.ndarray, boot: np.ndarray
) -> np.ndarray:
    """Equalized odds difference (between groups, worst case) of every resample in ``boot``.

    ``groups`` are integer codes 0..G-1; the resamples' confusion counts per group come from
    one ``bincount``.
    """
    b = boot.shape[0]
    g = int(groups.max()) + 1 if groups.size else 1
    key = ((np.arange(b)[:, None] * g + groups[boot]) * 2 + y[boot]) * 2 + flagged[boot]
    cells = np.bincount(key.ravel(), minlength=b * g * 4).reshape(b, g, 2, 2).astype(float)
    with np.errstate(invalid="ignore", divide="ignore"):
        tpr = cells[:, :, 1, 1] / cells[:, :, 1, :].sum(axis=2)
        fpr = cells[:, :, 0, 1] / cells[:, :, 0, :].sum(axis=2)
    gap_tpr = np.nanmax(tpr, axis=1) - np.nanmin(tpr, axis=1)
    gap_fpr = np.nanmax(fpr, axis=1) - np.nanmin(fpr, axis=1)
    return np.maximum(gap_tpr, gap_fpr)


def equal_opportunity_predictions(
    pipeline: Any,
    train: pd.DataFrame,
    test: pd.DataFrame,
    features: list[str],
    *,
    seed: int,
) -> np.ndarray:
    """Decisions on ``test`` of a ``ThresholdOptimizer`` with equal true positive rates."""
    from fairlearn.postprocessing import ThresholdOptimizer

    optimizer = ThresholdOptimizer(
        estimator=pipeline,
        constraints="true_positive_rate_parity",
        objective="balanced_accuracy_score",
        prefit=True,
        predict_method="predict_proba",
    )
    optimizer.fit(train[features], train["outcome"].to_numpy(),
                  sensitive_features=train["gender"].to_numpy())  # fmt: skip
    pred = optimizer.predict(test[features], sensitive_features=test["gender"].to_numpy(),
                             random_state=seed)  # fmt: skip
    return np.asarray(pred, dtype=np.int64)
