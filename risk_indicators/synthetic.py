r"""Synthetic municipality and nation with a known truth.

The generator draws a population, then reported persons and their reports from an explicit
model (:class:`SynthParams`), and records every parameter, the expected value of every cell and
the exact cube counted from its own person list in ``truth.json``.

Model
-----
Periods are tertials :math:`p` (T1 Jan-Apr, T2 May-Aug, T3 Sep-Dec) with time
:math:`t_p` = (tertials since ``trend_origin``) / 3 in years. Cells are single ages
:math:`a = 0..100`, genders :math:`g` (man, kvinna) and areas :math:`r`.

*Population.* Year-end counts :math:`P_{y,r,a,g}` from a Poisson cohort-component model:
Gompertz survival :math:`l_g(a) = \exp(-(B_g/c)(e^{ca}-1))`, births and net migration growing by
``population_growth`` a year; the population of the period's year is the exposure.

*Expected persons.* The number of distinct persons whose first report in :math:`p` falls in
cell :math:`(r, a, g)` has mean

.. math::

    \mu_{p,r,a,g} = P_{y(p),r,a,g}\,\lambda\,\rho_g\,s(a)\,e^{\beta_g t_p}\,
    \sigma_{\tau(p)}\,h_r\,O_{p,r,g},

with ``rate_level`` :math:`\lambda` (men at the peak age), :math:`\rho` = 1 for men and
``female_rate_ratio`` for women, age shape :math:`s(a) = \exp(-(\ln(a-a_0+1) -
\ln(a^*-a_0+1))^2 / 2\omega^2)` for :math:`a \ge a_0` (``min_age``) and 0 below, gender trends
:math:`\beta_g`, tertial effects :math:`\sigma`, area factors :math:`h_r`, and the operation
factor :math:`O_{p,r,g} = (1-\pi_g) + \pi_g \bar w_{p,r}`: :math:`\pi_g` is the police-initiated
share (lower for women: under-detection) and :math:`\bar w_{p,r}` the mean over the period's
days of :math:`w_d = 1 + \sum_k (m_k - 1)\,[d \in \text{operation } k \text{ in } r]`.

*Overdispersion.* For each published cell :math:`c = (p, r, \text{band}, g)` a frailty
:math:`Z_c \sim \text{Gamma}(k, 1/k)` multiplies :math:`\mu` of its single ages and
:math:`N_{p,r,a,g} \sim \text{Poisson}(\mu_{p,r,a,g} Z_c)`, so the cell count is exactly
:math:`\text{NB}(\mu_c = \sum_{a \in c} \mu, k)` with variance :math:`\mu_c + \mu_c^2/k`
(``dispersion_k``; independent across cells).

*First reports.* Each of the :math:`N` slots is police-initiated with probability
:math:`\pi_g \bar w / O`; its date is uniform over the period, or drawn with weights
:math:`w_d` when police-initiated; its offence comes from the mix of its detection mode.

*Identities.* With probability ``return_share`` a slot goes to an earlier person of the same
area and gender whose age on the slot's date is :math:`a`, chosen with weight
:math:`q_j e^{-\delta \cdot \text{lag}_j}` (``recency_decay``, lag in tertials since the person
was last counted), each person at most once per period; otherwise, or when nobody fits, a new
person is born with a birth date uniform over the dates that give age :math:`a` (never Feb 29)
and a valid personnummer (``coordination_share`` samordningsnummer, day + 60). The propensity
is fixed at a person's first ever report:

.. math::

    \text{logit}\, q = \gamma_0 + \gamma_{age}(a-25)/10 + \gamma_{kvinna}[g = kvinna]
    + \gamma_{offence} + \gamma_{detection}.

*Repeat reports in a period.* A person counted in :math:`p` has :math:`K` more reports with
:math:`P(K \ge j) = \min(\kappa q, 0.9)^j` (``within_period_scale`` :math:`\kappa`), dated
uniformly between the first report and the end of the period or the day before the next
birthday (so every report of a person in a period has the same age band), each with its own
detection (:math:`\pi_g`), offence and case number.

The true cube (CONTRACT 4) is counted from the slots: a person counts once per period in the
cell of their first report; ``reports`` are all their reports in that period. Defect rows
(``defects=True``) are *added* rows of fresh persons (or exact copies), so the clean rows and
the true cube are the same with or without them.

Examples
--------
>>> data = generate(SynthParams.municipal(), seed=1, start="2024-01-01", end="2024-12-31")
>>> sorted(data.truth["periods"])
['2024T1', '2024T2', '2024T3']
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import importlib.metadata
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, get_args

import numpy as np
import pandas as pd

from . import _synthetic_people as sp
from .errors import UsageError

__all__ = [
    "DEFAULT_SEED",
    "DEFECT_KINDS",
    "Operation",
    "SynthParams",
    "SyntheticData",
    "expected_persons",
    "generate",
    "synth_command",
    "truth_table",
    "write_synthetic",
]

Scale = Literal["municipal", "national"]
DEFAULT_SEED = 20211001
DEFAULT_START = "2019-01-01"
DATA_END = "2025-08-31"
MODEL_VERSION = 1


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
    """Every parameter of the synthetic model (see the module docstring for the formulas).

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
            if len(getattr(self, name)) != len(sp.OFFENCES):
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


