"""The run configuration (CONTRACT 1.4): a TOML file read into a frozen dataclass.

Every key has a default, so ``load_config()`` with no file gives a usable configuration. An
unknown key, a value of the wrong type or an invalid value raises :class:`ConfigError` naming
the key, e.g. ``disclosure.min_count``.

Decision (documented in the README too): the youth limits must fall on age-band edges
(``youth_min_age`` and ``youth_max_age + 1`` are lower edges of bands), so that every youth
count is an exact sum of cells of the published cube and disclosure control can reason about it.
"""

from __future__ import annotations

import itertools
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any, Literal, get_args

from risk_indicators.errors import ConfigError

__all__ = [
    "Config",
    "DisclosureConfig",
    "GenderGoalConfig",
    "Language",
    "PeriodKind",
    "PseudonymisationConfig",
    "age_band_labels",
    "load_config",
]

PeriodKind = Literal["tertial", "quarter", "month", "year"]
Language = Literal["sv", "en"]

DEFAULT_AGE_BANDS: tuple[int, ...] = (0, 15, 18, 21, 25, 30, 40, 50, 60)


DISCLOSURE_METHODS = ("suppression", "cell_key")


@dataclass(frozen=True)
class DisclosureConfig:
    """Disclosure control settings (CONTRACT 5).

    Attributes
    ----------
    min_count
        Threshold T: no published count lies in 1..T-1 (``"suppression"``).
    ledger
        Path of the release ledger; empty means ``releases.sqlite`` beside the output folder.
    method
        ``"suppression"`` (counts in 1..T-1 hidden, audited) or ``"cell_key"`` (every count
        perturbed, nothing hidden); ``max_deviation`` and ``variance`` define the latter's
        published perturbation table (README, "Disclosure control").
    """

    min_count: int = 5
    ledger: str = ""
    method: str = "cell_key"
    max_deviation: int = 2
    variance: float = 1.0

    def __post_init__(self) -> None:
        _check_fields(self, "disclosure")
        if self.min_count < 1:
            raise ConfigError("The config key 'disclosure.min_count' must be at least 1.")
        if self.method not in DISCLOSURE_METHODS:
            raise ConfigError("The config key 'disclosure.method' must be 'suppression' or "
                              f"'cell_key'; got {self.method!r}.")  # fmt: skip
        if not 0 < self.variance < self.max_deviation:
            raise ConfigError(f"The config key 'disclosure.variance' must lie in (0, "
                              f"disclosure.max_deviation = {self.max_deviation}); got "
                              f"{self.variance}; usual: 2 and 1.0.")  # fmt: skip


@dataclass(frozen=True)
class GenderGoalConfig:
    """The follow-up goal for the gender distribution (CONTRACT 1.4)."""

    benchmark_female_share: float = 0.35
    # the report quotes this text; the default report language is Swedish
    benchmark_source: str = (
        "antaget värde; ersätt det med värdet från den drogvaneundersökning som används "
        "lokalt, till exempel CAN:s"
    )
    target_female_share: float = 0.25
    target_period: str = "2026T3"
    #: The goal is judged on the yearly 12-month windows ending in this period or later
    #: (e.g. the tertial in which the promise was signed); empty: every window in the data.
    baseline_period: str = ""

    def __post_init__(self) -> None:
        _check_fields(self, "gender_goal")

    @property
    def source_is_placeholder(self) -> bool:
        """Whether ``benchmark_source`` is still a placeholder ("ersätt ..."/"replace ...").

        The default and the bundled examples say so in their text; the command line warns
        before it publishes one, since the report quotes the source as written.

        Examples
        --------
        >>> GenderGoalConfig().source_is_placeholder
        True
        >>> GenderGoalConfig(benchmark_source="CAN 2024").source_is_placeholder
        False
        """
        text = self.benchmark_source.casefold()
        return "ersätt" in text or "replace" in text


