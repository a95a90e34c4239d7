"""The result of :func:`~risk_indicators.riskmodel.fit_risk_model`: figures, never persons.

Private to :mod:`risk_indicators.riskmodel`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd

from ._figures import public_table

__all__ = ["RATES", "RiskModelResult"]

#: The audit's figures per group, in the card's order.
RATES: tuple[str, ...] = (
    "true_positive_rate", "false_positive_rate", "selection_rate", "precision",
    "observed_rate", "mean_predicted", "calibration_in_the_large",
)  # fmt: skip


@dataclass(frozen=True)
class RiskModelResult:
    """The early-identification indicator's figures, each with the counts it rests on.

    Attributes
    ----------
    status
        ``"fitted"``, or ``"insufficient_data"`` (then only the cohort's counts, and
        ``reasons``).
    table
        One row per figure: ``figure, model, group_by, group, estimate, ci_low, ci_high``,
        the counts it rests on (``n, positives, negatives, tp, fp, fn, tn``; empty where not
        used), ``published`` and ``note`` (why a figure is withheld). Exact values of every
        figure, for the analysts; :meth:`public_table` blanks the withheld ones.
    settings
        Every choice of the fit (follow-up, split, threshold, rule numbers).
    reasons
        Why the data are too few: ``few_training_events``, ``few_test_events``.
    municipality, language
        From the config; the card's default language.
    withheld
        The counts withheld by the disclosure rule (``primary`` or ``secondary``).
    pipelines
        The fitted scikit-learn pipelines by model name (coefficients and encoders, no
        person-level data), for research; never written to a file by this package.
    """

    status: Literal["fitted", "insufficient_data"]
    table: pd.DataFrame = field(repr=False)
    settings: dict[str, Any] = field(repr=False)
    reasons: tuple[str, ...]
    municipality: str
    language: Literal["sv", "en"]
    withheld: dict[str, str] = field(repr=False)
    pipelines: dict[str, Any] = field(repr=False, default_factory=dict)

    # ------------------------------------------------------------------ access
    def public_table(self) -> pd.DataFrame:
        """The table with withheld figures' values and counts blanked: what may be shown."""
        return public_table(self.table)

    def figure(
        self, figure: str, *, model: str = "", group_by: str = "overall", group: str = "all"
    ) -> dict[str, Any] | None:
        """One row of :attr:`table` as a dict, or None when the fit has no such figure."""
        t = self.table
        hit = t[(t["figure"] == figure) & (t["model"] == model) & (t["group_by"] == group_by)
                & (t["group"] == group)]  # fmt: skip
        return None if hit.empty else {str(k): x for k, x in hit.iloc[0].items()}

    def count(self, name: str) -> int | None:
        """A cohort count (``young_first_reports``, ``study``, ...), None when withheld."""
        row = self.figure(name, group_by="data")
        if row is None or not row["published"]:
            return None
        return int(row["estimate"])

    # ------------------------------------------------------------------ display
    def summary(self) -> str:
        """A few lines: status, the cohort and the headline figures (published ones only)."""
        from ._card import model_card_summary

        return model_card_summary(self)

    def plot(self, ax: Any = None) -> Any:
        """Calibration curve of each model (published score groups) against the diagonal."""
        import matplotlib.pyplot as plt

        if ax is None:
            _, ax = plt.subplots(figsize=(4.5, 4.5))
        ax.plot([0, 1], [0, 1], color="0.6", lw=1, ls="--")
        t = self.public_table()
        curve = t[(t["group_by"] == "score_group") & t["published"]]
        for model, rows in curve.groupby("model", sort=False):
            obs = rows[rows["figure"] == "observed_rate"].set_index("group")
            pred = rows[rows["figure"] == "mean_predicted"].set_index("group")
            both = obs.join(pred[["estimate"]], rsuffix="_pred", how="inner")
            x = both["estimate_pred"].to_numpy(float)
            y = both["estimate"].to_numpy(float)
            err = np.vstack(
                [y - both["ci_low"].to_numpy(float), both["ci_high"].to_numpy(float) - y]
            )
            ax.errorbar(x, y, yerr=err, marker="o", capsize=2, label=str(model))
        ax.set_xlim(0, 1)
        ax.set_ylim(0, 1)
        ax.set_xlabel("mean predicted probability")
        ax.set_ylabel("observed share reported again")
        if not curve.empty:
            ax.legend(loc="upper left", fontsize="small")
        return ax

    def model_card(self, language: Literal["sv", "en"] | None = None) -> str:
        """The model card as Markdown, from the published figures only."""
        from ._card import model_card

        return model_card(self, language or self.language)

    def report_section(self, language: Literal["sv", "en"] | None = None) -> dict[str, Any]:
        """The report section's content: title, paragraphs and one table (plain data)."""
        from ._card import report_section

        return report_section(self, language or self.language)
