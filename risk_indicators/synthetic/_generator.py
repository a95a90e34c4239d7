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
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, get_args

import numpy as np
import pandas as pd

from risk_indicators.errors import UsageError
from risk_indicators.intake import DEMO_KEY

from ._activity import activity_frame
from ._futures import attach_collector, write_truth_csv
from ._model import (
    AGE_LABELS,
    GENDERS,
    MODEL_VERSION,
    Operation,
    SynthParams,
    band_sum,
    day_weights,
    expected_means,
)
from ._output import (
    _FILE_NOTES,
    _README,
    DEFECT_KINDS,
    _add_defects,
    _dump,
    _num,
    _row_accounting,
    _truth,
    _write_municipal,
    _write_national,
)
from ._run import (
    _arrow,
    _frame,
    _grid,
    _population_array,
    _population_frame,
    _Run,
    _start,
    _year_batches,
)

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
    activity
        The activity file of the model (``period, area, activity, amount, unit``; see
        :func:`~risk_indicators.synthetic.activity_frame`): its hours follow the police
        effort of the operations (the truth's ``operation_factor``).
    """

    reports: pd.DataFrame = field(repr=False)
    population: pd.DataFrame = field(repr=False)
    truth: dict[str, Any] = field(repr=False)
    activity: pd.DataFrame | None = field(default=None, repr=False)

    def table(self, name: str = "cells") -> pd.DataFrame:
        """A table of the truth (``cells``, ``female_share``, ...) as a DataFrame."""
        return truth_table(self.truth, name)


def truth_table(truth: dict[str, Any], name: str) -> pd.DataFrame:
    """Turn a ``{"columns": [...], "data": [[...], ...]}`` entry of a truth into a DataFrame."""
    entry = truth[name]
    return pd.DataFrame(entry["data"], columns=entry["columns"])


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
    return _draw(run, defects)


def _draw(run: _Run, defects: bool) -> SyntheticData:
    """Draw every period of ``run`` into a :class:`SyntheticData`."""
    params = run.params
    frames = [_frame(_arrow(cols, params, date_as_text=True)) for _, cols in _year_batches(run)]
    reports = pd.concat(frames, ignore_index=True)
    truth = _truth(run, run.seed, "generate", run.start, run.end, full=True)
    marks: list[dict[str, Any]] = []
    if defects:
        reports, marks = _add_defects(reports, run, DEFECT_KINDS, 0)
    truth["rows"] = _row_accounting(len(reports), marks)
    truth["defects"] = marks
    return SyntheticData(reports, _population_frame(run.pop, run.grid.years, params.areas), truth,
                         activity_frame(params, run.grid))  # fmt: skip


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
    mu = band_sum(expected_means(params, grid, pop, day_weights(params, grid))[0])
    p, r, b, g = np.indices(mu.shape).reshape(4, -1)
    exp = mu.reshape(-1)
    return pd.DataFrame(
        {
            "period": np.asarray(grid.labels, dtype=object)[p],
            "area": np.asarray(params.areas, dtype=object)[r],
            "age_band": np.asarray(AGE_LABELS, dtype=object)[b],
            "gender": np.asarray(GENDERS, dtype=object)[g],
            "population": band_sum(pop[grid.year_index]).reshape(-1),
            "expected": exp,
            "variance": exp + exp**2 / params.dispersion_k,
        }
    )


def write_synthetic(
    out_dir: str | Path,
    params: SynthParams | None = None,
    *,
    scale: Scale = "municipal",
    seed: int = DEFAULT_SEED,
    years: int | None = None,
    defects: bool = False,
    progress: Callable[[str], None] | None = None,
    rereport_replicates: int = 0,
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
        ``activity.csv`` (the activities of the promise, Swedish Excel dialect),
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
    rereport_replicates
        When above 0, also ``rereport_truth.csv``: every report's true probability of
        another report within 12 months (:func:`rereport_truth`, this many simulated
        futures; persons keyed by their pseudonym under the public demo key and by their
        synthetic number). The other files do not change.

    Returns
    -------
    list of Path
        The files written.

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     [p.name for p in write_synthetic(tmp, years=1)]
    ['reports.csv', 'population.csv', 'activity.csv', 'config.toml', 'truth.json', 'README.md']
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
    command += f" --rereport-replicates {rereport_replicates}" if rereport_replicates else ""
    if params != default:
        command += "  # with the changed parameters recorded in truth.json"
    if years is None and scale == "national":
        years = 10
    start = DEFAULT_START if years is None else f"{int(DATA_END[:4]) - years}-09-01"
    out.mkdir(parents=True, exist_ok=True)
    run = _start(params, seed, start, DATA_END, None)
    collector = None
    if rereport_replicates:
        collector = attach_collector(
            run, replicates=rereport_replicates, periods=None, func="write_synthetic"
        )
    writer = _write_municipal if scale == "municipal" else _write_national
    files, n_rows, truth = writer(out, run, defects, progress)
    if collector is not None:
        files = [*files, write_truth_csv(collector.table(DEMO_KEY), out)]
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


def synth_command(
    out: Path,
    scale: Scale = "municipal",
    seed: int = DEFAULT_SEED,
    years: int | None = None,
    *,
    defects: bool = False,
    progress: Callable[[str], None] | None = None,
    rereport_replicates: int = 0,
) -> list[Path]:
    """The ``risk-indicators synth`` command: write synthetic inputs and truth to ``out``.

    Uses :meth:`SynthParams.municipal` or :meth:`SynthParams.national`; see
    :func:`write_synthetic`. ``progress`` receives one line per generated year.
    """
    return write_synthetic(
        out, scale=scale, seed=seed, years=years, defects=defects, progress=progress,
        rereport_replicates=rereport_replicates,
    )  # fmt: skip


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m risk_indicators.synthetic --out DIR [--scale S] [--seed N] [--years N]``."""
    parser = argparse.ArgumentParser(prog="python -m risk_indicators.synthetic")
    parser.add_argument("--out", required=True, type=Path)
    parser.add_argument("--scale", choices=get_args(Scale), default="municipal")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--years", type=int, default=None)
    parser.add_argument("--defects", action="store_true")
    parser.add_argument("--rereport-replicates", type=int, default=0)
    args = parser.parse_args(argv)
    files = synth_command(
        args.out, args.scale, args.seed, args.years, defects=args.defects, progress=print,
        rereport_replicates=args.rereport_replicates,
    )  # fmt: skip
    print(f"Wrote {len(files)} files to {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