@dataclass(frozen=True)
class PseudonymisationConfig:
    """Where the secret key of the keyed MAC comes from."""

    key_env: str = "RISK_INDICATORS_KEY"

    def __post_init__(self) -> None:
        _check_fields(self, "pseudonymisation")


@dataclass(frozen=True)
class Config:
    """A validated run configuration; build it with :func:`load_config` (or directly).

    Every field is checked when the object is made, however it is made: a wrong type or an
    invalid value raises :class:`ConfigError` naming the key.

    Examples
    --------
    >>> cfg = load_config()
    >>> cfg.period, cfg.disclosure.min_count, cfg.age_band_labels[-1]
    ('tertial', 5, '60+')
    >>> Config(period="weekly")
    Traceback (most recent call last):
    ...
    risk_indicators.errors.ConfigError: The config key 'period' must be one of 'tertial',
    'quarter', 'month', 'year'. Got 'weekly' instead.
    """

    municipality: str = "Vaggeryd"
    language: Language = "sv"
    period: PeriodKind = "tertial"
    age_bands: tuple[int, ...] = DEFAULT_AGE_BANDS
    youth_min_age: int = 15
    youth_max_age: int = 24
    areas: tuple[str, ...] = ()
    disclosure: DisclosureConfig = field(default_factory=DisclosureConfig)
    gender_goal: GenderGoalConfig = field(default_factory=GenderGoalConfig)
    pseudonymisation: PseudonymisationConfig = field(default_factory=PseudonymisationConfig)

    def __post_init__(self) -> None:
        _check_fields(self, "")
        for name, kind in _SECTIONS.items():
            if not isinstance(getattr(self, name), kind):
                raise ConfigError(
                    f"The config key '{name}' must be a {kind.__name__} (a [{name}] table)."
                )
        _validate(self)

    @property
    def age_band_labels(self) -> tuple[str, ...]:
        """Labels of the age bands, e.g. ``("0-14", "15-17", ..., "60+")``."""
        return age_band_labels(self.age_bands)

    @property
    def youth_bands(self) -> tuple[str, ...]:
        """Labels of the bands that make up the youth ages."""
        edges = self.age_bands
        labels = self.age_band_labels
        return tuple(
            label
            for lower, label in zip(edges, labels, strict=True)
            if self.youth_min_age <= lower <= self.youth_max_age
        )

    def to_dict(self) -> dict[str, Any]:
        """The configuration as plain data (for ``audit/run.json``)."""
        out: dict[str, Any] = {}
        for f in fields(self):
            value = getattr(self, f.name)
            if hasattr(value, "__dataclass_fields__"):
                out[f.name] = {g.name: getattr(value, g.name) for g in fields(value)}
            elif isinstance(value, tuple):
                out[f.name] = list(value)
            else:
                out[f.name] = value
        return out


def age_band_labels(edges: tuple[int, ...]) -> tuple[str, ...]:
    """Labels for bands with the given lower edges: ``"0-14"``, ..., ``"60+"``.

    Examples
    --------
    >>> age_band_labels((0, 15, 18))
    ('0-14', '15-17', '18+')
    """
    labels = [f"{lo}-{hi - 1}" for lo, hi in itertools.pairwise(edges)]
    labels.append(f"{edges[-1]}+")
    return tuple(labels)


_SECTIONS: dict[str, type] = {
    "disclosure": DisclosureConfig,
    "gender_goal": GenderGoalConfig,
    "pseudonymisation": PseudonymisationConfig,
}


