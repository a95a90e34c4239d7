"""What spans batches: one code per person, pseudonyms, duplicates, genders, the accounting.

The checked batches (:mod:`risk_indicators.intake._columns`) carry per-row integer codes into
their own distinct texts. Here the texts of all batches are unified (each distinct canonical
id gets one global code and one keyed MAC, on every core), duplicates are found among rows
that passed (Polars' hash-based ``is_duplicated`` over integer codes and the ``report_id``
text; the first row of each repeated key is then found exactly on the few repeated rows),
every person gets one gender, and :class:`~risk_indicators.intake.records.Records` is built.

``Records.valid`` holds ``person``, ``gender``, ``offence``, ``area`` and ``detection`` as
pandas ``Categorical`` columns with their levels sorted as text (they compare, group and sort
as the text columns did; ten million rows take about a tenth of the memory), ``report_id`` as
text, ``report_date`` as ``datetime64[us]`` and ``age`` and ``row`` as ``int64``.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
import polars as pl
import pyarrow as pa
import pyarrow.compute as pc

from risk_indicators._sorting import sorted_integers
from risk_indicators.errors import DataWarning

from ._columns import DETECTION_LEVELS, GENDER_LEVELS, OFFENCE_LEVELS, CheckedBatch
from ._idrows import sorted_codes
from ._memory import release_memory
from ._textsort import text_order
from .personnummer import number_texts
from .pseudonymise import Pseudonymiser

VALID_COLUMNS = (
    "row",
    "person",
    "report_date",
    "age",
    "gender",
    "offence",
    "area",
    "detection",
    "report_id",
)
REJECTED_COLUMNS = ("row", "column", "reason", "person", "status")
_UNKNOWN_GENDER = GENDER_LEVELS.index("okänt")


def unify(texts: Sequence[Any], codes: Sequence[np.ndarray]) -> tuple[list[np.ndarray], Any]:
    """Global codes (int32) for per-batch codes into per-batch texts.

    Returns the codes of every batch into one array of distinct texts (first appearance
    order), by one ``dictionary_encode``.
    """
    joined = pa.chunked_array([pa.array(t, type=pa.string()) for t in texts]).combine_chunks()
    encoded = pc.dictionary_encode(joined)
    index = encoded.indices.to_numpy(zero_copy_only=False).astype(np.int32)
    out, start = [], 0
    for t, c in zip(texts, codes, strict=True):
        out.append(index[start : start + len(t)][c])
        start += len(t)
    return out, encoded.dictionary


def unify_persons(parts: Sequence[CheckedBatch]) -> tuple[list[np.ndarray], Any]:
    """Global person codes (int32) of every batch, and the distinct canonical ids.

    A personnummer is unified by its integer ``YYYYMMDDNNNN`` (:func:`sorted_codes`: a
    tenth of the time of a hash table of texts), a local id by its text; the ids are
    personnummer first, in the order of their numbers, then local ids.
    """
    numbers = np.concatenate([p.person_numbers for p in parts])
    is_number = numbers >= 0
    codes = np.empty(len(numbers), dtype=np.int32)
    number_codes, distinct_numbers = sorted_codes(numbers[is_number])
    codes[is_number] = number_codes
    texts = number_texts(distinct_numbers)
    if not is_number.all():
        local = pa.chunked_array(
            [p.person_texts.filter(pa.array(p.person_numbers < 0)) for p in parts],
            type=pa.string(),
        ).combine_chunks()
        encoded = pc.dictionary_encode(local)
        codes[~is_number] = len(distinct_numbers) + encoded.indices.to_numpy(zero_copy_only=False)
        texts = pa.concat_arrays([texts, encoded.dictionary])
    out, start = [], 0
    for p in parts:
        out.append(codes[start : start + len(p.person_numbers)][p.person])
        start += len(p.person_numbers)
    return out, texts


def _sorted_categorical(codes: np.ndarray, texts: Any) -> pd.Categorical:
    """A Categorical of ``texts[codes]`` (``texts`` a ``pyarrow`` string array or a
    sequence) with the used levels sorted as text.

    The codes are recoded in the smallest integer type that holds them (ten million rows:
    every byte per row is 10 MB), and not at all when the levels are sorted and all used.
    """
    values = texts if isinstance(texts, pa.Array) else pa.array(list(texts), type=pa.string())
    used = np.zeros(len(values), dtype=bool)
    used[codes] = True
    kept = np.flatnonzero(used)
    sub = values if len(kept) == len(values) else values.take(pa.array(kept))
    local = text_order(sub)
    order = kept[local]
    levels = pd.Index(pd.array(sub.take(pa.array(local)), dtype="str"))
    width = np.int8 if len(values) < 2**7 else np.int16 if len(values) < 2**15 else np.int32
    if len(order) == len(values) and (order == np.arange(len(order))).all():
        recoded = codes.astype(width, copy=False)
    else:
        recode = np.full(len(values), -1, dtype=width)
        recode[order] = np.arange(len(order), dtype=width)
        recoded = recode[codes]
    return pd.Categorical.from_codes(recoded, categories=levels, validate=False)


def _kept(texts: Any, keep: np.ndarray) -> Any:
    """The texts where ``keep`` (Arrow's ``take`` of the kept positions: a third of the time
    of its ``filter`` on texts)."""
    return texts if keep.all() else texts.take(pa.array(np.flatnonzero(keep)))


def _first_of_repeats(keys: list[np.ndarray], row: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For rows keyed by integer ``keys``: whether an earlier row has the same key, and the
    ``row`` of the first row with that key (rows are in file order)."""
    n = len(row)
    if n == 0:
        return np.zeros(0, dtype=bool), row.copy()
    order = np.lexsort([np.arange(n), *keys[::-1]])
    start = np.ones(n, dtype=bool)
    for k in keys:
        ks = k[order]
        start[1:] &= ks[1:] == ks[:-1]
    start = ~start
    start[0] = True
    group = np.cumsum(start) - 1
    dup = np.empty(n, dtype=bool)
    dup[order] = ~start
    first = np.empty(n, dtype=np.int64)
    first[order] = row[order[start]][group]
    return dup, first


