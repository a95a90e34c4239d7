"""What the synthetic generator writes: the truth, the defect rows and the files.

Private to :mod:`risk_indicators.synthetic`. ``truth.json`` holds every parameter, the
expected and the true count of every cell and the row accounting; defect rows are added rows
of fresh persons (or exact copies), so they never change the truth; the municipal files are
written as Swedish Excel saves them, the national ones as Parquet a year at a time.
"""

from __future__ import annotations

import dataclasses
import importlib.metadata
import json
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ._activity import activity_csv, activity_frame
from ._model import AGE_EDGES, AGE_LABELS, GENDERS, MODEL_VERSION, band_sum
from ._people import format_personnummer, new_births, personnummer_parts
from ._run import _arrow, _frame, _population_frame, _Run, _year_batches

__all__ = ["DEFECT_KINDS"]


DEFECT_KINDS: tuple[str, ...] = (
    "missing_value", "unknown_gender", "age_negative", "age_too_high", "unparseable_date",
    "future_date", "duplicate", "unknown_area", "invalid_offence", "bad_checksum_no_age",
)  # fmt: skip
_DEFECT_COLUMN = {
    "unknown_gender": "gender", "age_negative": "age", "age_too_high": "age",
    "unparseable_date": "report_date", "future_date": "report_date", "duplicate": "report_id",
    "unknown_area": "area", "invalid_offence": "offence", "bad_checksum_no_age": "age",
}  # fmt: skip
_MISSING_COLUMNS = ("person_id", "report_date", "offence")


def _package_version() -> str:
    try:
        return importlib.metadata.version("risk_indicators")
    except importlib.metadata.PackageNotFoundError:
        return "0.1.0"


def _corruption(kind: str, column: str, date: str, bad_id: str) -> dict[str, Any]:
    """The changed values of a defect row of ``kind``."""
    if kind == "missing_value":
        return {column: None}
    if kind == "unparseable_date":
        return {"report_date": f"{date[:4]}-13-{date[8:]}"}
    if kind == "future_date":
        return {"report_date": f"2099-{date[5:7]}-{min(int(date[8:]), 28):02d}"}
    if kind == "bad_checksum_no_age":
        return {"person_id": bad_id, "age": pd.NA}
    fixed: dict[str, dict[str, Any]] = {
        "unknown_gender": {"gender": "Z"},
        "age_negative": {"age": -1},
        "age_too_high": {"age": 130},
        "duplicate": {},
        "unknown_area": {"area": "Norrby"},
        "invalid_offence": {"offence": "rattfylleri"},
    }
    return fixed[kind]


def _add_defects(
    frame: pd.DataFrame, run: _Run, kinds: Sequence[str], row_offset: int
) -> tuple[pd.DataFrame, list[dict[str, Any]]]:
    """Insert defect rows after random rows of ``frame`` (none if it is empty).

    Call it only when every clean person has been drawn.

    Every defect row but the exact duplicates belongs to a fresh person (a new valid
    personnummer, the age and gender of the row it follows), so it never touches the truth.
    """
    if frame.empty:  # nothing to attach defects to
        return frame, []
    rng, registry = run.aux, run.engine.registry
    plan = [
        (kind, col)
        for kind in kinds
        for col in (_MISSING_COLUMNS if kind == "missing_value" else [_DEFECT_COLUMN[kind]])
        for _ in range(1 if kind == "missing_value" else run.params.defects_per_kind)
    ]
    base = np.sort(rng.integers(0, len(frame), size=len(plan)))
    days = frame["report_date"].to_numpy()[base].astype("datetime64[D]").astype(np.int64)
    ages = frame["age"].to_numpy()[base].astype(np.int64)
    gender = np.array([GENDERS.index(g) for g in frame["gender"].to_numpy()[base]])
    pid = registry.add(new_births(days, ages, rng), gender, np.zeros(len(plan), bool))
    forms = np.zeros(len(plan), dtype=np.int64)
    good = format_personnummer(personnummer_parts(registry, pid), forms).to_pylist()
    bad = format_personnummer(personnummer_parts(registry, pid, bad_check=True), forms).to_pylist()
    rows = []
    for j, (kind, col) in enumerate(plan):
        row = frame.iloc[int(base[j])].to_dict()
        if kind != "duplicate":
            rid = row["report_id"]
            row.update(person_id=good[j], report_id=f"{rid[:6]}9{j:06d}{rid[-3:]}")
        row.update(_corruption(kind, col, row["report_date"], bad[j]))
        rows.append(row)
    extra = pd.DataFrame(rows, columns=frame.columns).astype(frame.dtypes.to_dict())
    order = np.lexsort(
        (np.r_[np.zeros(len(frame)), 1 + np.arange(len(plan))], np.r_[np.arange(len(frame)), base])
    )
    out = pd.concat([frame, extra], ignore_index=True).iloc[order].reset_index(drop=True)
    position = np.empty(len(order), dtype=np.int64)
    position[order] = np.arange(len(order))
    marks = [
        {"row": int(position[len(frame) + j]) + row_offset + 2, "kind": kind, "column": col}
        for j, (kind, col) in enumerate(plan)
    ]
    return out, sorted(marks, key=lambda m: m["row"])


