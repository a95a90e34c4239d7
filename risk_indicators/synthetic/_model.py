"""The synthetic model: its parameters, codes, calendar, population and expected counts.

Private to :mod:`risk_indicators.synthetic`, which documents the model and re-exports
:class:`SynthParams` and :class:`Operation`; this module holds the closed-form arithmetic.
Everything works on integer codes and day ordinals (days since 1970-01-01): gender 0 = man,
1 = kvinna; offence and detection index the tuples below; areas index ``params.areas``.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from risk_indicators.errors import UsageError

__all__ = ["Operation", "SynthParams"]

MODEL_VERSION = 1
GENDERS: tuple[str, ...] = ("man", "kvinna")
OFFENCES: tuple[str, ...] = ("eget_bruk", "innehav", "overlatelse", "framstallning", "annat")
DETECTIONS: tuple[str, ...] = ("polisinitierad", "anmalan")
AGE_EDGES: tuple[int, ...] = (0, 15, 18, 21, 25, 30, 40, 50, 60)
AGE_LABELS: tuple[str, ...] = (
    "0-14", "15-17", "18-20", "21-24", "25-29", "30-39", "40-49", "50-59", "60+",
)  # fmt: skip
N_AGES = 101
BAND_OF_AGE = np.searchsorted(np.asarray(AGE_EDGES), np.arange(N_AGES), side="right") - 1
N_BANDS = len(AGE_EDGES)


# --------------------------------------------------------------------------- parameters


@dataclass(frozen=True)
class Operation:
    """An enforcement operation (hot-spot weeks): police-initiated detections x ``multiplier``."""

    area: str
    start: str  # ISO date of the first day
    days: int = 7
    multiplier: float = 4.0


def _national_operations() -> tuple[Operation, ...]:
    ops = []
    for i in range(90):
        day = np.datetime64(f"{2016 + i % 10}-01-01") + 20 + (i * 37) % 320
        ops.append(Operation(f"Kommun {(i * 113) % 290 + 1:03d}", str(day), 7 + 7 * (i % 2), 4.0))
    return tuple(ops)


@dataclass(frozen=True)
class SynthParams:
    """Every parameter of the synthetic model (formulas in :mod:`risk_indicators.synthetic`).

    Use :meth:`municipal` or :meth:`national` and change fields with keyword arguments, e.g.
    ``SynthParams.municipal(dispersion_k=2.0)``. Tuples indexed by offence follow
    ``eget_bruk, innehav, overlatelse, framstallning, annat``; by detection
    ``polisinitierad, anmalan``; by tertial T1, T2, T3.
    """

    municipality: str
    areas: tuple[str, ...]
    area_population: tuple[int, ...]  # inhabitants per area in the first year
    area_rate_factor: tuple[float, ...]  # h_r
    rate_level: float  # lambda: persons per inhabitant per tertial, men at the peak age
    female_rate_ratio: float = 0.17  # rho_kvinna at the trend origin
    trend_man: float = -0.02  # beta_g: log change per year
    trend_kvinna: float = 0.11
    trend_origin: str = "2019T1"
    age_peak: float = 20.0
    age_sdlog: float = 0.75
    min_age: int = 13
    season: tuple[float, float, float] = (1.0, 1.15, 0.95)
    dispersion_k: float = 6.0  # NB size k; math.inf gives Poisson counts
    police_share_man: float = 0.85  # pi_g
    police_share_kvinna: float = 0.65
    operations: tuple[Operation, ...] = ()
    offence_mix_polisinitierad: tuple[float, ...] = (0.62, 0.24, 0.06, 0.02, 0.06)
    offence_mix_anmalan: tuple[float, ...] = (0.40, 0.28, 0.18, 0.04, 0.10)
    propensity_intercept: float = -0.6  # gamma
    propensity_age: float = -0.25  # per 10 years above 25
    propensity_kvinna: float = -0.4
    propensity_offence: tuple[float, ...] = (0.0, 0.2, 0.5, 0.3, 0.0)
    propensity_detection: tuple[float, ...] = (0.3, 0.0)
    return_share: float = 0.35
    recency_decay: float = 0.15  # delta, per tertial
    within_period_scale: float = 0.6  # kappa
    coordination_share: float = 0.03
    personnummer_forms: tuple[float, float, float] = (0.7, 0.2, 0.1)  # long, short, no dash
    report_unit: int = 5000  # case numbers are "<unit + area index>-K<serial>-<yy>"
    population_growth: float = 0.004
    male_birth_share: float = 0.512
    mortality_man: float = 6e-5  # Gompertz B_g
    mortality_kvinna: float = 3.5e-5
    mortality_slope: float = 0.095  # Gompertz c
    cohort_wave: float = 0.12
    survival_100_plus: float = 0.6
    defects_per_kind: int = 2

    def __post_init__(self) -> None:
        n = len(self.areas)
        problems = []
        if n == 0 or len(set(self.areas)) != n:
            problems.append("'areas' must be non-empty and unique")
        if len(self.area_population) != n or len(self.area_rate_factor) != n:
            problems.append("'area_population' and 'area_rate_factor' need one value per area")
        if len(self.season) != 3 or len(self.personnummer_forms) != 3:
            problems.append("'season' and 'personnummer_forms' need three values")
        for name in ("offence_mix_polisinitierad", "offence_mix_anmalan", "propensity_offence"):
            if len(getattr(self, name)) != len(OFFENCES):
                problems.append(f"'{name}' needs one value per offence")
        for name in ("police_share_man", "police_share_kvinna", "return_share"):
            if not 0.0 <= getattr(self, name) <= 1.0:
                problems.append(f"'{name}' must lie in [0, 1]")
        if not (self.dispersion_k > 0 and self.rate_level >= 0 and self.min_age >= 0):
            problems.append("'dispersion_k' must be > 0, 'rate_level' and 'min_age' >= 0")
        problems += [f"operation area {op.area!r} is not in 'areas'" for op in self.operations
                     if op.area not in self.areas]  # fmt: skip
        if problems:
            raise UsageError("Invalid synthetic parameters: " + "; ".join(problems) + ".")

    @classmethod
    def municipal(cls, **changes: Any) -> SynthParams:
        """A Vaggeryd-like municipality: about 14,000 inhabitants in three areas."""
        base = cls(
            municipality="Vaggeryd",
            areas=("Skillingaryd", "Vaggeryd", "Övriga"),
            area_population=(4000, 5600, 4400),
            area_rate_factor=(1.1, 1.0, 0.85),
            rate_level=0.0125,
            operations=(
                Operation("Vaggeryd", "2021-11-08", 7, 5.0),
                Operation("Skillingaryd", "2022-04-04", 7, 5.0),
                Operation("Vaggeryd", "2022-09-12", 14, 4.0),
                Operation("Skillingaryd", "2023-06-05", 7, 5.0),
                Operation("Vaggeryd", "2024-03-11", 7, 5.0),
                Operation("Skillingaryd", "2024-10-07", 14, 4.0),
                Operation("Vaggeryd", "2025-05-19", 7, 5.0),
            ),
        )
        return dataclasses.replace(base, **changes)

    @classmethod
    def national(cls, **changes: Any) -> SynthParams:
        """A nation of 290 municipalities and about 10.5 million inhabitants.

        The level gives about a million report rows a year, roughly ten times the real
        Swedish count: a load test for national-scale research code.
        """
        rank = np.arange(1, 291, dtype=float)
        size = rank**-0.9
        pops = np.round(size / size.sum() * 10_500_000).astype(int)
        factor = np.random.Generator(np.random.PCG64(290)).lognormal(0.0, 0.3, 290)
        base = cls(
            municipality="Sverige (syntetisk)",
            areas=tuple(f"Kommun {i:03d}" for i in range(1, 291)),
            area_population=tuple(int(x) for x in pops),
            area_rate_factor=tuple(round(float(x), 4) for x in factor / factor.mean()),
            rate_level=0.075,
            operations=_national_operations(),
            return_share=0.6,
            within_period_scale=1.4,
            report_unit=1000,
        )
        return dataclasses.replace(base, **changes)

    def only_areas(self, areas: Sequence[str]) -> SynthParams:
        """The same model for some of its areas, e.g. a sample of the synthetic nation.

        Areas share no persons and no random cell effects, so each kept area has the same
        distribution as in the full model (the draws themselves differ); the operations of
        the other areas are dropped.

        Examples
        --------
        >>> nation = SynthParams.national()
        >>> small = nation.only_areas(nation.areas[100:103])
        >>> small.areas, small.area_population == nation.area_population[100:103]
        (('Kommun 101', 'Kommun 102', 'Kommun 103'), True)
        """
        index = {a: i for i, a in enumerate(self.areas)}
        unknown = [a for a in areas if a not in index]
        if unknown or not areas:
            raise UsageError(
                "The 'areas' parameter of only_areas must list areas of the model. "
                f"Got {list(areas)!r} instead."
            )
        keep = [index[a] for a in areas]
        return dataclasses.replace(
            self,
            areas=tuple(self.areas[i] for i in keep),
            area_population=tuple(self.area_population[i] for i in keep),
            area_rate_factor=tuple(self.area_rate_factor[i] for i in keep),
            operations=tuple(op for op in self.operations if op.area in set(areas)),
        )


# --------------------------------------------------------------------------- dates


def ymd(days: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Year, month and day of day ordinals."""
    d = np.asarray(days, dtype="datetime64[D]")
    year = d.astype("datetime64[Y]").astype(np.int64) + 1970
    month_start = d.astype("datetime64[M]")
    month = month_start.astype(np.int64) % 12 + 1
    day = (d - month_start.astype("datetime64[D]")).astype(np.int64) + 1
    return year, month, day


