"""Engine of the synthetic generator: persons, their reports and their identifiers.

Private to :mod:`risk_indicators.synthetic`, which documents the model; the expected counts
come from :mod:`risk_indicators.synthetic._model`, this module draws the persons behind them.
Everything works on integer codes and day ordinals (days since 1970-01-01). Random draws
come from the caller's ``numpy.random.Generator`` in a fixed order and nothing depends on
dict or set ordering, so a seed fixes every byte.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from ._model import (
    BAND_OF_AGE,
    N_BANDS,
    Grid,
    band_sum,
    birth_window,
    day_weights,
    expected_means,
    from_ymd,
    is_feb29,
    ymd,
)

# Birth ordinals are stored relative to 1850-01-01 so that (area, gender, birth) packs in int64.
ORD_MIN = int(np.datetime64("1850-01-01", "D").astype(np.int64))
_KEY_SHIFT = 1 << 17
_SERIALS = 500  # three-digit serials with the right gender parity per birth date
_MAX_RETURN_ROUNDS = 4


# --------------------------------------------------------------------------- persons


class _Grow:
    """A numpy array that grows by appending (amortised doubling)."""

    def __init__(self, dtype: Any) -> None:
        self._a = np.empty(1024, dtype=dtype)
        self.n = 0

    def extend(self, values: np.ndarray) -> np.ndarray:
        k = len(values)
        if self.n + k > len(self._a):
            bigger = np.empty(max(2 * len(self._a), self.n + k), dtype=self._a.dtype)
            bigger[: self.n] = self._a[: self.n]
            self._a = bigger
        self._a[self.n : self.n + k] = values
        self.n += k
        return np.arange(self.n - k, self.n)

    @property
    def values(self) -> np.ndarray:
        return self._a[: self.n]


class Registry:
    """Every synthetic person: birth date, gender, serial and samordningsnummer flag."""

    def __init__(self) -> None:
        self.birth = _Grow(np.int64)
        self.gender = _Grow(np.int8)
        self.serial = _Grow(np.int16)
        self.coord = _Grow(np.bool_)
        self._used = np.zeros((2, 2, 1 << 17), dtype=np.int32)  # gender, coord, birth - ORD_MIN

    def add(self, birth: np.ndarray, gender: np.ndarray, coord: np.ndarray) -> np.ndarray:
        """Register new persons; returns their ids. Serials are unique per birth date and kind."""
        slot = gender.astype(np.int64) * 2 + coord
        key = (slot << 17) + (birth - ORD_MIN)
        order = np.argsort(key, kind="stable")
        ks = key[order]
        first = np.r_[True, ks[1:] != ks[:-1]]
        starts = np.flatnonzero(first)
        rank = np.arange(len(ks)) - np.repeat(starts, np.diff(np.r_[starts, len(ks)]))
        used = self._used.reshape(-1)
        k = np.empty(len(key), dtype=np.int64)
        k[order] = used[ks] + rank
        if len(k) and k.max() >= _SERIALS:
            raise ValueError(
                "More than 500 synthetic persons share a birth date and gender; lower the "
                "rate level or raise the return share of the parameters."
            )
        np.add.at(used, key, 1)
        # a fixed per-date permutation of 0..499 so that serials do not all start at 000
        offset = (birth - ORD_MIN) * 37 % _SERIALS
        serial = 2 * ((k * 211 + offset) % _SERIALS) + (gender == 0)
        self.gender.extend(gender.astype(np.int8))
        self.serial.extend(serial.astype(np.int16))
        self.coord.extend(coord.astype(np.bool_))
        return self.birth.extend(birth)


def new_births(days: np.ndarray, ages: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Birth dates uniform over the window that gives ``ages`` on ``days``; never Feb 29."""
    low, high = birth_window(days, ages)
    birth = rng.integers(low, high + 1)
    redo = np.flatnonzero(is_feb29(birth))
    while redo.size:
        birth[redo] = rng.integers(low[redo], high[redo] + 1)
        redo = redo[is_feb29(birth[redo])]
    return birth


