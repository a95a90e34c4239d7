"""Research: an early-identification risk indicator with a fairness audit.

The stage's public names; its modules are private to it (the package's layout is described in
``risk_indicators/__init__.py``). It comes after ``fairness`` and before ``analysis`` and
imports only the faces of ``intake``, ``cube``, ``stats``, ``fairness`` and the shared modules.

Which circumstances of a young person's first report predict being reported again within 12
months, and does such an indicator work equally well for young women and young men? The
stage answers with aggregate figures only: it never publishes a score or a pseudonym.

1. **Cohort** (``_cohort``): each young person's first report in the data; target: another
   report within ``months`` (12); features from that report and before (age, gender,
   offence, detection, area, period of year, earlier reports); persons whose months are not
   yet observed, or whose gender is unknown, are left out and counted.
2. **Models** (``_fit``): scikit-learn pipelines, one-hot + logistic regression (default)
   and ``HistGradientBoostingClassifier``; temporal validation (train on earlier periods with
   an embargo of ``months``, test on later ones); a documented data-sufficiency rule (10
   events per parameter; 100 events and non-events to test).
3. **Performance** (``_metrics``): AUC with a stratified bootstrap interval over persons,
   Brier score, calibration slope, intercept and curve; with a known truth (synthetic data)
   the best achievable AUC on the same test persons and the paired gap.
4. **Fairness** (``_audit``): fairlearn ``MetricFrame`` by gender and by age band with true
   and false positive rates, selection rate, precision and calibration in the large at the
   threshold; ``equalized_odds_difference``; a ``ThresholdOptimizer`` with equal true
   positive rates by gender and what it costs.
5. **Disclosure** (``_protect``): every figure carries the counts it rests on; a figure is
   withheld when any of them is in 1..T-1 or would follow from the shown counts by sums.
6. **Model card** (``_card``): Markdown in Swedish and English from the published figures;
   on too few data (a municipality) it says so, with the numbers.

Examples
--------
>>> import risk_indicators as ri
>>> cfg = ri.load_config(ri.demo_data_dir() / "config.toml")
>>> rec = ri.read_reports(ri.demo_data_dir() / "reports.csv", config=cfg, key=ri.DEMO_KEY)
>>> result = ri.fit_risk_model(rec, config=cfg)
>>> print(model_card(result, "en").splitlines()[0])
# Model card: early-identification risk indicator (research), Vaggeryd
"""

from __future__ import annotations

from typing import Any, Literal

from ._cohort import (
    CATEGORICAL,
    FEATURES,
    Cohort,
    build_cohort,
)
from ._estimate import (
    fit_risk_model,
)
from ._figures import (
    COUNT_COLUMNS,
    TABLE_COLUMNS,
)
from ._files import (
    demo_model_card,
    model_command,
    write_model_outputs,
)
from ._fit import (
    MODEL_KINDS,
)
from ._protect import (
    protect_counts,
)
from ._result import (
    RATES,
    RiskModelResult,
)

__all__ = [
    "CATEGORICAL",
    "COUNT_COLUMNS",
    "FEATURES",
    "MODEL_KINDS",
    "RATES",
    "TABLE_COLUMNS",
    "Cohort",
    "RiskModelResult",
    "build_cohort",
    "demo_model_card",
    "fit_risk_model",
    "model_card",
    "model_command",
    "protect_counts",
    "report_section",
    "write_model_outputs",
]


def model_card(result: RiskModelResult, language: Literal["sv", "en"]) -> str:
    """The model card of ``result`` as Markdown in ``language``, from published figures only."""
    return result.model_card(language)


def report_section(result: RiskModelResult, language: Literal["sv", "en"]) -> dict[str, Any]:
    """The report section: ``{"title", "paragraphs", "table": {"caption", "columns", "rows",
    "notes"}}`` as plain Python data (strings), from published figures only."""
    return result.report_section(language)
