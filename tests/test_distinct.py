"""Text columns stripped on the columnar path (``_distinct``) equal Python's ``str.strip``.

The reference is ``str.strip()`` itself, applied to each Python string; the columnar path
reads the first and last byte of each text from the Arrow buffers and runs a regex only on
the texts whose edge byte may belong to a character that ``str.strip`` removes.
"""

from __future__ import annotations

import pyarrow as pa
from hypothesis import given, settings
from hypothesis import strategies as st

from risk_indicators.intake._distinct import _edge_candidates, distinct, strip_column

# every character str.strip() removes, and neighbours that it keeps (a multi-byte letter,
# ASCII controls that are not white space, DEL, a zero-width space that is not White_Space)
EDGES = [chr(c) for c in range(0x110000) if chr(c).isspace()]
KEPT = ["a", "ö", "\x00", "\x07", "\x7f", "\u200b", "\ufeff", "名", "🙂", "-", "+"]
piece = st.text(alphabet=st.sampled_from(EDGES + KEPT), max_size=3)
core = st.text(max_size=6)
texts = st.lists(
    st.one_of(st.none(), st.builds(lambda a, b, c: a + b + c, piece, core, piece)), max_size=30
)


@settings(max_examples=300, deadline=None)
@given(values=texts, skip=st.integers(0, 3))
def test_stripped_like_python(values: list[str | None], skip: int) -> None:
    # a slice of a larger array: its offsets do not start at zero
    array = pa.array(["x"] * skip + values, type=pa.string()).slice(skip)
    expected = [(v or "").strip() for v in values]
    assert strip_column(array).to_pylist() == expected
    got = distinct(array)
    assert [got.values[int(c)].as_py() for c in got.codes] == expected


def test_every_character_that_strip_removes_is_a_candidate_at_either_edge() -> None:
    # 29 such characters in Python 3.11 (Unicode White_Space and the separators 0x1c-0x1f)
    assert len(EDGES) == 29
    for ch in EDGES:
        array = pa.array([ch + "a", "a" + ch, "a" + ch + "a"], type=pa.string())
        assert _edge_candidates(array).tolist() == [0, 1], repr(ch)


def test_plain_ascii_texts_and_empty_texts_are_not_candidates() -> None:
    array = pa.array(["811218-9876", "", None, "AB12", "x y"], type=pa.string())
    assert _edge_candidates(array).tolist() == []
    assert _edge_candidates(pa.array(["", ""], type=pa.string())).tolist() == []
