"""Disclosure control of the model card's counts: the T rule, proved by integer programming.

Private to :mod:`risk_indicators.riskmodel`.

The rule
--------
Every figure of the model card rests on counts of persons (the table's ``n, positives,
negatives, tp, fp, fn, tn``): the test set, its groups by gender and age band, their
confusion counts at the threshold, the calibration groups, the cohort's exclusions. These
counts are not in the audited cube, so they are protected here, by the rule of CONTRACT 5:

1. *Primary*: a count in ``1..T-1`` (``T = config.disclosure.min_count``) is withheld; 0 and
   counts of at least T may be shown.
2. *Secondary*: the counts come in partitions (a total and the parts that add up to it:
   the test set = its women + its men; a group = its persons reported again + not; those
   reported again = in training + in the gap + in the test; ...), and some are never shown
   (the gap persons). For every count that is not shown and lies in ``1..T-1``, the smallest
   and largest values an attacker can derive from the shown counts (integer programming
   over the non-negative counts with every partition as an equation: scipy's ``milp``,
   HiGHS) must be 0 and at least T. While one is not, one more shown count is withheld: in
   a partition of the exposed count, the smallest part of at least T, else the total, else
   the nearest shown count through the hidden ones.
3. A figure is published only when every count it rests on is shown; a withheld figure
   stays in the table with ``published`` false and says why.

The card's counts are kept out of the release's cube and its ledger: a model card is a
research output of one data set; publishing cards of overlapping data sets (two extracts a
period apart) could be differenced, and is not covered by this rule.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

import numpy as np

__all__ = ["Partition", "derivable_range", "protect_counts"]

Partition = tuple[str, tuple[str, ...]]


class _System:
    """The partitions as equations ``A x = 0`` over every count."""

    def __init__(self, values: Mapping[str, int], partitions: Sequence[Partition]) -> None:
        self.names = sorted(values)
        self.at = {n: i for i, n in enumerate(self.names)}
        rows = np.zeros((len(partitions), len(self.names)))
        for r, (total, parts) in enumerate(partitions):
            rows[r, self.at[total]] = 1.0
            for p in parts:
                rows[r, self.at[p]] -= 1.0
        self.rows = rows
        self.values = values

    def range(self, count: str, visible: set[str]) -> tuple[float, float]:
        """Smallest and largest integer value of ``count`` given the ``visible`` values."""
        from scipy.optimize import Bounds, LinearConstraint, milp

        n = len(self.names)
        # a cap far above every count keeps the programs bounded (HiGHS reports unbounded
        # and infeasible alike); reaching it means "no upper bound"
        cap = 2.0 * sum(self.values.values()) + 10.0
        low, high = np.zeros(n), np.full(n, cap)
        for name in visible:
            low[self.at[name]] = high[self.at[name]] = self.values[name]
        cost = np.zeros(n)
        cost[self.at[count]] = 1.0
        constraints = [LinearConstraint(self.rows, 0.0, 0.0)] if len(self.rows) else []
        out = []
        for sign in (1.0, -1.0):
            res = milp(sign * cost, constraints=constraints, integrality=np.ones(n),
                       bounds=Bounds(low, high))  # fmt: skip
            if res.x is None:  # pragma: no cover (the true counts are a solution)
                raise RuntimeError(f"the counts' equations have no solution ({res.message})")
            value = sign * res.fun
            out.append(np.inf if value >= cap - 0.5 else value)
        return out[0], out[1]


def derivable_range(
    values: Mapping[str, int], visible: Iterable[str], partitions: Sequence[Partition],
    count: str,
) -> tuple[float, float]:  # fmt: skip
    """What an attacker can derive about ``count`` from the ``visible`` counts: its smallest
    and largest value (integer programming; ``inf`` when unbounded)."""
    return _System(values, partitions).range(count, set(visible))


def protect_counts(
    values: Mapping[str, int],
    shown: Iterable[str],
    partitions: Sequence[Partition],
    *,
    min_count: int,
) -> dict[str, str]:
    """Counts to withhold (module docstring): ``{count: "primary" | "secondary"}``.

    Parameters
    ----------
    values
        Every count by name, shown or not (the implied ones too, e.g. the gap persons).
    shown
        The counts the figures would show.
    partitions
        ``(total, parts)``: ``values[total] == sum(values[p] for p in parts)``.
    min_count
        T.

    Examples
    --------
    >>> values = {"all": 12, "women": 3, "men": 9}
    >>> protect_counts(values, values, [("all", ("women", "men"))], min_count=5)
    {'women': 'primary', 'men': 'secondary'}
    """
    for total, parts in partitions:
        if values[total] != sum(values[p] for p in parts):
            raise ValueError(f"The counts of {total!r} do not add up to its parts.")
    shown = set(shown)
    withheld = {c: "primary" for c in sorted(shown) if 0 < values[c] < min_count}
    small = sorted(c for c in values if 0 < values[c] < min_count)
    if not small:
        return withheld
    system = _System(values, partitions)
    # withholding more only widens what an attacker can derive (fewer values fixed), so a
    # count that passes once passes for good: each is checked until it passes, once
    for c in small:
        for _ in range(len(shown) + 1):
            visible = shown - set(withheld)
            if c in visible:
                break
            low, high = system.range(c, visible)
            if low < 0.5 and high > min_count - 0.5:
                break
            pick = _cover(c, visible, values, partitions, min_count)
            if pick is None:  # nothing shown is left near it: withhold everything shown
                withheld.update(dict.fromkeys(sorted(visible), "secondary"))
                return withheld
            withheld[pick] = "secondary"
    return withheld


def _cover(
    count: str, visible: set[str], values: Mapping[str, int], partitions: Sequence[Partition],
    min_count: int,
) -> str | None:  # fmt: skip
    """The shown count to withhold next to protect ``count``: in a partition of ``count``
    (then of the hidden counts next to it, breadth first) the smallest part of at least T,
    else the total, else the smallest shown part."""
    seen, frontier = {count}, [count]
    while frontier:
        nearby = [p for p in partitions if any(c in (p[0], *p[1]) for c in frontier)]
        for _, parts in nearby:
            big = [p for p in parts if p in visible and values[p] >= min_count]
            if big:
                return min(big, key=lambda p: (values[p], p))
        for total, _ in nearby:
            if total in visible:
                return total
        rest = sorted(p for _, parts in nearby for p in parts if p in visible)
        if rest:
            return min(rest, key=lambda p: (values[p], p))
        frontier = sorted({m for p in nearby for m in (p[0], *p[1])} - seen)
        seen.update(frontier)
    return None