def _repeated(key: np.ndarray) -> np.ndarray:
    """Whether each key occurs more than once.

    The repeated keys are found by a sort (faster than a hash table of ten million keys;
    Polars' on every core, :func:`~risk_indicators._sorting.sorted_integers`),
    the rows that hold one by Polars' hash lookup in those few keys (``np.isin`` sorts the
    rows and the keys together: ten times slower, and three more arrays of the rows).
    """
    ordered = sorted_integers(key)
    twice = np.unique(ordered[1:][ordered[1:] == ordered[:-1]])
    del ordered
    if not len(twice):
        return np.zeros(len(key), dtype=bool)
    return pl.Series(key).is_in(pl.Series(twice).implode()).to_numpy()


def _duplicates(cols: dict[str, Any], report_id: Any) -> tuple[np.ndarray, np.ndarray]:
    """Rows that repeat an earlier row: same person and ``report_id``; a row without a
    ``report_id`` repeats an earlier one only when every column is equal.

    Returns whether each row is a duplicate, and the ``row`` of the first row it repeats for
    each duplicate in row order (one value per duplicate, not per row: no array of ten
    million rows for a few duplicates).
    """
    n = len(cols["row"])
    dup = np.zeros(n, dtype=bool)
    # one chunk (batch) at a time: a Polars copy of ten million texts would be the peak
    chunks = report_id.chunks if isinstance(report_id, pa.ChunkedArray) else [report_id]
    with_id = np.zeros(n, dtype=bool)
    bounds = np.cumsum([0, *(len(c) for c in chunks)])
    spans = list(zip(chunks, bounds[:-1], bounds[1:], strict=True))
    for c, lo, hi in spans:
        with_id[lo:hi] = pc.not_equal(c, "").to_numpy(zero_copy_only=False)
    candidates = np.zeros(n, dtype=bool)
    if with_id.any():
        # candidates: one 64-bit hash of (person, report_id) seen twice; the few candidates are
        # then compared exactly (a hash collision only adds a candidate)
        # in place: each array of the rows is 80 MB at national scale
        key = cols["person"].astype(np.uint64)
        key *= np.uint64(0x9E3779B97F4A7C15)
        for c, lo, hi in spans:
            key[lo:hi] ^= pl.Series(c).hash(seed=0).to_numpy()
        key[~with_id] = 0
        candidates |= with_id & _repeated(key)
        del key
    if not with_id.all():
        names = ("person", "date", "age", "gender", "offence", "area", "detection")
        frame = pl.DataFrame({k: cols[k] for k in names})
        key = frame.select(pl.struct(*names).hash(seed=2)).to_series().to_numpy()
        candidates |= ~with_id & _repeated(np.where(with_id, 0, key))
    at = np.flatnonzero(candidates)
    first = np.empty(len(at), dtype=np.int64)
    if not len(at):
        return dup, first
    sub_with = with_id[at]
    for mask, names in (
        (sub_with, ["person", "rid"]),
        (~sub_with, ["person", "date", "age", "gender", "offence", "area", "detection"]),
    ):
        pos = at[mask]
        if not len(pos):
            continue
        keys = []
        for name in names:
            values = (report_id.take(pa.array(pos)).to_numpy(zero_copy_only=False)
                      if name == "rid" else cols[name][pos])  # fmt: skip
            keys.append(pd.factorize(values, use_na_sentinel=False)[0])
        dup[pos], first[mask] = _first_of_repeats(keys, cols["row"][pos])
    return dup, first[dup[at]]


