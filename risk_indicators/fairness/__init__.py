"""Gender distribution and fairness: shares, rate ratios, benchmark, standardisation, goal.

The stage's public names; its modules are private to it (the package's layout is
described in ``risk_indicators/__init__.py``).
"""

from __future__ import annotations

from ._decomposition import (
    DecompositionResult,
    share_change_decomposition,
)
from ._detection import (
    DETECTIONS,
    detection_cubes,
    has_detection,
)
from ._gender_counts import (
    COLOURS,
    Stratum,
    float64_columns,
    gender_counts,
    period_of,
    youth_label,
)
from ._gender_shares import (
    BenchmarkResult,
    RateRatioResult,
    ShareResult,
    benchmark_ratio_youth,
    fairness_coverage,
    female_share,
    female_share_youth,
    gender_rate_ratio,
)
from ._gender_time import (
    GenderTimeResult,
    gender_time_glm,
)
from ._logit_trend import LogitFit, fit_logit_trend, logit_trend_problem
from ._parity import (
    ParityResult,
    selection_rates,
)
from ._report import (
    FairnessResult,
    fairness_report,
    gender_figures,
    gender_goal_indicators,
    goal_indicators,
)
from ._share_trend import (
    MIN_YEARS,
    ShareTrendResult,
    female_share_youth_trend,
)
from .goal import (
    GOAL_RULE_EN,
    GOAL_RULE_PLAIN,
    GOAL_RULE_SV,
    GOAL_STATUSES,
    GoalResult,
    assess_goal,
    detectable_change,
    goal_status,
)
from .standardise import (
    StandardisedResult,
    mantel_haenszel_rate_ratio,
    standardised_rate_ratio,
)

__all__ = [
    "COLOURS",
    "DETECTIONS",
    "GOAL_RULE_EN",
    "GOAL_RULE_PLAIN",
    "GOAL_RULE_SV",
    "GOAL_STATUSES",
    "MIN_YEARS",
    "BenchmarkResult",
    "DecompositionResult",
    "FairnessResult",
    "GenderTimeResult",
    "GoalResult",
    "LogitFit",
    "ParityResult",
    "RateRatioResult",
    "ShareResult",
    "ShareTrendResult",
    "StandardisedResult",
    "Stratum",
    "assess_goal",
    "benchmark_ratio_youth",
    "detectable_change",
    "detection_cubes",
    "fairness_coverage",
    "fairness_report",
    "female_share",
    "female_share_youth",
    "female_share_youth_trend",
    "fit_logit_trend",
    "float64_columns",
    "gender_counts",
    "gender_figures",
    "gender_goal_indicators",
    "gender_rate_ratio",
    "gender_time_glm",
    "goal_indicators",
    "goal_status",
    "has_detection",
    "logit_trend_problem",
    "mantel_haenszel_rate_ratio",
    "period_of",
    "selection_rates",
    "share_change_decomposition",
    "standardised_rate_ratio",
    "youth_label",
]
