"""Returning freed memory: glibc's ``malloc_trim`` where it exists, nothing elsewhere."""

from __future__ import annotations

import ctypes.util
import sys

import pytest

from risk_indicators.intake import _memory


def test_without_glibc_only_arrow_memory_is_released(monkeypatch: pytest.MonkeyPatch) -> None:
    _memory._malloc_trim.cache_clear()
    monkeypatch.setattr(ctypes.util, "find_library", lambda name: None)
    try:
        assert _memory._malloc_trim() is None
        _memory.release_memory()  # Arrow's pool only; no error without a C library
    finally:
        _memory._malloc_trim.cache_clear()


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc is on Linux")
def test_on_linux_malloc_trim_is_called_and_returns_a_status() -> None:
    trim = _memory._malloc_trim()
    if trim is None:
        pytest.skip("not glibc (e.g. musl)")
    assert trim(0) in (0, 1)  # glibc: 1 when memory was returned, else 0
