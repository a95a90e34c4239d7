"""Every performance figure of issue 18 against its target, with PASS or FAIL.

Run from the repository root::

    python benchmarks/run_all.py [--data DIR] [--skip-demo]

Without ``--data`` the synthetic nation is written first with ``risk-indicators synth --scale
national`` to a temporary folder (not timed; nothing is kept). Each measurement runs in a
fresh Python process, which reports its own wall time of the measured step and its peak
resident memory (``resource.getrusage``, the whole process: interpreter, libraries, data).
DuckDB runs in the same script on the same file, right before or after, so that the ratios
hold on a loaded machine too. Printed lines::

    PASS  full intake / DuckDB            1.8 (target <= 2.0)   our 5.2 s, DuckDB 2.9 s

The figures:

1. full intake (``ri.aggregate(path, population)``: read, validate, pseudonymise, cube) vs
   DuckDB counting distinct persons and reports by period, area, age band and gender on the
   same Parquet file: ratio <= 2.0; and the intake's peak memory <= 2 GB;
2. the cube alone from validated records (``ri.aggregate(records, population)``) vs DuckDB
   on the same validated frame, each in its own fresh process that loads the pickled records
   (best of two alternating rounds): ratio <= 1.0;
3. parity from the cube (``fairness.selection_rates`` of the last period) vs fairlearn's
   ``MetricFrame`` on one row per inhabitant of youth age: equal numbers, >= 50x faster;
4. ``ri.analyse_all`` for every municipality of the national cube: < 60 s;
5. ``risk-indicators demo`` vs the import floor ``python -c "import pandas,
   statsmodels.api, fairlearn, matplotlib.pyplot"``: ratio <= 3.

One ``info`` line is not a target: the floor of the intake (:func:`mandatory_floor`: reading
every column plus one MAC per distinct person) against the same DuckDB time. A second
``info`` line times DuckDB itself on the steps no intake can leave out (:func:`duckdb_intake`:
canonical ids, duplicates, one HMAC per person, the cube) against its own counting.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CLI = [sys.executable, "-c", "from risk_indicators.cli import main; main()"]
KEY = "62656e63686d61726b2d6b65792d6e6f742d7365637265742d30313233343536"

PRELUDE = f"""
import json, resource, sys, time, warnings
sys.path.insert(0, {str(ROOT)!r})
warnings.simplefilter("ignore")
def peak():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
KEY = bytes.fromhex({KEY!r})
"""

DUCKDB_SQL = """
select {period} as period, area,
       case {bands} end as age_band, gender,
       count(distinct {person}) as persons, count(*) as reports