@dataclass(frozen=True)
class SyntheticData:
    """Synthetic inputs and their truth.

    Attributes
    ----------
    reports
        One row per report, English columns of CONTRACT 1.1 and codes (``man``,
        ``eget_bruk``, ``polisinitierad``); ``report_date`` as ISO text, ``age`` as ``Int64``.
        Row ``i`` is spreadsheet row ``i + 2`` of the written file.
    population
        ``year, age, gender, area, population`` (year-end).
    truth
        The content of ``truth.json``; see :meth:`table` for its tables.
    """

    reports: pd.DataFrame = field(repr=False)
    population: pd.DataFrame = field(repr=False)
    truth: dict[str, Any] = field(repr=False)

    def table(self, name: str = "cells") -> pd.DataFrame:
        """A table of the truth (``cells``, ``female_share``, ...) as a DataFrame."""
        return truth_table(self.truth, name)


def truth_table(truth: dict[str, Any], name: str) -> pd.DataFrame:
    """Turn a ``{"columns": [...], "data": [[...], ...]}`` entry of a truth into a DataFrame."""
    entry = truth[name]
    return pd.DataFrame(entry["data"], columns=entry["columns"])


def _package_version() -> str:
    try:
        return importlib.metadata.version("risk_indicators")
    except importlib.metadata.PackageNotFoundError:
        return "0.1.0"


