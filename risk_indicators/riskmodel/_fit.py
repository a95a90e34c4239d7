"""The two scikit-learn pipelines, the temporal split and the data-sufficiency rule.

Private to :mod:`risk_indicators.riskmodel`.

- ``logistic`` (default): one-hot encoding of the categorical features (levels seen fewer
  than 10 times in training merged into one "infrequent" level; unseen levels map to it),
  age standardised and linear on the log-odds, then ``LogisticRegression`` with scikit-learn's
  default mild L2 penalty (C = 1). Interpretable: one coefficient per level and per year of
  age.
- ``boosting``: ``HistGradientBoostingClassifier`` on ordinal-coded categories (native
  categorical splits; at most 250 levels, rarer ones merged), learning rate 0.05, at most 300
  trees of 15 leaves, L2 1.0, early stopping on a 10 % validation split. It can find
  interactions the logistic model cannot, and needs more data to do so.

**Temporal validation.** The test set is the persons whose index report falls in the last
periods of the study, from the first period at which at least ``test_share`` of the study
remains (or from ``test_from``). With ``embargo`` (default) the training set is the persons
whose index report lies at least ``months`` before the test periods begin, so every training
outcome was known when the test periods began, as when the model is really used; the persons
in between are left out of both and counted (``gap``).

**Enough data.** The rule follows Peduzzi et al. (1996, J Clin Epidemiol 49:1373) for
fitting, at least ``min_events_per_parameter`` (10) of the rarer outcome per model parameter
in the training set, and Vergouwe et al. (2005, J Clin Epidemiol 58:475) and Collins et al.
(2016, Stat Med 35:214) for validation, at least ``min_test_events`` (100) persons with and
100 without the outcome in the test set. Below that the indicator is not fitted and the model
card says why, with the numbers.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from risk_indicators.periods import Period, parse_period

from ._cohort import CATEGORICAL

__all__ = ["MODEL_KINDS", "Split", "make_pipeline", "n_parameters", "temporal_split"]

MODEL_KINDS: tuple[str, ...] = ("logistic", "boosting")
_MIN_LEVEL = 10


def make_pipeline(kind: str, *, random_state: int) -> Any:
    """An unfitted scikit-learn pipeline of ``kind`` over :data:`FEATURES` (module docstring)."""
    from sklearn.compose import ColumnTransformer
    from sklearn.ensemble import HistGradientBoostingClassifier
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import OneHotEncoder, OrdinalEncoder, StandardScaler

    if kind == "logistic":
        encode = ColumnTransformer(
            [
                (
                    "levels",
                    OneHotEncoder(handle_unknown="infrequent_if_exist", min_frequency=_MIN_LEVEL),
                    list(CATEGORICAL),
                ),
                ("age", StandardScaler(), ["age"]),
            ]
        )
        model = LogisticRegression(C=1.0, max_iter=2000)
        return Pipeline([("encode", encode), ("model", model)])
    encode = ColumnTransformer(
        [
            (
                "levels",
                OrdinalEncoder(
                    handle_unknown="use_encoded_value", unknown_value=np.nan, max_categories=250
                ),
                list(CATEGORICAL),
            ),
            ("age", "passthrough", ["age"]),
        ]
    )
    model = HistGradientBoostingClassifier(
        learning_rate=0.05,
        max_iter=300,
        max_leaf_nodes=15,
        l2_regularization=1.0,
        early_stopping=True,
        validation_fraction=0.1,
        categorical_features=list(range(len(CATEGORICAL))),
        random_state=random_state,
    )
    return Pipeline([("encode", encode), ("model", model)])


def n_parameters(train: pd.DataFrame) -> int:
    """Parameters of the logistic model on ``train``: one per non-reference level, age, the
    intercept (levels rarer than 10 merged as in the pipeline)."""
    total = 2  # intercept and age
    for name in CATEGORICAL:
        counts = train[name].value_counts()
        frequent = int((counts >= _MIN_LEVEL).sum())
        levels = frequent + int((counts < _MIN_LEVEL).any())
        total += max(levels - 1, 0)
    return total


@dataclass(frozen=True)
class Split:
    """Who trains and who tests; periods as codes."""

    train: np.ndarray  # boolean masks over the cohort frame
    test: np.ndarray
    gap: np.ndarray
    test_from: str | None
    train_before: str | None  # training index reports lie before this day (ISO), a period start


def temporal_split(
    frame: pd.DataFrame,
    *,
    kind: str,
    months: int,
    test_share: float,
    test_from: str | None,
    embargo: bool,
) -> Split:
    """Split the cohort by time (module docstring)."""
    n = len(frame)
    none = np.zeros(n, dtype=bool)
    if n == 0:
        return Split(none, none, none, None, None)
    levels, at = np.unique(frame["period"].to_numpy(dtype=str), return_inverse=True)
    ordinals = np.asarray([parse_period(c, kind).ordinal for c in levels])  # type: ignore[arg-type]
    periods = ordinals[at]
    if test_from is None:
        order = np.sort(np.unique(periods))
        share_from = np.array([(periods >= o).mean() for o in order])
        eligible = order[share_from >= test_share]
        first = int(eligible.max()) if eligible.size else int(order.min())
        if first == int(order.min()) and order.size > 1:
            first = int(order[1])  # keep at least one period to train on
    else:
        first = parse_period(test_from, kind).ordinal  # type: ignore[arg-type]
    start = pd.Timestamp(Period(kind, first).start)  # type: ignore[arg-type]
    test = periods >= first
    dates = pd.to_datetime(frame["report_date"])
    limit = start - pd.DateOffset(months=months) if embargo else start
    train = (dates < limit).to_numpy()
    gap = ~test & ~train
    # a period boundary, never the date of one person's report
    return Split(train, test, gap, Period(kind, first).code,  # type: ignore[arg-type]
                 limit.date().isoformat())  # fmt: skip