def _resolve_gender(
    person: np.ndarray, gender: np.ndarray, date: np.ndarray, row: np.ndarray, n_persons: int
) -> tuple[np.ndarray, list[list[int]]]:
    """One gender per person: the most frequent known value on the person's rows (ties: the
    value of the latest report, then of the later row); ``okänt`` only without a known one.
    Returns the gender code of every row and, per person with conflicting rows, the sorted
    spreadsheet rows of the person's known genders."""
    known = gender != _UNKNOWN_GENDER
    if not known.any():
        return gender.astype(np.int8), []
    levels = len(GENDER_LEVELS)
    key = person[known].astype(np.int64)
    key *= levels
    key += gender[known]
    tally = np.bincount(key, minlength=n_persons * levels).reshape(n_persons, levels)
    del key
    tally[:, _UNKNOWN_GENDER] = 0
    n_known = (tally > 0).sum(axis=1)
    chosen = np.where(n_known > 0, tally.argmax(axis=1), -1).astype(np.int8)
    conflicted = np.flatnonzero(n_known > 1)
    del tally
    if len(conflicted):
        flagged = np.zeros(n_persons, dtype=bool)
        flagged[conflicted] = True
        in_conflict = known & flagged[person]
        rows = pd.DataFrame(
            {
                "person": person[in_conflict],
                "gender": gender[in_conflict],
                "date": date[in_conflict],
                "row": row[in_conflict],
            }
        )
        best = (
            rows.groupby(["person", "gender"], sort=False)
            .agg(n=("row", "size"), latest=("date", "max"), last_row=("row", "max"))
            .reset_index()
            .sort_values(
                ["person", "n", "latest", "last_row"], ascending=[True, False, False, False]
            )
            .drop_duplicates("person", keep="first")
        )
        chosen[best["person"].to_numpy()] = best["gender"].to_numpy()
        groups = [sorted(int(r) for r in g) for _, g in rows.groupby("person")["row"]]
    else:
        groups = []
    pick = chosen[person]
    return np.where(pick >= 0, pick, gender).astype(np.int8), sorted(groups)