def _tertial_of(text: str, *, first: bool) -> tuple[int, int]:
    """(year, tertial) of a date that opens (``first``) or closes a tertial."""
    try:
        day = dt.date.fromisoformat(text)
    except ValueError as exc:
        raise UsageError(f"{text!r} is not an ISO date like 2019-01-01.") from exc
    tertial = (day.month - 1) // 4 + 1
    opens = dt.date(day.year, 4 * tertial - 3, 1)
    closes = dt.date(day.year + tertial // 3, 4 * tertial % 12 + 1, 1) - dt.timedelta(days=1)
    if day != (opens if first else closes):
        edge = "first" if first else "last"
        raise UsageError(f"{text} must be the {edge} day of a tertial (Jan-Apr, May-Aug, Sep-Dec).")
    return day.year, tertial


def _grid(params: SynthParams, start: str, end: str) -> sp.Grid:
    first, last = _tertial_of(start, first=True), _tertial_of(end, first=False)
    if first > last:
        raise UsageError(f"The start {start} lies after the end {end}.")
    year, tertial = params.trend_origin.split("T")
    return sp.tertial_grid(first, last, (int(year), int(tertial)))


@dataclass
class _Run:
    params: SynthParams
    seed: int
    start: str
    end: str
    grid: sp.Grid
    pop: np.ndarray
    engine: sp.Engine
    rng: np.random.Generator
    aux: np.random.Generator
    persons: np.ndarray  # (periods, areas, bands, 2)
    reports: np.ndarray
    returning: int = 0
    distinct_by_year: list[list[int]] = field(default_factory=list)  # [men, women] per year
    multi_in_period: int = 0


def _start(
    params: SynthParams, seed: int, start: str, end: str, population: pd.DataFrame | None
) -> _Run:
    grid = _grid(params, start, end)
    main, aux = np.random.SeedSequence(seed).spawn(2)
    rng = np.random.Generator(np.random.PCG64(main))
    if population is None:
        pop = sp.draw_population(params, len(grid.years), rng)
    else:
        pop = _population_array(population, params, grid.years)
    shape = (len(grid.labels), len(params.areas), sp.N_BANDS, 2)
    return _Run(
        params, seed, start, end, grid, pop, sp.Engine(params, grid, pop, rng), rng,
        np.random.Generator(np.random.PCG64(aux)), np.zeros(shape, np.int64),
        np.zeros(shape, np.int64),
    )  # fmt: skip


def _year_batches(run: _Run, progress: Callable[[str], None] | None = None) -> Any:
    """Yield ``(year, columns)`` with each year's reports sorted by date, area and person."""
    par, grid = run.params, run.grid
    for i, year in enumerate(grid.years.tolist()):
        draws = []
        for p in np.flatnonzero(grid.year == year).tolist():
            d = run.engine.period(p)
            run.persons[p], run.reports[p] = d.persons, d.reports
            run.returning += d.returning
            run.multi_in_period += int((d.seq == 1).sum())
            draws.append(d)
        cols = {
            name: np.concatenate([getattr(d, name) for d in draws])
            for name in ("pid", "day", "age", "gender", "offence", "area", "detection", "seq")
        }
        order = np.lexsort((cols["seq"], cols["pid"], cols["area"], cols["day"]))
        cols = {k: v[order] for k, v in cols.items()}
        n = len(order)
        uniq = np.unique(cols["pid"])
        g = run.engine.registry.gender.values[uniq]
        run.distinct_by_year.append([int((g == 0).sum()), int((g == 1).sum())])
        forms = np.asarray(par.personnummer_forms, dtype=float)
        form = sp.categorical(np.tile(forms / forms.sum(), (n, 1)), run.rng)
        # the short form is kept to persons under 90, whose century is never in doubt
        form[(form == 1) & (cols["age"] >= 90)] = 0
        twelve = sp.personnummer_parts(run.engine.registry, cols["pid"])
        cols["person_id"] = sp.format_personnummer(twelve, form)
        serial = 1 + int(run.rng.integers(0, 20000)) + np.arange(n)
        cols["report_id"] = sp.format_report_ids(
            par.report_unit + cols["area"], serial, np.full(n, year % 100)
        )
        if progress is not None:
            progress(f"year {year} ({i + 1}/{len(grid.years)}): {n:,} report rows")
        yield year, cols


def _arrow(cols: dict[str, Any], params: SynthParams, *, date_as_text: bool) -> Any:
    import pyarrow as pa
    import pyarrow.compute as pc

    def labels(values: Sequence[str], codes: np.ndarray) -> Any:
        return pc.take(pa.array(list(values), pa.string()), pa.array(codes))

    date = pa.array(cols["day"].astype("datetime64[D]"))
    return pa.table(
        {
            "person_id": cols["person_id"],
            "report_date": pc.cast(date, pa.string()) if date_as_text else date,
            "age": pa.array(cols["age"], pa.int16()),
            "gender": labels(sp.GENDERS, cols["gender"]),
            "offence": labels(sp.OFFENCES, cols["offence"]),
            "area": labels(params.areas, cols["area"]),
            "detection": labels(sp.DETECTIONS, cols["detection"]),
            "report_id": cols["report_id"],
        }
    )


def _frame(table: Any) -> pd.DataFrame:
    frame = table.to_pandas()
    for name in frame.columns:
        frame[name] = frame[name].astype("Int64" if name == "age" else object)
    return frame


DEFECT_KINDS: tuple[str, ...] = (
    "missing_value", "unknown_gender", "age_negative", "age_too_high", "unparseable_date",
    "future_date", "duplicate", "unknown_area", "invalid_offence", "bad_checksum_no_age",
)  # fmt: skip
_DEFECT_COLUMN = {
    "unknown_gender": "gender", "age_negative": "age", "age_too_high": "age",
    "unparseable_date": "report_date", "future_date": "report_date", "duplicate": "report_id",
    "unknown_area": "area", "invalid_offence": "offence", "bad_checksum_no_age": "age",
}  # fmt: skip
_MISSING_COLUMNS = ("person_id", "report_date", "offence")


def _corruption(kind: str, column: str, date: str, bad_id: str) -> dict[str, Any]:
    """The changed values of a defect row of ``kind``."""
    if kind == "missing_value":
        return {column: None}
    if kind == "unparseable_date":
        return {"report_date": f"{date[:4]}-13-{date[8:]}"}
    if kind == "future_date":
        return {"report_date": f"2099-{date[5:7]}-{min(int(date[8:]), 28):02d}"}
    if kind == "bad_checksum_no_age":
        return {"person_id": bad_id, "age": pd.NA}
    fixed: dict[str, dict[str, Any]] = {
        "unknown_gender": {"gender": "Z"},
        "age_negative": {"age": -1},
        "age_too_high": {"age": 130},
        "duplicate": {},
        "unknown_area": {"area": "Norrby"},
        "invalid_offence": {"offence": "rattfylleri"},
    }
    return fixed[kind]


def _add_defects(
    frame: pd.DataFrame, run: _Run, kinds: Sequence[str], row_offset: int
) -> tuple[pd.DataFrame, list[dict[str, Any]]]:
    """Insert defect rows after random rows of ``frame`` (none if it is empty).

    Call it only when every clean person has been drawn.

    Every defect row but the exact duplicates belongs to a fresh person (a new valid
    personnummer, the age and gender of the row it follows), so it never touches the truth.
    """
    if frame.empty:  # nothing to attach defects to
        return frame, []
    rng, registry = run.aux, run.engine.registry
    plan = [
        (kind, col)
        for kind in kinds
        for col in (_MISSING_COLUMNS if kind == "missing_value" else [_DEFECT_COLUMN[kind]])
        for _ in range(1 if kind == "missing_value" else run.params.defects_per_kind)
    ]
    base = np.sort(rng.integers(0, len(frame), size=len(plan)))
    days = frame["report_date"].to_numpy()[base].astype("datetime64[D]").astype(np.int64)
    ages = frame["age"].to_numpy()[base].astype(np.int64)
    gender = np.array([sp.GENDERS.index(g) for g in frame["gender"].to_numpy()[base]])
    pid = registry.add(sp.new_births(days, ages, rng), gender, np.zeros(len(plan), bool))
    forms = np.zeros(len(plan), dtype=np.int64)
    good = sp.format_personnummer(sp.personnummer_parts(registry, pid), forms).to_pylist()
    bad = sp.format_personnummer(
        sp.personnummer_parts(registry, pid, bad_check=True), forms
    ).to_pylist()
    rows = []
    for j, (kind, col) in enumerate(plan):
        row = frame.iloc[int(base[j])].to_dict()
        if kind != "duplicate":
            rid = row["report_id"]
            row.update(person_id=good[j], report_id=f"{rid[:6]}9{j:06d}{rid[-3:]}")
        row.update(_corruption(kind, col, row["report_date"], bad[j]))
        rows.append(row)
    extra = pd.DataFrame(rows, columns=frame.columns).astype(frame.dtypes.to_dict())
    order = np.lexsort(
        (np.r_[np.zeros(len(frame)), 1 + np.arange(len(plan))], np.r_[np.arange(len(frame)), base])
    )
    out = pd.concat([frame, extra], ignore_index=True).iloc[order].reset_index(drop=True)
    position = np.empty(len(order), dtype=np.int64)
    position[order] = np.arange(len(order))
    marks = [
        {"row": int(position[len(frame) + j]) + row_offset + 2, "kind": kind, "column": col}
        for j, (kind, col) in enumerate(plan)
    ]
    return out, sorted(marks, key=lambda m: m["row"])


# --------------------------------------------------------------------------- truth


def _num(x: float) -> float:
    return float(f"{float(x):.10g}")


def _cells(run: _Run, keep: tuple[str, ...]) -> dict[str, Any]:
    """Expected and true counts summed to the kept keys of (period, area, age_band, gender)."""
    par, grid = run.params, run.grid
    mu = sp.band_sum(run.engine.mu)
    var = mu + mu**2 / par.dispersion_k
    pop = sp.band_sum(run.pop[grid.year_index])
    axes = {"period": 0, "area": 1, "age_band": 2, "gender": 3}
    drop = tuple(axes[k] for k in axes if k not in keep)
    arrays = [a.sum(axis=drop) for a in (pop, mu, var, run.persons, run.reports)]
    names = {"period": grid.labels, "area": par.areas, "age_band": sp.AGE_LABELS,
             "gender": sp.GENDERS}  # fmt: skip
    data = []
    for idx in np.ndindex(arrays[0].shape):
        keys = [names[k][i] for k, i in zip(keep, idx, strict=True)]
        pop_v, mu_v, var_v, pers, reps = (a[idx] for a in arrays)
        data.append([*keys, int(pop_v), _num(mu_v), _num(var_v), int(pers), int(reps)])
    columns = [*keep, "population", "expected_persons", "variance_persons", "persons", "reports"]
    return {"columns": columns, "data": data}


def _truth(run: _Run, seed: int, scale: str, start: str, end: str, *, full: bool) -> dict[str, Any]:
    par, grid = run.params, run.grid
    mu = sp.band_sum(run.engine.mu)
    share = []
    for i, year in enumerate(grid.years.tolist()):
        sel = grid.year == year
        exp_w, exp_all = mu[sel, ..., 1].sum(), mu[sel].sum()
        obs = run.persons[sel].sum(axis=(0, 1, 2))
        men, women = run.distinct_by_year[i]
        share.append([
            year, _num(exp_w / exp_all) if exp_all > 0 else None,
            _num(obs[1] / obs.sum()) if obs.sum() else None,
            _num(women / (men + women)) if men + women else None,
        ])  # fmt: skip
    slots = int(run.persons.sum())
    truth: dict[str, Any] = {
        "generator": "risk_indicators.synthetic",
        "model_version": MODEL_VERSION,
        "package_version": _package_version(),
        "seed": seed,
        "scale": scale,
        "start": start,
        "end": end,
        "periods": list(grid.labels),
        "age_bands": {"edges": list(sp.AGE_EDGES), "labels": list(sp.AGE_LABELS)},
        "counting_rule": "a person counts once per tertial, in the (area, age band, gender) "
        "cell of their first report in it; reports are all their reports in that tertial",
        "dispersion": {
            "distribution": "negative binomial (gamma-Poisson)",
            "size_k": _num(par.dispersion_k),
            "variance": "mu + mu^2 / k",
            "level": "period x area x age_band x gender",
        },
        "parameters": dataclasses.asdict(par),
        "operation_factor": {
            "columns": ["period", "area", "mean_day_weight"],
            "data": [
                [grid.labels[p], par.areas[a], _num(run.engine.wbar[p, a])]
                for p, a in zip(*np.nonzero(run.engine.wbar != 1.0), strict=True)
            ],
        },
        "female_share": {
            "columns": ["year", "expected", "observed_person_periods", "observed_persons"],
            "data": share,
        },
        "repeats": {
            "person_periods": slots,
            "returning_person_periods": run.returning,
            "returning_share": _num(run.returning / slots) if slots else None,
            "persons": int(run.engine.registry.birth.n),
            "person_periods_with_several_reports": run.multi_in_period,
        },
    }
    if full:
        truth["cells"] = _cells(run, ("period", "area", "age_band", "gender"))
    else:
        truth["cells_period_area"] = _cells(run, ("period", "area"))
        truth["cells_period_age_band_gender"] = _cells(run, ("period", "age_band", "gender"))
    return truth


def _population_frame(pop: np.ndarray, years: np.ndarray, areas: Sequence[str]) -> pd.DataFrame:
    y, r, a, g = np.indices(pop.shape).reshape(4, -1)
    order = np.lexsort((a, g, r, y))
    return pd.DataFrame(
        {
            "year": years[y[order]].astype(np.int64),
            "age": a[order].astype(np.int64),
            "gender": np.asarray(sp.GENDERS, dtype=object)[g[order]],
            "area": np.asarray(areas, dtype=object)[r[order]],
            "population": pop.reshape(-1)[order].astype(np.int64),
        }
    )


def _population_array(frame: pd.DataFrame, params: SynthParams, years: np.ndarray) -> np.ndarray:
    out = np.zeros((len(years), len(params.areas), sp.N_AGES, 2), dtype=np.int64)
    try:
        yi = np.searchsorted(years, frame["year"].to_numpy())
        ri = frame["area"].map({a: i for i, a in enumerate(params.areas)}).to_numpy()
        gi = frame["gender"].map({g: i for i, g in enumerate(sp.GENDERS)}).to_numpy()
        np.add.at(out, (yi, ri.astype(np.int64), frame["age"].to_numpy(), gi.astype(np.int64)),
                  frame["population"].to_numpy())  # fmt: skip
    except (KeyError, ValueError, IndexError) as exc:
        raise UsageError(
            "The population needs columns year, age (0-100), gender (man/kvinna), area (one of "
            "the parameters' areas) and population, with every year of the data."
        ) from exc
    return out


def generate(
    params: SynthParams,
    *,
    seed: int,
    start: str = DEFAULT_START,
    end: str = DATA_END,
    defects: bool = False,
    population: pd.DataFrame | None = None,
) -> SyntheticData:
    """Draw synthetic reports, population and truth in memory.

    Parameters
    ----------
    params
        The model, e.g. ``SynthParams.municipal()``.
    seed
        Seed of ``numpy.random.Generator(PCG64)``; the same seed gives the same data.
    start, end
        First day of the first tertial and last day of the last one (ISO dates).
    defects
        Add the defect rows of CONTRACT 1.1 (marked in ``truth["defects"]``); the clean rows
        and the true cube stay the same.
    population
        Reuse a population (``year, age, gender, area, population``) instead of drawing one,
        e.g. to draw many replicates of reports for one municipality.

    Returns
    -------
    SyntheticData
    """
    run = _start(params, seed, start, end, population)
    frames = [_frame(_arrow(cols, params, date_as_text=True)) for _, cols in _year_batches(run)]
    reports = pd.concat(frames, ignore_index=True)
    truth = _truth(run, seed, "generate", start, end, full=True)
    marks: list[dict[str, Any]] = []
    if defects:
        reports, marks = _add_defects(reports, run, DEFECT_KINDS, 0)
    truth["rows"] = _row_accounting(len(reports), marks)
    truth["defects"] = marks
    return SyntheticData(reports, _population_frame(run.pop, run.grid.years, params.areas), truth)


def _row_accounting(n: int, marks: list[dict[str, Any]]) -> dict[str, int]:
    dup = sum(m["kind"] == "duplicate" for m in marks)
    return {"read": n, "used": n - len(marks), "rejected": len(marks) - dup, "duplicates": dup}


def expected_persons(
    params: SynthParams,
    population: pd.DataFrame,
    *,
    start: str = DEFAULT_START,
    end: str = DATA_END,
) -> pd.DataFrame:
    """Closed-form expected persons per (period, area, age_band, gender) cell.

    Returns columns ``period, area, age_band, gender, population, expected, variance``, where
    the variance ``expected + expected**2 / dispersion_k`` is that of the negative binomial
    cell count of the model.
    """
    grid = _grid(params, start, end)
    pop = _population_array(population, params, grid.years)
    mu = sp.band_sum(sp.expected_means(params, grid, pop, sp.day_weights(params, grid))[0])
    p, r, b, g = np.indices(mu.shape).reshape(4, -1)
    exp = mu.reshape(-1)
    return pd.DataFrame(
        {
            "period": np.asarray(grid.labels, dtype=object)[p],
            "area": np.asarray(params.areas, dtype=object)[r],
            "age_band": np.asarray(sp.AGE_LABELS, dtype=object)[b],
            "gender": np.asarray(sp.GENDERS, dtype=object)[g],
            "population": sp.band_sum(pop[grid.year_index]).reshape(-1),
            "expected": exp,
            "variance": exp + exp**2 / params.dispersion_k,
        }
    )


# --------------------------------------------------------------------------- files

_SV_HEADER = ("personnummer", "anmalningsdatum", "ålder", "kön", "brott", "område", "upptäckt",
              "diarienummer")  # fmt: skip
_SV_LABELS = {
    "gender": {"man": "Man", "kvinna": "Kvinna"},
    "offence": {"eget_bruk": "Eget bruk", "innehav": "Innehav", "overlatelse": "Överlåtelse",
                "framstallning": "Framställning", "annat": "Annat"},
    "detection": {"polisinitierad": "Polisinitierad", "anmalan": "Anmälan"},
}  # fmt: skip
_COLUMNS = ("person_id", "report_date", "age", "gender", "offence", "area", "detection",
            "report_id")  # fmt: skip


def _swedish_csv(frame: pd.DataFrame) -> bytes:
    """The reports as Excel writes a Swedish CSV: semicolons, cp1252, CRLF."""
    cols = []
    for name in _COLUMNS:
        values = frame[name].astype(object).where(frame[name].notna(), "")
        labels = _SV_LABELS.get(name, {})
        cols.append([labels.get(v, v) if isinstance(v, str) else str(v) for v in values])
    lines = [";".join(_SV_HEADER), *(";".join(row) for row in zip(*cols, strict=True))]
    return ("\r\n".join(lines) + "\r\n").encode("cp1252")


def _dump(obj: Any, indent: int = 0) -> str:
    """JSON with one key per line, scalar lists and scalar dicts on one line, floats fixed."""
    pad, inner = " " * indent, " " * (indent + 1)

    def scalar(v: Any) -> bool:
        return not isinstance(v, dict | list | tuple) or not v

    def atom(v: Any) -> str:
        if isinstance(v, np.integer):
            v = int(v)
        if isinstance(v, float | np.floating):
            return json.dumps(_num(float(v)) if np.isfinite(v) else str(v))
        return json.dumps(v, ensure_ascii=False)

    if isinstance(obj, dict):
        if not obj:
            return "{}"
        if all(scalar(v) for v in obj.values()) and len(obj) <= 6:
            return "{" + ", ".join(f"{atom(k)}: {_dump(v)}" for k, v in obj.items()) + "}"
        body = ",\n".join(f"{inner}{atom(k)}: {_dump(v, indent + 1)}" for k, v in obj.items())
        return "{\n" + body + "\n" + pad + "}"
    if isinstance(obj, list | tuple):
        if all(scalar(v) for v in obj):
            return "[" + ", ".join(_dump(v) for v in obj) + "]"
        return "[\n" + ",\n".join(inner + _dump(v, indent + 1) for v in obj) + "\n" + pad + "]"
    return atom(obj)


_FILE_NOTES = {
    "reports.csv": "- `reports.csv`: one row per reported person and report, as Excel saves a\n"
    "  Swedish CSV (semicolons, cp1252, CRLF); columns personnummer, anmalningsdatum, ålder,\n"
    "  kön, brott, område, upptäckt, diarienummer.",
    "population.csv": "- `population.csv`: year-end population by year, age, gender and area.",
    "config.toml": "- `config.toml`: the analysis config (CONTRACT 1.4) for this municipality.",
    "reports.parquet": "- `reports.parquet`: one row per report (English columns of CONTRACT\n"
    "  1.1), written one year at a time; `area` holds the municipality.",
    "population.parquet": "- `population.parquet`: year-end population by year, age, gender\n"
    "  and area (municipality).",
}

_CONFIG = """\
# Config of the synthetic Vaggeryd-like municipality (CONTRACT 1.4); generated, do not edit.
municipality = "{municipality}"
language = "sv"
period = "tertial"
age_bands = [0, 15, 18, 21, 25, 30, 40, 50, 60]
youth_min_age = 15
youth_max_age = 24
areas = [{areas}]

[disclosure]
min_count = 5
ledger = ""

[gender_goal]
benchmark_female_share = 0.35
benchmark_source = "Synthetic example value; replace it with the survey figure used locally"
target_female_share = 0.25
target_period = "2026T3"

[pseudonymisation]
key_env = "RISK_INDICATORS_KEY"
"""

_README = """\
# Synthetic {what}

Generated by `risk_indicators.synthetic` (model version {model}); **not real data**. Every
person, personnummer and case number is invented; personnummer pass the Luhn check.

Regenerate (byte for byte) from the repository root with

    {command}

Periods {first} to {last} ({n} tertials), {rows} report rows, seed {seed}.

{files}
- `truth.json`: every parameter, the seed, the expected number of reported persons of every
  cell (with its variance) and the exact true counts (CONTRACT 4 counting rule) computed by the
  generator from its own person list; tables are `{{"columns": [...], "data": [...]}}`
  (`risk_indicators.synthetic.truth_table(truth, "cells")` gives a DataFrame).

Model in brief (formulas in the docstring of `risk_indicators/synthetic.py`): a Poisson
cohort-component population; for each tertial, area, age band and gender a negative binomial
number of persons (size k = {k}) with mean = population x age-gender rate x yearly trend by
gender x tertial effect x area factor x hot-spot operation factor. Men are police-initiated
more often than women (women are under-detected); operations raise police-initiated detection
in known weeks. Some persons are earlier persons who return, chosen by a logistic propensity
of age, gender, offence and detection, which also drives repeat reports within a tertial.
"""


def write_synthetic(
    out_dir: str | Path,
    params: SynthParams | None = None,
    *,
    scale: Scale = "municipal",
    seed: int = DEFAULT_SEED,
    years: int | None = None,
    defects: bool = False,
    progress: Callable[[str], None] | None = None,
) -> list[Path]:
    """Write synthetic inputs and their ``truth.json`` to ``out_dir``.

    Parameters
    ----------
    out_dir
        Folder to write (created if needed; files in it are overwritten).
    params
        The model; default :meth:`SynthParams.municipal` or :meth:`SynthParams.national`.
    scale
        ``municipal``: ``reports.csv`` (Swedish Excel dialect), ``population.csv``,
        ``config.toml``, ``truth.json`` (every cell), ``README.md``. ``national``:
        ``reports.parquet`` (written a year at a time, so memory stays bounded),
        ``population.parquet``, ``truth.json`` (period x area and period x age band x gender
        margins), ``README.md``.
    seed
        Seed of the random generator; the same seed gives byte-identical CSV and JSON files.
    years
        ``None``: 2019-01-01 to 2025-08-31 (municipal) or the ten years to 2025-08-31
        (national); ``N``: the N years to 2025-08-31.
    defects
        Add the defect rows of CONTRACT 1.1, marked in ``truth.json`` (``defects``).
    progress
        Called with one line per generated year.

    Returns
    -------
    list of Path
        The files written.

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     [p.name for p in write_synthetic(tmp, years=1)]
    ['reports.csv', 'population.csv', 'config.toml', 'truth.json', 'README.md']
    """
    if scale not in get_args(Scale):
        raise UsageError(
            "The 'scale' parameter of write_synthetic must be one of 'municipal', 'national'. "
            f"Got {scale!r} instead."
        )
    if years is not None and (not isinstance(years, int) or years < 1):
        raise UsageError(
            "The 'years' parameter of write_synthetic must be a positive whole number. "
            f"Got {years!r} instead."
        )
    default = SynthParams.municipal() if scale == "municipal" else SynthParams.national()
    params = params or default
    out = Path(out_dir)
    command = f"python -m risk_indicators.synthetic --out {out.as_posix()} --seed {seed}"
    command += " --scale national" if scale == "national" else ""
    command += f" --years {years}" if years is not None else ""
    command += " --defects" if defects else ""
    if params != default:
        command += "  # with the changed parameters recorded in truth.json"
    if years is None and scale == "national":
        years = 10
    start = DEFAULT_START if years is None else f"{int(DATA_END[:4]) - years}-09-01"
    out.mkdir(parents=True, exist_ok=True)
    run = _start(params, seed, start, DATA_END, None)
    writer = _write_municipal if scale == "municipal" else _write_national
    files, n_rows, truth = writer(out, run, defects, progress)
    truth = {**truth, "command": command}
    (out / "truth.json").write_text(_dump(truth) + "\n", encoding="utf-8")
    readme = _README.format(
        what="Vaggeryd-like municipality" if scale == "municipal" else "nation",
        model=MODEL_VERSION, command=command, files="\n".join(_FILE_NOTES[f] for f in files),
        k=_num(params.dispersion_k), first=run.grid.labels[0], last=run.grid.labels[-1],
        n=len(run.grid.labels), rows=f"{n_rows:,}", seed=seed,
    )  # fmt: skip
    (out / "README.md").write_text(readme, encoding="utf-8")
    return [out / f for f in (*files, "truth.json", "README.md")]


def _write_municipal(
    out: Path, run: _Run, defects: bool, progress: Callable[[str], None] | None
) -> tuple[list[str], int, dict[str, Any]]:
    par = run.params
    frames = [_frame(_arrow(c, par, date_as_text=True)) for _, c in _year_batches(run, progress)]
    reports = pd.concat(frames, ignore_index=True)
    truth = _truth(run, run.seed, "municipal", run.start, run.end, full=True)
    marks: list[dict[str, Any]] = []
    if defects:
        reports, marks = _add_defects(reports, run, DEFECT_KINDS, 0)
    truth["rows"], truth["defects"] = _row_accounting(len(reports), marks), marks
    (out / "reports.csv").write_bytes(_swedish_csv(reports))
    pop = _population_frame(run.pop, run.grid.years, par.areas)
    (out / "population.csv").write_bytes(pop.to_csv(index=False, lineterminator="\n").encode())
    areas = ", ".join(json.dumps(a, ensure_ascii=False) for a in par.areas)
    config = _CONFIG.format(municipality=par.municipality, areas=areas)
    (out / "config.toml").write_text(config, encoding="utf-8")
    return ["reports.csv", "population.csv", "config.toml"], len(reports), truth


def _write_national(
    out: Path, run: _Run, defects: bool, progress: Callable[[str], None] | None
) -> tuple[list[str], int, dict[str, Any]]:
    import pyarrow as pa
    import pyarrow.parquet as pq

    par, n_rows = run.params, 0
    marks: list[dict[str, Any]] = []
    n_years = len(run.grid.years)
    writer = None
    try:
        for i, (_, cols) in enumerate(_year_batches(run, progress)):
            table = _arrow(cols, par, date_as_text=defects)
            del cols
            if i == n_years - 1:
                truth = _truth(run, run.seed, "national", run.start, run.end, full=False)
                if defects:
                    # no config lists the municipalities, so an unknown area is no defect here
                    kinds = [k for k in DEFECT_KINDS if k != "unknown_area"]
                    frame, marks = _add_defects(_frame(table), run, kinds, n_rows)
                    table = pa.Table.from_pandas(frame, schema=table.schema, preserve_index=False)
            if writer is None:
                writer = pq.ParquetWriter(out / "reports.parquet", table.schema)
            writer.write_table(table)
            n_rows += table.num_rows
            del table
    finally:
        if writer is not None:
            writer.close()
    pop = _population_frame(run.pop, run.grid.years, par.areas)
    pq.write_table(pa.Table.from_pandas(pop, preserve_index=False), out / "population.parquet")
    truth["rows"], truth["defects"] = _row_accounting(n_rows, marks), marks
    return ["reports.parquet", "population.parquet"], n_rows, truth


def synth_command(
    out: Path,
    scale: Scale = "municipal",
    seed: int = DEFAULT_SEED,
    years: int | None = None,
    *,
    defects: bool = False,
    progress: Callable[[str], None] | None = None,
) -> list[Path]:
    """The ``risk-indicators synth`` command: write synthetic inputs and truth to ``out``.

    Uses :meth:`SynthParams.municipal` or :meth:`SynthParams.national`; see
    :func:`write_synthetic`. ``progress`` receives one line per generated year.
    """
    return write_synthetic(
        out, scale=scale, seed=seed, years=years, defects=defects, progress=progress
    )


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m risk_indicators.synthetic --out DIR [--scale S] [--seed N] [--years N]``."""
    parser = argparse.ArgumentParser(prog="python -m risk_indicators.synthetic")
    parser.add_argument("--out", required=True, type=Path)
    parser.add_argument("--scale", choices=get_args(Scale), default="municipal")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--years", type=int, default=None)
    parser.add_argument("--defects", action="store_true")
    args = parser.parse_args(argv)
    files = synth_command(
        args.out, args.scale, args.seed, args.years, defects=args.defects, progress=print
    )
    print(f"Wrote {len(files)} files to {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
