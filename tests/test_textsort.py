"""The fast text order equals Arrow's ``sort_indices`` (the reference) on any input."""

from __future__ import annotations

import os

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from risk_indicators.intake import _textsort
from risk_indicators.intake._textsort import text_order


@pytest.fixture(autouse=True)
def _small_inputs_take_the_fast_path(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_textsort, "FAST_MIN", 1)


@settings(max_examples=200, deadline=None)
@given(
    width=st.integers(8, 20),
    texts=st.lists(
        st.text(alphabet="ab\x00\x01é", min_size=1, max_size=20), min_size=1, max_size=60
    ),
    prefix=st.sampled_from(["", "p_", "same-prefix-"]),
)
def test_equal_width_texts_sort_as_arrow_sorts_them(width: int, texts: list[str],
                                                    prefix: str) -> None:  # fmt: skip
    # equal byte widths (the fast path), from a tiny alphabet: many ties and equal texts
    padded = [prefix + t.encode()[:width].ljust(width, b"a").decode("utf-8", "replace")
              for t in texts]  # fmt: skip
    padded = [p for p in padded if len(p.encode()) == len(padded[0].encode())]
    values = pa.array(padded, type=pa.string())
    assert text_order(values).tolist() == pc.sort_indices(values).to_numpy().tolist()


def test_pseudonym_like_texts_with_shared_leading_digits() -> None:
    raw = np.frombuffer(os.urandom(16 * 3000), dtype=np.uint8).reshape(3000, 16).copy()
    raw[:1000, :4] = raw[1000:2000, :4]  # the whole first word after "p_" shared
    texts = ["p_" + r.tobytes().hex() for r in raw]
    values = pa.array(texts).slice(5)  # an offset into the buffers
    order = text_order(values)
    assert order.tolist() == pc.sort_indices(values).to_numpy().tolist()
    assert [values[int(i)].as_py() for i in order] == sorted(texts[5:])


def test_other_arrays_go_to_arrow_unchanged() -> None:
    values = pa.array(["bb", "a", "ccc", "a"])  # unequal widths
    assert text_order(values).tolist() == [1, 3, 0, 2]