# --------------------------------------------------------------------------- truth


def _num(x: float) -> float:
    return float(f"{float(x):.10g}")


def _cells(run: _Run, keep: tuple[str, ...]) -> dict[str, Any]:
    """Expected and true counts summed to the kept keys of (period, area, age_band, gender)."""
    par, grid = run.params, run.grid
    mu = band_sum(run.engine.mu)
    var = mu + mu**2 / par.dispersion_k
    pop = band_sum(run.pop[grid.year_index])
    axes = {"period": 0, "area": 1, "age_band": 2, "gender": 3}
    drop = tuple(axes[k] for k in axes if k not in keep)
    arrays = [a.sum(axis=drop) for a in (pop, mu, var, run.persons, run.reports)]
    names = {"period": grid.labels, "area": par.areas, "age_band": AGE_LABELS,
             "gender": GENDERS}  # fmt: skip
    data = []
    for idx in np.ndindex(arrays[0].shape):
        keys = [names[k][i] for k, i in zip(keep, idx, strict=True)]
        pop_v, mu_v, var_v, pers, reps = (a[idx] for a in arrays)
        data.append([*keys, int(pop_v), _num(mu_v), _num(var_v), int(pers), int(reps)])
    columns = [*keep, "population", "expected_persons", "variance_persons", "persons", "reports"]
    return {"columns": columns, "data": data}


def _truth(run: _Run, seed: int, scale: str, start: str, end: str, *, full: bool) -> dict[str, Any]:
    par, grid = run.params, run.grid
    mu = band_sum(run.engine.mu)
    share = []
    for i, year in enumerate(grid.years.tolist()):
        sel = grid.year == year
        exp_w, exp_all = mu[sel, ..., 1].sum(), mu[sel].sum()
        obs = run.persons[sel].sum(axis=(0, 1, 2))
        men, women = run.distinct_by_year[i]
        share.append([
            year, _num(exp_w / exp_all) if exp_all > 0 else None,
            _num(obs[1] / obs.sum()) if obs.sum() else None,
            _num(women / (men + women)) if men + women else None,
        ])  # fmt: skip
    slots = int(run.persons.sum())
    truth: dict[str, Any] = {
        "generator": "risk_indicators.synthetic",
        "model_version": MODEL_VERSION,
        "package_version": _package_version(),
        "seed": seed,
        "scale": scale,
        "start": start,
        "end": end,
        "periods": list(grid.labels),
        "age_bands": {"edges": list(AGE_EDGES), "labels": list(AGE_LABELS)},
        "counting_rule": "a person counts once per tertial, in the (area, age band, gender) "
        "cell of their first report in it; reports are all their reports in that tertial",
        "dispersion": {
            "distribution": "negative binomial (gamma-Poisson)",
            "size_k": _num(par.dispersion_k),
            "variance": "mu + mu^2 / k",
            "level": "period x area x age_band x gender",
        },
        "parameters": dataclasses.asdict(par),
        "operation_factor": {
            "columns": ["period", "area", "mean_day_weight"],
            "data": [
                [grid.labels[p], par.areas[a], _num(run.engine.wbar[p, a])]
                for p, a in zip(*np.nonzero(run.engine.wbar != 1.0), strict=True)
            ],
        },
        "female_share": {
            "columns": ["year", "expected", "observed_person_periods", "observed_persons"],
            "data": share,
        },
        "repeats": {
            "person_periods": slots,
            "returning_person_periods": run.returning,
            "returning_share": _num(run.returning / slots) if slots else None,
            "persons": int(run.engine.registry.birth.n),
            "person_periods_with_several_reports": run.multi_in_period,
        },
    }
    if full:
        truth["cells"] = _cells(run, ("period", "area", "age_band", "gender"))
    else:
        truth["cells_period_area"] = _cells(run, ("period", "area"))
        truth["cells_period_age_band_gender"] = _cells(run, ("period", "age_band", "gender"))
    return truth


