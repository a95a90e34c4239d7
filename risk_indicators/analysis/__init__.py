"""One analysis: records or counts -> cube -> every figure of a follow-up, computed once.

The stage's public names; its modules are private to it (the package's layout is
described in ``risk_indicators/__init__.py``).
"""

from __future__ import annotations

from ._analyse import (
    SCOPES,
    Analysis,
    aggregate,
    analyse,
    analyse_counts,
)
from ._national import NationalAnalysis, analyse_all

__all__ = [
    "SCOPES",
    "Analysis",
    "NationalAnalysis",
    "aggregate",
    "analyse",
    "analyse_all",
    "analyse_counts",
]