def _check_type(key: str, value: Any, expected: Any) -> Any:
    """Return ``value`` converted to the field type, or raise a ConfigError naming ``key``."""
    origin_args = get_args(expected)
    if origin_args and all(isinstance(a, str) for a in origin_args):  # a Literal
        if value not in origin_args:
            allowed = ", ".join(repr(a) for a in origin_args)
            raise ConfigError(
                f"The config key '{key}' must be one of {allowed}. Got {value!r} instead."
            )
        return value
    if expected in ("int", int):
        if isinstance(value, bool) or not isinstance(value, int):
            raise ConfigError(f"The config key '{key}' must be a whole number. Got {value!r}.")
        return value
    if expected in ("float", float):
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ConfigError(f"The config key '{key}' must be a number. Got {value!r}.")
        return float(value)
    if expected in ("str", str):
        if not isinstance(value, str):
            raise ConfigError(f"The config key '{key}' must be text. Got {value!r}.")
        return value
    if expected in ("tuple[int, ...]",):
        if not isinstance(value, list | tuple) or not all(
            isinstance(v, int) and not isinstance(v, bool) for v in value
        ):
            raise ConfigError(f"The config key '{key}' must be a list of whole numbers.")
        return tuple(value)
    if expected in ("tuple[str, ...]",):
        if not isinstance(value, list | tuple) or not all(isinstance(v, str) for v in value):
            raise ConfigError(f"The config key '{key}' must be a list of texts.")
        return tuple(value)
    raise ConfigError(f"The config key '{key}' has an unsupported type.")  # pragma: no cover


_FIELD_TYPES: dict[str, Any] = {
    "municipality": str,
    "language": Language,
    "period": PeriodKind,
    "age_bands": "tuple[int, ...]",
    "youth_min_age": int,
    "youth_max_age": int,
    "areas": "tuple[str, ...]",
    "disclosure.min_count": int,
    "disclosure.ledger": str,
    "disclosure.method": str,
    "disclosure.max_deviation": int,
    "disclosure.variance": float,
    "gender_goal.benchmark_female_share": float,
    "gender_goal.benchmark_source": str,
    "gender_goal.target_female_share": float,
    "gender_goal.target_period": str,
    "gender_goal.baseline_period": str,
    "pseudonymisation.key_env": str,
}


def _check_fields(obj: Any, section: str) -> None:
    """Check and convert every field of a config dataclass in place (frozen: via
    ``object.__setattr__``); ``section`` prefixes the key names (``""`` for the top level)."""
    for f in fields(obj):
        key = f"{section}.{f.name}" if section else f.name
        if key in _FIELD_TYPES:
            object.__setattr__(
                obj, f.name, _check_type(key, getattr(obj, f.name), _FIELD_TYPES[key])
            )


def _build(data: Mapping[str, Any]) -> Config:
    top: dict[str, Any] = {}
    for key, value in data.items():
        if key in _SECTIONS:
            if not isinstance(value, Mapping):
                raise ConfigError(f"The config key '{key}' must be a table ([{key}]).")
            section: dict[str, Any] = {}
            for sub, sub_value in value.items():
                full = f"{key}.{sub}"
                if full not in _FIELD_TYPES:
                    raise ConfigError(_unknown(full))
                section[sub] = _check_type(full, sub_value, _FIELD_TYPES[full])
            top[key] = _SECTIONS[key](**section)
        elif key in _FIELD_TYPES:
            top[key] = _check_type(key, value, _FIELD_TYPES[key])
        else:
            raise ConfigError(_unknown(key))
    return Config(**top)


def _unknown(key: str) -> str:
    known = ", ".join(sorted(_FIELD_TYPES))
    return f"The config key '{key}' is unknown. Remove it or use one of: {known}."


