"""Benchmark: read, validate, pseudonymise and aggregate a national extract (~10 M rows).

Run from the repository root::

    python benchmarks/national_intake.py [--years 10] [--data DIR]

Without ``--data`` the synthetic nation is written first (``write_synthetic(scale="national")``,
not timed) to a temporary folder. The timed step is what a researcher runs on a national
Parquet file: ``ri.read_reports(path)`` (read and checked in batches of a million rows on
the columnar path) and ``ri.aggregate(records, population)``. ``benchmarks/run_all.py``
measures the same against DuckDB. Prints the seconds of each
step, microseconds per row, and the peak resident memory of the process, with their ratios to
the targets of 300 s (five minutes for a national decade) and 3 GiB; a ratio below 1 meets it.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
import warnings
from pathlib import Path

# the script's folder is on sys.path when it runs: the memory measure and the 3 GiB target
# are the synthetic nation's
from synth_national import TARGET_BYTES, _peak_rss_bytes

TARGET_SECONDS = 300.0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--years", type=int, default=10)
    parser.add_argument("--seed", type=int, default=20211001)
    parser.add_argument("--data", type=Path, default=None, help="an existing synth folder")
    args = parser.parse_args()

    # run from a checkout without installing: the package lives one folder up
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    import risk_indicators as ri
    from risk_indicators.synthetic._generator import write_synthetic

    with tempfile.TemporaryDirectory() as tmp:
        data = args.data
        if data is None:
            data = Path(tmp) / "national"
            print(f"writing the synthetic nation ({args.years} years) ...", flush=True)
            write_synthetic(data, scale="national", seed=args.seed, years=args.years)
        cfg = ri.load_config()
        key = b"benchmark-key-not-secret-0123456"
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # data warnings of the synthetic defects
            start = time.perf_counter()
            records = ri.read_reports(data / "reports.parquet", config=cfg, key=key)
            read_s = time.perf_counter() - start
            population = ri.read_population(data / "population.parquet", config=cfg)
            start = time.perf_counter()
            cube = ri.aggregate(records, population, config=cfg)
            agg_s = time.perf_counter() - start
    rows = records.accounting["read"]
    total = read_s + agg_s
    peak = _peak_rss_bytes()
    print(f"rows: {rows:,}  used: {records.accounting['used']:,}  cube rows: {len(cube):,}")
    print(f"read + validate + pseudonymise: {read_s:.1f} s ({1e6 * read_s / rows:.1f} µs a row)")
    print(f"aggregate: {agg_s:.1f} s")
    print(f"time: {total:.1f} s  ({total / TARGET_SECONDS:.2f} of the 300 s target)")
    print(f"peak memory: {peak / 1024**3:.2f} GiB  ({peak / TARGET_BYTES:.2f} of the 3 GiB target)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