from {source} group by all
"""


def _bands_sql(edges: list[int]) -> str:
    parts = [f"when age < {hi} then {i}" for i, hi in enumerate(edges[1:])]
    return " ".join(parts) + f" else {len(edges) - 1}"


def _child(code: str) -> dict[str, float]:
    """Run ``code`` in a fresh interpreter; it prints one JSON object as its last line."""
    out = subprocess.run(
        [sys.executable, "-c", PRELUDE + textwrap.dedent(code)],
        capture_output=True,
        text=True,
        check=False,
        cwd=ROOT,
    )
    if out.returncode != 0:
        raise SystemExit(f"benchmark step failed:\n{out.stderr[-3000:]}")
    last = [line for line in out.stdout.splitlines() if line.startswith("{")][-1]
    return json.loads(last)  # type: ignore[no-any-return]


def _line(ok: bool, name: str, value: str, target: str, detail: str) -> bool:
    print(f"{'PASS' if ok else 'FAIL'}  {name:36s} {value:>8s} (target {target:>8s})   {detail}")
    return ok


def intake(data: Path) -> dict[str, float]:
    return _child(f"""
        import risk_indicators as ri
        cfg = ri.load_config()
        population = ri.read_population({str(data / "population.parquet")!r}, config=cfg)
        t = time.perf_counter()
        cube = ri.aggregate({str(data / "reports.parquet")!r}, population, config=cfg, key=KEY)
        seconds = time.perf_counter() - t
        print(json.dumps({{"seconds": seconds, "peak": peak(), "rows": len(cube)}}))
    """)


def intake_memory(data: Path) -> dict[str, float]:
    """The intake's memory with the forked MAC children counted: the peak of the summed
    proportional set sizes (``Pss`` of ``/proc/<pid>/smaps_rollup``: shared pages split
    between the processes that share them) of this process and its children, sampled every
    20 ms on a thread, in a run of its own (sampling slows the run that it measures)."""
    return _child(f"""
        import os
        import threading
        import risk_indicators as ri

        def pss(pid):
            try:
                with open(f"/proc/{{pid}}/smaps_rollup") as f:
                    return next(int(x.split()[1]) * 1024 for x in f if x.startswith("Pss:"))
            except (OSError, StopIteration):
                return 0

        me, top, done = os.getpid(), [0], threading.Event()
        main_tid = threading.get_native_id()

        def sample():
            while not done.is_set():
                try:
                    with open(f"/proc/{{me}}/task/{{main_tid}}/children") as f:
                        kids = [int(x) for x in f.read().split()]
                except OSError:
                    kids = []
                top[0] = max(top[0], pss(me) + sum(pss(k) for k in kids))
                time.sleep(0.02)

        cfg = ri.load_config()
        population = ri.read_population({str(data / "population.parquet")!r}, config=cfg)
        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        ri.aggregate({str(data / "reports.parquet")!r}, population, config=cfg, key=KEY)
        done.set()
        sampler.join()
        print(json.dumps({{"pss": top[0], "peak": peak()}}))
    """)


def duckdb_file(data: Path) -> dict[str, float]:
    sql = DUCKDB_SQL.format(
        period="year(report_date) * 3 + (month(report_date) - 1) // 4",
        bands=_bands_sql([0, 15, 18, 21, 25, 30, 40, 50, 60]),
        person="person_id",
        source=f"read_parquet('{data / 'reports.parquet'}')",
    )
    return _child(f"""
        import duckdb
        con = duckdb.connect()
        con.execute("SET enable_progress_bar = false")
        t = time.perf_counter()
        rows = con.execute({sql!r}).fetchall()
        print(json.dumps({{"seconds": time.perf_counter() - t, "peak": peak(),
                          "cells": len(rows)}}))
    """)


def cube_alone(data: Path, rounds: int = 2) -> dict[str, float]:
    """Ours and DuckDB on the same validated rows, each in its own fresh process.

    The validated records are written once (pickle) by a child that reads the reports; each
    timed child loads them and times one call. Fresh processes because the first large
    allocations of a process cost more on this virtual machine than later ones, and a
    DuckDB query run first in the same process made our next call 1.5 s slower (3.7 s
    against 1.9 s, measured): sharing a process would time the order, not the code. The
    two alternate ``rounds`` times and the best of each is kept.
    """
    store = data / "records.pkl"
    persons = _child(f"""
        import pickle
        import risk_indicators as ri
        cfg = ri.load_config()
        records = ri.read_reports({str(data / "reports.parquet")!r}, config=cfg, key=KEY)
        population = ri.read_population({str(data / "population.parquet")!r}, config=cfg)
        ri.aggregate(records, population, config=cfg).to_pickle({str(data / "cube.pkl")!r})
        with open({str(store)!r}, "wb") as f:
            pickle.dump(records, f, protocol=5)
        print(json.dumps({{"persons": len(records.valid["person"].cat.categories)}}))
    """)["persons"]
    sql = DUCKDB_SQL.format(
        period="year(report_date) * 3 + (month(report_date) - 1) // 4",
        bands=_bands_sql([0, 15, 18, 21, 25, 30, 40, 50, 60]),
        person="person",
        source="valid",
    )
    load = f"""
        import pickle
        with open({str(store)!r}, "rb") as f:
            records = pickle.load(f)
    """
    ours_code = load + f"""
        import risk_indicators as ri
        cfg = ri.load_config()
        population = ri.read_population({str(data / "population.parquet")!r}, config=cfg)
        t = time.perf_counter()
        ri.aggregate(records, population, config=cfg)
        print(json.dumps({{"seconds": time.perf_counter() - t}}))
    """
    duck_code = load + f"""
        import duckdb
        valid = records.valid
        con = duckdb.connect()
        con.execute("SET enable_progress_bar = false")
        con.register("valid", valid)
        t = time.perf_counter()
        con.execute({sql!r}).fetchall()
        print(json.dumps({{"seconds": time.perf_counter() - t}}))
    """
    ours, duck = [], []
    try:
        for _ in range(rounds):
            duck.append(_child(duck_code)["seconds"])
            ours.append(_child(ours_code)["seconds"])
    finally:
        store.unlink(missing_ok=True)  # 0.6 GB of pseudonymised rows: never left behind
    return {"ours": min(ours), "duckdb": min(duck), "persons": persons}


def mandatory_floor(data: Path, persons: int) -> dict[str, float]:
    """The least that any intake under CONTRACT 1.1 does, timed on this machine: read every
    column of the file (``pyarrow.parquet.read_table`` on every core, the code columns from
    their dictionary pages as the intake reads them: half the time) and compute one keyed
    MAC (the default HMAC-SHA256, 128 bits, :class:`Pseudonymiser` on every core) per
    distinct person, ``persons`` of the file's distinct ``person_id`` texts (as many as the
    intake found distinct canonical ids). Not timed: finding the distinct ids, parsing and
    checking them, every other check, the cube. A lower bound of the intake's time, so the
    floor / DuckDB ratio says how much of the ratio target is left for everything else."""
    return _child(f"""
        import pyarrow.compute as pc
        import pyarrow.parquet as pq
        from risk_indicators.intake.pseudonymise import Pseudonymiser
        t = time.perf_counter()
        coded = ["gender", "offence", "area", "detection"]
        table = pq.read_table({str(data / "reports.parquet")!r}, read_dictionary=coded)
        read_s = time.perf_counter() - t
        ids = pc.unique(table["person_id"])
        del table
        ids = ids.slice(0, {persons})
        t = time.perf_counter()
        Pseudonymiser(KEY).pseudonyms_of(ids)
        mac_s = time.perf_counter() - t
        print(json.dumps({{"read": read_s, "macs": mac_s, "ids": len(ids)}}))
    """)


DUCKDB_INTAKE_SQL = """
with cells as (
  select file_row_number + 2 as row, person_id, report_date, age, gender, area, report_id,
    regexp_extract(trim(person_id), '^([0-9]{{2}})?([0-9]{{6}})([-+]?)([0-9]{{4}})$',
                   ['c', 'd', 's', 'n']) as m
  from read_parquet('{path}', file_row_number = true)
), ids as (
  select * exclude (m, person_id),
    case when m.d = '' then trim(person_id)
         when m.c <> '' then m.c || m.d || m.n
         else (year(report_date) - (year(report_date) - m.d[1:2]::int) % 100
               - case when (year(report_date) - m.d[1:2]::int) % 100 = 0
                       and m.d[3:6] > strftime(report_date, '%m%d') then 100 else 0 end
               - case when m.s = '+' then 100 else 0 end)::varchar || m.d[3:6] || m.n
    end as canonical
  from cells
), firsts as (
  select * from ids qualify row_number() over (partition by report_id, canonical order by row) = 1
), macs as (
  select canonical,
         sha256(unhex('{opad}') || unhex(sha256(unhex('{ipad}') || canonical::blob))) as person
  from (select distinct canonical from firsts)
)
select {period} as period, area, case {bands} end as age_band, gender,
       count(distinct person) as persons, count(*) as reports
