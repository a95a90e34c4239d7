"""Keyed MACs of many distinct ids, fast and on every usable core.

HMAC-SHA256 (RFC 2104) is ``H((K ^ opad) || H((K ^ ipad) || m))``: the hash states after
the two key blocks are computed once and copied for every id, which gives the same digest
as :func:`hmac.digest` at a third of its cost (no key schedule per id). Keyed BLAKE2b copies
its keyed state the same way. The ids are split between forked children (``os.fork``: the
ids are inherited, never pickled; each child writes only its raw digests into memory shared
with this process, which goes on meanwhile: :func:`start_pseudonyms`).
``RISK_INDICATORS_THREADS=1`` or one usable core keeps everything in this process; so do
platforms without ``fork``. The result never depends on the split.

Nothing here logs or returns an id; the key stays in memory only.
"""

from __future__ import annotations

import contextlib
import hashlib
import itertools
import mmap
import os
import warnings
import weakref
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

#: Below this many ids a fork costs more than it saves.
PARALLEL_MIN_IDS = 100_000
#: Ids hashed at a time by a child (memory of a child: a few megabytes).
CHUNK_IDS = 50_000


def _hasher(key: bytes, algorithm: str, n_bytes: int) -> Callable[[bytes], bytes]:
    if algorithm == "blake2b":
        keyed = hashlib.blake2b(key=key, digest_size=n_bytes)

        copy: Callable[[], Any] = keyed.copy

        def blake(data: bytes) -> bytes:
            h = copy()
            h.update(data)
            return h.digest()  # type: ignore[no-any-return]

        return blake
    block = key if len(key) <= 64 else hashlib.sha256(key).digest()
    block = block.ljust(64, b"\0")
    inner = hashlib.sha256(bytes(b ^ 0x36 for b in block))
    outer = hashlib.sha256(bytes(b ^ 0x5C for b in block))

    def hmac_sha256(
        data: bytes,
        icopy: Callable[[], object] = inner.copy,
        ocopy: Callable[[], object] = outer.copy,
    ) -> bytes:
        i = icopy()
        i.update(data)
        o = ocopy()
        o.update(i.digest())
        return o.digest()[:n_bytes]  # type: ignore[no-any-return]

    return hmac_sha256


def _digest_all(mac: Callable[[bytes], bytes], ids: Sequence[str] | Sequence[bytes]) -> bytes:
    if ids and isinstance(ids[0], bytes):
        return b"".join([mac(i) for i in ids])  # type: ignore[arg-type]
    return b"".join([mac(i.encode("utf-8")) for i in ids])  # type: ignore[union-attr]


class _Utf8:
    """The texts of a ``pyarrow`` string array as UTF-8 bytes, sliced from its buffers.

    A slice ``[lo:hi]`` is a list of ``bytes`` made by plain Python from the inherited
    memory: a forked child calls no pyarrow function (it must not touch the thread pools it
    inherited), and the parent makes no Python object per id.
    """

    def __init__(self, array: pa.Array) -> None:
        n = len(array)
        self.offsets = np.frombuffer(array.buffers()[1], dtype=np.int32, count=n + 1,
                                     offset=4 * array.offset)  # fmt: skip
        self.data = array.buffers()[2]
        self.n = n

    def __len__(self) -> int:
        return self.n

    def __getitem__(self, part: slice) -> list[bytes]:
        bounds = self.offsets[part.start : part.stop + 1].tolist()
        if len(bounds) < 2:
            return []
        base = bounds[0]
        raw = memoryview(self.data)[base : bounds[-1]].tobytes() if self.data else b""
        return [raw[a - base : b - base] for a, b in itertools.pairwise(bounds)]


def usable_cores() -> int:
    """``RISK_INDICATORS_THREADS`` when set, else the cores this process may use."""
    env = os.environ.get("RISK_INDICATORS_THREADS", "").strip()
    if env.isdigit() and int(env) >= 1:
        return int(env)
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def _start_forked(
    mac: Callable[[bytes], bytes], ids: Sequence[str] | _Utf8, n_bytes: int, parts: int
) -> Callable[[], bytes]:
    """Fork ``parts`` children that write the digests of their share of ``ids`` into memory
    shared with this process, and return at once; the returned function waits for them.

    This process is free meanwhile (the intake settles duplicates and genders while the
    children hash). A child that fails has its share done here when the result is asked.
    """
    bounds = np.linspace(0, len(ids), parts + 1).astype(int)
    shared = mmap.mmap(-1, max(len(ids) * n_bytes, 1))  # anonymous, shared with children
    children = []
    for k in range(parts):
        with warnings.catch_warnings():
            # Python warns that forking a threaded process may deadlock the child; the child
            # only hashes and writes to the shared memory, taking no lock another thread holds
            warnings.filterwarnings("ignore", category=DeprecationWarning, message=".*fork.*")
            pid = os.fork()
        if pid == 0:  # the child: hash its share, write it, leave without cleanup handlers
            code = 1
            try:
                _digest_into(shared, mac, ids, bounds[k], bounds[k + 1], n_bytes)
                code = 0
            finally:
                os._exit(code)
        children.append((pid, k))

    def result() -> bytes:
        while children:  # each reaped child leaves the list at once (nothing reaped twice)
            pid, k = children[0]
            _, status = os.waitpid(pid, 0)
            children.pop(0)
            if status != 0:  # a child failed: do its share here
                _digest_into(shared, mac, ids, bounds[k], bounds[k + 1], n_bytes)
        blob = shared[: len(ids) * n_bytes]
        shared.close()
        return blob

    # an intake that fails before asking still reaps its children once it lets go of this
    weakref.finalize(result, _reap, children)
    return result


