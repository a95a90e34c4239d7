"""Keyed pseudonymisation of person ids.

The pseudonym is a keyed MAC (HMAC-SHA256 or keyed BLAKE2b, at least 128 bits) of the
canonical id (:func:`~risk_indicators.intake.personnummer.classify_ids`: every way of writing a
personnummer gives the same 12 digits, a local id is only stripped of surrounding spaces).
Without the key nobody can recompute it, and because the set of possible personnummer is small
(a few hundred million), an unkeyed hash would be reversible by brute force. Raw ids and the key
are never logged, shown or put in a message.

The personnummer helpers (:func:`canonical_personnummer`, :func:`classify_ids`,
:data:`PERSONNUMMER_PATTERN`, ...) live in :mod:`risk_indicators.intake.personnummer` and are
re-exported here, where they were first published.
"""

from __future__ import annotations

import hashlib
import hmac
import os
from collections.abc import Callable, Iterable, Sequence
from datetime import date
from typing import Any, Final, Literal, get_args

import numpy as np
import pandas as pd
import pyarrow as pa

from risk_indicators.errors import KeyMissingError

from ._mac import PARALLEL_MIN_IDS, start_pseudonyms
from .personnummer import (
    PERSONNUMMER_PATTERN,
    age_on,
    ages_on,
    birth_date_from_personnummer,
    canonical_personnummer,
    classify_ids,
    luhn_valid,
)

__all__ = [
    "DEMO_KEY",
    "PERSONNUMMER_PATTERN",
    "Pseudonymiser",
    "age_on",
    "ages_on",
    "birth_date_from_personnummer",
    "canonical_personnummer",
    "classify_ids",
    "key_from_env",
    "luhn_valid",
]

Algorithm = Literal["hmac-sha256", "blake2b"]

#: A fixed and PUBLIC key, only for the bundled synthetic data (``risk-indicators demo``).
#: Anyone can recompute pseudonyms made with it, so it must never be used on real data;
#: :func:`key_from_env` refuses it.
DEMO_KEY: Final[bytes] = hashlib.sha256(
    b"risk_indicators DEMO KEY: public, for the bundled synthetic data only"
).digest()

MIN_KEY_BYTES: Final = 16

_FIX_KEY = (
    "Create a key once, keep it secret and use the same key for every release so pseudonyms "
    "stay comparable:\n"
    '  export {var}=$(python -c "import secrets; print(secrets.token_hex(32))")\n'
    '  (PowerShell: $env:{var} = python -c "import secrets; print(secrets.token_hex(32))")'
)


def _keyed_digest(key: bytes, data: bytes, algorithm: str, n_bytes: int) -> str:
    """The MAC of one canonical id as hexadecimal; the single place where hashing happens."""
    if algorithm == "blake2b":
        return hashlib.blake2b(data, key=key, digest_size=n_bytes).hexdigest()
    return hmac.digest(key, data, "sha256")[:n_bytes].hex()


