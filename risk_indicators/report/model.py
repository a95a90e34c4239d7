"""What the report renders: the public data of one release, after disclosure control.

The report package computes nothing statistical. Everything it shows is a field of
:class:`PublicRelease`, built by :mod:`risk_indicators.release` from the analysis once
disclosure control has decided what may be published. Values that were suppressed, or that are
not defined, are ``None`` in :attr:`PublicRelease.indicators` and ``<NA>`` in the tables.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

import pandas as pd

from risk_indicators.periods import Period

from ._effort_model import EffortView

__all__ = ["TABLE_COLUMNS", "PublicRelease", "table"]

#: The public tidy tables and their columns, in the order they are written.
TABLE_COLUMNS: dict[str, tuple[str, ...]] = {
    "youth_by_period": (
        "period",
        "label",
        "persons_youth",
        "population_youth",
        "rate_per_10k",
        "ci_low",
        "ci_high",
        "fitted_rate",
        "fitted_low",
        "fitted_high",
        "expected",
        "upperbound",
        "alarm",
        "suppressed",
    ),
    "female_share": (
        "scope",
        "period",
        "women",
        "men",
        "estimate",
        "ci_low",
        "ci_high",
        "suppressed",
    ),
    "indicators": ("scope", "label", "id", "value", "ci_low", "ci_high", "n", "suppressed"),
    "counts": ("table", "period", "area", "age_band", "gender", "measure", "value", "suppressed"),
    "trend": ("term", "estimate", "ci_low", "ci_high", "p_value", "n"),
    "comparison": ("comparison", "estimate", "ci_low", "ci_high", "p_value", "suppressed"),
    "fairness": (
        "measure",
        "scope",
        "group",
        "estimate",
        "ci_low",
        "ci_high",
        "n",
        "p_value",
        "suppressed",
    ),
}


@dataclass(frozen=True)
class PublicRelease:
    """The public figures of one release, ready to render.

    Attributes
    ----------
    municipality
        Name of the municipality, e.g. ``"Vaggeryd"``.
    period
        The reported period P.
    language
        Report language.
    indicators
        Exactly the public ``indicators.json`` object (CONTRACT 4), including
        ``comparisons.same_period_last_year`` and ``comparisons.rolling_12_months``.
    tables
        Public tidy tables named as in :data:`TABLE_COLUMNS`; any may be missing or empty.
        Suppressed values are ``<NA>`` with ``suppressed`` true.
    min_count
        Disclosure threshold T.
    suppressed_count
        Number of published cells that are suppressed.
    noise
        ``(max_deviation, variance, youth_bands)`` of the cell-key method when the counts are
        perturbed (nothing is suppressed then; a count of the young sums ``youth_bands``
        perturbed age-band counts); None with suppression.
    youth_ages
        ``(youth_min_age, youth_max_age)``.
    goal
        ``status``, ``target_female_share``, ``target_period``, ``rule`` (text, or a dict with
        ``sv`` and ``en``), ``min_detectable_change`` (on the share scale, e.g. 0.12 = 12
        percentage points; None when unknown), ``benchmark_female_share``, ``benchmark_source``.
    sentences
        Ready sentences in the report language from the statistics modules, e.g.
        ``"decomposition"`` (with log-odds) and ``"decomposition_plain"`` (for followup.md).
    inputs
        Input name -> ``{"file": ..., "sha256": ...}``.
    version
        Package version that made the release.
    notes
        Data warnings in plain words.
    sources
        Where the data come from, one line each; empty: the report's standard wording
        (police records of reported persons, Statistics Sweden's population).
    draft
        A trial release, not recorded in the ledger: every file says it is a draft.
    effort
        The section "Vad som gjordes" / "What was done" (issue 16): activities, police effort
        and the young by detection mode; None: nothing is known of the effort (the section says
        so).
    """

    municipality: str
    period: Period
    language: Literal["sv", "en"]
    indicators: dict[str, Any]
    tables: dict[str, pd.DataFrame]
    min_count: int
    suppressed_count: int
    youth_ages: tuple[int, int]
    goal: dict[str, Any]
    sentences: dict[str, str] = field(default_factory=dict)
    inputs: dict[str, dict[str, str]] = field(default_factory=dict)
    version: str = ""
    notes: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()
    draft: bool = False
    effort: EffortView | None = None
    noise: tuple[int, float, int] | None = None

    def __post_init__(self) -> None:
        if self.language not in ("sv", "en"):
            raise ValueError(
                "The 'language' parameter of PublicRelease must be one of 'en', 'sv'. "
                f"Got {self.language!r} instead."
            )
        unknown = sorted(set(self.tables) - set(TABLE_COLUMNS))
        if unknown:
            raise ValueError(
                f"PublicRelease.tables has unknown tables {unknown}; the known tables are "
                f"{sorted(TABLE_COLUMNS)}."
            )
        for name, df in self.tables.items():
            missing = [c for c in TABLE_COLUMNS[name] if c not in df.columns]
            if missing:
                raise ValueError(f"The public table '{name}' lacks the columns {missing}.")


def table(release: PublicRelease, name: str) -> pd.DataFrame:
    """The public table ``name`` with its columns in contract order (empty when absent)."""
    columns = list(TABLE_COLUMNS[name])
    df = release.tables.get(name)
    if df is None:
        return pd.DataFrame({c: pd.Series([], dtype=object) for c in columns})
    return df.loc[:, columns].reset_index(drop=True)
