"""What a resident can read, release after release (issue 14): consecutive releases of the
bundled data on one ledger.

Run: ``python benchmarks/publication.py [--first 2021T1] [--last 2025T2] [--method M]``
(``M``: ``suppression`` or ``cell_key``; default: the bundled config's ``disclosure.method``).
Releases every tertial from ``--first`` to ``--last`` on one fresh ledger (in a temporary
folder), as an analyst would every four months, and prints per release:

- the share of headline figures published: the indicators of CONTRACT 4 that are defined
  (a figure "not defined" for lack of data is left out), for P, the same period a year
  earlier and the last 12 months;
- whether ``persons_youth``, ``youth_rate_per_10k``, ``female_share_youth_12m`` (with its
  interval) and the goal status are published;
- the counts shown as a dash and the counts published;
- the release's time (analysis and release, in this process);

then the share of headline figures over the releases from 2022T1 on, and the ratio of the
last release's time to the first's (the target: at most 1.5).
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
import warnings
from dataclasses import replace
from pathlib import Path

import risk_indicators as ri
from risk_indicators.periods import parse_period, period_grid

MUST = ("persons_youth", "youth_rate_per_10k", "female_share_youth_12m", "goal_status")
SERIES_FROM = "2022T1"  # the series for the share of headline figures


def headline(public: dict) -> tuple[int, int]:
    """(published, defined) over P, a year earlier and the last 12 months."""
    blocks = [public["indicators"]] + [b["indicators"] for b in public["comparisons"].values()]
    shown = defined = 0
    for block in blocks:
        for item in block.values():
            if item["value"] is None and not item["suppressed"]:
                continue  # not defined (too short a series, no 24 months before, ...)
            defined += 1
            shown += item["value"] is not None
    return shown, defined


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--first", default="2021T1")
    parser.add_argument("--last", default="2025T2")
    parser.add_argument("--method", choices=("suppression", "cell_key"), default=None,
                        help="disclosure.method (default: the bundled config's)")  # fmt: skip
    args = parser.parse_args(argv)
    data = ri.demo_data_dir()
    cfg = ri.load_config(data / "config.toml")
    if args.method is not None:
        cfg = replace(cfg, disclosure=replace(cfg.disclosure, method=args.method))
    print(f"disclosure.method = {cfg.disclosure.method}")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ri.DataWarning)
        records = ri.read_reports(data / "reports.csv", config=cfg, key=ri.DEMO_KEY)
        population = ri.read_population(data / "population.csv", config=cfg)
    periods = period_grid(parse_period(args.first), parse_period(args.last))
    times, rows = [], []
    series_shown = series_defined = 0
    with tempfile.TemporaryDirectory() as tmp:
        ledger = Path(tmp) / "releases.sqlite"
        print(f"{'release':8} {'headline':>9} {'must':>5} {'dashes':>7} {'counts':>7} {'s':>6}")
        for p in periods:
            t0 = time.perf_counter()
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", ri.DataWarning)
                analysis = ri.analyse(records, population, config=cfg, period=p.code)
            out = ri.write_release(analysis, Path(tmp) / p.code, records=records, ledger=ledger)
            seconds = time.perf_counter() - t0
            times.append(seconds)
            public = json.loads((out / "public" / "indicators.json").read_text("utf-8"))
            shown, defined = headline(public)
            ind = public["indicators"]
            lacking = [k for k in MUST if ind[k]["value"] is None]
            fs = ind["female_share_youth_12m"]
            if fs["value"] is not None and fs["ci_low"] is None:
                lacking.append("female_share_youth_12m interval")  # the share alone does not count
            must = len(MUST) - len(lacking)
            counts = (out / "public" / "tables" / "counts.csv").read_text("utf-8").splitlines()
            dashes = sum(line.endswith(",True") for line in counts[1:])
            if p.ordinal >= parse_period(SERIES_FROM).ordinal:
                series_shown += shown
                series_defined += defined
            rows.append((p.code, shown, defined, must, dashes, len(counts) - 1, seconds))
            print(f"{p.code:8} {shown:>4}/{defined:<4} {must:>3}/4 {dashes:>7} "
                  f"{len(counts) - 1:>7} {seconds:>6.1f}  {' '.join(lacking)}")  # fmt: skip
            sys.stdout.flush()
    share = series_shown / max(series_defined, 1)
    print(f"headline figures published {SERIES_FROM}-{args.last}: {series_shown} of "
          f"{series_defined} = {share:.1%} (target at least 90 %)")  # fmt: skip
    ratio = times[-1] / times[0]
    print(f"release {len(times)} took {times[-1]:.1f} s, release 1 {times[0]:.1f} s: ratio "
          f"{ratio:.2f} (target at most 1.5)")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
