"""risk_indicators: anonymised follow-up of narcotics offences by age and gender.

Turns police records of reported persons into aggregated counts, rates, trends, gender
distribution and fairness metrics, protected by disclosure control, for the tertial follow-up
of a municipality's and the police's citizen promise. See README.md and shared CONTRACT.md.

The stable Python API (CONTRACT 7) is the names in ``__all__``.
"""

from ._version import __version__
from .analysis import Analysis, aggregate, analyse, analyse_counts
from .config import Config, load_config
from .errors import (
    ConfigError,
    DataError,
    DataWarning,
    DisclosureError,
    InputFileError,
    InsufficientDataError,
    KeyMissingError,
    RiskIndicatorsError,
    SchemaError,
    SmallCountWarning,
    UsageError,
)
from .periods import Period, parse_period
from .records import Records, read_population, read_reports
from .release import write_release

__all__ = [
    "Analysis",
    "Config",
    "ConfigError",
    "DataError",
    "DataWarning",
    "DisclosureError",
    "InputFileError",
    "InsufficientDataError",
    "KeyMissingError",
    "Period",
    "Records",
    "RiskIndicatorsError",
    "SchemaError",
    "SmallCountWarning",
    "UsageError",
    "__version__",
    "aggregate",
    "analyse",
    "analyse_counts",
    "load_config",
    "parse_period",
    "read_population",
    "read_reports",
    "write_release",
]
