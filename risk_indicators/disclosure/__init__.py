"""Disclosure control: suppression, the attacker's audit and the release ledger.

The stage's public names; its modules are private to it (the package's layout is
described in ``risk_indicators/__init__.py``).
"""

from __future__ import annotations

from risk_indicators.cube import (  # the cell-key method's table and keys, at the cube
    KEY_BITS,
    PerturbationTable,
    cell_keys,
    record_keys,
)

from ._audit_model import (
    DerivedCount,
    Model,
    PublishedTotal,
    build_model,
    var_name,
)
from ._cellkey_release import (
    perturbed_release,
)
from ._linear import (
    SOLVER_TIME_LIMIT,
    LinearSystem,
    components,
    propagate_bounds,
)
from ._protect import (
    audit_suppression,
    default_priority,
    protect,
    publishable,
    round_base3,
)
from ._protection import (
    AUDIT_COLUMNS,
    KEY_COLUMNS,
    Method,
    Protection,
)
from ._repair import (
    repair,
)
from .audit import (
    Certification,
    certify,
)
from .ledger import (
    CELL_COLUMNS,
    LINK_COLUMNS,
    Ledger,
    LedgerSnapshot,
    Release,
)

__all__ = [
    "AUDIT_COLUMNS",
    "CELL_COLUMNS",
    "KEY_BITS",
    "KEY_COLUMNS",
    "LINK_COLUMNS",
    "SOLVER_TIME_LIMIT",
    "Certification",
    "DerivedCount",
    "Ledger",
    "LedgerSnapshot",
    "LinearSystem",
    "Method",
    "Model",
    "PerturbationTable",
    "Protection",
    "PublishedTotal",
    "Release",
    "audit_suppression",
    "build_model",
    "cell_keys",
    "certify",
    "components",
    "default_priority",
    "perturbed_release",
    "propagate_bounds",
    "protect",
    "publishable",
    "record_keys",
    "repair",
    "round_base3",
    "var_name",
]
