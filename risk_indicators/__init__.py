"""risk_indicators: anonymised follow-up of narcotics offences by age and gender.

Turns police records of reported persons into aggregated counts, rates, trends, gender
distribution and fairness metrics, protected by disclosure control, for the tertial follow-up
of a municipality's and the police's citizen promise. See README.md and shared CONTRACT.md.

The stable Python API (CONTRACT 7) is the names in ``__all__``.

Layout: data flow one way through stage folders, each with a face (its ``__init__``) that
re-exports its public names; a stage imports only the faces of the stages before it and the
shared top-level modules (``errors``, ``config``, ``periods``, ``_atomic``, ``_params``).

=============  ===============================================================================
stage          job
=============  ===============================================================================
``intake``     read, validate and pseudonymise reports, population and counts files
``cube``       distinct persons and reports by period x area x age band x gender; count names
``stats``      rates and intervals, trends, period alarms, comparisons, the indicator set
``fairness``   gender shares, rate ratios, benchmark, standardisation, the goal
``riskmodel``  research: an early-identification risk indicator with a fairness audit
``analysis``   one analysis: every figure of a follow-up, computed once, with the counts it uses
``disclosure`` suppression, the attacker's audit, the release ledger
``release``    what is public (one rule over the figures' counts) and the files, atomically
``report``     renders a public release (HTML, workbook, figures, text); computes nothing
``synthetic``  synthetic data with known truth; the validation study
=============  ===============================================================================
"""

from ._version import __version__
from .analysis import Analysis, NationalAnalysis, aggregate, analyse, analyse_all, analyse_counts
from .config import Config, load_config
from .errors import (
    ConfigError,
    DataError,
    DataWarning,
    DisclosureError,
    InputFileError,
    InsufficientDataError,
    KeyMissingError,
    LedgerError,
    OutputError,
    RiskIndicatorsError,
    SchemaError,
    SmallCountWarning,
    UsageError,
)
from .intake import DEMO_KEY, Records, read_population, read_reports
from .periods import Period, parse_period
from .release import write_release
from .riskmodel import RiskModelResult, fit_risk_model
from .stats import farrington_flexible
from .synthetic import demo_data_dir

__all__ = [
    "DEMO_KEY",
    "Analysis",
    "Config",
    "ConfigError",
    "DataError",
    "DataWarning",
    "DisclosureError",
    "InputFileError",
    "InsufficientDataError",
    "KeyMissingError",
    "LedgerError",
    "NationalAnalysis",
    "OutputError",
    "Period",
    "Records",
    "RiskIndicatorsError",
    "RiskModelResult",
    "SchemaError",
    "SmallCountWarning",
    "UsageError",
    "__version__",
    "aggregate",
    "analyse",
    "analyse_all",
    "analyse_counts",
    "demo_data_dir",
    "farrington_flexible",
    "fit_risk_model",
    "load_config",
    "parse_period",
    "read_population",
    "read_reports",
    "write_release",
]
