"""The files of ``risk-indicators model``: the model card and its figures.

Private to :mod:`risk_indicators.riskmodel`. Each file is written atomically (a temporary file
moved in place); other files in the folder are left alone, so the folder may be a release
folder. Nothing person-level is written anywhere: the public files hold the published
figures, the internal file every figure (aggregates only), the audit file the settings.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from risk_indicators._atomic import atomic_write_text, write_csv, write_json
from risk_indicators._version import __version__
from risk_indicators.config import Config
from risk_indicators.errors import UsageError

from ._estimate import fit_risk_model
from ._result import RiskModelResult

__all__ = ["model_command", "write_model_outputs"]

LANGUAGES = ("sv", "en")


def write_model_outputs(
    result: RiskModelResult,
    out: str | Path,
    *,
    language: str | None = None,
    inputs: dict[str, Any] | None = None,
) -> list[Path]:
    """Write the model card and its figures under ``out``.

    Files: ``public/model_card.md`` (in ``language``, default the result's),
    ``public/model_card.<other>.md`` (the other language), ``public/tables/
    model_figures.csv`` (every figure, withheld ones blank with the reason),
    ``internal/model_figures.csv`` (every figure with its exact value and counts, for the
    analysts), ``audit/model_run.json`` (version, status, settings, inputs).

    Returns
    -------
    list of Path
    """
    base = Path(out)
    first = language or result.language
    if first not in LANGUAGES:
        raise UsageError(f"The 'language' parameter of write_model_outputs must be one of 'en', "
                         f"'sv'. Got {first!r} instead.")  # fmt: skip
    files = []
    for lang in (first, *[x for x in LANGUAGES if x != first]):
        name = "model_card.md" if lang == first else f"model_card.{lang}.md"
        path = base / "public" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write_text(path, result.model_card(lang))  # type: ignore[arg-type]
        files.append(path)
    for folder, table in (("public/tables", result.public_table()), ("internal", result.table)):
        path = base / folder / "model_figures.csv"
        path.parent.mkdir(parents=True, exist_ok=True)
        write_csv(_csv_ready(table), path)
        files.append(path)
    run = {"package_version": __version__, "status": result.status,
           "reasons": list(result.reasons), "settings": result.settings,
           "withheld_counts": len(result.withheld), "inputs": inputs or {}}  # fmt: skip
    path = base / "audit" / "model_run.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    write_json(run, path)
    files.append(path)
    return files


def _csv_ready(table: pd.DataFrame) -> pd.DataFrame:
    out = table.copy()
    for column in ("estimate", "ci_low", "ci_high"):
        out[column] = out[column].round(6)
    return out


def model_command(
    records: Any,
    *,
    config: Config,
    out: Path,
    models: str = "logistic,boosting",
    truth: Path | None = None,
    test_from: str | None = None,
    inputs: dict[str, Any] | None = None,
) -> tuple[RiskModelResult, list[Path]]:
    """The ``risk-indicators model`` command after reading: fit, then write the files."""
    chosen = tuple(m.strip() for m in models.split(",") if m.strip())
    table = None
    if truth is not None:
        try:
            table = pd.read_csv(truth)
            table = table.loc[
                :,
                [
                    c
                    for c in ("person", "report_date", "probability", "probability_half")
                    if c in table.columns
                ],
            ]
        except (OSError, ValueError) as exc:
            raise UsageError(
                f"{truth.name}: cannot read the truth ({exc}); give a rereport_truth.csv "
                "written by the synthetic generator (columns person, report_date, "
                "probability)."
            ) from None
    result = fit_risk_model(records, config=config, models=chosen, truth=table,
                            test_from=test_from)  # fmt: skip
    return result, write_model_outputs(result, out, language=config.language, inputs=inputs)


def demo_model_card(reports: Path, *, config: Config, out: Path, key: bytes) -> str:
    """The ``demo``'s research model card (issue 17) in ``out``: the logistic model fitted
    to the bundled municipality, or, as there, the card that says why its data are too few;
    both languages. Returns the sentence the demo prints."""
    from risk_indicators.intake import read_reports

    records = read_reports(reports, config=config, key=key)
    inputs = {"reports": {"file": reports.name, "sha256": records.sha256}}
    result, files = model_command(records, config=config, out=out, models="logistic",
                                  inputs=inputs)  # fmt: skip
    return f"Research risk indicator: {result.status}; model card (sv and en): {files[0]}."