from firsts join macs using (canonical) group by all
"""


def duckdb_intake(data: Path) -> dict[str, float]:
    """DuckDB doing only the steps no intake under CONTRACT 1.1 can leave out, in one query
    on every core: the canonical 12-digit personnummer of every row (the century of a
    10-digit form from the report date, as :func:`canonical_personnummer` fixes it), the
    first row of each repeated ``report_id`` and canonical id, one HMAC-SHA256 per distinct
    canonical id (the RFC 2104 construction from DuckDB's ``sha256``; checked against
    Python's ``hmac`` before it is timed) and the cube by pseudonym. Left out, and done by
    our intake: the Luhn and calendar checks, every code column's check, the rejected rows
    and their reasons, one gender per person, the person-level tables. So its time is a
    lower bound of what DuckDB itself would need for our intake."""
    block = bytes.fromhex(KEY).ljust(64, b"\0")
    sql = DUCKDB_INTAKE_SQL.format(
        path=data / "reports.parquet",
        ipad=bytes(b ^ 0x36 for b in block).hex(),
        opad=bytes(b ^ 0x5C for b in block).hex(),
        period="year(report_date) * 3 + (month(report_date) - 1) // 4",
        bands=_bands_sql([0, 15, 18, 21, 25, 30, 40, 50, 60]),
    )
    return _child(f"""
        import hashlib, hmac
        import duckdb
        con = duckdb.connect()
        con.execute("SET enable_progress_bar = false")
        block = KEY.ljust(64, bytes(1))
        inner, outer = bytes(b ^ 0x36 for b in block).hex(), bytes(b ^ 0x5C for b in block).hex()
        check = con.execute(
            f"select sha256(unhex('{{outer}}') || unhex(sha256(unhex('{{inner}}') || 'abc'::blob)))"
        ).fetchall()[0][0]
        assert check == hmac.new(KEY, b"abc", hashlib.sha256).hexdigest(), check
        sql = {sql!r}
        t = time.perf_counter()
        con.execute(sql).fetchall()
        seconds = time.perf_counter() - t
        persons = con.execute(
            sql.split("select year(report_date)")[0]
            + "select count(distinct person) from firsts join macs using (canonical)"
        ).fetchall()[0][0]
        print(json.dumps({{"seconds": seconds, "persons": persons}}))
    """)


def parity(data: Path) -> dict[str, float]:
    return _child(f"""
        import numpy as np, pandas as pd
        from fairlearn.metrics import MetricFrame, selection_rate
        import risk_indicators as ri
        from risk_indicators.fairness import selection_rates
        cfg = ri.load_config()
        cube = pd.read_pickle({str(data / "cube.pkl")!r})
        last = cube["period"].iloc[-1]
        one = cube.loc[cube["period"] == last]
        t = time.perf_counter()
        ours = selection_rates(one, config=cfg)
        ours.table, ours.parity  # computed on first access: timed here
        ours_s = time.perf_counter() - t
        # one row per inhabitant of youth age (all areas), y = 1 for each reported person
        cells = one.loc[(one["area"] == "total") & one["age_band"].isin(cfg.youth_bands)
                        & one["gender"].isin(["man", "kvinna"])]
        pop = cells["population"].astype(int).to_numpy()
        persons = cells["persons"].to_numpy()
        y = np.concatenate([np.r_[np.ones(k), np.zeros(n - k)] for k, n in zip(persons, pop)])
        gender = np.repeat(cells["gender"].to_numpy(), pop)
        band = np.repeat(cells["age_band"].to_numpy(), pop)
        t = time.perf_counter()
        mf = MetricFrame(metrics=selection_rate, y_true=y, y_pred=y,
                         sensitive_features=pd.Series(gender, name="gender"),
                         control_features=pd.Series(band, name="age_band"))
        rates, ratio = mf.by_group, mf.ratio()
        theirs_s = time.perf_counter() - t
        mine = ours.table.set_index(["age_band", "gender"])["estimate"]
        theirs = rates.rename("estimate")
        worst = max(abs(mine.loc[k] - v) for k, v in theirs.items())
        mine_ratio = ours.parity.set_index("age_band")["ratio"]
        worst = max(worst, max(abs(mine_ratio.loc[k] - v) for k, v in ratio.items()))
        print(json.dumps({{"ours": ours_s, "fairlearn": theirs_s, "worst": float(worst),
                          "rows": int(len(y))}}))
    """)


def national(data: Path) -> dict[str, float]:
    return _child(f"""
        import pandas as pd
        import risk_indicators as ri
        cube = pd.read_pickle({str(data / "cube.pkl")!r})
        last = cube["period"].iloc[-1]
        t = time.perf_counter()
        result = ri.analyse_all(cube, period=last, progress=False)
        print(json.dumps({{"seconds": time.perf_counter() - t,
                          "areas": int(result.status.size)}}))
    """)


def _wall(command: list[str]) -> float:
    t = time.perf_counter()
    subprocess.run(command, check=True, capture_output=True, cwd=ROOT)
    return time.perf_counter() - t


def demo_vs_floor() -> tuple[float, float]:
    floor = min(
        _wall([sys.executable, "-c", "import pandas, statsmodels.api, fairlearn, "
               "matplotlib.pyplot"]) for _ in range(3)
    )  # fmt: skip
    with tempfile.TemporaryDirectory() as tmp:
        demo = min(_wall([*CLI, "demo", "--out", tmp, "-q"]) for _ in range(2))
    return demo, floor


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=None, help="a synth --scale national folder")
    parser.add_argument("--skip-demo", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        data = args.data
        if data is None:
            data = Path(tmp) / "national"
            print("writing the synthetic nation (risk-indicators synth --scale national) ...")
            subprocess.run(
                [*CLI, "synth", "--out", str(data), "--scale", "national", "-q"],
                check=True, cwd=ROOT,
            )  # fmt: skip
        results = []
        duck = duckdb_file(data)
        ours = intake(data)
        duck2 = duckdb_file(data)
        duck_s = min(duck["seconds"], duck2["seconds"])
        ratio = ours["seconds"] / duck_s
        results.append(
            _line(
                ratio <= 2.0,
                "full intake / DuckDB (same file)",
                f"{ratio:.2f}",
                "<= 2.0",
                f"ours {ours['seconds']:.1f} s, DuckDB {duck_s:.2f} s",
            )
        )
        memory = intake_memory(data)
        gb = max(ours["peak"], memory["pss"]) / 1e9
        results.append(_line(gb <= 2.0, "full intake peak memory", f"{gb:.2f} GB", "<= 2 GB",
                             f"resident {ours['peak'] / 1e9:.2f} GB; with the MAC children "
                             f"{memory['pss'] / 1e9:.2f} GB; DuckDB "
                             f"{duck['peak'] / 1e9:.2f} GB"))  # fmt: skip
        alone = cube_alone(data)
        ratio = alone["ours"] / alone["duckdb"]
        results.append(_line(ratio <= 1.0, "cube from validated rows / DuckDB", f"{ratio:.2f}",
                             "<= 1.0", f"ours {alone['ours']:.2f} s, DuckDB "
                             f"{alone['duckdb']:.2f} s"))  # fmt: skip
        least = mandatory_floor(data, alone["persons"])
        least_s = least["read"] + least["macs"]
        print(
            f"info  {'floor (read + MACs) / DuckDB':36s} {least_s / duck_s:>8.2f} (not a "
            f"target)   read {least['read']:.2f} s + {least['ids']:,} MACs "
            f"{least['macs']:.2f} s: the least any intake does"
        )
        theirs = duckdb_intake(data)
        same = "the same" if theirs["persons"] == alone["persons"] else "NOT the same"
        print(
            f"info  {'DuckDB mandatory steps / DuckDB':36s} {theirs['seconds'] / duck_s:>8.2f} "
            f"(not a target)   {theirs['seconds']:.1f} s; {theirs['persons']:,} persons, "
            f"{same} as ours"
        )
        par = parity(data)
        speed = par["fairlearn"] / par["ours"]
        results.append(
            _line(
                par["worst"] < 1e-12,
                "parity: cube = MetricFrame on persons",
                f"{par['worst']:.0e}",
                "< 1e-12",
                f"{par['rows']:,} person rows",
            )
        )
        results.append(_line(speed >= 50, "parity: MetricFrame / cube time", f"{speed:.0f}x",
                             ">= 50x", f"ours {par['ours']:.3f} s, fairlearn "
                             f"{par['fairlearn']:.2f} s"))  # fmt: skip
        nat = national(data)
        results.append(
            _line(
                nat["seconds"] < 60,
                "analyse_all, every municipality",
                f"{nat['seconds']:.0f} s",
                "< 60 s",
                f"{nat['areas']} areas",
            )
        )
    if not args.skip_demo:
        demo, floor = demo_vs_floor()
        ratio = demo / floor
        results.append(
            _line(
                ratio <= 3.0,
                "demo / import floor",
                f"{ratio:.1f}",
                "<= 3",
                f"demo {demo:.1f} s, floor {floor:.2f} s",
            )
        )
    print(f"{sum(results)} of {len(results)} pass")
    return 0 if all(results) else 1


if __name__ == "__main__":
    raise SystemExit(main())