def _validate(cfg: Config) -> None:
    bands = cfg.age_bands
    if len(bands) < 2 or bands[0] != 0:
        raise ConfigError("The config key 'age_bands' must start at 0 and have at least 2 edges.")
    if any(b <= a for a, b in itertools.pairwise(bands)):
        raise ConfigError(
            f"The config key 'age_bands' must be strictly increasing. Got {list(bands)}."
        )
    if bands[-1] > 110:
        raise ConfigError("The config key 'age_bands' must have edges of at most 110.")
    if not 0 <= cfg.youth_min_age <= cfg.youth_max_age <= 110:
        raise ConfigError(
            "The config keys 'youth_min_age' and 'youth_max_age' must satisfy "
            f"0 <= youth_min_age <= youth_max_age <= 110. Got {cfg.youth_min_age} and "
            f"{cfg.youth_max_age}."
        )
    edges = set(bands)
    if cfg.youth_min_age not in edges or (
        cfg.youth_max_age + 1 not in edges and cfg.youth_max_age < 110
    ):
        raise ConfigError(
            "The config keys 'youth_min_age' and 'youth_max_age' must fall on age-band edges "
            f"(youth_min_age and youth_max_age + 1 in 'age_bands' {list(bands)}), so that "
            "youth counts are sums of published cells. Adjust 'age_bands' or the youth ages."
        )
    for key in ("benchmark_female_share", "target_female_share"):
        value = getattr(cfg.gender_goal, key)
        if not 0.0 < value < 1.0:
            raise ConfigError(f"The config key 'gender_goal.{key}' must lie strictly in (0, 1).")
    names = [a.strip().casefold() for a in cfg.areas]
    if len(set(names)) != len(names) or "total" in names or "" in names:
        raise ConfigError(
            "The config key 'areas' must list distinct area names, none of them empty or "
            f"'total'. Got {list(cfg.areas)!r}: remove or rename the empty, repeated or "
            "'total' name."
        )
    from risk_indicators.periods import parse_period  # imports nothing from config

    try:
        parse_period(cfg.gender_goal.target_period)
    except ValueError as exc:
        raise ConfigError(f"The config key 'gender_goal.target_period' is invalid: {exc}") from None
    if cfg.gender_goal.baseline_period:
        try:
            parse_period(cfg.gender_goal.baseline_period)
        except ValueError as exc:
            raise ConfigError(
                f"The config key 'gender_goal.baseline_period' is invalid: {exc} "
                "(give a period such as '2021T3', or leave it empty for every window)."
            ) from None


def load_config(path: str | Path | None = None, **overrides: Any) -> Config:
    """Read and validate a TOML config; ``None`` gives the defaults.

    Parameters
    ----------
    path
        A TOML file as in CONTRACT 1.4, or ``None``.
    **overrides
        Fields to replace after reading (e.g. ``language="en"``, or a section's keys as
        ``disclosure={"method": "suppression"}``); validated too.

    Returns
    -------
    Config

    Raises
    ------
    ConfigError
        Unknown key, wrong type or invalid value; the message names the key. Exit code 2.
    InputFileError
        The file does not exist or is not valid TOML.
    """
    from risk_indicators.errors import InputFileError

    data: dict[str, Any] = {}
    if path is not None:
        p = Path(path)
        if p.is_dir():
            raise InputFileError(f"The config file '{p}' is a folder; give the .toml file in it.")
        if not p.is_file():
            raise InputFileError(f"The config file '{p}' does not exist. Check the path.")
        raw = p.read_bytes()
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise InputFileError(
                f"The config file '{p}' is not UTF-8 text (byte {exc.start + 1} cannot be read "
                "as UTF-8, e.g. a Windows 'ANSI' file): save it as UTF-8 and run again."
            ) from None
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            raise InputFileError(
                f"The config file '{p}' is not valid TOML ({exc}). Fix the syntax."
            ) from None
        try:
            return _with_overrides(_build(data), overrides)
        except ConfigError as exc:  # name the file: the key alone does not say where
            raise ConfigError(f"{p}: {exc}") from None
    return _with_overrides(_build(data), overrides)


def _with_overrides(cfg: Config, overrides: dict[str, Any]) -> Config:
    """Top-level fields, or a section's keys as a mapping (``disclosure={"method": ...}``)."""
    for key, value in overrides.items():
        subs = value if key in _SECTIONS and isinstance(value, Mapping) else {}
        wrong = [f"{key}.{s}" for s in subs if f"{key}.{s}" not in _FIELD_TYPES]
        if wrong or (not subs and (key not in _FIELD_TYPES or "." in key)):
            raise ConfigError(_unknown(wrong[0] if wrong else key))
        cfg = replace(cfg, **{key: replace(getattr(cfg, key), **subs) if subs else value})
    return cfg
