"""The columnar intake (issue 18): every input type, batched and whole, and the fast MAC.

References: the row checks of ``validate_report_rows`` (the text path of CONTRACT 1.1), the
standard library's ``hmac`` (RFC 2104), and the synthetic generator's marked defects; the
cubes are compared between paths and batch sizes, never with numbers from this code.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import warnings
from datetime import date
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import polars as pl
import pyarrow as pa
import pytest

import risk_indicators as ri
from risk_indicators.cube import cube_from_counts
from risk_indicators.intake import read_counts, read_table, validate_report_rows
from risk_indicators.intake._mac import PARALLEL_MIN_IDS, pseudonyms
from risk_indicators.release import counts_csv_table
from risk_indicators.synthetic._generator import SynthParams, generate

KEY = b"columnar-test-key-0123456789abcd"
TODAY = date(2024, 6, 1)


@pytest.fixture(scope="module")
def frame() -> pd.DataFrame:
    data = generate(
        SynthParams.municipal(), seed=3, start="2023-01-01", end="2023-12-31", defects=True
    )
    reports = data.reports.copy()
    # a duplicate and a conflicting gender far from their first rows, in other batches
    first = reports.iloc[[0]].copy()
    conflict = reports.iloc[[1]].copy()
    conflict["report_id"] = conflict["report_id"] + "-B"
    conflict["gender"] = "kvinna" if str(conflict["gender"].iloc[0]).lower()[0] == "m" else "man"
    return pd.concat([reports, first, conflict], ignore_index=True)


def _read(source: object, **kwargs: object) -> ri.Records:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return ri.read_reports(  # type: ignore[arg-type]
            source, key=KEY, today=TODAY, max_rejected_share=1.0, **kwargs
        )


def _plain(valid: pd.DataFrame) -> pd.DataFrame:
    return valid.astype({c: str for c in valid.columns if c not in ("row", "age", "report_date")})


def test_every_input_type_and_batch_size_gives_the_same_records(
    frame: pd.DataFrame, tmp_path: Path
) -> None:
    csv_path = tmp_path / "reports.csv"
    frame.to_csv(csv_path, index=False)
    parquet_path = tmp_path / "reports.parquet"
    frame.to_parquet(parquet_path, index=False)
    table = pa.Table.from_pandas(frame, preserve_index=False)
    con = duckdb.connect()
    inputs = {
        "pandas": frame,
        "csv": csv_path,
        "parquet": parquet_path,
        "arrow": table,
        "arrow reader": pa.RecordBatchReader.from_batches(table.schema, table.to_batches(10)),
        "polars": pl.from_pandas(frame),
        "polars lazy": pl.from_pandas(frame).lazy(),
        "duckdb": con.from_arrow(table),
    }
    whole = _read(frame, batch_rows=10**6)
    assert whole.accounting["duplicates"] >= 1 and whole.accounting["rejected"] >= 5
    assert whole.notes  # the gender conflict
    cube = ri.aggregate(whole, _population(frame))
    for name, source in inputs.items():
        # 7 and 16 rows split persons' rows over batches; 10**6 is one batch
        for batch_rows in (7, 16, 10**6):
            if name in ("arrow reader", "duckdb", "polars lazy") and batch_rows != 16:
                continue  # a stream is read once
            rec = _read(source, batch_rows=batch_rows)
            assert rec.accounting == whole.accounting, (name, batch_rows)
            pd.testing.assert_frame_equal(_plain(rec.valid), _plain(whole.valid), obj=name)
            pd.testing.assert_frame_equal(rec.rejected, whole.rejected, obj=name)
            other = ri.aggregate(rec, _population(frame))
            pd.testing.assert_frame_equal(other, cube, obj=f"{name} cube")


def _population(frame: pd.DataFrame) -> pd.DataFrame:
    areas = sorted({a for a in frame["area"].dropna().astype(str) if a})
    rows = [
        {"year": 2023, "age": age, "gender": g, "area": a, "population": 100}
        for age in range(0, 100)
        for g in ("man", "kvinna")
        for a in areas
    ]
    return ri.read_population(pd.DataFrame(rows))


def test_rejections_are_those_of_the_text_path(frame: pd.DataFrame) -> None:
    """Every (row, column, reason) of ``validate_report_rows`` (the per-row text checks) is
    a rejection of the columnar path, and nothing else is, besides the two age rules that
    need the personnummer (checked after pseudonymisation)."""
    raw = read_table(frame)
    _, problems = validate_report_rows(raw, today=TODAY)
    expected = {
        (int(p) + 2, c, r) for p, c, r in problems[["pos", "column", "reason"]].itertuples(False)
    }
    rec = _read(frame)
    got = rec.rejected.loc[rec.rejected["status"] == "rejected"]
    found = {(int(r), c, m) for r, c, m in got[["row", "column", "reason"]].itertuples(False)}
    age_rules = {m for _, c, m in found - expected if c == "age"}
    assert expected <= found
    assert all("derived" in m for m in age_rules)
    assert {c for _, c, _ in found - expected} <= {"age"}


def test_spaces_and_types_do_not_change_a_person() -> None:
    """A personnummer in three spellings with spaces, an integer age and a typed date are one
    person with one pseudonym (the raw id never in the output)."""
    frame = pd.DataFrame(
        {
            "person_id": [" 811218-9876", "198112189876 ", "8112189876", "lokal 7"],
            "report_date": pd.to_datetime(["2024-01-05", "2024-02-01", "2024-03-03", "2024-01-09"]),
            "age": [42, 42, 42, 30],
            "gender": ["M", "man", " Man ", "K"],
            "offence": ["innehav"] * 4,
        }
    )
    rec = _read(pa.Table.from_pandas(frame, preserve_index=False))
    assert rec.accounting == {"read": 4, "used": 4, "rejected": 0, "duplicates": 0}
    assert rec.valid["person"].nunique() == 2
    expected = "p_" + hmac.new(KEY, b"198112189876", hashlib.sha256).hexdigest()[:32]
    assert set(rec.valid["person"].iloc[:3]) == {expected}
    assert "811218" not in rec.valid.to_csv()


def test_forked_macs_equal_hmac_sha256() -> None:
    texts = [f"id-{i}" for i in range(PARALLEL_MIN_IDS + 17)] + [""]
    out = pseudonyms(texts, key=KEY, algorithm="hmac-sha256", n_bytes=16, cores=2).to_pylist()
    picks = np.random.default_rng(5).choice(len(texts) - 1, 300, replace=False)
    for i in picks:
        want = "p_" + hmac.digest(KEY, texts[i].encode(), "sha256")[:16].hex()
        assert out[i] == want
    assert out[-1] == ""
    one = pseudonyms(texts, key=KEY, algorithm="hmac-sha256", n_bytes=16, cores=1).to_pylist()
    assert one == out
    blake = pseudonyms(texts[:3], key=KEY, algorithm="blake2b", n_bytes=16).to_pylist()
    assert blake[1] == "p_" + hashlib.blake2b(b"id-1", key=KEY, digest_size=16).hexdigest()


def test_started_macs_of_an_arrow_array_and_a_failed_child(monkeypatch: pytest.MonkeyPatch) -> None:
    from risk_indicators.intake import _mac

    texts = [f"id-{i}" for i in range(PARALLEL_MIN_IDS + 5)] + ["", "åäö"]
    want = pseudonyms(texts, key=KEY, algorithm="hmac-sha256", n_bytes=16, cores=1).to_pylist()
    sliced = pa.array(["not an id", *texts]).slice(1)  # read through buffers at an offset
    started = _mac.start_pseudonyms(sliced, key=KEY, algorithm="hmac-sha256",
                                    n_bytes=16, cores=3)  # fmt: skip
    assert started().to_pylist() == want
    # a child that fails has its share hashed by the parent: the same digests
    parent = os.getpid()
    digest_all = _mac._digest_all

    def failing_in_children(mac: object, ids: object) -> bytes:
        if os.getpid() != parent:
            raise RuntimeError("a child fails")
        return digest_all(mac, ids)  # type: ignore[arg-type]

    monkeypatch.setattr(_mac, "_digest_all", failing_in_children)
    again = _mac.start_pseudonyms(texts, key=KEY, algorithm="hmac-sha256", n_bytes=16, cores=2)
    assert again().to_pylist() == want
    assert want[-1] == "p_" + hmac.digest(KEY, "åäö".encode(), "sha256")[:16].hex()
    assert want[-2] == ""


def test_a_release_counts_csv_reads_back_in_counts_mode(tmp_path: Path) -> None:
    data = ri.demo_data_dir()
    cfg = ri.load_config(data / "config.toml")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        records = ri.read_reports(data / "reports.csv", config=cfg, key=ri.DEMO_KEY)
        population = ri.read_population(data / "population.csv", config=cfg)
        analysis = ri.analyse(records, population, period="2024T1", config=cfg)
    table = counts_csv_table(analysis)
    path = tmp_path / "counts.csv"
    table.to_csv(path, index=False)
    assert table["period"].str.contains("-").any()  # the release holds its 12-month rows
    back = read_counts(path, config=cfg)
    assert back.window_rows == int(table["period"].str.contains("-").sum())
    keys = ["period", "area", "age_band", "gender"]
    cube = cube_from_counts(
        back.data,
        periods=[q.code for q in back.periods],
        areas=back.areas,
        age_bands=cfg.age_band_labels,
    )
    got = cube.set_index(keys)[["persons", "reports"]].sort_index()
    # the bundled config's cell-key method perturbs the analysis' counts; internal/counts.csv
    # holds the exact ones, the same as a suppression analysis' cube
    exact_cfg = ri.load_config(data / "config.toml", disclosure={"method": "suppression"})
    exact = ri.analyse(records, population, period="2024T1", config=exact_cfg)
    want = exact.cube.set_index(keys)[["persons", "reports"]].sort_index()
    pd.testing.assert_frame_equal(got, want.astype("int64"))
    counted = ri.analyse(pd.read_csv(path), population, period="2024T1", config=cfg)
    assert counted.indicators["persons_youth"] == exact.indicators["persons_youth"]
    assert analysis.indicators["persons_youth"] != exact.indicators["persons_youth"]  # noise
    assert any("cell-key method needs person rows" in note for note in counted.notes)


def test_analyse_all_equals_one_analysis_per_municipality(frame: pd.DataFrame) -> None:
    """Each municipality's figures equal ``ri.analyse`` of its own rows (the definitions of
    CONTRACT 4), and the result does not depend on the number of workers."""
    rec = _read(frame)
    population = _population(frame)
    cube = ri.aggregate(rec, population)
    one = ri.analyse_all(cube, period="2023T3", workers=1, progress=False)
    two = ri.analyse_all(cube, period="2023T3", workers=2, progress=False)
    pd.testing.assert_frame_equal(one.table, two.table)
    for area in one.status.index:
        rows = frame.loc[frame["area"].astype(str) == area]
        own = population.loc[population["area"] == area]
        # a municipality without reports in 2023T3: the national extract covers it
        # exact counts: analyse_all takes a cube, which carries no record keys to perturb
        alone = ri.analyse(_read(rows), own, period="2023T3", allow_incomplete=True,
                           config=ri.load_config(disclosure={"method": "suppression"}))
        wide = one.table.loc[one.table["area"] == area].set_index("indicator")
        for name in ("persons", "persons_youth", "youth_share", "female_share_youth",
                     "youth_rate_per_10k", "youth_trend_annual_change"):  # fmt: skip
            want = alone.indicators[name]
            got = wide.loc[name]
            if want["value"] is None:
                assert np.isnan(got["estimate"]), (area, name)
            else:
                assert got["estimate"] == pytest.approx(want["value"], rel=1e-9), (area, name)
                if want["ci_low"] is not None:
                    assert got["ci_low"] == pytest.approx(want["ci_low"], rel=1e-9)


def test_an_intake_that_lets_go_of_its_started_macs_reaps_the_children() -> None:
    import gc

    from risk_indicators.intake import _mac

    started = _mac.start_pseudonyms([f"id-{i}" for i in range(PARALLEL_MIN_IDS)], key=KEY,
                                    algorithm="hmac-sha256", n_bytes=16, cores=2)  # fmt: skip
    del started  # as when the intake fails before it asks for the pseudonyms
    gc.collect()
    with pytest.raises(ChildProcessError):  # no child left to wait for: all were reaped
        os.waitpid(-1, os.WNOHANG)
