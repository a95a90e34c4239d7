"""Numbers and period labels as text in the report language.

Swedish: decimal comma, a no-break space as thousands separator and before the per cent sign
(``1 234,5``, ``12,5 %``). English: ``1,234.5`` and ``12.5%``. Negative numbers use the minus
sign U+2212, so that they are never confused with the dash "–" (U+2013) that marks a suppressed
figure. Rounding is half-to-even on the decimal value Python prints; nothing else is computed.
"""

from __future__ import annotations

import math
from typing import Any, Literal

import pandas as pd

from risk_indicators.periods import parse_period
from risk_indicators.periods import period_text as _period_text

__all__ = [
    "INDICATOR_KINDS",
    "MINUS",
    "NBSP",
    "SUPPRESSED",
    "Lang",
    "ValueKind",
    "fmt_interval",
    "fmt_value",
    "is_missing",
    "period_text",
    "short_period_text",
    "window_end",
]

Lang = Literal["sv", "en"]
ValueKind = Literal["int", "rate", "percent", "ratio", "signed_percent", "coef", "p", "share_pp"]

SUPPRESSED = "–"
MINUS = "−"
NBSP = "\u00a0"

#: How each indicator of CONTRACT 4 is written.
INDICATOR_KINDS: dict[str, ValueKind] = {
    "persons": "int",
    "persons_youth": "int",
    "new_persons_youth": "int",
    "youth_share": "percent",
    "female_share": "percent",
    "female_share_youth": "percent",
    "youth_rate_per_10k": "rate",
    "rate_ratio_female_male_youth": "ratio",
    "benchmark_ratio_youth": "ratio",
    "youth_trend_annual_change": "signed_percent",
    "female_share_youth_trend": "coef",
    "female_share_youth_12m": "percent",
    "rate_ratio_female_male_youth_12m": "ratio",
    "police_initiated_share_youth": "percent",
    "youth_per_100_activity_hours": "ratio",
    "youth_trend_annual_change_effort_adjusted": "signed_percent",
}

_DECIMALS: dict[str, int] = {
    "int": 0,
    "rate": 1,
    "percent": 1,
    "ratio": 2,
    "signed_percent": 1,
    "coef": 2,
    "p": 3,
    "share_pp": 1,
}
_PERCENT_SCALED = ("percent", "signed_percent", "share_pp")


def is_missing(value: Any) -> bool:
    """True for None, ``pd.NA``, ``NaT``, NaN and infinities (never published as numbers)."""
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    if isinstance(value, str):
        return False
    try:
        return not math.isfinite(float(value))
    except (TypeError, ValueError):
        return False


def _digits(x: float, decimals: int, lang: Lang) -> str:
    text = f"{abs(x):,.{decimals}f}"
    negative = x < 0 and float(text.replace(",", "")) != 0  # never "−0,0"
    if lang == "sv":
        text = text.replace(",", NBSP).replace(".", ",")
    return (MINUS if negative else "") + text


def _unit(kind: str, lang: Lang) -> str:
    if kind in ("percent", "signed_percent"):
        return f"{NBSP}%" if lang == "sv" else "%"
    if kind == "share_pp":
        return f"{NBSP}procentenheter" if lang == "sv" else " percentage points"
    return ""


def _number(
    value: Any, kind: ValueKind, lang: Lang, *, signed: bool = False, decimals: int | None = None
) -> str:
    x = float(value)
    if kind in _PERCENT_SCALED:
        x *= 100
    if kind == "p":
        if x < 0.001:
            return ("<" if lang == "en" else "<" + NBSP) + _digits(0.001, 3, lang)
        return _digits(x, 3, lang)
    text = _digits(x, _DECIMALS[kind] if decimals is None else decimals, lang)
    if (signed or kind in ("signed_percent", "coef")) and not text.startswith(MINUS):
        text = ("+" + text) if any(c in "123456789" for c in text) else text
    return text


