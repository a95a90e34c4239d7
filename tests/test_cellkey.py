"""The cell-key method (risk_indicators/cube/_cellkey.py): the table, the keys, the noise.

Reference values come from the method's definition (Thompson, Broadfoot and Elazar 2013; the
``ptable`` package's maximum-entropy rows): every row sums to 1, has mean 0 and variance V,
and its log-probabilities are a quadratic in the perturbation (constant second differences);
and from Bayes' rule, computed here by hand from the table's rows. The Monte Carlo checks
use binomial standard errors with a 4.5-sigma bound (a false failure about once in 150,000
runs per cell; seeds fixed).
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import pandas as pd
import pytest

import risk_indicators as ri
from risk_indicators.disclosure import (
    PerturbationTable,
    build_model,
    cell_keys,
    protect,
    record_keys,
)
from risk_indicators.errors import DisclosureError, UsageError
from tests.test_disclosure import make_cube


@pytest.mark.parametrize(("d", "v"), [(2, 1.0), (3, 2.0), (2, 1.5), (4, 0.5)])
def test_every_row_has_mean_zero_and_the_stated_variance(d: int, v: float) -> None:
    pt = PerturbationTable(max_deviation=d, variance=v)
    for i in range(1, d + 2):
        row = pt.row(i)
        values = row.index.to_numpy(dtype=float)
        assert row.sum() == pytest.approx(1.0, abs=1e-12)
        assert float(row @ values) == pytest.approx(0.0, abs=1e-9)
        assert float(row @ values**2) == pytest.approx(v, abs=1e-9)
        assert values.min() == -min(i, d) and values.max() == d  # never below 0, at most D
        # maximum entropy under two moment constraints: log p is quadratic in v
        second = np.diff(np.log(row.to_numpy()), n=2)
        assert np.allclose(second, second[0], atol=1e-9)


def test_larger_counts_share_the_symmetric_row_and_zero_is_never_perturbed() -> None:
    pt = PerturbationTable(max_deviation=2, variance=1.0)
    assert pt.row(0).to_dict() == {0: 1.0}
    assert pt.row(3).equals(pt.row(40))
    sym = pt.row(3)
    assert sym[-2] == pytest.approx(sym[2]) and sym[-1] == pytest.approx(sym[1])
    # D + 1 rows of the published table, plus the zero row
    assert sorted(pt.table["count"].unique()) == [0, 1, 2, 3]


def test_a_variance_a_count_of_one_cannot_carry_is_refused() -> None:
    # with support -1..D the largest variance at mean 0 is 1 * D (the two extremes alone)
    for variance in (2.0, 2.5):
        with pytest.raises(UsageError, match="below max_deviation"):
            PerturbationTable(max_deviation=2, variance=variance)
    with pytest.raises(UsageError, match="integer >= 1"):
        PerturbationTable(max_deviation=0)


def test_uniform_cell_keys_give_the_table_frequencies() -> None:
    pt = PerturbationTable(max_deviation=2, variance=1.0)
    rng = np.random.default_rng(20261203)
    n = 40_000
    for count in (1, 2, 7):
        published = pt.perturb(np.full(n, count), rng.random(n))
        observed = pd.Series(published - count).value_counts().reindex(pt.row(count).index,
                                                                         fill_value=0)  # fmt: skip
        assert observed.sum() == n  # no value outside the row
        for v, p in pt.row(count).items():
            se = math.sqrt(p * (1 - p) / n)
            assert abs(observed[v] / n - p) < 4.5 * se, (count, v)
        # mean 0 and variance V of the noise, within Monte Carlo error
        noise = published - count
        assert abs(noise.mean()) < 4.5 * math.sqrt(1.0 / n)
        assert abs(noise.var() - 1.0) < 4.5 * math.sqrt(2.0 / n) * 1.5


def test_the_support_holds_every_true_count_that_gives_a_value() -> None:
    pt = PerturbationTable(max_deviation=2, variance=1.0)
    table = pt.table.loc[pt.table["p"] > 0]
    for j in range(0, 9):
        sources = table.loc[table["published"] == j, "count"]
        low, high = pt.support(j)
        if j <= 4:  # counts 0..3 are rows of their own; 3 stands for 3 and above
            assert sources.min() == low
        assert high == j + 2 and low == (0 if j == 0 else max(1, j - 2))


def test_posterior_is_bayes_rule_over_the_table() -> None:
    pt = PerturbationTable(max_deviation=2, variance=1.0)
    # published 1 can come from 1 (v = 0), 2 (v = -1) or 3 (v = -2); uniform prior
    like = {1: pt.row(1)[0], 2: pt.row(2)[-1], 3: pt.row(3)[-2]}
    total = sum(like.values())
    post = pt.posterior(1)
    assert post.to_dict() == pytest.approx({i: p / total for i, p in like.items()})
    # a published 0 is not proof of an empty cell: 1 and 2 are possible
    assert pt.posterior(0)[1] > 0.2 and pt.posterior(0)[2] > 0
    # a prior that rules out 2 and 3 makes the published 1 certain
    assert pt.posterior(1, prior=[0, 1, 0, 0])[1] == pytest.approx(1.0)


def test_cell_keys_are_exact_sums_modulo_one_in_any_order() -> None:
    persons = pd.DataFrame({
        "cell": ["a", "a", "b", "a"],
        "person": ["p_" + "f" * 32, "p_" + "8" + "0" * 31, "p_" + "0" * 31 + "1", "p_" + "1" * 32],
    })  # fmt: skip
    got = cell_keys(persons, by=["cell"])
    keys = [int(p[2:15], 16) for p in persons["person"]]
    by_hand = (keys[0] + keys[1] + keys[3]) % 2**52 / 2**52
    assert got.set_index("cell").loc["a", "cell_key"] == by_hand
    assert got.set_index("cell").loc["a", "persons"] == 3
    shuffled = cell_keys(persons.iloc[[3, 2, 0, 1]], by=["cell"])
    assert shuffled.equals(got)
    # a person counted twice in a cell is one person
    twice = cell_keys(pd.concat([persons, persons.iloc[[0]]]), by=["cell"])
    assert twice.equals(got)


def demo_rows(key: bytes) -> pd.DataFrame:
    """The used rows of the bundled extract, pseudonymised with ``key`` (one run)."""
    data = ri.demo_data_dir()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ri.DataWarning)
        cfg = ri.load_config(data / "config.toml")
        return ri.read_reports(data / "reports.csv", config=cfg, key=key).valid


def test_the_same_persons_get_the_same_noise_in_every_release() -> None:
    first, again = demo_rows(ri.DEMO_KEY), demo_rows(ri.DEMO_KEY)  # two runs
    by = ["area", "gender"]
    pt = PerturbationTable()
    one = cell_keys(first, by=by)
    two = cell_keys(again.sample(frac=1.0, random_state=1), by=by)
    assert one.equals(two)
    assert (pt.perturb(one["persons"], one["cell_key"])
            == pt.perturb(two["persons"], two["cell_key"])).all()  # fmt: skip
    # another key gives other record keys: the noise depends on the secret
    other = demo_rows(bytes(range(32)))
    assert not cell_keys(other, by=by)["cell_key"].equals(one["cell_key"])


def test_record_keys_of_pseudonyms_are_uniform() -> None:
    keys = record_keys(demo_rows(ri.DEMO_KEY)["person"].unique()).astype(float) / 2**52
    n = len(keys)
    counts = np.histogram(keys, bins=10, range=(0, 1))[0]
    # chi-square with 9 degrees of freedom: 27.88 is its 0.999 quantile
    chi2 = float(((counts - n / 10) ** 2 / (n / 10)).sum())
    assert chi2 < 27.88, counts
    with pytest.raises(UsageError, match="hexadecimal pseudonym"):
        record_keys(["not-hex"])


def _perturbed_release(
    cube: pd.DataFrame, pt: PerturbationTable
) -> tuple[dict[str, int], dict[str, int]]:
    """Every published count of ``cube`` perturbed with a fixed cell key per count, and
    the true counts."""
    model = build_model(cube, measures=("persons", "reports"))
    truth = dict(zip(model.cells["count"].astype(str), model.system.truth[model.cell_var],
                     strict=True))  # fmt: skip
    rng = np.random.default_rng(7)
    noisy = {n: int(pt.perturb([int(t)], [rng.random()])[0]) for n, t in truth.items()}
    return noisy, {n: int(t) for n, t in truth.items()}


def test_protect_with_cell_key_publishes_large_counts_and_fails_closed_on_small() -> None:
    pt = PerturbationTable()
    large = make_cube({("A", "x", "man"): (20, 40), ("A", "y", "man"): (30, 60),
                       ("B", "x", "man"): (40, 80), ("B", "y", "man"): (50, 100)})  # fmt: skip
    values, truth = _perturbed_release(large, pt)
    result = protect(large, method="cell_key", perturbed=values, support=pt.support)
    shown = dict(zip(result.table["count"].astype(str), result.table["value"], strict=True))
    assert shown == values  # every count shown, as perturbed
    assert all(abs(values[n] - truth[n]) <= 2 for n in truth)
    assert any(values[n] != truth[n] for n in truth)
    # a true 3 published as 1..5 cannot be 0 for the attacker: the T rule's audit fails
    small = make_cube({("A", "x", "man"): (3, 6), ("A", "y", "man"): (6, 12),
                       ("B", "x", "man"): (7, 14), ("B", "y", "man"): (8, 16)})  # fmt: skip
    with pytest.raises(DisclosureError, match="narrowed down from the perturbed figures"):
        protect(small, method="cell_key", perturbed=_perturbed_release(small, pt)[0],
                support=pt.support)  # fmt: skip
