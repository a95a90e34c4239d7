"""``_sorting.sorted_integers`` against numpy's sort (the reference): integers have one sorted
order, so Polars' multi-threaded path must give numpy's array exactly, of the same dtype."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from risk_indicators._sorting import MULTI_CORE_MIN, first_report_order, sorted_integers

DTYPES = [np.int32, np.int64, np.uint32, np.uint64]


@pytest.mark.parametrize("dtype", DTYPES)
def test_the_multi_core_path_equals_numpy_and_leaves_the_input(dtype: type) -> None:
    rng = np.random.default_rng(7)
    info = np.iinfo(dtype)
    values = rng.integers(info.min, info.max, MULTI_CORE_MIN + 12_345, dtype=dtype,
                          endpoint=True)  # fmt: skip
    values[:1000] = values[1000:2000]  # ties
    values[5] = info.min
    values[6] = info.max  # both ends of the type
    before = values.copy()
    got = sorted_integers(values)
    assert got.dtype == values.dtype
    np.testing.assert_array_equal(got, np.sort(before))
    np.testing.assert_array_equal(values, before)


@settings(max_examples=60, deadline=None)
@given(hnp.arrays(st.sampled_from(DTYPES), st.integers(0, 300)))
def test_small_arrays_equal_numpy(values: np.ndarray) -> None:
    got = sorted_integers(values)
    assert got.dtype == values.dtype
    np.testing.assert_array_equal(got, np.sort(values))


def test_only_integers_are_sorted() -> None:
    with pytest.raises(TypeError, match="integers"):
        sorted_integers(np.array([0.5, 0.25]))


def test_its_users_at_national_scale_equal_numpy_references() -> None:
    """The three sorts of the intake above the threshold: ``sorted_codes`` against
    ``np.unique(return_inverse=True)``, the person-period order against ``np.lexsort``, and
    the duplicate search's repeated keys against ``np.unique(return_counts=True)``."""
    from risk_indicators.intake._idrows import sorted_codes
    from risk_indicators.intake._settle import _repeated

    rng = np.random.default_rng(11)
    n = MULTI_CORE_MIN + 50_000
    values = rng.integers(0, 2**30, n, dtype=np.int64)
    codes, distinct = sorted_codes(values)
    ref_distinct, ref_inverse = np.unique(values, return_inverse=True)
    np.testing.assert_array_equal(distinct, ref_distinct)
    np.testing.assert_array_equal(codes, ref_inverse)

    person = rng.integers(0, 300_000, n).astype(np.int32)
    period = rng.integers(150, 170, n).astype(np.int32)
    days = rng.integers(18_000, 20_000, n).astype(np.int64)
    row = np.arange(n, dtype=np.int64) + 2
    # the order consumes its days (the key is built in their buffer): give it a copy
    np.testing.assert_array_equal(first_report_order(person, period, days.copy(), row),
                                  np.lexsort((row, days, period, person)))  # fmt: skip
    shuffled = rng.permutation(row)  # rows not in file order: the rank path
    np.testing.assert_array_equal(first_report_order(person, period, days.copy(), shuffled),
                                  np.lexsort((shuffled, days, period, person)))  # fmt: skip
    few = slice(0, 5000)  # numpy's sort below the threshold, a read-only days array
    frozen = days[few].copy()
    frozen.flags.writeable = False
    got = first_report_order(person[few], period[few], frozen, shuffled[few])
    np.testing.assert_array_equal(got, np.lexsort((shuffled[few], frozen, period[few],
                                                   person[few])))  # fmt: skip
    assert not frozen.flags.writeable and (frozen == days[few]).all()  # copied, not consumed

    keys = rng.integers(0, 2**40, n, dtype=np.int64).astype(np.uint64)
    keys[:500] = keys[-500:]  # 500 keys twice
    unique, counts = np.unique(keys, return_counts=True)
    np.testing.assert_array_equal(_repeated(keys), np.isin(keys, unique[counts > 1]))
