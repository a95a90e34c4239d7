"""Every user-visible text of the report, in Swedish (default) and English.

The texts live in :mod:`._labels_sv` and :mod:`._labels_en` with the same keys (a test checks
it). Templates and renderers never hold words of their own: they ask :func:`text` for a key.

Key prefixes: ``sec_``/``sub_`` headings, ``s_`` summary sentences, ``goal_`` the gender goal,
``ind_`` indicator names, ``def_`` definitions (CONTRACT 4), ``meaning_`` "what the numbers
mean", ``method_`` methods, ``col_`` column headers, ``cap_`` table captions, ``scope_``,
``gender_``, ``measure_``, ``comparison_``, ``term_``, ``fair_``, ``group_`` values of table
columns, ``fig_`` figures, ``sheet_``/``info_`` the workbook, ``md_`` the follow-up text.
"""

from __future__ import annotations

import re
from typing import Any, Literal

from ._labels_effort_en import EN_EFFORT
from ._labels_effort_sv import SV_EFFORT
from ._labels_en import EN
from ._labels_methods_en import EN_METHODS
from ._labels_methods_sv import SV_METHODS
from ._labels_sv import SV

__all__ = [
    "INDICATOR_ORDER",
    "LABELS",
    "TWELVE_MONTH_TWINS",
    "code_label",
    "indicator_name",
    "text",
]

Lang = Literal["sv", "en"]

#: The effort section's texts (issue 16) live in their own modules, merged here.
LABELS: dict[str, dict[str, str]] = {
    "sv": {**SV, **SV_METHODS, **SV_EFFORT},
    "en": {**EN, **EN_METHODS, **EN_EFFORT},
}
_THOUSANDS = re.compile(r"(\d) (\d{3})\b")

#: Indicators of CONTRACT 4 in the order the report lists them.
INDICATOR_ORDER: tuple[str, ...] = (
    "persons_youth",
    "youth_rate_per_10k",
    "new_persons_youth",
    "persons",
    "youth_share",
    "female_share_youth",
    "female_share",
    "rate_ratio_female_male_youth",
    "benchmark_ratio_youth",
    "youth_trend_annual_change",
    "female_share_youth_trend",
    "goal_status",
    "police_initiated_share_youth",
    "youth_per_100_activity_hours",
    "youth_trend_annual_change_effort_adjusted",
)
#: P's ids of the 12-month figures: the key table shows them in the 12-month column of
#: their twins' rows, not as rows of their own.
TWELVE_MONTH_TWINS: dict[str, str] = {
    "female_share_youth_12m": "female_share_youth",
    "rate_ratio_female_male_youth_12m": "rate_ratio_female_male_youth",
}

# Table columns whose values are codes to be shown as words, and the key prefix of each.
_CODE_PREFIX: dict[str, str] = {
    "scope": "scope_",
    "gender": "gender_",
    "measure": "measure_",
    "comparison": "comparison_",
    "term": "term_",
    "group": "group_",
    "table": "table_",
    "activity": "act_",
    "unit": "unit_",
}


def text(lang: Lang, key: str, /, **values: Any) -> str:
    """The text ``key`` in ``lang`` with ``{placeholders}`` filled from ``values``.

    Raises
    ------
    KeyError
        For an unknown key (a missing text is a bug, never shown as the key).

    Examples
    --------
    >>> text("en", "sec_youth", ages="15-24")
    'Young people aged 15-24'
    """
    template = LABELS[lang][key]
    if lang == "sv":  # Swedish typography: "95 %" and "10 000" never break across lines
        template = _THOUSANDS.sub("\\1\u00a0\\2", template.replace(" %", "\u00a0%"))
    return template.format(**values) if values else template


def indicator_name(lang: Lang, indicator_id: str, *, ages: str) -> str:
    """Readable name of an indicator id; an unknown id is shown with spaces for underscores."""
    key = f"ind_{indicator_id}"
    if key in LABELS[lang]:
        return text(lang, key, ages=ages)
    return indicator_id.replace("_", " ")


def code_label(lang: Lang, column: str, value: Any) -> str:
    """A code of a table column as a word: ``("gender", "kvinna")`` -> ``Kvinnor``.

    ``total`` becomes "Totalt" ("Hela kommunen" for areas, "Alla åldrar" for age bands);
    fairness measures use the ``fair_`` keys. Codes without a text (area names, age bands,
    unknown measures) are returned readable as they are.
    """
    raw = str(value)
    if raw == "total":
        key = {"area": "area_total", "age_band": "age_total"}.get(column, "total")
        return text(lang, key)
    if column == "measure" and f"fair_{raw}" in LABELS[lang]:
        return text(lang, f"fair_{raw}")
    prefixes = [_CODE_PREFIX[column]] if column in _CODE_PREFIX else []
    if column == "group":  # fairness groups are genders or detection modes
        prefixes.append("gender_")
    for prefix in prefixes:
        if f"{prefix}{raw}" in LABELS[lang]:
            return text(lang, f"{prefix}{raw}")
    if column in ("measure", "term", "group"):
        return raw.replace("_", " ")
    return raw
