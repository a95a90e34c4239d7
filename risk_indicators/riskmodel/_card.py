"""The model card (Markdown, sv/en) and the report section, from published figures only.

Private to :mod:`risk_indicators.riskmodel`. Every number here comes from
:meth:`RiskModelResult.public_table`; a withheld figure is shown as "–".
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from risk_indicators.periods import parse_period

from ._card_text import FIGURE_LABELS, GROUP_LABELS, MODEL_LABELS, TEXT

if TYPE_CHECKING:
    from ._result import RiskModelResult

__all__ = ["model_card", "model_card_summary", "report_section"]

_EO = "+equal_opportunity"


class _View:
    """Published figures of a result, formatted in one language."""

    def __init__(self, result: RiskModelResult, language: str) -> None:
        if language not in TEXT:
            from risk_indicators.errors import UsageError

            raise UsageError(
                f"The 'language' parameter of model_card must be one of 'en', 'sv'. "
                f"Got {language!r} instead."
            )
        self.result, self.lang = result, language
        self.t = TEXT[language]
        self.table = result.public_table()
        self.dash = self.t["withheld"]

    def row(self, figure: str, model: str = "", group_by: str = "overall",
            group: str = "all") -> dict[str, Any] | None:  # fmt: skip
        t = self.table
        hit = t[(t["figure"] == figure) & (t["model"] == model) & (t["group_by"] == group_by)
                & (t["group"] == group)]  # fmt: skip
        return None if hit.empty else {str(k): x for k, x in hit.iloc[0].items()}

    def num(self, x: Any, digits: int = 3) -> str:
        if x is None or (isinstance(x, float) and not np.isfinite(x)):
            return self.dash
        text = f"{float(x):.{digits}f}"
        if text.startswith("-"):
            # a true minus sign; "-0.000" is zero
            text = "−" + text[1:] if text.strip("-0.") else text[1:]
        return text.replace(".", ",") if self.lang == "sv" else text

    def count(self, x: Any) -> str:
        if x is None or pd.isna(x):
            return self.dash
        text = f"{int(x):,}"
        return text.replace(",", " ") if self.lang == "sv" else text

    def pct(self, x: Any) -> str:
        if x is None or (isinstance(x, float) and not np.isfinite(x)):
            return self.dash
        text = self.num(100 * float(x), 1)
        return f"{text} %" if self.lang == "sv" else f"{text}%"

    def value(self, row: dict[str, Any] | None, *, kind: str = "num", ci: bool = True) -> str:
        if row is None or not row["published"]:
            return self.dash
        fmt = self.pct if kind == "pct" else self.num
        main = fmt(row["estimate"])
        low, high = row["ci_low"], row["ci_high"]
        if ci and low is not None and np.isfinite(low) and np.isfinite(high):
            # an en dash reads badly between negative numbers
            sep = "–" if low >= 0 else (" till " if self.lang == "sv" else " to ")
            return f"{main} ({fmt(low)}{sep}{fmt(high)})"
        return main

    def data_count(self, name: str) -> str:
        row = self.row(name, group_by="data")
        return self.count(row["estimate"]) if row and row["published"] else self.dash

    def group(self, group_by: str, group: str) -> str:
        if group_by == "overall":
            return self.t["group_all"]
        return GROUP_LABELS[self.lang].get(group, group)

    def model(self, name: str) -> str:
        return MODEL_LABELS[self.lang].get(name, name)


def _md_table(headers: str, rows: list[list[str]]) -> str:
    cols = headers.split("|")
    lines = ["| " + " | ".join(cols) + " |", "|" + "|".join("---" for _ in cols) + "|"]
    lines += ["| " + " | ".join(r) + " |" for r in rows]
    return "\n".join(lines)


def _ages(result: RiskModelResult) -> str:
    low, high = result.settings["youth"]
    return f"{low}–{high}"


def _data_rows(v: _View) -> list[list[str]]:
    months = v.result.settings["months"]
    s = v.result.settings
    rows = [
        [v.t["data_young"].format(ages=_ages(v.result)), v.data_count("young_first_reports"), ""],
        [v.t["data_not_observed"].format(months=months), v.data_count("not_observed"), ""],
        [v.t["data_unknown"], v.data_count("unknown_gender"), ""],
        [v.t["data_study"], v.data_count("study"), v.data_count("reported_again")],
    ]
    for part, label in (
        ("train", v.t["data_train"].format(before=s["train_before"] or v.dash)),
        ("test", v.t["data_test"].format(test_from=s["test_from"] or v.dash)),
    ):
        row = v.row(f"{part}_persons", group_by="data") or {"published": False}
        ok = bool(row["published"])
        rows.append([label, v.count(row["n"]) if ok else v.dash,
                     v.count(row["positives"]) if ok else v.dash])  # fmt: skip
    return rows


def _truth_line(v: _View, main: str) -> str:
    line = v.t["truth_line"].format(auc=v.value(v.row("auc", "truth")),
                                    gap=v.value(v.row("auc_gap", main)))  # fmt: skip
    att = v.row("auc_mc_attenuation", "truth")
    if att is not None:  # a truth with its half-futures estimate
        line += " " + v.t["truth_att"].format(att=v.value(att, ci=False))
    return line


def _few_paragraphs(v: _View) -> list[str]:
    s, t = v.result.settings, v.t
    months = s["months"]
    paras = [
        t["few_body"].format(
            young=v.data_count("young_first_reports"), ages=_ages(v.result),
            study=v.data_count("study"), not_observed=v.data_count("not_observed"),
            unknown=v.data_count("unknown_gender"), again=v.data_count("reported_again"),
            months=months,
        )
    ]  # fmt: skip
    train = v.row("train_persons", group_by="data")
    test = v.row("test_persons", group_by="data")

    def part(row: dict[str, Any] | None, col: str) -> str:
        return v.count(row[col]) if row is not None and row["published"] else v.dash

    if "few_training_events" in v.result.reasons:
        paras.append(t["few_train"].format(
            params=s["n_parameters"], need=v.count(s["needed_training_events"]),
            epv=s["min_events_per_parameter"], train_pos=part(train, "positives"),
            train_neg=part(train, "negatives")))  # fmt: skip
    if "few_test_events" in v.result.reasons:
        paras.append(t["few_test"].format(
            need=v.count(s["min_test_events"]), test_pos=part(test, "positives"),
            test_neg=part(test, "negatives")))  # fmt: skip
    paras.append(t["few_next"])
    return paras


def _performance_rows(v: _View) -> list[list[str]]:
    rows = []
    for m in v.result.settings["models"]:
        rows.append([v.model(m), v.value(v.row("auc", m)), v.value(v.row("brier", m)),
                     v.value(v.row("calibration_slope", m), ci=True),
                     v.value(v.row("calibration_intercept", m))])  # fmt: skip
    return rows


def _fair_rows(v: _View, model: str, *, full: bool = True) -> list[list[str]]:
    t = v.table
    mine = t[(t["model"] == model) & (t["figure"] == "true_positive_rate")]
    mine = mine.sort_values(
        "group_by",
        key=lambda c: c.map({"overall": 0, "gender": 1, "age_band": 2}),
        kind="mergesort",
    )
    rows = []
    for r in mine.itertuples():
        g, gb = str(r.group), str(r.group_by)

        def cell(fig: str, kind: str = "pct", ci: bool = True, _g: str = g, _gb: str = gb) -> str:
            return v.value(v.row(fig, model, _gb, _g), kind=kind, ci=ci)

        tpr = v.row("true_positive_rate", model, gb, g)
        n = v.count(tpr["n"]) if tpr and tpr["published"] else v.dash
        pos = v.count(tpr["positives"]) if tpr and tpr["published"] else v.dash
        if full:
            rows.append([v.group(gb, g), n, pos, cell("true_positive_rate"),
                         cell("false_positive_rate"), cell("selection_rate", ci=False),
                         cell("precision", ci=False),
                         cell("calibration_in_the_large", kind="num", ci=False)])  # fmt: skip
        else:
            rows.append(
                [
                    v.group(gb, g),
                    cell("true_positive_rate"),
                    cell("false_positive_rate"),
                    cell("selection_rate", ci=False),
                ]
            )
    return rows


def _calibration_rows(v: _View, model: str) -> list[list[str]]:
    t = v.table
    groups = t[(t["model"] == model) & (t["group_by"] == "score_group")
               & (t["figure"] == "observed_rate")]  # fmt: skip
    rows = []
    for r in groups.itertuples():
        obs = v.row("observed_rate", model, "score_group", str(r.group))
        pred = v.row("mean_predicted", model, "score_group", str(r.group))
        n = v.count(obs["n"]) if obs and obs["published"] else v.dash
        rows.append([str(r.group), n, v.value(pred, kind="pct", ci=False),
                     v.value(obs, kind="pct")])  # fmt: skip
    return rows


def model_card(result: RiskModelResult, language: str) -> str:
    """The model card as Markdown in ``language`` (``"sv"`` or ``"en"``)."""
    v = _View(result, language)
    t, s = v.t, result.settings
    months = s["months"]
    out = [f"# {t['title'].format(municipality=result.municipality)}", f"> {t['warning']}",
           f"## {t['status']}"]  # fmt: skip
    if result.status != "fitted":
        out += [t["status_few"], *_few_paragraphs(v)]
    else:
        out.append(t["status_fitted"])
    out += [f"## {t['data']}",
            _md_table(f"|{t['count_col']}|{t['again_col']}", _data_rows(v))]  # fmt: skip
    if s["follow_end"]:
        out.append(t["data_follow"].format(month=s["follow_end"][:7]))  # never a report's day
    test_start = str(parse_period(s["test_from"]).start) if s["test_from"] else ""
    if s["train_before"] and s["train_before"] < test_start:  # the embargo between them
        out.append(t["data_gap"].format(before=s["train_before"], test_from=s["test_from"],
                                        months=months))  # fmt: skip
    period = FIGURE_LABELS[language][f"period_{s['period_kind']}"]
    out += [f"## {t['target']}", t["target_body"].format(months=months),
            f"## {t['features']}", t["features_body"].format(period=period)]  # fmt: skip
    if result.status == "fitted":
        main = s["models"][0]
        rule = t["rule_prevalence"] if s["threshold_rule"] == "prevalence" else t["rule_fixed"]
        threshold = v.value(v.row("threshold", group_by="data"), ci=False)
        if s["threshold_rule"] != "prevalence":
            threshold = v.num(s["threshold"])
        out += [
            f"## {t['method']}",
            t["method_body"].format(boot=s["bootstrap"], threshold=threshold, rule=rule),
            f"## {t['performance']}",
            _md_table(t["perf_cols"], _performance_rows(v)),
        ]
        if s["truth"]:
            out.append(_truth_line(v, main))
        out += [
            f"## {t['calibration'].format(model=v.model(main))}",
            _md_table(t["cal_cols"], _calibration_rows(v, main)),
            f"## {t['fairness'].format(model=v.model(main))}",
            _md_table(t["fair_cols"], _fair_rows(v, main)),
            t["eod"].format(
                gender=v.value(v.row("equalized_odds_difference", main, "gender")),
                age=v.value(v.row("equalized_odds_difference", main, "age_band")),
            ),
        ]
        if s["equal_opportunity"]:
            eo = main + _EO
            out += [f"## {t['eo']}",
                    t["eo_body"].format(
                        before=v.value(v.row("balanced_accuracy", main), ci=False),
                        after=v.value(v.row("balanced_accuracy", eo), ci=False)),
                    _md_table(t["eo_cols"], _fair_rows(v, eo, full=False))]  # fmt: skip
    out += [f"## {t['limits']}", t["limits_body"],
            t["disclosure"].format(t1=s["min_count"] - 1)]  # fmt: skip
    return "\n\n".join(out) + "\n"


def report_section(result: RiskModelResult, language: str) -> dict[str, Any]:
    """The report section as plain data: ``title``, ``paragraphs`` (list of str) and one
    ``table`` (``caption``, ``columns``, ``rows`` of str, ``notes``)."""
    v = _View(result, language)
    t, s = v.t, result.settings
    title = t["title"].format(municipality=result.municipality)
    note = t["disclosure"].format(t1=s["min_count"] - 1)
    if result.status != "fitted":
        columns = ["", t["count_col"], t["again_col"]]
        return {"title": title, "paragraphs": [t["warning"], t["status_few"],
                                               *_few_paragraphs(v)],
                "table": {"caption": t["data"], "columns": columns, "rows": _data_rows(v),
                          "notes": [note]}}  # fmt: skip
    main = s["models"][0]
    perf = _performance_rows(v)[0]
    cols = t["perf_cols"].split("|")
    summary = "; ".join(f"{c}: {x}" for c, x in zip(cols[1:], perf[1:], strict=True))
    paragraphs = [t["warning"], t["status_fitted"], f"{v.model(main)}: {summary}."]
    if s["truth"]:
        paragraphs.append(_truth_line(v, main))
    paragraphs.append(t["eod"].format(
        gender=v.value(v.row("equalized_odds_difference", main, "gender")),
        age=v.value(v.row("equalized_odds_difference", main, "age_band"))))  # fmt: skip
    return {"title": title, "paragraphs": paragraphs,
            "table": {"caption": t["fairness"].format(model=v.model(main)),
                      "columns": t["fair_cols"].split("|"), "rows": _fair_rows(v, main),
                      "notes": [note]}}  # fmt: skip


def model_card_summary(result: RiskModelResult) -> str:
    """A few English lines for ``RiskModelResult.summary``."""
    v = _View(result, "en")
    head = (f"Risk indicator ({result.municipality}): {result.status}; young first reports "
            f"{v.data_count('young_first_reports')}, in the study {v.data_count('study')}, "
            f"reported again {v.data_count('reported_again')}.")  # fmt: skip
    if result.status != "fitted":
        return head + " Reasons: " + ", ".join(result.reasons) + "."
    lines = [head]
    for m in result.settings["models"]:
        lines.append(f"{m}: AUC {v.value(v.row('auc', m))}, calibration slope "
                     f"{v.value(v.row('calibration_slope', m))}.")  # fmt: skip
    if result.settings["truth"]:
        lines.append(f"best achievable AUC {v.value(v.row('auc', 'truth'))}.")
    return "\n".join(lines)