def _digest_into(shared: mmap.mmap, mac: Callable[[bytes], bytes], ids: Sequence[str] | _Utf8,
                 lo: int, hi: int, n_bytes: int) -> None:  # fmt: skip
    """The digests of ``ids[lo:hi]`` written into ``shared``, ``CHUNK_IDS`` at a time (a
    child then holds a few megabytes, not the ids and digests of its whole share)."""
    for start in range(lo, hi, CHUNK_IDS):
        stop = min(start + CHUNK_IDS, hi)
        shared[start * n_bytes : stop * n_bytes] = _digest_all(mac, ids[start:stop])


def _reap(children: list[tuple[int, int]]) -> None:
    for pid, _ in children:
        with contextlib.suppress(ChildProcessError):  # reaped already
            os.waitpid(pid, 0)


def pseudonyms(
    texts: Sequence[str], *, key: bytes, algorithm: str, n_bytes: int, cores: int | None = None
) -> pa.Array:
    """``"p_" + hex(MAC(key, text))`` of every text as a ``pyarrow`` string array; ``""``
    for an empty text.

    Parameters
    ----------
    texts
        Distinct canonical ids.
    key, algorithm, n_bytes
        As held by :class:`~risk_indicators.intake.pseudonymise.Pseudonymiser`.
    cores
        Processes to use; default :func:`usable_cores` (at most 8).
    """
    return start_pseudonyms(texts, key=key, algorithm=algorithm, n_bytes=n_bytes, cores=cores)()


def start_pseudonyms(
    texts: Sequence[str] | pa.Array,
    *,
    key: bytes,
    algorithm: str,
    n_bytes: int,
    cores: int | None = None,
) -> Callable[[], pa.Array]:
    """:func:`pseudonyms`, started: with several cores the MACs are computed by forked
    children while this process goes on; the returned function gives the array.

    ``texts`` may be a ``pyarrow`` string array: then no Python string of an id is made in
    this process (1.65 million of them take 0.1 GB while the intake is at its peak).
    """
    if not isinstance(texts, pa.Array):
        texts = list(texts)
    elif texts.null_count or not pa.types.is_string(texts.type):
        texts = texts.to_pylist()  # not the plain string buffers _Utf8 reads
    ids: Sequence[str] | _Utf8 = _Utf8(texts) if isinstance(texts, pa.Array) else texts
    mac = _hasher(key, algorithm, n_bytes)
    parts = min(cores or usable_cores(), 8)
    if parts > 1 and len(texts) >= PARALLEL_MIN_IDS and hasattr(os, "fork"):
        pending = _start_forked(mac, ids, n_bytes, parts)
        return lambda: _as_pseudonyms(pending(), texts, n_bytes)
    return lambda: _as_pseudonyms(_digest_all(mac, ids[0 : len(ids)]), texts, n_bytes)


def _as_pseudonyms(blob: bytes, texts: Sequence[str] | pa.Array, n_bytes: int) -> pa.Array:
    """The texts ``p_<hex>`` of the digests in ``blob`` (``""`` for an empty id), written
    straight into the Arrow buffers (no hexadecimal Python string of all digests)."""
    n = len(texts)
    width = 2 + 2 * n_bytes
    digests = np.frombuffer(blob, dtype=np.uint8, count=n * n_bytes).reshape(n, n_bytes)
    chars = np.empty((n, width), dtype=np.uint8)
    chars[:, 0], chars[:, 1] = ord("p"), ord("_")
    chars[:, 2::2] = _HEX[digests >> 4]
    chars[:, 3::2] = _HEX[digests & 15]
    if isinstance(texts, pa.Array):
        empty = pc.equal(texts, "").to_numpy(zero_copy_only=False)
    else:
        empty = np.fromiter((t == "" for t in texts), dtype=bool, count=n)
    lengths = np.where(empty, 0, width)
    large = n * width >= 2**31
    offsets = np.zeros(n + 1, dtype=np.int64 if large else np.int32)
    np.cumsum(lengths, out=offsets[1:])
    data = chars[~empty] if empty.any() else chars
    kind = pa.LargeStringArray if large else pa.StringArray
    out = kind.from_buffers(n, pa.py_buffer(offsets), pa.py_buffer(data))
    return out.cast(pa.string()) if large else out


_HEX = np.frombuffer(b"0123456789abcdef", dtype=np.uint8)
