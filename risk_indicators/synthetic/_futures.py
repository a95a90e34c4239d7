r"""The generator's true probability that a person is reported again within 12 months.

Private to :mod:`risk_indicators.synthetic`, which re-exports :class:`RereportTruth`;
:func:`rereport_truth` (in ``_rereport``) runs the generator with the collector below.

What is true
------------
A person's report opens a *slot* of period :math:`p` (their first report in that period;
:mod:`risk_indicators.synthetic` explains the model). Call :math:`\mathcal F_p` everything
the generator has drawn once the slots of :math:`p` exist: every person so far with their
propensity :math:`q`, the pool of persons who may return and every slot of :math:`p`. The
truth of a slot dated :math:`d_0` is

.. math::

    \pi = P(\text{another report dated in } [d_0, d_0 + 12\text{ months}] \mid \mathcal F_p)
        = 1 - (1 - q')(1 - r),

because the two ways of being reported again are independent given :math:`\mathcal F_p`:

- *later reports in the same period*: :math:`q' = \min(\kappa q, 0.9)` exactly (the model
  draws :math:`K` more reports with :math:`P(K \ge 1) = \min(\kappa q, 0.9)`, all dated
  between :math:`d_0` and the end of the period, so within 12 months);
- *a return slot in the next periods* dated on or before :math:`d_0` + 12 months: no closed
  form (it depends on how many return slots the person's area, gender and age get and on
  the other persons in the pool), so :math:`r` is estimated by simulation: the generator's
  own engine (:meth:`Engine.slots`, the first part of :meth:`Engine.period`, unchanged) is
  run ``replicates`` times from a copy of its state after period :math:`p` through the
  periods that the 12 months reach, each time with
  its own random stream, and :math:`\hat r` is the share of runs in which the person returns
  in time.

:math:`\hat\pi` is unbiased for :math:`\pi`; its Monte Carlo standard error is
:math:`(1 - q')\sqrt{\hat r(1 - \hat r)/R}` (column ``mcse``; at most :math:`0.5/\sqrt R`, so
0.035 with the default 200 replicates). The realised data are one more draw from the same
conditional law, so a person's observed outcome is Bernoulli(:math:`\pi`) given
:math:`\mathcal F_p`. A slot whose 12 months reach past the last period has no truth
(``probability`` missing): its outcome is not observed in the data either.

*Noise in rankings.* :math:`\hat\pi` is unbiased person by person, but its noise lowers the
AUC computed from it: the best achievable AUC estimated from :math:`\hat\pi` is too low by
about :math:`c/R` (0.008 at 20 replicates on the acceptance sample, 0.002 at 100).
``probability_half`` is the same estimate from the first half of the futures; the AUC from it
is lower by about :math:`2c/R`, so their difference estimates the attenuation (the
risk-indicator fit reports it as ``auc_mc_attenuation``).

The copies share nothing mutable with the run and never touch the run's random stream, so the
reports are byte-identical to :func:`generate` with the same arguments.
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from risk_indicators._params import Interval, check_param
from risk_indicators.errors import UsageError
from risk_indicators.intake import Pseudonymiser

from ._model import DETECTIONS, GENDERS, OFFENCES, from_ymd, ymd
from ._people import Engine, PeriodDraw, Pool, _Grow, personnummer_parts
from ._run import _Run

__all__ = ["TRUTH_COLUMNS", "RereportTruth", "future_returns"]

#: Columns of :attr:`RereportTruth.table`.
TRUTH_COLUMNS = (
    "person", "synthetic_id", "report_date", "period", "age", "gender", "area", "offence",
    "detection", "propensity", "same_period", "later_periods", "probability", "mcse",
    "probability_half",
)  # fmt: skip
_STREAM = 0x17  # spawn key of the truth's random streams, apart from the run's own


class _LightRegistry:
    """The part of :class:`Registry` that :meth:`Engine.period` uses: births and new ids.

    Simulated futures need no personnummer, so serials are not kept.
    """

    def __init__(self, birth: np.ndarray) -> None:
        self.birth = _Grow(np.int64)
        self.birth.extend(birth)

    def add(self, birth: np.ndarray, gender: np.ndarray, coord: np.ndarray) -> np.ndarray:
        return self.birth.extend(birth)


def _deadline(days: np.ndarray, months: int) -> np.ndarray:
    """The same calendar day ``months`` later (Feb 29 becomes Feb 28 when needed)."""
    y, m, d = ymd(days)
    total = m - 1 + months
    return from_ymd(y + total // 12, total % 12 + 1, d)


def future_returns(
    engine: Engine,
    period: int,
    deadline: np.ndarray,
    *,
    replicates: int,
    seed: np.random.SeedSequence,
) -> tuple[np.ndarray, np.ndarray]:
    """How many of ``replicates`` simulated futures bring each person back by their deadline.

    Parameters
    ----------
    engine
        The generator's engine right after the draw of ``period`` (not changed).
    period
        The period just drawn.
    deadline
        Per person id (length = persons so far): the last day ordinal that counts, or -1.
    replicates
        Number of futures.
    seed
        Parent of the futures' random streams (one child each).

    Returns
    -------
    tuple of numpy.ndarray
        Counts per person id, in ``0..replicates``, over all futures and over the first
        ``replicates // 2`` of them.
    """
    n_before = engine.registry.birth.n
    hits = np.zeros(n_before, dtype=np.int64)
    half = np.zeros(n_before, dtype=np.int64)
    last = int(deadline.max(initial=-1))
    stop = int(np.searchsorted(engine.grid.start, last, side="right")) - 1
    stop = min(stop, len(engine.grid.start) - 1)
    if stop <= period:
        return hits, half
    pool = engine.pool
    state = (pool.key, pool.pid, pool.prop, pool.last)
    births = engine.registry.birth.values
    for i, child in enumerate(seed.spawn(replicates)):
        twin = copy.copy(engine)  # shares the read-only model arrays
        twin.pool = Pool()
        twin.pool.key, twin.pool.pid, twin.pool.prop, twin.pool.last = (a.copy() for a in state)
        twin.registry = _LightRegistry(births)  # type: ignore[assignment]
        twin.rng = np.random.Generator(np.random.PCG64(child))
        back = np.zeros(n_before, dtype=bool)
        for q in range(period + 1, stop + 1):
            # a person's first report in a period is its slot; later reports come later
            slots = Engine.slots(twin, q)
            known = slots.pid < n_before
            who = slots.pid[known]
            back[who[slots.day[known] <= deadline[who]]] = True
        hits += back
        if i < replicates // 2:
            half += back
    return hits, half


@dataclass
class _Collector:
    """Called after each period of a run (``_Run.on_period``): the truth of its slots."""

    run: _Run
    replicates: int
    periods: frozenset[int] | None
    months: int = 12
    parts: list[dict[str, np.ndarray]] = field(default_factory=list)

    def __call__(self, p: int, draw: PeriodDraw) -> None:
        if self.periods is not None and p not in self.periods:
            return
        engine, par = self.run.engine, self.run.params
        slot = draw.seq == 0
        pid, day = draw.pid[slot], draw.day[slot]
        n = engine.registry.birth.n
        prop_of = np.zeros(n)
        prop_of[engine.pool.pid] = engine.pool.prop  # every person is in the pool
        deadline = _deadline(day, self.months)
        observed = deadline <= self.run.grid.end[-1]
        per_person = np.full(n, -1, dtype=np.int64)
        per_person[pid[observed]] = deadline[observed]
        stream = np.random.SeedSequence(self.run.seed, spawn_key=(_STREAM, p))
        hits, half = future_returns(engine, p, per_person, replicates=self.replicates,
                                    seed=stream)  # fmt: skip
        hits, half = hits[pid], half[pid]
        q_same = np.minimum(par.within_period_scale * prop_of[pid], 0.9)
        r = hits / self.replicates
        prob = q_same + (1.0 - q_same) * r  # = 1 - (1 - q')(1 - r)
        mcse = (1.0 - q_same) * np.sqrt(r * (1.0 - r) / self.replicates)
        r_half = half / max(self.replicates // 2, 1)
        prob_half = q_same + (1.0 - q_same) * r_half
        self.parts.append(
            {
                "pid": pid, "day": day, "period": np.full(pid.size, p),
                "age": draw.age[slot], "gender": draw.gender[slot], "area": draw.area[slot],
                "offence": draw.offence[slot], "detection": draw.detection[slot],
                "propensity": prop_of[pid], "same_period": q_same,
                "later_periods": np.where(observed, r, np.nan),
                "probability": np.where(observed, prob, np.nan),
                "mcse": np.where(observed, mcse, np.nan),
                "probability_half": np.where(observed, prob_half, np.nan),
            }
        )  # fmt: skip

    def table(self, key: bytes) -> pd.DataFrame:
        """The collected truth, one row per slot, persons keyed by their pseudonym."""
        if not self.parts:
            return pd.DataFrame({c: pd.Series(dtype=object) for c in TRUTH_COLUMNS})
        cols = {k: np.concatenate([part[k] for part in self.parts]) for k in self.parts[0]}
        pid = cols["pid"]
        twelve = personnummer_parts(self.run.engine.registry, pid)
        canonical = pd.Series([f"{v:012d}" for v in twelve.tolist()], dtype=object)
        par, grid = self.run.params, self.run.grid
        out = pd.DataFrame(
            {
                "person": Pseudonymiser(key).pseudonymise(canonical, canonical=True).to_numpy(),
                "synthetic_id": pid.astype(np.int64),
                "report_date": pd.to_datetime(cols["day"].astype("datetime64[D]")),
                "period": np.asarray(grid.labels, dtype=object)[cols["period"]],
                "age": cols["age"].astype(np.int64),
                "gender": np.asarray(GENDERS, dtype=object)[cols["gender"]],
                "area": np.asarray(par.areas, dtype=object)[cols["area"]],
                "offence": np.asarray(OFFENCES, dtype=object)[cols["offence"]],
                "detection": np.asarray(DETECTIONS, dtype=object)[cols["detection"]],
                **{k: cols[k].astype(float) for k in TRUTH_COLUMNS[9:]},
            }
        )
        return out.sort_values(["report_date", "synthetic_id"], kind="mergesort").reset_index(
            drop=True
        )


@dataclass(frozen=True)
class RereportTruth:
    """The true probability of being reported again within 12 months, per slot.

    Attributes
    ----------
    table
        One row per person and period in which the person was reported (the first report of
        the period, a "slot"): ``person`` (pseudonym under the given key, as
        :func:`risk_indicators.read_reports` makes it), ``synthetic_id`` (the generator's
        person number), ``report_date``, ``period``, ``age``, ``gender``, ``area``,
        ``offence``, ``detection`` (of that report), ``propensity`` :math:`q`,
        ``same_period`` :math:`q'`, ``later_periods`` :math:`\\hat r`, ``probability``
        :math:`\\hat\\pi`, its Monte Carlo standard error ``mcse`` and
        ``probability_half`` (from the first half of the futures); the last five are
        missing when the 12 months reach past the data.
    data
        The synthetic data of the same run (byte-identical to :func:`generate`).
    replicates
        Simulated futures per period.
    """

    table: pd.DataFrame = field(repr=False)
    data: Any = field(repr=False)
    replicates: int

    def summary(self) -> str:
        known = self.table["probability"].dropna()
        if known.empty:
            return "Re-report truth: no slot has 12 observed months."
        return (
            f"Re-report truth for {len(known):,} slots ({self.replicates} futures each): "
            f"mean probability {known.mean():.3f}, largest Monte Carlo SE "
            f"{self.table['mcse'].max():.3f}."
        )

    def plot(self, ax: Any = None) -> Any:
        """Histogram of the true probabilities."""
        import matplotlib.pyplot as plt

        if ax is None:
            _, ax = plt.subplots(figsize=(6, 3))
        ax.hist(self.table["probability"].dropna(), bins=40, range=(0, 1), color="#4c72b0")
        ax.set_xlabel("true probability of another report within 12 months")
        ax.set_ylabel("slots")
        return ax


def write_truth_csv(table: pd.DataFrame, out: Path) -> str:
    """Write ``rereport_truth.csv`` (UTF-8, comma, ISO dates) into ``out``; its name."""
    frame = table.assign(report_date=table["report_date"].dt.strftime("%Y-%m-%d"))
    text = frame.to_csv(index=False, lineterminator="\n", float_format="%.6g")
    (out / "rereport_truth.csv").write_text(text, encoding="utf-8")
    return "rereport_truth.csv"


def attach_collector(
    run: _Run, *, replicates: int, periods: Sequence[str] | None, func: str
) -> _Collector:
    """Check the options and hook a truth collector into ``run`` (before it draws)."""
    check_param(replicates, Interval(int, 1, None), name="replicates", func=func)
    chosen: frozenset[int] | None = None
    if periods is not None:
        index = {label: i for i, label in enumerate(run.grid.labels)}
        unknown = [p for p in periods if p not in index]
        if unknown:
            raise UsageError(
                f"The 'periods' parameter of {func} must name tertials of the data "
                f"({run.grid.labels[0]} to {run.grid.labels[-1]}). Got {unknown!r} instead."
            )
        chosen = frozenset(index[p] for p in periods)
    collector = _Collector(run, replicates, chosen)
    run.on_period = collector
    return collector
