"""Tests of the TOML config (CONTRACT 1.4)."""

from __future__ import annotations

from pathlib import Path

import pytest

from risk_indicators.config import age_band_labels, load_config
from risk_indicators.errors import ConfigError, InputFileError


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_defaults_are_those_of_the_contract() -> None:
    cfg = load_config()
    assert cfg.municipality == "Vaggeryd"
    assert cfg.period == "tertial"
    assert cfg.age_band_labels == (
        "0-14",
        "15-17",
        "18-20",
        "21-24",
        "25-29",
        "30-39",
        "40-49",
        "50-59",
        "60+",
    )
    assert cfg.youth_bands == ("15-17", "18-20", "21-24")  # 15 <= age <= 24
    assert cfg.disclosure.min_count == 5
    assert cfg.gender_goal.target_period == "2026T3"
    assert cfg.pseudonymisation.key_env == "RISK_INDICATORS_KEY"


def test_a_full_file_is_read(tmp_path: Path) -> None:
    cfg = load_config(
        _write(
            tmp_path,
            """
municipality = "Gnosjö"
language = "en"
period = "quarter"
age_bands = [0, 18, 25, 65]
youth_min_age = 18
youth_max_age = 24
areas = ["Norr", "Söder"]
[disclosure]
min_count = 3
[gender_goal]
target_female_share = 0.3
target_period = "2027Q2"
""",
        )
    )
    assert cfg.municipality == "Gnosjö"
    assert cfg.age_band_labels == ("0-17", "18-24", "25-64", "65+")
    assert cfg.youth_bands == ("18-24",)
    assert cfg.areas == ("Norr", "Söder")
    assert cfg.disclosure.min_count == 3
    assert cfg.gender_goal.benchmark_female_share == 0.35  # untouched default


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("colour = 'red'", "'colour' is unknown"),
        ("[disclosure]\nmin_cnt = 3", "'disclosure.min_cnt' is unknown"),
        ("period = 'week'", "'period' must be one of"),
        ("age_bands = [0, 18, 15]", "'age_bands' must be strictly increasing"),
        ("age_bands = [0, 15, 15, 25]", "'age_bands' must be strictly increasing"),
        ("youth_min_age = '15'", "'youth_min_age' must be a whole number"),
        ("youth_min_age = 16", "must fall on age-band edges"),
        ("[disclosure]\nmin_count = 0", "'disclosure.min_count' must be at least 1"),
        ("[gender_goal]\ntarget_female_share = 1.5", "'gender_goal.target_female_share'"),
        ("[gender_goal]\ntarget_period = '2026X3'", "'gender_goal.target_period' is invalid"),
        ("areas = ['A', 'A']", "'areas' must list distinct"),
        ("disclosure = 5", "'disclosure' must be a table"),
    ],
)
def test_invalid_configs_name_the_key(tmp_path: Path, text: str, fragment: str) -> None:
    with pytest.raises(ConfigError, match=fragment) as info:
        load_config(_write(tmp_path, text))
    assert info.value.exit_code == 2


def test_missing_and_malformed_files(tmp_path: Path) -> None:
    with pytest.raises(InputFileError, match="does not exist"):
        load_config(tmp_path / "nope.toml")
    with pytest.raises(InputFileError, match="not valid TOML"):
        load_config(_write(tmp_path, "municipality = "))


def test_overrides_are_validated() -> None:
    assert load_config(language="en").language == "en"
    with pytest.raises(ConfigError, match="'language' must be one of"):
        load_config(language="de")


def test_band_labels_by_hand() -> None:
    assert age_band_labels((0, 10, 20)) == ("0-9", "10-19", "20+")
