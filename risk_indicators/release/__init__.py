"""One release: what is public, decided in one place, and the files written atomically.

The stage's public names; its modules are private to it (the package's layout is
described in ``risk_indicators/__init__.py``).
"""

from __future__ import annotations

from ._protection import (
    followup_priority,
    protect_analysis,
    published_windows,
)
from ._public import (
    public_tables,
    suppressed_indicators,
)
from ._write import (
    counts_csv_table,
    ledger_path,
    write_release,
)

__all__ = [
    "counts_csv_table",
    "followup_priority",
    "ledger_path",
    "protect_analysis",
    "public_tables",
    "published_windows",
    "suppressed_indicators",
    "write_release",
]
