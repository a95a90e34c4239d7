"""The cube: distinct persons and reports by period x area x age band x gender, with margins.

The stage's public names; its modules are private to it (the package's layout is
described in ``risk_indicators/__init__.py``).
"""

from __future__ import annotations

from ._cellkey import KEY_BITS, PerturbationTable, cell_keys, record_keys
from ._perturb import (
    KEY_MEASURES,
    NOISE_ATTR,
    perturbation_of,
    perturbed_count,
    perturbed_persons,
    with_record_keys,
)
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
    "KEY_BITS",
    "KEY_MEASURES",
    "NOISE_ATTR",
    "TOTAL",
    "CountName",
    "PerturbationTable",
    "add_margins",
    "attach_population",
    "cell_keys",
    "complete_inner",
    "cube_from_counts",
    "cube_from_person_periods",
    "detection_cube",
    "order_cube",
    "person_periods",
    "perturbation_of",
    "perturbed_count",
    "perturbed_persons",
    "record_keys",
    "window_block",
    "window_cube",
    "with_record_keys",
]