def fmt_value(
    value: Any,
    kind: ValueKind,
    lang: Lang,
    *,
    suppressed: bool = False,
    missing: str = "",
    unit: bool = True,
    decimals: int | None = None,
) -> str:
    """One number as text.

    Parameters
    ----------
    value
        The number (a share for the per cent kinds, 0.125 -> ``12,5 %``).
    kind
        ``int`` (thousands separator), ``rate`` (1 decimal), ``percent`` (share as per cent,
        1 decimal), ``ratio`` (2 decimals), ``signed_percent`` (``+5,0 %``), ``coef`` (signed,
        2 decimals), ``p`` (p-value, 3 decimals, ``< 0,001``), ``share_pp`` (a change of a
        share in percentage points).
    lang
        ``sv`` or ``en``.
    suppressed
        True: the value is hidden by disclosure control and written as "–".
    missing
        Text for a value that is missing without being suppressed (not defined).
    unit
        Append ``%`` (or "percentage points") for the per cent kinds.
    decimals
        Override the number of decimals of ``kind`` (e.g. 0 for axis ticks).

    Examples
    --------
    >>> fmt_value(0.125, "percent", "sv")
    '12,5\\xa0%'
    >>> fmt_value(1234, "int", "en")
    '1,234'
    """
    if suppressed:
        return SUPPRESSED
    if is_missing(value):
        return missing
    text = _number(value, kind, lang, decimals=decimals)
    return text + (_unit(kind, lang) if unit else "")


def fmt_interval(low: Any, high: Any, kind: ValueKind, lang: Lang) -> str:
    """A confidence interval, ``10,2–15,3 %``; with a negative bound ``−3,0 till 14,0 %``.

    A negative bound of a signed kind keeps its minus when it rounds to zero: an interval
    from -0.003 to 0.53 is ``−0,00 till 0,53``, which still says that it holds zero, where
    ``0,00–0,53`` would read as a change certain in sign. Returns ``""`` when a bound is
    missing.

    Examples
    --------
    >>> fmt_interval(-0.0035, 0.527, "coef", "sv")
    '−0,00 till 0,53'
    """
    if is_missing(low) or is_missing(high):
        return ""
    a = _number(low, kind, lang)
    b = _number(high, kind, lang)
    if kind in ("signed_percent", "coef"):
        a, b = a.lstrip("+"), b.lstrip("+")
        a, b = (MINUS + t if float(x) < 0 and not t.startswith(MINUS) else t
                for x, t in ((low, a), (high, b)))
    if a.startswith(MINUS) or b.startswith(MINUS):
        sep = " till " if lang == "sv" else " to "
    else:
        sep = "–"
    return f"{a}{sep}{b}{_unit(kind, lang)}"


def period_text(code: str, lang: Lang, *, long: bool = False) -> str:
    """A period code or a rolling-window label as text in the language.

    ``2024T1`` -> ``T1 2024``; ``2023T2-2024T1`` -> ``T2 2023–T1 2024``; with ``long``
    ``tertial 1 2024 (jan-apr)`` / ``T1 2024 (Jan-Apr)``. Unknown text is returned as is
    (:func:`risk_indicators.periods.period_text`).
    """
    if long:
        try:
            p = parse_period(str(code))
        except ValueError:
            p = None
        if p is not None:
            return p.label_sv(long=True) if lang == "sv" else p.label_en()
    return short_period_text(str(code), lang)


def short_period_text(code: str, lang: Lang) -> str:
    """Compact period label for axes and table rows: ``T1 2024``, ``K1 2024``, ``jan 2024``,
    a window ``T2 2023–T1 2024``."""
    return _period_text(str(code), lang)


def window_end(code: str) -> str:
    """The last period of a rolling-window label (``2023T2-2024T1`` -> ``2024T1``)."""
    code = str(code)
    for cut in range(4, len(code) - 4):
        if code[cut] == "-":
            try:
                parse_period(code[:cut])
                parse_period(code[cut + 1 :])
            except ValueError:
                continue
            return code[cut + 1 :]
    return code
