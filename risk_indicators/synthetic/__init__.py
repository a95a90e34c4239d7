"""Synthetic data with known truth, and the validation study that uses it.

The stage's public names; its modules are private to it (the package's layout is
described in ``risk_indicators/__init__.py``).
"""

from __future__ import annotations

from ._activity import (
    PATROL_HOURS_PER_DAY,
    activity_frame,
    effort_operations,
    with_effort,
)
from ._bundled import (
    demo_data_dir,
)
from ._futures import (
    TRUTH_COLUMNS,
    RereportTruth,
)
from ._generator import (
    DEFAULT_SEED,
    SyntheticData,
    expected_persons,
    generate,
    synth_command,
    truth_table,
    write_synthetic,
)
from ._model import (
    Operation,
    SynthParams,
)
from ._output import (
    DEFECT_KINDS,
)
from ._rereport import (
    rereport_truth,
)
from .validation import (
    COLUMNS,
    ValidationResult,
    alarm_decision,
    draw_counts,
    simulate,
    simulate_command,
)

__all__ = [
    "COLUMNS",
    "DEFAULT_SEED",
    "DEFECT_KINDS",
    "PATROL_HOURS_PER_DAY",
    "TRUTH_COLUMNS",
    "Operation",
    "RereportTruth",
    "SynthParams",
    "SyntheticData",
    "ValidationResult",
    "activity_frame",
    "alarm_decision",
    "demo_data_dir",
    "draw_counts",
    "effort_operations",
    "expected_persons",
    "generate",
    "rereport_truth",
    "simulate",
    "simulate_command",
    "synth_command",
    "truth_table",
    "with_effort",
    "write_synthetic",
]
