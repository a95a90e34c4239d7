"""Split a change in the female share into the part due to women and the part due to men.

Private to :mod:`risk_indicators.fairness`, which re-exports :class:`DecompositionResult` and
:func:`share_change_decomposition`. The log-odds of the share are ``log W - log M``, so the
change in log-odds between two labels of the cube (two periods, or two rolling 12-month
windows) is ``log(W1/W0) - log(M1/M0)`` exactly: more (or fewer) women reported, and fewer
(or more) men reported. :meth:`DecompositionResult.sentence` says it in Swedish or English
for the report; ``_num`` and ``_pct`` write its numbers in either language.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Literal

import pandas as pd

from risk_indicators.config import Config
from risk_indicators.periods import period_text

from ._gender_shares import _labels, _women_men
from .standardise import COLOURS, MEN, WOMEN, float64_columns, gender_counts

__all__ = ["DecompositionResult", "share_change_decomposition"]


# --------------------------------------------------------------------------- decomposition
def _num(x: float, language: str, digits: int = 2, sign: bool = True) -> str:
    text = f"{x:+.{digits}f}" if sign else f"{x:.{digits}f}"
    return text.replace(".", ",").replace("-", "−") if language == "sv" else text


def _pct(x: float, language: str) -> str:
    return f"{_num(100 * x, language, 1, sign=False)} %" if language == "sv" else f"{x:.1%}"


@dataclass(frozen=True)
class DecompositionResult:
    """Change in the log-odds of the female share between two labels, split by gender.

    ``change = from_women + from_men`` exactly, with ``from_women = log(W1/W0)`` (more women
    reported) and ``from_men = -log(M1/M0)`` (fewer men reported). None, with ``reason``, when
    a count is 0 (log 0 is not defined); ``zero`` then names the gender and label.
    """

    start: str
    end: str
    women: tuple[int, int]
    men: tuple[int, int]
    change: float | None
    from_women: float | None
    from_men: float | None
    reason: str
    youth: bool
    zero: tuple[str, str] | None = None

    @property
    def table(self) -> pd.DataFrame:
        (w0, w1), (m0, m1) = self.women, self.men
        out = pd.DataFrame({"component": ["women", "men", "log_odds"],
                            "estimate": [self.from_women, self.from_men, self.change],
                            "start_count": [w0, m0, w0 + m0],
                            "end_count": [w1, m1, w1 + m1]})  # fmt: skip
        return float64_columns(out, "estimate").assign(
            start=self.start, end=self.end, reason=self.reason
        )

    def sentence(self, language: Literal["sv", "en"] = "en", *, plain: bool = False) -> str:
        """The decomposition in one sentence, Swedish (``sv``) or English (``en``).

        ``plain`` drops the log-odds for readers who are not statisticians: the two shares
        with their counts and whether more or fewer women and men were reported (the
        follow-up text); None-free either way.
        """
        (w0, w1), (m0, m1) = self.women, self.men
        sv = language == "sv"
        who = ("unga " if self.youth else "") if sv else ("young " if self.youth else "")
        fw, fm, ch = self.from_women, self.from_men, self.change
        start, end = period_text(self.start, language), period_text(self.end, language)
        if fw is None or fm is None or ch is None or w0 + m0 == 0 or w1 + m1 == 0:
            if not sv:
                return f"Change in the female share {start} to {end}: {self.reason}."
            gender, label = self.zero or ("women", self.start)
            label = period_text(label, language)
            kon = "kvinnor" if gender == "women" else "män"
            return (f"Förändringen av andelen kvinnor från {start} till {end}: inte definierad, "
                    f"inga {who}{kon} rapporterades under {label}, så förändringen i log-odds "
                    "kräver log(0).")  # fmt: skip
        s0, s1 = w0 / (w0 + m0), w1 / (w1 + m1)
        if sv:
            w_txt = "fler" if w1 > w0 else "färre" if w1 < w0 else "lika många"
            m_txt = "färre" if m1 < m0 else "fler" if m1 > m0 else "lika många"
            if plain:
                return (f"Andelen kvinnor bland {who}rapporterade personer gick från "
                        f"{_pct(s0, 'sv')} ({w0} av {w0 + m0}) under {start} till "
                        f"{_pct(s1, 'sv')} ({w1} av {w1 + m1}) under {end}: {w_txt} kvinnor "
                        f"({w0} → {w1}) och {m_txt} män ({m0} → {m1}) rapporterades.")  # fmt: skip
            return (f"Andelen kvinnor bland {who}rapporterade personer gick från "
                    f"{_pct(s0, 'sv')} ({w0} av {w0 + m0}) under {start} till {_pct(s1, 'sv')} "
                    f"({w1} av {w1 + m1}) under {end}; förändringen i log-odds, {_num(ch, 'sv')}, "
                    f"består av {_num(fw, 'sv')} för att {w_txt} kvinnor rapporterades "
                    f"({w0} → {w1}) och {_num(fm, 'sv')} för att {m_txt} män rapporterades "
                    f"({m0} → {m1}).")  # fmt: skip
        w_txt = "more" if w1 > w0 else "fewer" if w1 < w0 else "the same number of"
        m_txt = "fewer" if m1 < m0 else "more" if m1 > m0 else "the same number of"
        if plain:
            return (f"The female share among {who}reported persons went from {_pct(s0, 'en')} "
                    f"({w0} of {w0 + m0}) in {start} to {_pct(s1, 'en')} ({w1} of {w1 + m1}) "
                    f"in {end}: {w_txt} women ({w0} → {w1}) and {m_txt} men ({m0} → {m1}) were "
                    "reported.")  # fmt: skip
        return (f"The female share among {who}reported persons went from {_pct(s0, 'en')} "
                f"({w0} of {w0 + m0}) in {start} to {_pct(s1, 'en')} ({w1} of {w1 + m1}) "
                f"in {end}; the change in log-odds, {_num(ch, 'en')}, is {_num(fw, 'en')} "
                f"because {w_txt} women were reported ({w0} → {w1}) and {_num(fm, 'en')} "
                f"because {m_txt} men were reported ({m0} → {m1}).")  # fmt: skip

    def summary(self) -> str:
        return self.sentence("en")

    def plot(self, ax: Any = None) -> Any:
        """Bars: contribution of women, of men, and the total change in log-odds."""
        import matplotlib.pyplot as plt

        if ax is None:
            _, ax = plt.subplots(figsize=(4, 3))
        if self.change is not None:
            ax.bar(["women", "men", "change"], [self.from_women, self.from_men, self.change],
                   color=[COLOURS[WOMEN], COLOURS[MEN], "black"])  # fmt: skip
        ax.axhline(0, color="grey", lw=1)
        ax.set_ylabel("change in log-odds of the female share")
        ax.set_title(f"{self.start} to {self.end}", fontsize=8)
        return ax


def share_change_decomposition(
    cube: pd.DataFrame, start: str, end: str, *, config: Config, youth: bool = True
) -> DecompositionResult:
    """Split the change in the female share between two labels into women and men.

    The log-odds of the share are ``log W - log M``, so
    ``logit(s1) - logit(s0) = log(W1/W0) - log(M1/M0)``: the first term is the part due to
    more (or fewer) women reported, the second, with its sign flipped, the part due to fewer
    (or more) men reported. The two parts add up to the change exactly (the change is defined
    as their sum). Both labels must be in ``cube`` (two periods, or two windows of the window
    cube). Any count of 0 makes the split not defined (log 0), said in ``reason``.
    """
    for label in (start, end):
        _labels(cube, label, "share_change_decomposition")
    c = _women_men(gender_counts(cube, config=config, youth=youth, periods=[start, end]))
    w, m = (c[start][0], c[end][0]), (c[start][1], c[end][1])
    young = "young " if youth else ""
    for counts, who in ((w, "women"), (m, "men")):
        for value, label in zip(counts, (start, end), strict=True):
            if value == 0:
                reason = (f"not defined: no {young}{who} were reported in {label}, so the change "
                          "in log-odds needs log(0)")  # fmt: skip
                return DecompositionResult(start, end, w, m, None, None, None, reason, youth,
                                           (who, label))  # fmt: skip
    from_women = math.log(w[1]) - math.log(w[0])
    from_men = -(math.log(m[1]) - math.log(m[0]))
    return DecompositionResult(start, end, w, m, from_women + from_men, from_women, from_men,
                               "", youth)  # fmt: skip
