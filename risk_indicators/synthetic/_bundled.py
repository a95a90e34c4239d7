"""Where the bundled synthetic municipality lies (installed package data, else the source tree)."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

__all__ = ["demo_data_dir"]


def demo_data_dir() -> Path:
    """The folder of the bundled synthetic municipality: ``reports.csv``, ``population.csv``,
    ``activity.csv``, ``config.toml`` and ``truth.json``.

    Examples
    --------
    >>> import risk_indicators as ri
    >>> sorted(p.name for p in ri.demo_data_dir().glob("*.csv"))
    ['activity.csv', 'population.csv', 'reports.csv']
    """
    installed = Path(str(resources.files("risk_indicators"))) / "_data" / "vaggeryd_like"
    if installed.is_dir():
        return installed
    return Path(__file__).resolve().parents[2] / "data" / "synthetic" / "vaggeryd_like"
