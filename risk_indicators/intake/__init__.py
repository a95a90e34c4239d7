"""Intake: read, validate and pseudonymise the input files (reports, population, counts).

The stage's public names; its modules are private to it (the package's layout is
described in ``risk_indicators/__init__.py``).
"""

from __future__ import annotations

from ._population_schema import validate_population
from .activity import (
    ACTIVITY_CODES,
    COUNT_UNIT,
    HOURS_UNIT,
    PROMISED_ACTIVITIES,
    UNIT_CODES,
    Activities,
    read_activity,
)
from .counts import (
    CountsTable,
    read_counts,
)
from .io import (
    RawTable,
    iter_parquet_batches,
    parquet_metadata,
    read_table,
)
from .personnummer import (
    PERSONNUMMER_PATTERN,
    age_on,
    ages_on,
    birth_date_from_personnummer,
    canonical_personnummer,
    classify_ids,
    luhn_valid,
)
from .pseudonymise import (
    DEMO_KEY,
    Pseudonymiser,
    key_from_env,
)
from .records import (
    MAX_REJECTED_SHARE,
    REJECTED_COLUMNS,
    Records,
    read_population,
    read_reports,
    validate_reports,
)
from .schema import (
    DETECTION_CODES,
    GENDER_CODES,
    OFFENCE_CODES,
    REPORT_COLUMNS,
    map_columns,
    normalise_token,
    scrub,
    validate_report_rows,
)
from .validate import (
    problem_summary,
    problem_table,
)

__all__ = [
    "ACTIVITY_CODES",
    "COUNT_UNIT",
    "DEMO_KEY",
    "DETECTION_CODES",
    "GENDER_CODES",
    "HOURS_UNIT",
    "MAX_REJECTED_SHARE",
    "OFFENCE_CODES",
    "PERSONNUMMER_PATTERN",
    "PROMISED_ACTIVITIES",
    "REJECTED_COLUMNS",
    "REPORT_COLUMNS",
    "UNIT_CODES",
    "Activities",
    "CountsTable",
    "Pseudonymiser",
    "RawTable",
    "Records",
    "age_on",
    "ages_on",
    "birth_date_from_personnummer",
    "canonical_personnummer",
    "classify_ids",
    "iter_parquet_batches",
    "key_from_env",
    "luhn_valid",
    "map_columns",
    "normalise_token",
    "parquet_metadata",
    "problem_summary",
    "problem_table",
    "read_activity",
    "read_counts",
    "read_population",
    "read_reports",
    "read_table",
    "scrub",
    "validate_population",
    "validate_report_rows",
    "validate_reports",
]
