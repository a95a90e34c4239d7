"""The cube: distinct persons and reports by period x area x age band x gender, with margins.

The stage's public names; its modules are private to it (the package's layout is
described in ``risk_indicators/__init__.py``).
"""

from __future__ import annotations

from ._population import attach_population
from .aggregate import (
    GENDERS,
    KEYS,
    add_margins,
    complete_inner,
    cube_from_counts,
    cube_from_person_periods,
    detection_cube,
    order_cube,
    person_periods,
    window_cube,
)
from .names import TOTAL, CountName, window_block

__all__ = [
    "GENDERS",
    "KEYS",
    "TOTAL",
    "CountName",
    "add_margins",
    "attach_population",
    "complete_inner",
    "cube_from_counts",
    "cube_from_person_periods",
    "detection_cube",
    "order_cube",
    "person_periods",
    "window_block",
    "window_cube",
]