class Pool:
    """Earlier persons eligible to return, sorted by (area, gender, birth date)."""

    def __init__(self) -> None:
        self.key = np.empty(0, dtype=np.int64)
        self.pid = np.empty(0, dtype=np.int64)
        self.prop = np.empty(0, dtype=float)
        self.last = np.empty(0, dtype=np.int64)

    @staticmethod
    def make_key(area: np.ndarray, gender: np.ndarray, birth: np.ndarray) -> np.ndarray:
        return (area.astype(np.int64) * 2 + gender) * _KEY_SHIFT + (birth - ORD_MIN)

    def choose(
        self,
        base: np.ndarray,
        low: np.ndarray,
        high: np.ndarray,
        period: int,
        decay: float,
        rng: np.random.Generator,
    ) -> np.ndarray:
        """Pool positions (or -1) for slots, chosen with weight propensity x exp(-decay x lag).

        The window ``[base + low, base + high]`` selects persons of the slot's area and gender
        with the slot's age on its date. A person is used at most once per period: a slot
        that draws somebody already taken draws again, up to a few rounds, then gets -1.
        """
        n = len(base)
        out = np.full(n, -1, dtype=np.int64)
        if n == 0 or self.key.size == 0:
            return out
        weight = self.prop * np.exp(-decay * (period - self.last))
        cum = np.r_[0.0, np.cumsum(weight)]
        i0 = np.searchsorted(self.key, base + low - ORD_MIN, side="left")
        i1 = np.searchsorted(self.key, base + high - ORD_MIN, side="right")
        total = cum[i1] - cum[i0]
        pending = np.flatnonzero((i1 > i0) & (total > 0))
        taken = np.zeros(self.key.size, dtype=bool)
        for _ in range(_MAX_RETURN_ROUNDS):
            if pending.size == 0:
                break
            u = cum[i0[pending]] + rng.random(pending.size) * total[pending]
            j = np.clip(np.searchsorted(cum, u, side="right") - 1, i0[pending], i1[pending] - 1)
            order = rng.permutation(pending.size)
            _, first = np.unique(j[order], return_index=True)
            win = np.zeros(pending.size, dtype=bool)
            win[order[first]] = True
            win &= ~taken[j]
            out[pending[win]] = j[win]
            taken[j[win]] = True
            pending = pending[~win]
        return out

    def update(
        self, chosen: np.ndarray, period: int, key: np.ndarray, pid: np.ndarray, prop: np.ndarray
    ) -> None:
        """Mark returning persons as seen in ``period`` and insert new persons in key order."""
        self.last[chosen] = period
        order = np.argsort(key, kind="stable")
        at = np.searchsorted(self.key, key[order], side="right")
        self.key = np.insert(self.key, at, key[order])
        self.pid = np.insert(self.pid, at, pid[order])
        self.prop = np.insert(self.prop, at, prop[order])
        self.last = np.insert(self.last, at, np.full(len(order), period, dtype=np.int64))


def propensity(
    params: Any, ages: np.ndarray, gender: np.ndarray, offence: np.ndarray, detection: np.ndarray
) -> np.ndarray:
    """Logistic propensity to be reported again (see the model in ``synthetic``)."""
    eta = (
        params.propensity_intercept
        + params.propensity_age * (ages - 25.0) / 10.0
        + params.propensity_kvinna * (gender == 1)
        + np.asarray(params.propensity_offence)[offence]
        + np.asarray(params.propensity_detection)[detection]
    )
    return 1.0 / (1.0 + np.exp(-eta))