def _row_accounting(n: int, marks: list[dict[str, Any]]) -> dict[str, int]:
    dup = sum(m["kind"] == "duplicate" for m in marks)
    return {"read": n, "used": n - len(marks), "rejected": len(marks) - dup, "duplicates": dup}


# --------------------------------------------------------------------------- files

_SV_HEADER = ("personnummer", "anmalningsdatum", "ålder", "kön", "brott", "område", "upptäckt",
              "diarienummer")  # fmt: skip
_SV_LABELS = {
    "gender": {"man": "Man", "kvinna": "Kvinna"},
    "offence": {"eget_bruk": "Eget bruk", "innehav": "Innehav", "overlatelse": "Överlåtelse",
                "framstallning": "Framställning", "annat": "Annat"},
    "detection": {"polisinitierad": "Polisinitierad", "anmalan": "Anmälan"},
}  # fmt: skip
_COLUMNS = ("person_id", "report_date", "age", "gender", "offence", "area", "detection",
            "report_id")  # fmt: skip


def _swedish_csv(frame: pd.DataFrame) -> bytes:
    """The reports as Excel writes a Swedish CSV: semicolons, cp1252, CRLF."""
    cols = []
    for name in _COLUMNS:
        values = frame[name].astype(object).where(frame[name].notna(), "")
        labels = _SV_LABELS.get(name, {})
        cols.append([labels.get(v, v) if isinstance(v, str) else str(v) for v in values])
    lines = [";".join(_SV_HEADER), *(";".join(row) for row in zip(*cols, strict=True))]
    return ("\r\n".join(lines) + "\r\n").encode("cp1252")


def _dump(obj: Any, indent: int = 0) -> str:
    """JSON with one key per line, scalar lists and scalar dicts on one line, floats fixed."""
    pad, inner = " " * indent, " " * (indent + 1)

    def scalar(v: Any) -> bool:
        return not isinstance(v, dict | list | tuple) or not v

    def atom(v: Any) -> str:
        if isinstance(v, np.integer):
            v = int(v)
        if isinstance(v, float | np.floating):
            return json.dumps(_num(float(v)) if np.isfinite(v) else str(v))
        return json.dumps(v, ensure_ascii=False)

    if isinstance(obj, dict):
        if not obj:
            return "{}"
        if all(scalar(v) for v in obj.values()) and len(obj) <= 6:
            return "{" + ", ".join(f"{atom(k)}: {_dump(v)}" for k, v in obj.items()) + "}"
        body = ",\n".join(f"{inner}{atom(k)}: {_dump(v, indent + 1)}" for k, v in obj.items())
        return "{\n" + body + "\n" + pad + "}"
    if isinstance(obj, list | tuple):
        if all(scalar(v) for v in obj):
            return "[" + ", ".join(_dump(v) for v in obj) + "]"
        return "[\n" + ",\n".join(inner + _dump(v, indent + 1) for v in obj) + "\n" + pad + "]"
    return atom(obj)


_FILE_NOTES = {
    "reports.csv": "- `reports.csv`: one row per reported person and report, as Excel saves a\n"
    "  Swedish CSV (semicolons, cp1252, CRLF); columns personnummer, anmalningsdatum, ålder,\n"
    "  kön, brott, område, upptäckt, diarienummer.",
    "population.csv": "- `population.csv`: year-end population by year, age, gender and area.",
    "activity.csv": "- `activity.csv`: the activities of the promise per tertial and area (patrol\n"
    "  and hot-spot hours follow the model's police effort; `--activity` of `run`).",
    "config.toml": "- `config.toml`: the analysis config (CONTRACT 1.4) for this municipality.",
    "reports.parquet": "- `reports.parquet`: one row per report (English columns of CONTRACT\n"
    "  1.1), written one year at a time; `area` holds the municipality.",
    "population.parquet": "- `population.parquet`: year-end population by year, age, gender\n"
    "  and area (municipality).",
    "rereport_truth.csv": "- `rereport_truth.csv`: per report that opens a person's tertial, the\n"
    "  true probability of another report within 12 months (`probability`, Monte Carlo SE\n"
    "  `mcse`); `person` is the pseudonym under the public demo key.",
}

