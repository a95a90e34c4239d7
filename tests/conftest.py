"""Shared fixtures: a test pseudonymisation key and a tiny population file."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

#: 64 hexadecimal characters (32 bytes); a test key, never a real one.
TEST_KEY_HEX = hashlib.sha256(b"risk_indicators test suite key").hexdigest()
TEST_KEY = bytes.fromhex(TEST_KEY_HEX)

AGE_BANDS = ("0-14", "15-17", "18-20", "21-24", "25-29", "30-39", "40-49", "50-59", "60+")


@pytest.fixture
def key_env(monkeypatch: pytest.MonkeyPatch) -> bytes:
    """Set RISK_INDICATORS_KEY to the test key for the duration of a test."""
    monkeypatch.setenv("RISK_INDICATORS_KEY", TEST_KEY_HEX)
    return TEST_KEY


def write_population(path: Path, years: tuple[int, ...] = (2023, 2024)) -> Path:
    """Write a population CSV by age band: 200 persons per year, band and gender."""
    lines = ["year,age_band,gender,population"]
    lines += [
        f"{year},{band},{gender},200"
        for year in years
        for band in AGE_BANDS
        for gender in ("man", "kvinna")
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.fixture
def population_file(tmp_path: Path) -> Path:
    """A valid population file for 2023 and 2024."""
    return write_population(tmp_path / "population.csv")
