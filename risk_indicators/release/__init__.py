"""One release: what is public, decided in one place, and the files written atomically.

Other stages use the names below; the modules are the stage's own.
"""

from __future__ import annotations

from ._protection import (
    followup_priority,
    protect_analysis,
    publication_design,
    published_windows,
)
from ._public import PublicView, public_view
from ._publication import Publication, detection_shown
from ._write import check_release_target, counts_csv_table, ledger_path, write_release

__all__ = [
    "PublicView",
    "Publication",
    "check_release_target",
    "counts_csv_table",
    "detection_shown",
    "followup_priority",
    "ledger_path",
    "protect_analysis",
    "public_view",
    "publication_design",
    "published_windows",
    "write_release",
]
