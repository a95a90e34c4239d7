"""One analysis: records or counts -> cube -> every figure of a follow-up, computed once.

Other stages use the names below; the modules are the stage's own.
"""

from __future__ import annotations

from ._analyse import aggregate, analyse, analyse_counts
from ._figures import FIGURE_COLUMNS, SCOPES, WHOLE_SERIES, detection_counts, figure_table
from ._national import NationalAnalysis, analyse_all
from ._periods import detail_periods, followup_windows
from ._result import Analysis

__all__ = [
    "FIGURE_COLUMNS",
    "SCOPES",
    "WHOLE_SERIES",
    "Analysis",
    "NationalAnalysis",
    "aggregate",
    "analyse",
    "analyse_all",
    "analyse_counts",
    "detail_periods",
    "detection_counts",
    "figure_table",
    "followup_windows",
]
