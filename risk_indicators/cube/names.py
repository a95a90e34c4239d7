"""Names of the counts of a cube: the one vocabulary of figures, the release and the audit.

A count is a cell or margin of the cube (``persons`` or ``reports`` of a period or window, an
area, an age band and a gender, ``total`` for a summed key) or a *derived* count: a sum of
cells that the cube has no row for, such as the young persons of a period (the youth bands
summed, every area and gender). Figures name the counts they use with :class:`CountName`,
the disclosure audit names its variables with the same text (``str(name)``), and the release
publishes a figure only when every count it names is published.

Text form (the audit's and the ledger's variable names, unchanged since the first release):

=========================================  ==============================================
``persons|2024T1|total|15-17|kvinna``      a cell or margin of the period 2024T1
``persons|W:2023T2+2023T3+2024T1|...``     the same of the 12-month window ending 2024T1
``persons|2024T1|X:youth``                 the derived count ``youth`` of 2024T1
=========================================  ==============================================
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

__all__ = ["TOTAL", "CountName", "window_block"]

TOTAL = "total"
_DERIVED = "X:"
_WINDOW = "W:"


def window_block(periods: Iterable[str]) -> str:
    """Block of a window: ``W:`` and its period codes, sorted and joined by ``+``; the same for
    every table that covers the same periods.

    Examples
    --------
    >>> window_block(["2024T1", "2023T2", "2023T3"])
    'W:2023T2+2023T3+2024T1'
    """
    return _WINDOW + "+".join(sorted(periods))


@dataclass(frozen=True, order=True)
class CountName:
    """One count: ``measure`` of ``block`` (a period code or a window block) at ``area``,
    ``age_band`` and ``gender`` (``total`` for a summed key), or the derived count ``derived``
    of the block (then the keys are ``total``).

    Examples
    --------
    >>> str(CountName("persons", "2024T1", gender="kvinna"))
    'persons|2024T1|total|total|kvinna'
    >>> CountName.parse("persons|2024T1|X:youth").derived
    'youth'
    >>> CountName.derived_count("youth", window_block(["2024T1", "2023T3", "2023T2"])).is_window
    True
    """

    measure: str
    block: str
    area: str = TOTAL
    age_band: str = TOTAL
    gender: str = TOTAL
    derived: str = ""

    @classmethod
    def derived_count(cls, name: str, block: str, measure: str = "persons") -> CountName:
        """The derived count ``name`` (e.g. ``"youth"``) of a period or window block."""
        return cls(measure, block, derived=name)

    @classmethod
    def parse(cls, text: str) -> CountName:
        """The name of a count from its text form.

        Raises
        ------
        ValueError
            When ``text`` is not the name of a count (e.g. an audit variable of the ledger).
        """
        parts = text.split("|")
        if len(parts) == 3 and parts[2].startswith(_DERIVED):
            return cls(parts[0], parts[1], derived=parts[2][len(_DERIVED) :])
        if len(parts) == 5:
            return cls(*parts)
        raise ValueError(f"{text!r} is not the name of a count")

    def __str__(self) -> str:
        if self.derived:
            return f"{self.measure}|{self.block}|{_DERIVED}{self.derived}"
        return f"{self.measure}|{self.block}|{self.area}|{self.age_band}|{self.gender}"

    @property
    def is_window(self) -> bool:
        """Whether the count belongs to a window (several periods)."""
        return self.block.startswith(_WINDOW)

    @property
    def is_derived(self) -> bool:
        """Whether it is a derived count (a sum the cube has no row for)."""
        return bool(self.derived)

    @property
    def periods(self) -> tuple[str, ...]:
        """The period codes the count covers."""
        if self.is_window:
            return tuple(self.block[len(_WINDOW) :].split("+"))
        return (self.block,)

    @property
    def summed(self) -> tuple[str, ...]:
        """The keys summed over (``area``, ``age_band``, ``gender`` that are ``total``)."""
        if self.derived:
            return ()
        keys = (("area", self.area), ("age_band", self.age_band), ("gender", self.gender))
        return tuple(k for k, v in keys if v == TOTAL)
