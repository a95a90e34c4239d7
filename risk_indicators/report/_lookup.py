"""Reading the indicators of a release (private to the report's text modules)."""

from __future__ import annotations

from typing import Any

from .formatting import is_missing
from .model import PublicRelease

__all__ = ["indicator", "published", "shown"]


def indicator(release: PublicRelease, scope: str, indicator_id: str) -> dict[str, Any] | None:
    """The indicator object of ``indicators.json`` for a scope, or None when absent."""
    data = release.indicators
    if scope == "period":
        block = data.get("indicators", {})
    else:
        block = data.get("comparisons", {}).get(scope, {}).get("indicators", {})
    found = block.get(indicator_id)
    return found if isinstance(found, dict) else None


def published(ind: dict[str, Any] | None) -> bool:
    return ind is not None and not ind.get("suppressed") and not is_missing(ind.get("value"))


def shown(release: PublicRelease, scope: str, indicator_id: str) -> dict[str, Any] | None:
    """The indicator when its value is published and defined, else None."""
    ind = indicator(release, scope, indicator_id)
    return ind if ind is not None and published(ind) else None
