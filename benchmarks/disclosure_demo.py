"""Time disclosure control (suppression + audit) on a demo-sized release.

The release: 20 tertials x 3 areas x 9 age bands x 3 genders with every margin
(20 x 4 x 10 x 4 = 3,200 counts per measure), the rolling-12-month window ending with
every tertial from the third on (18 windows) and the 6 complete calendar years, each with
every margin, for persons and reports. Counts are Poisson with small means (many zeros),
fixed seed. The target is 30 s on 2 cores.

Two releases are timed: ``bundled`` (default) is exactly what ``risk-indicators demo``
protects: the bundled synthetic municipality's cube of 20 tertials with every margin, the two
12-month windows a release publishes and the indicator counts of every period; ``stress`` is
the random release above, with all 18 windows and 6 years (more than a release publishes).

Run: ``python benchmarks/disclosure_demo.py [--release bundled|stress] [--seed N]``
"""

from __future__ import annotations

import argparse
import itertools
import time

import numpy as np
import pandas as pd

from risk_indicators.disclosure._protect import protect

AREAS = ["Vaggeryd", "Skillingaryd", "Landsbygd"]
AGES = ["0-14", "15-17", "18-20", "21-24", "25-29", "30-39", "40-49", "50-59", "60+"]
GENDERS = ["man", "kvinna", "okänt"]
TARGET_SECONDS = 30.0


def with_margins(inner: pd.DataFrame) -> pd.DataFrame:
    """Append every margin (each subset of area, age_band, gender summed out as ``total``)."""
    dims = ["area", "age_band", "gender"]
    parts = [inner]
    for r in range(1, 4):
        for summed in itertools.combinations(dims, r):
            keep = ["period", *[d for d in dims if d not in summed]]
            g = inner.groupby(keep, as_index=False)[["persons", "reports"]].sum()
            for d in summed:
                g[d] = "total"
            parts.append(g)
    out = pd.concat(parts, ignore_index=True)
    out["population"] = 1000
    return out[["period", *dims, "persons", "reports", "population"]]


def demo_release(
    seed: int = 2024,
) -> tuple[pd.DataFrame, dict[str, pd.DataFrame], dict[str, list[str]]]:
    """The cube, the window tables and the periods each window covers."""
    rng = np.random.default_rng(seed)
    periods = [f"{y}T{t}" for y in range(2018, 2025) for t in (1, 2, 3)][:20]
    keys = list(itertools.product(AREAS, AGES, GENDERS))
    # young men are reported most often; means stay small so most cells are 0..4
    age_w = np.array([0.05, 0.6, 1.0, 0.9, 0.6, 0.4, 0.25, 0.15, 0.05])
    gen_w = np.array([1.0, 0.35, 0.05])
    area_w = np.array([1.0, 0.7, 0.4])
    mean = np.array([area_w[AREAS.index(a)] * age_w[AGES.index(g)] * gen_w[GENDERS.index(s)]
                     for a, g, s in keys]) * 1.6  # fmt: skip
    persons = rng.poisson(mean, size=(len(periods), len(keys)))
    reports = persons + rng.poisson(0.4 * persons)
    rows = [
        (p, *k, int(persons[i, j]), int(reports[i, j]))
        for i, p in enumerate(periods)
        for j, k in enumerate(keys)
    ]
    inner = pd.DataFrame(
        rows, columns=["period", "area", "age_band", "gender", "persons", "reports"]
    )
    cube = with_margins(inner)
    windows, covers = {}, {}
    rolling, years = [], []
    for i in range(2, len(periods)):
        cov = periods[i - 2 : i + 1]
        label = f"{cov[0]}-{cov[-1]}"
        p3, r3 = persons[i - 2 : i + 1], reports[i - 2 : i + 1]
        # a person reported in several tertials counts once in the window
        top = p3.max(axis=0)
        w = top + rng.binomial(p3.sum(axis=0) - top, 0.8)
        win = pd.DataFrame(
            [(label, *k) for k in keys], columns=["period", "area", "age_band", "gender"]
        )
        win["persons"], win["reports"] = w, r3.sum(axis=0)
        covers[label] = cov
        rolling.append(win)
        if cov[-1].endswith("T3"):
            year = win.assign(period=cov[-1][:4])
            covers[cov[-1][:4]] = cov
            years.append(year)
    windows["rolling"] = with_margins(pd.concat(rolling, ignore_index=True))
    windows["year"] = with_margins(pd.concat(years, ignore_index=True))
    return cube, windows, covers


def bundled() -> None:
    """Time the disclosure step of the bundled demo release."""
    import warnings

    import risk_indicators as ri
    from risk_indicators import demo_data_dir
    from risk_indicators.intake.pseudonymise import DEMO_KEY
    from risk_indicators.release._public import protect_analysis

    data = demo_data_dir()
    cfg = ri.load_config(data / "config.toml", disclosure={"method": "suppression"})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        records = ri.read_reports(data / "reports.csv", config=cfg, key=DEMO_KEY)
        population = ri.read_population(data / "population.csv", config=cfg)
        analysis = ri.analyse(records, population, config=cfg)
    start = time.perf_counter()
    result = protect_analysis(analysis, ledger=None)
    seconds = time.perf_counter() - start
    print(result.summary())
    print(f"published table cells (both measures): {len(result.table)}")
    print(
        f"protect + audit: {seconds:.1f} s "
        f"({seconds / TARGET_SECONDS:.2f} of the {TARGET_SECONDS:.0f} s target)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--release", choices=["bundled", "stress"], default="bundled")
    parser.add_argument("--seed", type=int, default=2024)
    args = parser.parse_args()
    if args.release == "bundled":
        bundled()
        return
    cube, windows, covers = demo_release(args.seed)
    n_counts = 2 * (len(cube) + sum(len(w) for w in windows.values()))
    start = time.perf_counter()
    result = protect(cube, windows=windows, window_periods=covers, release_id="demo")
    seconds = time.perf_counter() - start
    print(result.summary())
    print(f"published table cells (both measures): {n_counts}")
    print(
        f"protect + audit: {seconds:.1f} s "
        f"({seconds / TARGET_SECONDS:.2f} of the {TARGET_SECONDS:.0f} s target)"
    )


if __name__ == "__main__":
    main()
