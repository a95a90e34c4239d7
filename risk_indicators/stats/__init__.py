"""Statistics of counts: rates and intervals, trends, period alarms, comparisons, indicators.

The stage's public names; its modules are private to it (the package's layout is
described in ``risk_indicators/__init__.py``).
"""

from __future__ import annotations

from ._benchmark import odds_ratio_to_benchmark
from ._estimate import (
    REASON_ALL_SUCCESSES,
    REASON_NO_EVENTS_KATZ,
    REASON_NO_EVENTS_REFERENCE,
    REASON_NO_POPULATION,
    REASON_NO_TRIALS,
    REASON_OVERFLOW,
    REASON_ZERO_ODDS,
    Estimate,
)
from ._glm_fit import FIT_WARNINGS, fit_warnings_ignored
from .alarms import (
    FarringtonResult,
    farrington_flexible,
)
from .comparisons import (
    MannKendallResult,
    compare_periods,
    counts_differ_p,
    mann_kendall,
    shares_differ_p,
)
from .effort import (
    EffortTrendResult,
    effort_adjusted_trend,
    effort_trend_replicates,
)
from .effort_indicators import (
    DETECTION_MODES,
    EFFORT_INDICATORS,
    EffortStatistics,
    effort_statistics,
    police_initiated_share_youth,
    youth_by_detection,
    youth_per_100_activity_hours,
)
from .followup import (
    YouthStatistics,
    youth_series,
    youth_statistics,
)
from .indicators import (
    CountRef,
    Indicator,
    count_refs,
    noise_variance,
    slice_indicators,
)
from .rates import (
    poisson_rate,
    poisson_rate_table,
    rate_ratio_exact,
    rate_ratio_katz,
    rate_ratio_table,
    risk_ratio_katz,
    wilson_interval,
    wilson_table,
)
from .trends import (
    TrendResult,
    poisson_trend,
    trend_replicates,
)

__all__ = [
    "DETECTION_MODES",
    "EFFORT_INDICATORS",
    "FIT_WARNINGS",
    "REASON_ALL_SUCCESSES",
    "REASON_NO_EVENTS_KATZ",
    "REASON_NO_EVENTS_REFERENCE",
    "REASON_NO_POPULATION",
    "REASON_NO_TRIALS",
    "REASON_OVERFLOW",
    "REASON_ZERO_ODDS",
    "CountRef",
    "EffortStatistics",
    "EffortTrendResult",
    "Estimate",
    "FarringtonResult",
    "Indicator",
    "MannKendallResult",
    "TrendResult",
    "YouthStatistics",
    "compare_periods",
    "count_refs",
    "counts_differ_p",
    "effort_adjusted_trend",
    "effort_statistics",
    "effort_trend_replicates",
    "farrington_flexible",
    "fit_warnings_ignored",
    "mann_kendall",
    "noise_variance",
    "odds_ratio_to_benchmark",
    "poisson_rate",
    "poisson_rate_table",
    "poisson_trend",
    "police_initiated_share_youth",
    "rate_ratio_exact",
    "rate_ratio_katz",
    "rate_ratio_table",
    "risk_ratio_katz",
    "shares_differ_p",
    "slice_indicators",
    "trend_replicates",
    "wilson_interval",
    "wilson_table",
    "youth_by_detection",
    "youth_per_100_activity_hours",
    "youth_series",
    "youth_statistics",
]
