"""The cell-key method: consistent perturbation of counts with a published perturbation table.

Method (Thompson, Broadfoot and Elazar 2013, the Australian Bureau of Statistics' TableBuilder;
the semantics of the R packages ``ptable`` and ``cellKey`` of sdcTools, used by Destatis and
Statistik Austria; ONS used the same for the 2021 census):

* every person has a secret **record key**, uniform on ``[0, 1)``; here it is the first 52
  bits of the person's keyed pseudonym (HMAC-SHA256 of the id under the municipality's key,
  :mod:`risk_indicators.intake`), so it is as secret as the key and the same in every run;
* the **cell key** of a count is the fractional part of the sum of the record keys of the
  persons it counts. It is computed in exact integer arithmetic (sums modulo ``2**52``), so
  the same persons give the same cell key in any order, table or release;
* the **perturbation table** gives, for a true count ``i``, the probability of each
  perturbation ``v`` (``-D <= v <= D``, ``i + v >= 0``); the cell key, read against the
  cumulative probabilities of row ``i``, picks ``v``, and ``i + v`` is published. The same
  count of the same persons therefore always gets the same noise (a rerun or a later
  release cannot average it away), while different sets of persons get independent noise.

The table (:class:`PerturbationTable`) is the maximum-entropy distribution with mean 0 and
variance ``V`` on the allowed perturbations of each row (the construction of ``ptable``):
``p(v)`` is proportional to ``exp(a*v + b*v**2)`` with ``a`` and ``b`` solved for the two
moments. Rows ``i >= D + 1`` share one symmetric distribution; rows ``1..D`` are cut at
``i + v >= 0`` and still have mean 0 and variance ``V`` (so published counts are unbiased),
which needs ``V < i * D`` for ``i = 1``, that is ``V < D`` (at ``V = D`` only the
two extremes would be left). A true zero is never
perturbed: a cell without persons has no record keys (the methods' authors keep zeros, since
perturbing them would need every empty cell of every table). What it assumes, and what it
promises: the maximum deviation ``D`` and the variance ``V`` are published (an attacker
knows the table, not the keys); it protects exact values and differences of overlapping
tables, not the fact that a cell is empty or not (a published value above 0 proves that
someone is counted). The posterior risk of every published value is
:meth:`PerturbationTable.posterior`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd
from scipy.optimize import root

from risk_indicators.errors import UsageError

__all__ = ["KEY_BITS", "PerturbationTable", "cell_keys", "record_keys"]

#: Bits of a record key: the first 13 hexadecimal digits of the pseudonym.
KEY_BITS = 52
_MODULUS = 1 << KEY_BITS


def record_keys(pseudonyms: Iterable[str]) -> npt.NDArray[np.uint64]:
    """The record key of each keyed pseudonym, as an integer in ``[0, 2**52)``.

    A pseudonym (``p_`` and 32 hexadecimal digits) is the output of a keyed hash, so its
    leading bits are uniform and independent between persons; the key itself is never
    needed here.

    Examples
    --------
    >>> record_keys(["p_8000000000000abc", "0000000000001fff"]).tolist()
    [2251799813685248, 1]
    """
    out = []
    for p in pseudonyms:
        text = str(p).removeprefix("p_")[: KEY_BITS // 4]
        try:
            out.append(int(text, 16))
        except ValueError:
            raise UsageError(
                f"A record key needs a hexadecimal pseudonym; got one that is not ({len(text)} "
                "characters). Pass the 'person' column of ri.read_reports(...).valid."
            ) from None
    return np.array(out, dtype=np.uint64)


def cell_keys(
    persons: pd.DataFrame, *, by: Sequence[str], person: str = "person"
) -> pd.DataFrame:
    """The cell key of every group of ``persons`` (one row per person and cell).

    Parameters
    ----------
    persons
        One row per person counted in a cell: the ``by`` columns and the pseudonym.
    by
        The columns that make a cell (e.g. ``period, area, age_band, gender``).
    person
        The pseudonym column.

    Returns
    -------
    pandas.DataFrame
        ``by`` columns, ``persons`` (distinct persons) and ``cell_key`` in ``[0, 1)``: the sum
        of the record keys modulo 1, exact (integer sums modulo ``2**52``).
    """
    frame = persons.drop_duplicates([*by, person])
    keys = record_keys(frame[person].astype(str))
    work = frame[list(by)].assign(_key=keys)
    # uint64 sums wrap modulo 2**64, a multiple of 2**52: the remainder is exact in any order
    grouped = work.groupby(list(by), observed=True, sort=True)["_key"]
    total = grouped.sum().to_numpy(dtype=np.uint64) % np.uint64(_MODULUS)
    out = grouped.size().rename("persons").reset_index()
    return out.assign(cell_key=total.astype(np.float64) / _MODULUS)


@dataclass(frozen=True)
class PerturbationTable:
    """A perturbation table: maximum deviation ``D``, variance ``V`` (see the module).

    Examples
    --------
    >>> pt = PerturbationTable(max_deviation=2, variance=1.0)
    >>> pt.support(0), pt.support(1), pt.support(7)
    ((0, 2), (1, 3), (5, 9))
    >>> pt.perturb([0, 4], [0.7, 0.0]).tolist()  # zero stays; key 0 takes the lowest value
    [0, 2]
    """

    max_deviation: int = 2
    variance: float = 1.0
    _rows: dict[int, pd.Series] = field(default_factory=dict, init=False, repr=False,
                                        compare=False)  # fmt: skip

    def __post_init__(self) -> None:
        d, v = self.max_deviation, self.variance
        if isinstance(d, bool) or not isinstance(d, int) or d < 1:
            raise UsageError(f"max_deviation must be an integer >= 1; got {d!r}.")
        if not 0 < float(v) < d:
            raise UsageError(
                f"variance must be above 0 and below max_deviation ({d}), so that a count "
                f"of 1 can keep mean 0 with every perturbation possible; got {v!r}."
            )

    def row(self, count: int) -> pd.Series:
        """Probability of each perturbation for a true ``count`` (index: the perturbation)."""
        i = min(int(count), self.max_deviation + 1)
        if i < 0:
            raise UsageError(f"A count cannot be negative; got {count}.")
        if i not in self._rows:
            self._rows[i] = self._solve(i)
        return self._rows[i]

    def _solve(self, i: int) -> pd.Series:
        d = self.max_deviation
        if i == 0:
            return pd.Series([1.0], index=pd.Index([0], name="perturbation"), name="p")
        v = np.arange(-min(i, d), d + 1, dtype=float)

        def probabilities(ab: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
            z = ab[0] * v + ab[1] * v**2
            w = np.exp(z - z.max())
            return w / w.sum()

        def moments(ab: npt.NDArray[np.float64]) -> list[float]:
            p = probabilities(ab)
            return [float(p @ v), float(p @ v**2) - self.variance]

        sol = root(moments, x0=np.array([0.0, -0.5 / self.variance]), method="hybr")
        p = probabilities(sol.x)
        if not sol.success or max(abs(m) for m in moments(sol.x)) > 1e-9:
            raise UsageError(
                f"No perturbation table row for count {i} has mean 0 and variance "
                f"{self.variance} within +-{d}; choose a smaller variance."
            )
        return pd.Series(p, index=pd.Index(v.astype(int), name="perturbation"), name="p")

    @cached_property
    def table(self) -> pd.DataFrame:
        """The published table: ``count`` (``D + 1`` stands for every larger count),
        ``perturbation``, ``published``, ``p`` and ``p_cumulative``."""
        parts = []
        for i in range(self.max_deviation + 2):
            r = self.row(i)
            parts.append(pd.DataFrame({"count": i, "perturbation": r.index, "published":
                                       i + r.index, "p": r.to_numpy(),
                                       "p_cumulative": np.cumsum(r.to_numpy())}))  # fmt: skip
        return pd.concat(parts, ignore_index=True)

    def perturbation(self, count: int, cell_key: float) -> int:
        """The perturbation the table gives ``count`` at ``cell_key`` in ``[0, 1)``."""
        if not 0 <= cell_key < 1:
            raise UsageError(f"A cell key lies in [0, 1); got {cell_key}.")
        r = self.row(count)
        at = int(np.searchsorted(np.cumsum(r.to_numpy()), cell_key, side="right"))
        return int(r.index[min(at, len(r) - 1)])

    def perturb(self, counts: Sequence[int] | Any, keys: Sequence[float] | Any) -> np.ndarray:
        """Published values ``count + perturbation`` for each count and its cell key."""
        c, k = np.asarray(counts, dtype=np.int64), np.asarray(keys, dtype=float)
        if c.shape != k.shape:
            raise UsageError(f"{len(c)} counts but {len(k)} cell keys.")
        if len(k) and not (k.min() >= 0 and k.max() < 1):
            raise UsageError(f"A cell key lies in [0, 1); got {k[(k < 0) | (k >= 1)][0]}.")
        out = c.copy()
        rows = np.minimum(c, self.max_deviation + 1)
        for i in np.unique(rows[rows > 0]):  # counts above D share one row
            r = self.row(int(i))
            at = rows == i
            pick = np.searchsorted(np.cumsum(r.to_numpy()), k[at], side="right")
            out[at] += r.index.to_numpy()[np.minimum(pick, len(r) - 1)]
        return out

    def support(self, published: int, *, cells: int = 1) -> tuple[int, int]:
        """The true counts a published value can come from, as an interval ``(low, high)``;
        ``cells``: the value is a sum of that many counts, each perturbed on its own (the
        young over their age bands), so it moves by up to ``cells * D``.

        Examples
        --------
        >>> PerturbationTable().support(4, cells=3), PerturbationTable().support(0, cells=3)
        ((1, 10), (0, 6))
        """
        j, d = int(published), self.max_deviation * int(cells)
        if j < 0:
            raise UsageError(f"A published count cannot be negative; got {published}.")
        return (0, d) if j == 0 else (max(1, j - d), j + d)

    def posterior(self, published: int, *, prior: Sequence[float] | None = None) -> pd.Series:
        """P(true count = i | published value) for each ``i`` of the support.

        ``prior`` gives the prior probability of each true count 0, 1, 2, ... (default:
        uniform over ``0..published + D``, the attacker who knows nothing else). The largest
        value is the chance that an attacker who guesses the most likely count is right.
        """
        low, high = self.support(published)
        counts = np.arange(low, high + 1)
        pri = np.ones(len(counts)) if prior is None else np.array(
            [prior[i] if i < len(prior) else 0.0 for i in counts], dtype=float)  # fmt: skip
        like = np.array([self.row(i).get(published - i, 0.0) for i in counts])
        joint = pri * like
        if joint.sum() <= 0:
            raise UsageError(f"The prior gives the published value {published} no chance.")
        return pd.Series(joint / joint.sum(), index=pd.Index(counts, name="count"), name="p")

    def summary(self) -> str:
        """The promise in one paragraph (for the README and the report)."""
        worst = max(float(self.posterior(j).max()) for j in range(1, 2 * self.max_deviation + 3))
        return (
            f"Cell-key perturbation: every count except 0 moves by at most "
            f"{self.max_deviation}, with mean 0 and variance {self.variance:g}; the same "
            "persons always get the same noise. An attacker who knows the table and nothing "
            f"else guesses a published small count's true value right with probability at "
            f"most {worst:.0%}."
        )
