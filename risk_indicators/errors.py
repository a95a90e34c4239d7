"""Exceptions and warnings of risk_indicators.

Every error the package raises on purpose derives from :class:`RiskIndicatorsError`; the
command line maps the tree onto the exit codes of CONTRACT 2::

    RiskIndicatorsError                      exit 3 unless a subclass says otherwise
    ├── UsageError                           exit 2: bad option, config or unusable input
    │   ├── ConfigError                      a config key is unknown, of the wrong type or invalid
    │   ├── InputFileError                   a file cannot be read (missing, empty, bad format)
    │   ├── SchemaError                      required columns missing; carries ``failure_cases``
    │   ├── KeyMissingError                  the pseudonymisation key is not set
    │   ├── LedgerError                      the release ledger is corrupt, locked or of another key
    │   └── OutputError                      the release folder cannot be written
    ├── DataError                            exit 1: the data failed
    │   ├── RejectedRowsError                too many rejected rows; carries ``rejected``
    │   └── InsufficientDataError            nothing to analyse for the requested period
    └── DisclosureError                      exit 1: the disclosure audit failed; nothing published

    RiskIndicatorsWarning (UserWarning)
    ├── DataWarning                          a data problem that does not stop the run
    └── SmallCountWarning                    an estimate rests on very small counts

Messages never contain a raw ``person_id`` or the key: callers pass pseudonyms only.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

__all__ = [
    "ConfigError",
    "DataError",
    "DataWarning",
    "DisclosureError",
    "InputFileError",
    "InsufficientDataError",
    "KeyMissingError",
    "LedgerError",
    "OutputError",
    "RejectedRowsError",
    "RiskIndicatorsError",
    "RiskIndicatorsWarning",
    "SchemaError",
    "SmallCountWarning",
    "UsageError",
]


class RiskIndicatorsError(Exception):
    """Base class of every error raised on purpose by risk_indicators."""

    exit_code: int = 3


class UsageError(RiskIndicatorsError):
    """Bad option, config or unusable input file (exit code 2)."""

    exit_code = 2


class ConfigError(UsageError):
    """A config key is unknown, has the wrong type or an invalid value."""


class InputFileError(UsageError):
    """An input file is missing, empty, of an unknown format or cannot be decoded."""


class KeyMissingError(UsageError):
    """The secret pseudonymisation key is not available."""


class LedgerError(UsageError):
    """The release ledger cannot be used: not a ledger, locked, or made with another key.

    Nothing is published and the ledger is left as it was (exit code 2).
    """


class OutputError(UsageError):
    """The release folder cannot be written (exit code 2); no partial ``public/`` is left."""


class SchemaError(UsageError):
    """An input table cannot be used at all, e.g. a required column is missing.

    Parameters
    ----------
    message
        Plain sentences naming the file, the column and the fix.
    failure_cases
        One row per problem with columns ``row, column, reason`` (may be empty).
    """

    def __init__(self, message: str, failure_cases: pd.DataFrame | None = None) -> None:
        super().__init__(message)
        self.failure_cases = (
            failure_cases
            if failure_cases is not None
            else pd.DataFrame(columns=["row", "column", "reason"])
        )


class DataError(RiskIndicatorsError):
    """The data failed: too many rejected rows or nothing usable (exit code 1)."""

    exit_code = 1


class RejectedRowsError(DataError):
    """Too many rows (or all of them) were rejected; nothing is analysed (exit code 1).

    ``rejected`` holds every rejected row (row number, column, reason, pseudonym, status), as
    ``audit/rejected_rows.csv`` would: the command line writes it there, so the analyst gets
    the list of problems also when the run stops.
    """

    def __init__(self, message: str, rejected: pd.DataFrame) -> None:
        super().__init__(message)
        self.rejected = rejected


class InsufficientDataError(DataError):
    """There is not enough data for the requested period or estimate."""


class DisclosureError(RiskIndicatorsError):
    """The disclosure audit failed or could not be run; nothing is published (exit code 1).

    Parameters
    ----------
    message
        What failed, in plain words (never a raw identifier).
    details
        Optional machine-readable context, e.g. the cells whose interval is too narrow.
    """

    exit_code = 1

    def __init__(self, message: str, details: Any = None) -> None:
        super().__init__(message)
        self.details = details


class RiskIndicatorsWarning(UserWarning):
    """Base class of the package's warnings."""


class DataWarning(RiskIndicatorsWarning):
    """A data problem that does not stop the run (e.g. conflicting genders for one person)."""


class SmallCountWarning(RiskIndicatorsWarning):
    """An estimate rests on counts so small that it is mostly noise."""
