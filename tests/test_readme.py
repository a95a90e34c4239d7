"""The README's researcher example runs and its figures agree with the bundled truth."""

from __future__ import annotations

import json
import re
import warnings
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _python_blocks(text: str) -> list[str]:
    return re.findall(r"```python\n(.*?)```", text, flags=re.S)


def test_readme_researcher_example_runs(capsys: pytest.CaptureFixture[str]) -> None:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    blocks = [b for b in _python_blocks(text) if "ri.analyse" in b]
    assert blocks, "the README lost its researcher example"
    namespace: dict[str, object] = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        exec(compile(blocks[0], "README.md", "exec"), namespace)
    truth = json.loads(
        (ROOT / "data/synthetic/vaggeryd_like/truth.json").read_text(encoding="utf-8")
    )
    cube = namespace["cube"]
    analysis = namespace["analysis"]
    # persons_youth of 2024T1 equals the generator's own count of youth persons in that tertial
    cells = [c for c in truth_cells(truth) if c["period"] == "2024T1"]
    youth = sum(c["persons"] for c in cells if c["age_band"] in ("15-17", "18-20", "21-24"))
    assert analysis.indicators["persons_youth"]["value"] == youth  # type: ignore[attr-defined]
    assert {"period", "area", "age_band", "gender", "persons", "reports", "population"} <= set(
        cube.columns  # type: ignore[attr-defined]
    )
    printed = capsys.readouterr().out
    assert f"{youth} " in printed


def truth_cells(truth: dict) -> list[dict]:
    from risk_indicators.synthetic._generator import truth_table

    return truth_table(truth, "cells").to_dict("records")  # type: ignore[no-any-return]
