"""The indicator set of CONTRACT 4 for one period, from a cube with population.

Every indicator is computed the same way for the period P, the same period a year earlier and
the rolling 12 months ending with P, from the matching slice of the cube (a window slice for the
rolling 12 months). Each indicator records the counts it uses, so disclosure control can decide
what may be published (CONTRACT 5).

Counts used (all are sums of cube cells with ``area = total``):

=================  ========================================================
count id           definition
=================  ========================================================
``persons``        age_band total, gender total
``youth``          youth bands, gender total
``women``          age_band total, kvinna; ``men`` likewise with man
``youth_women``    youth bands, kvinna; ``youth_men`` likewise with man
=================  ========================================================

Populations are those of the same cells; the youth rate uses both genders' population.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd

from risk_indicators.config import Config
from risk_indicators.cube import NOISE_ATTR

from ._benchmark import odds_ratio_to_benchmark
from .rates import Estimate, poisson_rate, rate_ratio_katz, wilson_interval

__all__ = ["CountRef", "Indicator", "count_refs", "noise_variance", "slice_indicators"]

TOTAL = "total"


@dataclass(frozen=True)
class CountRef:
    """A count as a sum of cube cells: one period (or window) label, area, bands, gender."""

    name: str
    period: str
    area: str
    age_bands: tuple[str, ...]
    gender: str
    measure: str = "persons"


@dataclass(frozen=True)
class Indicator:
    """One indicator value with its interval and the counts it rests on."""

    id: str
    value: float | int | str | None
    ci_low: float | None = None
    ci_high: float | None = None
    n: int | None = None
    reason: str = ""
    uses: tuple[str, ...] = ()

    def to_json(self, *, suppressed: bool = False) -> dict[str, Any]:
        """The ``{"value", "ci_low", "ci_high", "n", "suppressed"}`` object of CONTRACT 4;
        a ``reason`` is added when the value is missing."""
        if suppressed:
            out: dict[str, Any] = {
                "value": None,
                "ci_low": None,
                "ci_high": None,
                "n": None,
                "suppressed": True,
            }
            out["reason"] = "suppressed: a count it uses is below the disclosure threshold"
            return out
        out = {
            "value": self.value,
            "ci_low": self.ci_low,
            "ci_high": self.ci_high,
            "n": self.n,
            "suppressed": False,
        }
        if self.value is None and self.reason:
            out["reason"] = self.reason
        return out


def count_refs(period: str, *, config: Config) -> dict[str, CountRef]:
    """The named counts of :mod:`indicators` for one period or window label."""
    all_bands = (TOTAL,)
    youth = config.youth_bands
    return {
        "persons": CountRef("persons", period, TOTAL, all_bands, TOTAL),
        "youth": CountRef("youth", period, TOTAL, youth, TOTAL),
        "women": CountRef("women", period, TOTAL, all_bands, "kvinna"),
        "men": CountRef("men", period, TOTAL, all_bands, "man"),
        "youth_women": CountRef("youth_women", period, TOTAL, youth, "kvinna"),
        "youth_men": CountRef("youth_men", period, TOTAL, youth, "man"),
    }


def _sum(cells: dict[tuple[str, str], Any], ref: CountRef) -> int | None:
    """Sum of ``ref``'s cells in ``cells`` ((age_band, gender) -> value of one period and
    area); None when one of them is missing (unknown population)."""
    try:
        values = [cells[(band, ref.gender)] for band in ref.age_bands]
    except KeyError:
        raise KeyError(f"the cube lacks cells of {ref}") from None
    if any(pd.isna(v) for v in values):
        return None
    return int(sum(values))


def _from_estimate(id_: str, e: Estimate, uses: Sequence[str]) -> Indicator:
    return Indicator(
        id=id_,
        value=e.estimate,
        ci_low=e.ci_low,
        ci_high=e.ci_high,
        n=e.n,
        reason=e.reason,
        uses=tuple(uses),
    )


def noise_variance(cube: pd.DataFrame, *, cells: int = 1) -> float:
    """The noise variance of a count summing ``cells`` rows of ``cube``: ``cells * V`` for a
    cube perturbed by the cell-key method (independent noise of variance ``V`` per row, in
    ``cube.attrs``, :data:`risk_indicators.cube.NOISE_ATTR`), 0 for exact counts."""
    return cells * float(cube.attrs.get(NOISE_ATTR, 0.0))


def slice_indicators(cube: pd.DataFrame, period: str, *, config: Config) -> dict[str, Indicator]:
    """Count- and rate-based indicators of CONTRACT 4 for one period or window label.

    Methods: shares with the Wilson interval; the youth rate per 10,000 with the exact
    (Garwood) Poisson interval; the female/male rate ratio with the Katz log interval; the
    benchmark ratio as an odds ratio against the fixed benchmark share with a Woolf interval
    (see :mod:`risk_indicators.stats.rates`). Assumes persons are independent events (Poisson /
    binomial); with police-driven detection the intervals describe chance variation only.
    With the cell-key method the intervals are widened for the noise of the perturbed counts
    (:func:`noise_variance`).

    Parameters
    ----------
    cube
        The cube (or window cube) with margins and a ``population`` column.
    period
        The period (or window) label to compute.
    config
        Youth bands and the benchmark share.
    """
    refs = count_refs(period, config=config)
    # perturbed counts (cell-key): a count of the young sums one perturbed cell per youth band
    v, vy = noise_variance(cube), noise_variance(cube, cells=len(config.youth_bands))
    margins = cube.loc[(cube["period"] == period) & (cube["area"] == TOTAL)]
    keys = list(zip(margins["age_band"], margins["gender"], strict=True))
    person_cells = dict(zip(keys, margins["persons"], strict=True))
    population_cells = dict(zip(keys, margins["population"], strict=True))
    c = {name: _sum(person_cells, ref) for name, ref in refs.items()}
    pop = {name: _sum(population_cells, ref) for name, ref in refs.items()}
    persons, youth = int(c["persons"] or 0), int(c["youth"] or 0)
    w, m = int(c["women"] or 0), int(c["men"] or 0)
    yw, ym = int(c["youth_women"] or 0), int(c["youth_men"] or 0)
    out: dict[str, Indicator] = {
        "persons": Indicator("persons", persons, n=persons, uses=("persons",)),
        "persons_youth": Indicator("persons_youth", youth, n=youth, uses=("youth",)),
        "youth_share": _from_estimate(
            "youth_share",
            # perturbed, the young (3 cells) can exceed all persons (1 cell): a share of 1
            wilson_interval(min(youth, persons), persons, noise_variance=vy,
                            trials_noise_variance=v),
            ("youth", "persons"),
        ),
        "female_share": _from_estimate(
            "female_share", wilson_interval(w, w + m, noise_variance=v), ("women", "men")
        ),
        "female_share_youth": _from_estimate(
            "female_share_youth",
            wilson_interval(yw, yw + ym, noise_variance=vy),
            ("youth_women", "youth_men"),
        ),
    }
    youth_pop = pop["youth"]
    if youth_pop is None or youth_pop == 0:
        out["youth_rate_per_10k"] = Indicator(
            "youth_rate_per_10k",
            None,
            n=youth,
            reason="not defined: no youth population",
            uses=("youth",),
        )
    else:
        out["youth_rate_per_10k"] = _from_estimate(
            "youth_rate_per_10k",
            poisson_rate(youth, youth_pop, per=10_000, noise_variance=vy),
            ("youth",),
        )
    pw, pm = pop["youth_women"], pop["youth_men"]
    if not pw or not pm:
        out["rate_ratio_female_male_youth"] = Indicator(
            "rate_ratio_female_male_youth",
            None,
            n=yw + ym,
            reason="not defined: no youth population by gender",
            uses=("youth_women", "youth_men"),
        )
    else:
        out["rate_ratio_female_male_youth"] = _from_estimate(
            "rate_ratio_female_male_youth",
            rate_ratio_katz(yw, pw, ym, pm, noise_variance=vy),
            ("youth_women", "youth_men"),
        )
    out["benchmark_ratio_youth"] = _from_estimate(
        "benchmark_ratio_youth",
        odds_ratio_to_benchmark(
            yw, yw + ym, config.gender_goal.benchmark_female_share, noise_variance=vy
        ),
        ("youth_women", "youth_men"),
    )
    return out
