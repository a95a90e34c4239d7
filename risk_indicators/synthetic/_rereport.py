"""Synthetic data with each report's true probability of another report within 12 months.

Private to :mod:`risk_indicators.synthetic`, which re-exports :func:`rereport_truth`; the
method is described in :mod:`risk_indicators.synthetic._futures`.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from risk_indicators.intake import DEMO_KEY

from ._futures import RereportTruth, attach_collector
from ._generator import DATA_END, DEFAULT_START, _draw
from ._model import SynthParams
from ._run import _start

__all__ = ["rereport_truth"]


def rereport_truth(
    params: SynthParams,
    *,
    seed: int,
    start: str = DEFAULT_START,
    end: str = DATA_END,
    population: pd.DataFrame | None = None,
    replicates: int = 200,
    periods: Sequence[str] | None = None,
    key: bytes = DEMO_KEY,
) -> RereportTruth:
    """Synthetic data and each report's true probability of another report within 12 months.

    Draws the same data as :func:`generate` (same arguments, no defects) and, after each
    period, simulates the generator's own future ``replicates`` times from its state at that
    moment; the method, what it conditions on and its Monte Carlo error are described in
    :mod:`risk_indicators.synthetic._rereport`.

    Parameters
    ----------
    params, seed, start, end, population
        As for :func:`generate`.
    replicates
        Simulated futures per period (the Monte Carlo standard error of a probability is at
        most ``0.5 / sqrt(replicates)``).
    periods
        Tertials (``"2024T1"``) whose reports get a truth; default every tertial. Fewer
        tertials are faster (about 3 x ``replicates`` period draws each).
    key
        Key of the pseudonyms in ``table.person`` (default the public demo key, so they
        equal the ``person`` of ``ri.read_reports(..., key=ri.DEMO_KEY)``).

    Returns
    -------
    RereportTruth

    Examples
    --------
    >>> t = rereport_truth(SynthParams.municipal(), seed=1, start="2023-01-01",
    ...                    end="2024-12-31", replicates=5)
    >>> known = t.table.dropna(subset=["probability"])
    >>> sorted(known["period"].unique())  # the 12 months of later reports reach past 2024
    ['2023T1', '2023T2', '2023T3']
    >>> bool((known["same_period"] <= known["probability"]).all())
    True
    """
    run = _start(params, seed, start, end, population)
    collector = attach_collector(run, replicates=replicates, periods=periods, func="rereport_truth")
    data = _draw(run, False)
    return RereportTruth(collector.table(key), data, replicates)
