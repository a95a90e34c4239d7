"""Tests of risk_indicators.intake.pseudonymise.

Reference values are hand calculations written beside them. Luhn (Skatteverket, SKV 704):
weights 2,1,2,1,... from the left over the 10-digit form, digits of products added, total a
multiple of 10.
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import date

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from risk_indicators.errors import KeyMissingError, UsageError
from risk_indicators.intake import pseudonymise as ps
from risk_indicators.intake.pseudonymise import (
    DEMO_KEY,
    PERSONNUMMER_PATTERN,
    Pseudonymiser,
    age_on,
    ages_on,
    birth_date_from_personnummer,
    canonical_personnummer,
    classify_ids,
    key_from_env,
    luhn_valid,
)

REF = date(2024, 6, 1)
KEY_A = bytes(range(32))
KEY_B = bytes(range(1, 33))


# ------------------------------------------------------------------------------------ Luhn
def test_luhn_hand_checked_examples() -> None:
    # 8112189876: 8*2=16->1+6=7, 1, 1*2=2, 2, 1*2=2, 8, 9*2=18->9, 8, 7*2=14->5, 6
    #             7+1+2+2+2+8+9+8+5+6 = 50, a multiple of 10 -> valid
    assert luhn_valid("8112189876")
    # 1212121212: five 1*2=2 and five 2 -> 20 -> valid
    assert luhn_valid("1212121212")
    # 7010632391: 7*2=14->5, 0, 1*2=2, 0, 6*2=12->3, 3, 2*2=4, 3, 9*2=18->9, 1 -> 30 -> valid
    assert luhn_valid("7010632391")
    # last digit changed: 50 - 6 + 5 = 49 -> invalid
    assert not luhn_valid("8112189875")
    assert not luhn_valid("811218987")  # 9 digits
    assert not luhn_valid("811218-987")
    assert not luhn_valid("８１１２１８９８７６")  # full-width digits are not ASCII digits


# --------------------------------------------------------------------------- personnummer
@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("811218-9876", "198112189876"),  # 2081-12-18 is after REF, so 1981
        ("8112189876", "198112189876"),
        ("19811218-9876", "198112189876"),
        ("198112189876", "198112189876"),
        ("  811218-9876 ", "198112189876"),
        ("19121212-1212", "191212121212"),
        ("121212-1212", "201212121212"),  # latest century not after 2024-06-01
        ("121212+1212", "191212121212"),  # '+': 100 or older, one century earlier
        ("701063-2391", "197010632391"),  # samordningsnummer: day 63 = 3 + 60
        ("19701063-2391", "197010632391"),
        # 0002291235: 0,0,0,2,2*2=4,9,1*2=2,2,3*2=6,5 -> 30 valid; 2000-02-29 exists
        ("000229-1235", "200002291235"),
    ],
)
def test_canonical_personnummer_valid_forms(raw: str, expected: str) -> None:
    assert canonical_personnummer(raw, reference_date=REF) == expected


@pytest.mark.parametrize(
    "raw",
    [
        "811218-9875",  # Luhn fails (see above)
        # 9902301234: 9*2=18->9, 9, 0, 2, 3*2=6, 0, 1*2=2, 2, 3*2=6, 4 -> 40, Luhn valid,
        # but 30 February does not exist
        "19990230-1234",
        "990230-1234",
        "000229+1235",  # Luhn valid, but '+' gives 1900-02-29 and 1900 is not a leap year
        "19121212+1212",  # '+' only belongs to the 10-digit form
        # 7010932395: 7*2=14->5, 0, 1*2=2, 0, 9*2=18->9, 3, 2*2=4, 3, 9*2=18->9, 5 -> 40,
        # Luhn valid, but day 93 - 60 = 33 does not exist
        "701093-2395",
        "811218/9876",
        "abc123",
        "",
        "81121898766",  # 11 digits
    ],
)
def test_canonical_personnummer_rejects(raw: str) -> None:
    assert canonical_personnummer(raw, reference_date=REF) is None


def test_canonical_personnummer_century_depends_on_reference_date() -> None:
    # 2406011235: 2*2=4,4,0,6,0,1,1*2=2,2,3*2=6,5 -> 30 valid
    assert canonical_personnummer("240601-1235", reference_date=date(2024, 5, 31)) == (
        "192406011235"
    )
    assert canonical_personnummer("240601-1235", reference_date=date(2024, 6, 1)) == (
        "202406011235"
    )
    assert canonical_personnummer(8112189876, reference_date=REF) is None  # not text


def test_birth_date_and_age() -> None:
    assert birth_date_from_personnummer("197010632391") == date(1970, 10, 3)
    assert birth_date_from_personnummer("198112189876") == date(1981, 12, 18)
    with pytest.raises(ValueError, match="12 digits"):
        birth_date_from_personnummer("8112189876")
    # leap-day convention: one year older on 1 March when there is no 29 February
    assert age_on(date(2000, 2, 29), date(2023, 2, 28)) == 22
    assert age_on(date(2000, 2, 29), date(2023, 3, 1)) == 23
    assert age_on(date(2000, 2, 29), date(2024, 2, 29)) == 24
    assert age_on(date(2006, 5, 10), date(2024, 5, 9)) == 17
    assert age_on(date(2006, 5, 10), date(2024, 5, 10)) == 18
    assert age_on(date(2024, 5, 10), date(2024, 5, 9)) == -1
    births = pd.Series(["2000-02-29", "2006-05-10", None], dtype="datetime64[ns]")
    on = pd.Series(pd.to_datetime(["2023-03-01", "2024-05-09", "2024-01-01"]))
    assert ages_on(births, on).tolist() == [23, 17, pd.NA]


def test_classify_ids_columns_and_missing_values() -> None:
    ids = pd.Series(
        ["811218-9876", " lokal-7 ", None, "", "701063-2391"], index=[10, 11, 12, 13, 14]
    )
    out = classify_ids(ids, REF)
    assert out.index.tolist() == [10, 11, 12, 13, 14]
    assert out["id"].tolist() == ["198112189876", "lokal-7", "", "", "197010632391"]
    assert out["is_personnummer"].tolist() == [True, False, False, False, True]
    assert out["birth_date"].iloc[0] == pd.Timestamp("1981-12-18")
    assert out["birth_date"].iloc[4] == pd.Timestamp("1970-10-03")  # samordningsnummer
    assert out["birth_date"].iloc[1:4].isna().all()
    assert classify_ids(pd.Series([], dtype=str), REF).shape == (0, 3)


def test_classify_ids_per_row_reference_dates_and_default() -> None:
    ids = pd.Series(["240601-1235", "240601-1235", "240601-1235"])
    refs = pd.Series(["2024-05-31", "2024-06-01", None], dtype="datetime64[ns]")
    out = classify_ids(ids, refs, default_reference=date(2030, 1, 1))
    assert out["id"].tolist() == ["192406011235", "202406011235", "202406011235"]
    with pytest.raises(ValueError, match="2 values for 3 ids"):
        classify_ids(ids, refs.iloc[:2])


def _valid_ten(draw: st.DrawFn) -> str:
    born = draw(st.dates(min_value=date(1901, 1, 1), max_value=date(2023, 12, 31)))
    serial = draw(st.integers(0, 999))
    day = born.day + (60 if draw(st.booleans()) else 0)
    nine = f"{born:%y%m}{day:02d}{serial:03d}"
    check = next(c for c in "0123456789" if luhn_valid(nine + c))
    return nine + check


@st.composite
def raw_ids(draw: st.DrawFn) -> str:
    kind = draw(st.sampled_from(["ten", "twelve", "noise", "digits"]))
    if kind == "noise":
        return draw(st.text(max_size=14))
    if kind == "digits":
        return draw(st.from_regex(r"[0-9]{6}[-+]?[0-9]{4}", fullmatch=True))
    ten = _valid_ten(draw)
    if kind == "twelve":
        return (
            draw(st.sampled_from(["19", "20"]))
            + ten[:6]
            + draw(st.sampled_from(["", "-"]))
            + ten[6:]
        )
    return ten[:6] + draw(st.sampled_from(["", "-", "+"])) + ten[6:]


@settings(max_examples=150, deadline=None)
@given(
    st.lists(
        st.tuples(raw_ids(), st.dates(min_value=date(1990, 1, 1), max_value=date(2030, 12, 31))),
        min_size=1,
        max_size=20,
    )
)
def test_classify_ids_matches_scalar_and_is_idempotent(rows: list[tuple[str, date]]) -> None:
    ids = pd.Series([r for r, _ in rows])
    refs = pd.Series(pd.to_datetime([d for _, d in rows]))
    out = classify_ids(ids, refs)
    for (raw, ref), got, flag, born in zip(
        rows, out["id"], out["is_personnummer"], out["birth_date"], strict=True
    ):
        expected = canonical_personnummer(raw, reference_date=ref)
        assert got == (expected if expected is not None else raw.strip())
        assert flag == (expected is not None)
        if expected is not None:
            assert born.date() == birth_date_from_personnummer(expected)
    again = classify_ids(out["id"], refs)
    assert again["id"].tolist() == out["id"].tolist()


# --------------------------------------------------------------------------- the pattern
def test_pattern_finds_personnummer_in_text() -> None:
    text = "Rad 4: 811218-9876 saknar kön; x,198112189876,y; 701063+2391; pnr8112189876."
    assert PERSONNUMMER_PATTERN.findall(text) == [
        "811218-9876",
        "198112189876",
        "701063+2391",
        "8112189876",
    ]


@pytest.mark.parametrize(
    "text",
    [
        "2024-03-17",
        "0.1234567890",
        "12345678901.5",
        "p_8112189876abcdef0123456789abcdef",
        "a3f8112189876",
        "81121898765",  # 11 digits
        "811318-9876",  # month 13
    ],
)
def test_pattern_ignores_non_personnummer(text: str) -> None:
    assert PERSONNUMMER_PATTERN.search(text) is None


# ------------------------------------------------------------------------------ pseudonyms
def test_pseudonym_is_the_published_hmac() -> None:
    pseudo = Pseudonymiser(KEY_A)
    expected = hmac.new(KEY_A, b"198112189876", hashlib.sha256).hexdigest()[:32]
    got = pseudo.pseudonymise(pd.Series(["811218-9876"]), reference_dates=REF)
    assert got.tolist() == ["p_" + expected]
    blake = Pseudonymiser(KEY_A, algorithm="blake2b", digest_bits=256)
    expected_b = hashlib.blake2b(b"lokal-7", key=KEY_A, digest_size=32).hexdigest()
    assert blake.pseudonymise(pd.Series(["lokal-7"]), canonical=True).tolist() == [
        "p_" + expected_b
    ]


def test_forms_of_one_personnummer_share_a_pseudonym() -> None:
    ids = pd.Series(["811218-9876", "8112189876", "19811218-9876", "198112189876", "lokal-7", ""])
    out = Pseudonymiser(KEY_A).pseudonymise(ids, reference_dates=REF)
    assert out.iloc[:4].nunique() == 1
    assert out.iloc[4] != out.iloc[0]
    assert out.iloc[5] == ""  # nothing to hide in an empty id


def test_each_distinct_id_is_hashed_once(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[bytes] = []
    real = ps._keyed_digest

    def spy(key: bytes, data: bytes, algorithm: str, n_bytes: int) -> str:
        calls.append(data)
        return real(key, data, algorithm, n_bytes)

    monkeypatch.setattr(ps, "_keyed_digest", spy)
    ids = pd.Series(["811218-9876", "8112189876", "198112189876", "abc", " abc ", "abc", "x9"] * 3)
    out = Pseudonymiser(KEY_A).pseudonymise(ids, reference_dates=REF)
    assert sorted(calls) == [b"198112189876", b"abc", b"x9"]
    assert out.nunique() == 3


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.one_of(raw_ids(), st.text(min_size=8, max_size=30)).filter(
            lambda s: len(s.strip()) >= 8 or not s.strip()
        ),
        min_size=1,
        max_size=15,
    )
)
def test_pseudonyms_deterministic_keyed_and_hide_the_input(ids: list[str]) -> None:
    series = pd.Series(ids)
    first = Pseudonymiser(KEY_A).pseudonymise(series, reference_dates=REF)
    second = Pseudonymiser(KEY_A).pseudonymise(series.iloc[::-1], reference_dates=REF)
    other = Pseudonymiser(KEY_B).pseudonymise(series, reference_dates=REF)
    assert first.tolist() == second.iloc[::-1].tolist()
    canonical = classify_ids(series, REF)["id"]
    for raw, canon, a, b in zip(ids, canonical, first, other, strict=True):
        if canon == "":
            assert a == b == ""
            continue
        assert a != b
        assert len(a) == 34 and a.startswith("p_")
        assert raw.strip() not in a and canon not in a
        assert PERSONNUMMER_PATTERN.search(a) is None


def test_no_collisions_among_100000_distinct_ids() -> None:
    rng = np.random.default_rng(20240601)
    numbers = rng.choice(10**11, size=100_000, replace=False)
    ids = pd.Series([f"id{n:011d}" for n in numbers])
    out = Pseudonymiser(DEMO_KEY).pseudonymise(ids, canonical=True)
    assert out.nunique() == 100_000
    assert not out.str.contains(PERSONNUMMER_PATTERN).any()


def test_repr_hides_the_key_and_parameters_are_checked() -> None:
    pseudo = Pseudonymiser(KEY_A)
    text = repr(pseudo) + str(pseudo)
    assert KEY_A.hex() not in text and str(KEY_A) not in text
    assert "hidden" in text and pseudo.key_fingerprint in text
    assert Pseudonymiser(KEY_B).key_fingerprint != pseudo.key_fingerprint
    with pytest.raises(ValueError, match=r"The 'algorithm' parameter of Pseudonymiser must be"):
        Pseudonymiser(KEY_A, algorithm="md5")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match=r"'digest_bits'.*Got 120 instead"):
        Pseudonymiser(KEY_A, digest_bits=120)
    with pytest.raises(ValueError, match="at least 16 bytes"):
        Pseudonymiser(b"short")
    with pytest.raises(TypeError, match="key must be bytes"):
        Pseudonymiser(KEY_A.hex())  # type: ignore[arg-type]


# ----------------------------------------------------------------------------------- keys
def test_key_from_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("RI_TEST_KEY", raising=False)
    with pytest.raises(KeyMissingError, match=r"export RI_TEST_KEY=\$\(python -c") as missing:
        key_from_env("RI_TEST_KEY")
    assert missing.value.exit_code == 2 and isinstance(missing.value, UsageError)
    assert "secrets.token_hex(32)" in str(missing.value)

    monkeypatch.setenv("RI_TEST_KEY", "ab" * 15)  # 15 bytes
    with pytest.raises(KeyMissingError, match="too short: 15 bytes") as short:
        key_from_env("RI_TEST_KEY")
    assert "ab" * 15 not in str(short.value)

    monkeypatch.setenv("RI_TEST_KEY", "not hex at all, but long enough to be a key")
    with pytest.raises(KeyMissingError, match="hexadecimal"):
        key_from_env("RI_TEST_KEY")

    monkeypatch.setenv("RI_TEST_KEY", DEMO_KEY.hex())
    with pytest.raises(KeyMissingError, match="public demo key"):
        key_from_env("RI_TEST_KEY")

    monkeypatch.setenv("RI_TEST_KEY", " " + KEY_A.hex() + "\n")
    assert key_from_env("RI_TEST_KEY") == KEY_A