def from_ymd(year: np.ndarray, month: np.ndarray, day: np.ndarray) -> np.ndarray:
    """Day ordinals of (year, month, day); Feb 29 of a non-leap year becomes Feb 28."""
    year = np.asarray(year, dtype=np.int64)
    month = np.asarray(month, dtype=np.int64)
    day = np.asarray(day, dtype=np.int64)
    leap = (year % 4 == 0) & ((year % 100 != 0) | (year % 400 == 0))
    day = np.where((month == 2) & (day == 29) & ~leap, 28, day)
    months = (year - 1970) * 12 + (month - 1)
    first = months.astype("datetime64[M]").astype("datetime64[D]").astype(np.int64)
    return first + day - 1


def birth_window(days: np.ndarray, ages: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Inclusive range of birth ordinals that give age ``ages`` on ``days``."""
    y, m, d = ymd(days)
    high = from_ymd(y - ages, m, d)
    low = from_ymd(y - ages - 1, m, d) + 1
    return low, high


def is_feb29(days: np.ndarray) -> np.ndarray:
    _, m, d = ymd(days)
    return (m == 2) & (d == 29)


@dataclass(frozen=True)
class Grid:
    """Tertials covered by the data; ``t`` is time in years since the trend origin."""

    labels: tuple[str, ...]
    start: np.ndarray  # first day ordinal of each period
    end: np.ndarray  # last day ordinal of each period
    year: np.ndarray
    tertial: np.ndarray  # 1, 2, 3
    t: np.ndarray
    years: np.ndarray  # distinct calendar years, in order
    year_index: np.ndarray  # index into ``years`` for each period


def tertial_grid(first: tuple[int, int], last: tuple[int, int], origin: tuple[int, int]) -> Grid:
    """Tertials from ``first`` to ``last`` (``(year, tertial)``), trend time from ``origin``."""
    n0 = first[0] * 3 + first[1] - 1
    n1 = last[0] * 3 + last[1] - 1
    idx = np.arange(n0, n1 + 1)
    year, tertial = idx // 3, idx % 3 + 1
    start = from_ymd(year, 4 * (tertial - 1) + 1, np.ones_like(year))
    nxt = idx + 1
    end = from_ymd(nxt // 3, 4 * (nxt % 3) + 1, np.ones_like(year)) - 1
    years = np.unique(year)
    return Grid(
        labels=tuple(f"{y}T{t}" for y, t in zip(year.tolist(), tertial.tolist(), strict=True)),
        start=start,
        end=end,
        year=year,
        tertial=tertial,
        t=(idx - (origin[0] * 3 + origin[1] - 1)) / 3.0,
        years=years,
        year_index=np.searchsorted(years, year),
    )


# --------------------------------------------------------------------------- population


def gompertz_survival(params: Any) -> np.ndarray:
    """Survival to each single age, shape (101, 2)."""
    ages = np.arange(N_AGES, dtype=float)[:, None]
    b = np.array([params.mortality_man, params.mortality_kvinna])[None, :]
    c = params.mortality_slope
    return np.exp(-(b / c) * (np.exp(c * ages) - 1.0))


def draw_population(params: Any, n_years: int, rng: np.random.Generator) -> np.ndarray:
    """Year-end population, shape (years, areas, 101, 2): a Poisson cohort-component model."""
    surv = gompertz_survival(params)
    ages = np.arange(N_AGES)
    cohort = 1.0 + params.cohort_wave * np.sin(2.0 * np.pi * (ages - 5) / 32.0)
    weights = (
        surv * cohort[:, None] * np.array([params.male_birth_share, 1 - params.male_birth_share])
    )
    weights /= weights.sum()
    base = np.asarray(params.area_population, dtype=float)[:, None, None] * weights[None]
    growth = float(np.exp(params.population_growth))
    ratio = surv[1:] / surv[:-1]
    pop = np.empty((n_years, *base.shape), dtype=np.int64)
    pop[0] = rng.poisson(base)
    for y in range(1, n_years):
        prev = pop[y - 1].astype(float)
        mean = np.empty_like(base)
        mean[:, 0] = base[:, 0] * growth**y
        mean[:, 1:] = prev[:, :-1] * ratio[None] * growth
        mean[:, -1] += prev[:, -1] * params.survival_100_plus * growth
        pop[y] = rng.poisson(mean)
    return pop


# --------------------------------------------------------------------------- expected counts


def age_shape(params: Any) -> np.ndarray:
    """Relative rate by single age (1 at ``age_peak``), 0 below ``min_age``."""
    ages = np.arange(N_AGES, dtype=float)
    x = np.maximum(ages - params.min_age + 1.0, 1.0)
    peak = params.age_peak - params.min_age + 1.0
    shape = np.exp(-((np.log(x) - np.log(peak)) ** 2) / (2.0 * params.age_sdlog**2))
    return np.where(ages >= params.min_age, shape, 0.0)


def day_weights(params: Any, grid: Grid) -> list[np.ndarray]:
    """Per period, (areas, days) police-initiated weights: 1 + sum of (m - 1) on operation days."""
    out = []
    for start, end in zip(grid.start.tolist(), grid.end.tolist(), strict=True):
        w = np.ones((len(params.areas), end - start + 1))
        for op in params.operations:
            first = int(np.datetime64(op.start, "D").astype(np.int64))
            lo, hi = max(first, start), min(first + op.days - 1, end)
            if lo <= hi:
                w[params.areas.index(op.area), lo - start : hi - start + 1] += op.multiplier - 1.0
        out.append(w)
    return out


def expected_means(
    params: Any, grid: Grid, pop: np.ndarray, weights: list[np.ndarray]
) -> tuple[np.ndarray, np.ndarray]:
    """Closed-form expected persons, shape (periods, areas, 101, 2), and the operation factors."""
    rate = (
        params.rate_level * age_shape(params)[:, None] * np.array([1.0, params.female_rate_ratio])
    )
    trend = np.exp(np.outer(grid.t, [params.trend_man, params.trend_kvinna]))  # (P, 2)
    season = np.asarray(params.season)[grid.tertial - 1]
    area = np.asarray(params.area_rate_factor)
    pi = np.array([params.police_share_man, params.police_share_kvinna])
    wbar = np.stack([w.mean(axis=1) for w in weights])  # (P, A)
    op = (1.0 - pi)[None, None, :] + pi[None, None, :] * wbar[:, :, None]  # (P, A, 2)
    mu = (
        pop[grid.year_index].astype(float)
        * rate[None, None]
        * trend[:, None, None, :]
        * season[:, None, None, None]
        * area[None, :, None, None]
        * op[:, :, None, :]
    )
    return mu, wbar


def band_sum(x: np.ndarray) -> np.ndarray:
    """Sum the single-age axis (-2) into the nine age bands."""
    out = np.zeros((*x.shape[:-2], N_BANDS, x.shape[-1]), dtype=x.dtype)
    for b in range(N_BANDS):
        out[..., b, :] = x[..., b == BAND_OF_AGE, :].sum(axis=-2)
    return out