class Pseudonymiser:
    """Replace person ids by keyed pseudonyms ``p_<hex>``.

    The pseudonym is ``HMAC-SHA256(key, canonical id)`` (or keyed BLAKE2b), truncated to
    ``digest_bits``, as hexadecimal: deterministic for one key, unrelated between keys, and
    not recomputable without the key. A personnummer is canonicalised first, so every way of
    writing it gives the same pseudonym.

    Parameters
    ----------
    key
        At least 16 bytes of secret key material (see :func:`key_from_env`).
    algorithm
        ``"hmac-sha256"`` (default) or ``"blake2b"`` (keyed BLAKE2b, key at most 64 bytes).
    digest_bits
        Pseudonym length in bits, a multiple of 8 in [128, 256]; 128 bits make a collision
        among 10 million ids about 1e-25 likely.

    Examples
    --------
    >>> pseudo = Pseudonymiser(DEMO_KEY)
    >>> ids = pd.Series(["811218-9876", "19811218-9876"])
    >>> a, b = pseudo.pseudonymise(ids, reference_dates=date(2024, 1, 1))
    >>> a == b, a.startswith("p_"), len(a)
    (True, True, 34)
    """

    __slots__ = ("_algorithm", "_key", "_n_bytes")

    def __init__(
        self, key: bytes, *, algorithm: Algorithm = "hmac-sha256", digest_bits: int = 128
    ) -> None:
        if not isinstance(key, bytes | bytearray):
            raise TypeError("key must be bytes, e.g. bytes.fromhex(hex_text) or key_from_env().")
        if len(key) < MIN_KEY_BYTES:
            raise ValueError(f"The key must hold at least {MIN_KEY_BYTES} bytes (128 bits).")
        allowed = get_args(Algorithm)
        if algorithm not in allowed:
            raise ValueError(
                "The 'algorithm' parameter of Pseudonymiser must be one of "
                f"{', '.join(map(repr, sorted(allowed)))}. Got {algorithm!r} instead."
            )
        if algorithm == "blake2b" and len(key) > 64:
            raise ValueError("A keyed BLAKE2b key holds at most 64 bytes.")
        if (
            isinstance(digest_bits, bool)
            or not isinstance(digest_bits, int)
            or not (128 <= digest_bits <= 256 and digest_bits % 8 == 0)
        ):
            raise ValueError(
                "The 'digest_bits' parameter of Pseudonymiser must be a multiple of 8 in "
                f"[128, 256]. Got {digest_bits!r} instead."
            )
        self._key = bytes(key)
        self._algorithm: str = algorithm
        self._n_bytes = digest_bits // 8

    @property
    def algorithm(self) -> str:
        """The MAC algorithm."""
        return self._algorithm

    @property
    def digest_bits(self) -> int:
        """Bits of MAC output kept in each pseudonym."""
        return self._n_bytes * 8

    @property
    def key_fingerprint(self) -> str:
        """8 hex characters identifying the key (for run.json) without revealing it."""
        return hmac.digest(self._key, b"risk_indicators key fingerprint", "sha256")[:4].hex()

    def __repr__(self) -> str:
        return (
            f"Pseudonymiser(algorithm={self._algorithm!r}, digest_bits={self.digest_bits}, "
            f"key=<hidden, fingerprint {self.key_fingerprint}>)"
        )

    __str__ = __repr__

    def pseudonymise(
        self,
        ids: pd.Series | Iterable[str],
        *,
        reference_dates: pd.Series | date | None = None,
        default_reference: date | None = None,
        canonical: bool = False,
    ) -> pd.Series:
        """Return the pseudonym of every id, hashing each distinct canonical id once.

        Parameters
        ----------
        ids
            Raw person ids (any form of personnummer, or local ids).
        reference_dates, default_reference
            Report dates that fix the century of 10-digit personnummer; see
            :func:`classify_ids`.
        canonical
            True when ``ids`` already are the ``id`` column of :func:`classify_ids`
            (avoids parsing twice).

        Returns
        -------
        pandas.Series
            Same index as ``ids``; ``""`` where the id is empty or missing (nothing to hide,
            and the schema rejects such rows).
        """
        series = ids if isinstance(ids, pd.Series) else pd.Series(list(ids), dtype=object)
        if canonical:
            values = series.astype(object).where(series.notna(), "").map(str).str.strip()
        else:
            values = classify_ids(series, reference_dates, default_reference=default_reference)[
                "id"
            ]
        codes, uniques = pd.factorize(values.to_numpy())
        digests = np.asarray(
            self.pseudonyms_of([str(u) for u in uniques]).to_numpy(zero_copy_only=False),
            dtype=object,
        )
        return pd.Series(digests[codes], index=series.index, name=series.name, dtype=str)

    def pseudonyms_of(self, texts: Sequence[str]) -> Any:
        """The pseudonym of every distinct canonical id, as a ``pyarrow`` string array.

        One MAC per text, split across the usable cores (``risk_indicators.intake._mac``);
        ``""`` stays ``""``. The same digests as :func:`hmac.digest` (or keyed BLAKE2b).
        """
        return self.start_pseudonyms_of(texts)()

    def start_pseudonyms_of(self, texts: Sequence[str] | pa.Array) -> Callable[[], Any]:
        """:meth:`pseudonyms_of`, started: with many ids the MACs are computed by forked
        processes while the caller goes on; the returned function gives the array.
        ``texts`` may be a ``pyarrow`` string array (no Python string per id is made)."""
        if len(texts) < PARALLEL_MIN_IDS:  # the reference, one call per id
            if isinstance(texts, pa.Array):
                texts = texts.to_pylist()
            done = pa.array(
                [
                    "p_"
                    + _keyed_digest(self._key, t.encode("utf-8"), self._algorithm, self._n_bytes)
                    if t
                    else ""
                    for t in texts
                ],
                type=pa.string(),
            )
            return lambda: done
        return start_pseudonyms(texts, key=self._key, algorithm=self._algorithm,
                                n_bytes=self._n_bytes)  # fmt: skip


def key_from_env(var_name: str = "RISK_INDICATORS_KEY") -> bytes:
    """Read the secret key (hexadecimal, at least 32 characters) from an environment variable.

    Raises
    ------
    KeyMissingError
        When the variable is missing or empty, not hexadecimal, shorter than 16 bytes, or
        holds the public :data:`DEMO_KEY`. The message says how to create a key; it never
        repeats the value.
    """
    fix = _FIX_KEY.format(var=var_name)
    value = os.environ.get(var_name, "").strip()
    if not value:
        raise KeyMissingError(
            f"The pseudonymisation key is missing: the environment variable {var_name} is not "
            f"set. {fix}"
        )
    try:
        key = bytes.fromhex(value)
    except ValueError:
        raise KeyMissingError(
            f"The environment variable {var_name} must hold the key as hexadecimal text "
            f"(0-9, a-f). {fix}"
        ) from None
    if len(key) < MIN_KEY_BYTES:
        raise KeyMissingError(
            f"The key in {var_name} is too short: {len(key)} bytes; at least {MIN_KEY_BYTES} "
            f"bytes ({2 * MIN_KEY_BYTES} hexadecimal characters) are needed. {fix}"
        )
    if hmac.compare_digest(key, DEMO_KEY):
        raise KeyMissingError(
            f"The key in {var_name} is the public demo key, which anyone can use to reverse "
            f"pseudonyms; it is only for the synthetic demo data. {fix}"
        )
    return key