def categorical(probs: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """One draw per row of a (n, k) probability matrix by the inverse CDF."""
    cum = np.cumsum(probs, axis=1)
    u = rng.random(len(probs))[:, None]
    return np.minimum((u >= cum).sum(axis=1), probs.shape[1] - 1)


# --------------------------------------------------------------------------- one period


@dataclass(frozen=True)
class PeriodDraw:
    """Report rows of one period (codes) and the true cells counted from the persons."""

    pid: np.ndarray
    day: np.ndarray
    age: np.ndarray
    gender: np.ndarray
    offence: np.ndarray
    area: np.ndarray
    detection: np.ndarray
    seq: np.ndarray  # 0: the person's first report in the period; 1, 2, ...: later ones
    persons: np.ndarray  # (areas, bands, 2)
    reports: np.ndarray  # (areas, bands, 2), all reports of each person in their cell
    returning: int


@dataclass(frozen=True)
class Slots:
    """The slots of one period (each person's first report in it) and their persons."""

    pid: np.ndarray
    day: np.ndarray
    age: np.ndarray
    gender: np.ndarray
    offence: np.ndarray
    area: np.ndarray
    detection: np.ndarray
    prop: np.ndarray  # the persons' propensity (fixed at their first ever report)
    counts: np.ndarray  # (areas, ages, 2) slots per single-age cell
    returning: int


class Engine:
    """Draws persons and reports period by period, keeping who may return."""

    def __init__(self, params: Any, grid: Grid, pop: np.ndarray, rng: np.random.Generator):
        self.params, self.grid, self.rng = params, grid, rng
        self.weights = day_weights(params, grid)
        self.mu, self.wbar = expected_means(params, grid, pop, self.weights)
        self.registry = Registry()
        self.pool = Pool()
        pol = np.asarray(params.offence_mix_polisinitierad, dtype=float)
        anm = np.asarray(params.offence_mix_anmalan, dtype=float)
        self.offence_probs = np.stack([pol / pol.sum(), anm / anm.sum()])
        self.police_share = np.array([params.police_share_man, params.police_share_kvinna])

    def period(self, p: int) -> PeriodDraw:
        """Draw period ``p``: its slots (first reports), their persons, their later reports."""
        slots = self.slots(p)
        pid, day, age, gender, area = slots.pid, slots.day, slots.age, slots.gender, slots.area
        par, rng, grid = self.params, self.rng, self.grid
        # later reports in the period: P(K >= j) = q^j, dated before the next birthday
        q = np.minimum(par.within_period_scale * slots.prop, 0.9)
        extra = rng.geometric(1.0 - q) - 1
        src = np.repeat(np.arange(pid.size), extra)
        births = self.registry.birth.values[pid[src]]
        yb, mb, db = ymd(births)
        next_birthday = from_ymd(yb + age[src] + 1, mb, db)
        last_day = np.minimum(grid.end[p], next_birthday - 1)
        e_day = rng.integers(day[src], last_day + 1)
        e_police = rng.random(src.size) < self.police_share[gender[src]]
        e_detection = np.where(e_police, 0, 1)
        e_offence = categorical(self.offence_probs[e_detection], rng)
        seq = np.concatenate([np.zeros(pid.size, dtype=np.int64), _ranks(src) + 1])
        band = BAND_OF_AGE[age]
        persons = band_sum(slots.counts)
        reports = persons.copy()
        np.add.at(reports, (area, band, gender), extra)
        return PeriodDraw(
            pid=np.concatenate([pid, pid[src]]),
            day=np.concatenate([day, e_day]),
            age=np.concatenate([age, age[src]]),
            gender=np.concatenate([gender, gender[src]]),
            offence=np.concatenate([slots.offence, e_offence]),
            area=np.concatenate([area, area[src]]),
            detection=np.concatenate([slots.detection, e_detection]),
            seq=seq,
            persons=persons,
            reports=reports,
            returning=slots.returning,
        )

    def slots(self, p: int) -> Slots:
        """Draw the slots of period ``p`` and their persons, and update the pool.

        The first part of :meth:`period`, in the same order of random draws; the simulated
        futures of the re-report truth need only this part (later reports in a period
        change neither the pool nor anyone's propensity).
        """
        par, rng, grid = self.params, self.rng, self.grid
        mu = self.mu[p]
        n_areas = mu.shape[0]
        # gamma frailty per published cell, so each cell count is NB(sum of mu, k)
        k = par.dispersion_k
        frailty = rng.gamma(k, 1.0 / k, size=(n_areas, N_BANDS, 2)) if np.isfinite(k) else None
        lam = mu if frailty is None else mu * frailty[:, BAND_OF_AGE, :]
        counts = rng.poisson(lam)
        cell = np.repeat(np.arange(counts.size), counts.reshape(-1))
        area, age, gender = np.unravel_index(cell, counts.shape)
        n = cell.size
        # detection of the first report: operations raise only the police-initiated part
        pi = self.police_share[gender]
        wbar = self.wbar[p][area]
        police = rng.random(n) < pi * wbar / ((1.0 - pi) + pi * wbar)
        detection = np.where(police, 0, 1)
        w = self.weights[p]
        n_days = w.shape[1]
        cum = np.cumsum(w, axis=1)
        cum = cum / cum[:, -1:]
        cum[:, -1] = 1.0
        flat = (cum + np.arange(n_areas)[:, None]).reshape(-1)
        u = rng.random(n)
        day_police = np.searchsorted(flat, u + area, side="right") - area * n_days
        day_other = np.floor(u * n_days).astype(np.int64)
        day = grid.start[p] + np.where(police, np.minimum(day_police, n_days - 1), day_other)
        offence = categorical(self.offence_probs[detection], rng)
        # identities: a share of slots goes to an earlier person of the same area, gender, age
        low, high = birth_window(day, age)
        base = Pool.make_key(area, gender, np.full(n, ORD_MIN))
        wants = np.flatnonzero(rng.random(n) < par.return_share)
        pos = np.full(n, -1, dtype=np.int64)
        pos[wants] = self.pool.choose(
            base[wants], low[wants], high[wants], p, par.recency_decay, rng
        )
        back = pos >= 0
        new = np.flatnonzero(~back)
        birth = new_births(day[new], age[new], rng)
        coord = rng.random(new.size) < par.coordination_share
        pid = np.empty(n, dtype=np.int64)
        pid[back] = self.pool.pid[pos[back]]
        pid[new] = self.registry.add(birth, gender[new], coord)
        prop = np.empty(n)
        prop[back] = self.pool.prop[pos[back]]
        prop[new] = propensity(par, age[new], gender[new], offence[new], detection[new])
        self.pool.update(
            pos[back], p, Pool.make_key(area[new], gender[new], birth), pid[new], prop[new]
        )
        return Slots(pid, day, age, gender, offence, area, detection, prop, counts,
                     int(back.sum()))  # fmt: skip


def _ranks(src: np.ndarray) -> np.ndarray:
    """0, 1, 2, ... within runs of equal values of a sorted array."""
    if src.size == 0:
        return src.copy()
    start = np.r_[True, src[1:] != src[:-1]]
    first = np.flatnonzero(start)
    return np.arange(src.size) - np.repeat(first, np.diff(np.r_[first, src.size]))


# --------------------------------------------------------------------------- identifiers


def _digit_matrix(values: np.ndarray, width: int) -> np.ndarray:
    """Zero-padded ASCII digits of non-negative integers, shape (n, width), uint8."""
    powers = 10 ** np.arange(width - 1, -1, -1, dtype=np.int64)
    return (np.asarray(values, dtype=np.int64)[:, None] // powers % 10 + 48).astype(np.uint8)


def luhn_digit(nine: np.ndarray) -> np.ndarray:
    """Luhn check digit of nine-digit numbers YYMMDDNNN."""
    d = _digit_matrix(nine, 9).astype(np.int64) - 48
    prod = d * np.array([2, 1, 2, 1, 2, 1, 2, 1, 2])
    return (10 - (prod // 10 + prod % 10).sum(axis=1) % 10) % 10


def personnummer_parts(
    registry: Registry, pid: np.ndarray, *, bad_check: bool = False
) -> np.ndarray:
    """Twelve digits YYYYMMDDNNNC of persons as int64 (day + 60 for samordningsnummer)."""
    y, m, d = ymd(registry.birth.values[pid])
    d = d + 60 * registry.coord.values[pid]
    serial = registry.serial.values[pid].astype(np.int64)
    check = luhn_digit(((y % 100) * 10000 + m * 100 + d) * 1000 + serial)
    if bad_check:
        check = (check + 1) % 10
    return ((y * 10000 + m * 100 + d) * 1000 + serial) * 10 + check


def text_column(matrix: np.ndarray, keep: np.ndarray) -> Any:
    """Rows of an ASCII matrix, keeping the columns where ``keep`` (n, width) is true."""
    import pyarrow as pa

    lengths = keep.sum(axis=1)
    offsets = np.r_[0, np.cumsum(lengths)].astype(np.int32)
    data = np.ascontiguousarray(matrix[keep])
    return pa.StringArray.from_buffers(
        len(lengths), pa.py_buffer(offsets.tobytes()), pa.py_buffer(data.tobytes())
    )


def format_personnummer(twelve: np.ndarray, form: np.ndarray) -> Any:
    """Format 12-digit numbers: form 0 ``YYYYMMDD-NNNN``, 1 ``YYMMDD-NNNN``, 2 ``YYYYMMDDNNNN``."""
    digits = _digit_matrix(twelve, 12)
    matrix = np.concatenate(
        [digits[:, :8], np.full((len(digits), 1), 45, np.uint8), digits[:, 8:]], 1
    )
    keep = np.ones(matrix.shape, dtype=bool)
    keep[form == 1, :2] = False
    keep[form == 2, 8] = False
    return text_column(matrix, keep)


def format_report_ids(unit: np.ndarray, serial: np.ndarray, yy: np.ndarray) -> Any:
    """Case numbers like ``5000-K0123456-24``."""
    n = len(unit)
    parts = [
        _digit_matrix(unit, 4),
        np.tile(np.frombuffer(b"-K", np.uint8), (n, 1)),
        _digit_matrix(serial, 7),
        np.full((n, 1), 45, np.uint8),
        _digit_matrix(yy, 2),
    ]
    matrix = np.concatenate(parts, axis=1)
    return text_column(matrix, np.ones(matrix.shape, dtype=bool))
