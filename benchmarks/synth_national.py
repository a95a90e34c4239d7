"""Benchmark: generate the synthetic nation (290 municipalities, 10 years, ~10 million rows).

Run from the repository root::

    python benchmarks/synth_national.py [--years 10] [--seed 20211001] [--keep DIR]

Prints the wall time and the peak resident memory of the process (``resource.getrusage``,
which includes the interpreter and the imported libraries) and their ratios to the targets of
180 s and 3 GB. The data go to a temporary folder that is removed afterwards unless ``--keep``
names a folder.
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import tempfile
import time
from pathlib import Path

TARGET_SECONDS = 180.0
TARGET_BYTES = 3 * 1024**3


def _peak_rss_bytes() -> int:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak if sys.platform == "darwin" else peak * 1024  # Linux reports KiB


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--years", type=int, default=10)
    parser.add_argument("--seed", type=int, default=20211001)
    parser.add_argument("--keep", type=Path, default=None)
    args = parser.parse_args()

    # run from a checkout without installing: the package lives one folder up
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from risk_indicators.synthetic._generator import write_synthetic

    start = time.perf_counter()

    def progress(message: str) -> None:
        print(f"{time.perf_counter() - start:7.1f} s  {message}", flush=True)

    with tempfile.TemporaryDirectory() as tmp:
        out = args.keep or Path(tmp) / "national"
        files = write_synthetic(
            out, scale="national", seed=args.seed, years=args.years, progress=progress
        )
        seconds = time.perf_counter() - start
        truth = json.loads((out / "truth.json").read_text(encoding="utf-8"))
        size = sum(f.stat().st_size for f in files)
    peak = _peak_rss_bytes()
    rows = truth["rows"]["read"]
    print(f"rows: {rows:,}  persons: {truth['repeats']['persons']:,}  files: {size / 1e6:.0f} MB")
    print(f"time: {seconds:.1f} s  ({seconds / TARGET_SECONDS:.2f} of the 180 s target)")
    print(f"peak memory: {peak / 1024**3:.2f} GiB  ({peak / TARGET_BYTES:.2f} of the 3 GiB target)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