_CONFIG = """\
# Config of the synthetic Vaggeryd-like municipality (CONTRACT 1.4); generated, do not edit.
municipality = "{municipality}"
language = "sv"
period = "tertial"
age_bands = [0, 15, 18, 21, 25, 30, 40, 50, 60]
youth_min_age = 15
youth_max_age = 24
areas = [{areas}]

[disclosure]
min_count = 5
ledger = ""

[gender_goal]
benchmark_female_share = 0.35
benchmark_source = "syntetiskt exempelvärde; ersätt med den lokala drogvaneundersökningens värde"
target_female_share = 0.25
target_period = "2026T3"
baseline_period = "2021T3"

[pseudonymisation]
key_env = "RISK_INDICATORS_KEY"
"""

_README = """\
# Synthetic {what}

Generated by `risk_indicators.synthetic` (model version {model}); **not real data**. Every
person, personnummer and case number is invented; personnummer pass the Luhn check.

Regenerate (byte for byte) from the repository root with

    {command}

Periods {first} to {last} ({n} tertials), {rows} report rows, seed {seed}.

{files}
- `truth.json`: every parameter, the seed, the expected number of reported persons of every
  cell (with its variance) and the exact true counts (CONTRACT 4 counting rule) computed by the
  generator from its own person list; tables are `{{"columns": [...], "data": [...]}}`
  (`risk_indicators.synthetic.truth_table(truth, "cells")` gives a DataFrame).

Model in brief (formulas in the docstring of `risk_indicators/synthetic.py`): a Poisson
cohort-component population; for each tertial, area, age band and gender a negative binomial
number of persons (size k = {k}) with mean = population x age-gender rate x yearly trend by
gender x tertial effect x area factor x hot-spot operation factor. Men are police-initiated
more often than women (women are under-detected); operations raise police-initiated detection
in known weeks. Some persons are earlier persons who return, chosen by a logistic propensity
of age, gender, offence and detection, which also drives repeat reports within a tertial.
"""


def _write_municipal(
    out: Path, run: _Run, defects: bool, progress: Callable[[str], None] | None
) -> tuple[list[str], int, dict[str, Any]]:
    par = run.params
    frames = [_frame(_arrow(c, par, date_as_text=True)) for _, c in _year_batches(run, progress)]
    reports = pd.concat(frames, ignore_index=True)
    truth = _truth(run, run.seed, "municipal", run.start, run.end, full=True)
    marks: list[dict[str, Any]] = []
    if defects:
        reports, marks = _add_defects(reports, run, DEFECT_KINDS, 0)
    truth["rows"], truth["defects"] = _row_accounting(len(reports), marks), marks
    (out / "reports.csv").write_bytes(_swedish_csv(reports))
    pop = _population_frame(run.pop, run.grid.years, par.areas)
    (out / "population.csv").write_bytes(pop.to_csv(index=False, lineterminator="\n").encode())
    (out / "activity.csv").write_bytes(activity_csv(activity_frame(par, run.grid)))
    areas = ", ".join(json.dumps(a, ensure_ascii=False) for a in par.areas)
    config = _CONFIG.format(municipality=par.municipality, areas=areas)
    (out / "config.toml").write_text(config, encoding="utf-8")
    return ["reports.csv", "population.csv", "activity.csv", "config.toml"], len(reports), truth


def _write_national(
    out: Path, run: _Run, defects: bool, progress: Callable[[str], None] | None
) -> tuple[list[str], int, dict[str, Any]]:
    import pyarrow as pa
    import pyarrow.parquet as pq

    par, n_rows = run.params, 0
    marks: list[dict[str, Any]] = []
    n_years = len(run.grid.years)
    writer = None
    try:
        for i, (_, cols) in enumerate(_year_batches(run, progress)):
            table = _arrow(cols, par, date_as_text=defects)
            del cols
            if i == n_years - 1:
                truth = _truth(run, run.seed, "national", run.start, run.end, full=False)
                if defects:
                    # no config lists the municipalities, so an unknown area is no defect here
                    kinds = [k for k in DEFECT_KINDS if k != "unknown_area"]
                    frame, marks = _add_defects(_frame(table), run, kinds, n_rows)
                    table = pa.Table.from_pandas(frame, schema=table.schema, preserve_index=False)
            if writer is None:
                writer = pq.ParquetWriter(out / "reports.parquet", table.schema)
            writer.write_table(table)
            n_rows += table.num_rows
            del table
    finally:
        if writer is not None:
            writer.close()
    pop = _population_frame(run.pop, run.grid.years, par.areas)
    pq.write_table(pa.Table.from_pandas(pop, preserve_index=False), out / "population.parquet")
    truth["rows"], truth["defects"] = _row_accounting(n_rows, marks), marks
    return ["reports.parquet", "population.parquet"], n_rows, truth
