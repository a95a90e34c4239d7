"""A column as integer codes into its distinct values, each as the text a user would type.

Each column of a batch is dictionary-encoded (``pyarrow.compute.dictionary_encode``, any
Arrow type; a dictionary column keeps its own codes); its distinct values are turned into the
text a user would type (exactly as :func:`risk_indicators.intake.io.read_table` does, so a
typed Parquet date and the text ``2024-03-17`` are the same value) and stripped as
``str.strip`` strips. The checks of :mod:`risk_indicators.intake._columns` then run once per
distinct value and reach the rows through the codes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from ._cells import _to_text

__all__ = ["Distinct", "distinct", "strip_column", "text_buffers"]

# surrounding characters that Python's str.strip() removes (Unicode White_Space and the
# separators 0x1c-0x1f): RE2 finds the few rows that have them, Python strips those
# (RE2's \s lacks the vertical tab \x0b, which str.strip removes: it is named)
_EDGE_SPACE = r"^[\s\x0b\x1c-\x1f\x85\xa0\p{Z}]|[\s\x0b\x1c-\x1f\x85\xa0\p{Z}]$"


@dataclass
class Distinct:
    """A column as integer codes into its distinct values, each as stripped text.

    ``values`` is a ``pyarrow`` string array of distinct stripped texts (nulls are ``""``);
    ``texts`` the same as a pandas Series, made only when asked (small columns).
    """

    codes: np.ndarray
    values: Any
    _texts: pd.Series | None = None

    @property
    def texts(self) -> pd.Series:
        if self._texts is None:
            self._texts = pd.Series(self.values.to_numpy(zero_copy_only=False), dtype=object)
        return self._texts

    @property
    def empty(self) -> np.ndarray:
        """Per distinct value: whether it is ``""``."""
        return pc.equal(self.values, "").to_numpy(zero_copy_only=False)

    def rows(self, per_value: np.ndarray) -> np.ndarray:
        """A per-value array mapped to the rows (a flag that no value has: no gather)."""
        per_value = np.asarray(per_value)
        if per_value.dtype == bool and not per_value.any():
            return np.zeros(len(self.codes), dtype=bool)
        return per_value[self.codes]


def text_buffers(array: Any) -> tuple[np.ndarray, np.ndarray] | None:
    """The offsets of a string or large string array's texts (``len(array) + 1`` of them,
    the array's own offset applied) and its UTF-8 bytes, as numpy views of its buffers;
    ``None`` when the array holds no byte (no row, or every text empty)."""
    buffers = array.buffers()
    if len(array) == 0 or buffers[2] is None or buffers[2].size == 0:
        return None
    width = np.int64 if pa.types.is_large_string(array.type) else np.int32
    offsets = np.frombuffer(buffers[1], dtype=width)[array.offset : array.offset + len(array) + 1]
    return offsets, np.frombuffer(buffers[2], dtype=np.uint8)


def _edge_candidates(values: Any) -> np.ndarray:
    """Positions of the texts whose first or last byte may start or end a character that
    ``str.strip`` removes: an ASCII byte up to the space (every ASCII character it strips
    is one), or any byte of a multi-byte character. Read from the Arrow buffers (two
    bytes per row); every other text is left as it is without a regex."""
    found = text_buffers(values)
    if found is None:
        return np.zeros(0, dtype=np.int64)
    offsets, data = found
    starts, ends = offsets[:-1], offsets[1:]
    filled = ends > starts
    head = data[np.where(filled, starts, 0)]
    tail = data[np.where(filled, ends - 1, 0)]
    risky = (head <= 0x20) | (head >= 0x80) | (tail <= 0x20) | (tail >= 0x80)
    return np.flatnonzero(risky & filled)


def _strip(values: Any) -> tuple[Any, bool]:
    """A string array stripped as ``str.strip`` does; Python runs only where it is needed
    (the regex only on the texts :func:`_edge_candidates` finds)."""
    values = values.fill_null("").cast(pa.string())
    maybe = _edge_candidates(values)
    if not len(maybe):
        return values, False
    edge = pc.match_substring_regex(values.take(pa.array(maybe)), _EDGE_SPACE)
    at = maybe[edge.to_numpy(zero_copy_only=False)]
    if not len(at):
        return values, False
    texts = np.asarray(values.to_numpy(zero_copy_only=False), dtype=object)
    texts[at] = [str(v).strip() for v in texts[at]]
    return pa.array(texts, type=pa.string()), True


def _encode(array: Any) -> Any:
    """``dictionary_encode`` of any Arrow type (an exotic one through its text)."""
    try:
        return pc.dictionary_encode(array)
    except pa.ArrowNotImplementedError:  # an exotic type: the values as text, then encode
        return pc.dictionary_encode(
            pa.array(_to_text(array.to_pandas()).to_numpy(), type=pa.string())
        )


def distinct(column: Any) -> Distinct:
    """Dictionary-encode an Arrow column (any type; nulls are ``""``) into distinct texts."""
    array = column.combine_chunks() if isinstance(column, pa.ChunkedArray) else column
    if pa.types.is_dictionary(array.type):  # the dictionary's own codes (nulls: a last one)
        dictionary = array.dictionary
        inner = distinct(pa.concat_arrays([dictionary, pa.nulls(1, dictionary.type)]))
        indices = array.indices.fill_null(len(dictionary)).to_numpy(zero_copy_only=False)
        return Distinct(inner.codes[indices], inner.values)
    encoded = _encode(array)
    values = encoded.dictionary
    if not (pa.types.is_string(values.type) or pa.types.is_large_string(values.type)):
        values = pa.array(_to_text(pd.Series(values.to_pandas())).to_numpy(), type=pa.string())
    values, changed = _strip(values)
    had_empty = bool(pc.any(pc.equal(values, "")).as_py()) if len(values) else False
    values = pa.concat_arrays([values, pa.array([""], type=pa.string())])
    codes = encoded.indices.fill_null(len(values) - 1).to_numpy(zero_copy_only=False)
    codes = codes.astype(np.int64, copy=False)
    if changed or had_empty:  # stripping made two values equal: one code for each text
        again = pc.dictionary_encode(values)
        codes = again.indices.to_numpy(zero_copy_only=False).astype(np.int64)[codes]
        values = again.dictionary
    return Distinct(codes, values)


def strip_column(column: Any) -> Any:
    """A text column stripped as ``str.strip`` does (a string array)."""
    array = column.combine_chunks() if isinstance(column, pa.ChunkedArray) else column
    if not (pa.types.is_string(array.type) or pa.types.is_large_string(array.type)):
        array = pa.array(_to_text(array.to_pandas()).to_numpy(), type=pa.string())
    return _strip(array)[0]