def settle(
    parts: list[CheckedBatch], *, pseudonymiser: Pseudonymiser, source: str = "the reports"
) -> tuple[pd.DataFrame, pd.DataFrame, dict[str, int], list[str]]:
    """Valid rows, rejected rows, the accounting and the notes of all batches."""
    person_codes, person_texts = unify_persons(parts)
    area_codes, area_texts = unify(
        [pa.array(p.area_texts, type=pa.string()) for p in parts], [p.area for p in parts]
    )
    read = sum(len(p.rows) for p in parts)
    rejected_parts = []
    for p, codes in zip(parts, person_codes, strict=True):
        found = p.problems
        pos = found["pos"].to_numpy(dtype=np.int64)
        rejected_parts.append(
            pd.DataFrame(
                {
                    "row": p.rows[pos],
                    "column": found["column"].to_numpy(dtype=object),
                    "reason": found["reason"].to_numpy(dtype=object),
                    "person": codes[pos],
                    "status": "rejected",
                }
            )
        )
    good = [~p.bad for p in parts]

    def gather(arrays: Sequence[np.ndarray]) -> np.ndarray:
        return np.concatenate([a[g] for a, g in zip(arrays, good, strict=True)])

    # one column at a time, freeing the batches' copy of it (memory peaks at one column more)
    cols = {"row": gather([p.rows for p in parts])}
    cols["person"] = gather(person_codes)
    del person_codes
    cols["area"] = gather(area_codes)
    del area_codes
    for name in ("date", "age", "gender", "offence", "detection"):
        cols[name] = gather([getattr(p, name) for p in parts])
        for p in parts:
            setattr(p, name, None)
    report_id = pa.chunked_array(
        [_kept(p.report_id, g) for p, g in zip(parts, good, strict=True)], type=pa.string()
    )  # kept in chunks: one array of ten million texts would be a 0.3 s copy
    for p in parts:
        p.report_id = None
        p.person = None  # type: ignore[assignment]
        p.area = None  # type: ignore[assignment]
    release_memory()  # the batches' columns just freed, before the largest step
    # the MACs are computed by forked processes while duplicates and genders are settled
    # here (until then the tables of problems hold the persons' codes); forked only now,
    # after the batches are freed: memory freed later stays in the children until they end
    finish_pseudonyms = pseudonymiser.start_pseudonyms_of(person_texts)
    dup, first = _duplicates(cols, report_id)
    at = np.flatnonzero(dup)
    dup_table = pd.DataFrame(
        {
            "row": cols["row"][at],
            "column": np.where(
                report_id.take(pa.array(at)).to_numpy(zero_copy_only=False) != "", "report_id", ""
            ),
            "reason": [f"duplicate of row {r}; counted once." for r in first],
            "person": cols["person"][at],
            "status": "duplicate",
        }
    )
    if dup.any():
        keep = ~dup
        cols = {k: v[keep] for k, v in cols.items()}
        report_id = _kept(report_id, keep)
    n_persons = len(person_texts)
    gender, conflicted = _resolve_gender(
        cols["person"],
        cols["gender"],
        cols["date"],
        cols["row"],
        n_persons,
    )
    pseudonyms = finish_pseudonyms()
    for table in (*rejected_parts, dup_table):
        taken = pseudonyms.take(pa.array(table["person"].to_numpy(dtype=np.int64)))
        table["person"] = np.asarray(taken.to_numpy(zero_copy_only=False), dtype=object)
    notes = []
    if conflicted:
        note = (
            f"{len(conflicted)} persons have rows with different genders; the most frequent "
            "gender (ties: the latest report) is used for each."
        )
        # the analyst gets the rows to check; the published note only the number
        shown = "; ".join(", ".join(map(str, g)) for g in conflicted[:5])
        more = f" and {len(conflicted) - 5} more" if len(conflicted) > 5 else ""
        warnings.warn(
            f"{source}: {note[:-1]} (rows {shown}{more}). Check the gender on those rows.",
            DataWarning,
            stacklevel=4,
        )
        notes.append(note)
    # days to microseconds in place (valid rows have a date): one array, not three
    stamps = cols.pop("date").astype(np.int64)
    stamps *= 86_400_000_000
    valid = pd.DataFrame(
        {
            "row": cols["row"],
            "person": _sorted_categorical(cols.pop("person"), pseudonyms),
            "report_date": stamps.view("datetime64[us]"),
            "age": cols["age"].astype(np.int64),
            "gender": _sorted_categorical(gender, GENDER_LEVELS),
            "offence": _sorted_categorical(cols["offence"], OFFENCE_LEVELS),
            "area": _sorted_categorical(cols["area"], area_texts),
            "detection": _sorted_categorical(cols["detection"], DETECTION_LEVELS),
            "report_id": pd.Series(
                pd.arrays.ArrowStringArray(report_id)
                if hasattr(pd.arrays, "ArrowStringArray")
                else report_id.to_pandas()
            ).astype(str),
        },
        columns=list(VALID_COLUMNS),
        copy=False,  # fresh arrays: stacking same-typed columns into one block would copy
    )
    rejected = pd.concat([*rejected_parts, dup_table], ignore_index=True)
    accounting = {
        "read": read,
        "used": len(valid),
        "rejected": int(
            pd.unique(np.concatenate([r["row"].to_numpy() for r in rejected_parts])).size
        )
        if rejected_parts
        else 0,
        "duplicates": len(dup_table),
    }
    rejected = rejected.sort_values(["row", "column"], kind="mergesort").reset_index(drop=True)
    text = ["column", "reason", "person", "status"]
    rejected[text] = rejected[text].astype(object)
    rejected["row"] = rejected["row"].astype(np.int64)
    return valid, rejected, accounting, notes
