"""The sentences about the gender goal: target, assessment, its probability and what it would
take to tell, the rule, the benchmark and the smallest detectable change."""

from __future__ import annotations

from typing import Any, Literal

from ._lookup import indicator
from .formatting import Lang, fmt_interval, fmt_value, is_missing, period_text
from .labels import text
from .model import PublicRelease

__all__ = ["goal_sentences", "goal_status_words"]


def goal_status_words(lang: Lang, status: str) -> str:
    key = f"goal_{status}"
    try:
        return text(lang, key)
    except KeyError:
        return status.replace("_", " ")


def _rule_text(rule: Any, lang: str) -> str:
    if isinstance(rule, dict):
        return str(rule.get(lang) or "")
    return "" if is_missing(rule) else str(rule)


def _goal_numbers(release: PublicRelease, status: str) -> list[str]:
    """The probability behind an assessment, and for ``cannot_tell_yet`` what it would take."""
    lang, goal = release.language, release.goal
    prob, out = goal.get("probability"), []
    if status in ("on_track", "not_on_track", "cannot_tell_yet") and not is_missing(prob):
        low, high = goal.get("projected_low"), goal.get("projected_high")
        out.append(text(lang, "goal_probability",
                        probability=fmt_value(prob, "percent", lang, decimals=0),
                        target=fmt_value(goal.get("target_female_share"), "percent", lang,
                                         decimals=0),
                        horizon=period_text(str(goal.get("horizon")), lang),
                        projected=fmt_value(goal.get("projected"), "percent", lang, decimals=0),
                        interval=fmt_interval(low, high, "percent", lang)))  # fmt: skip
    needed, now = goal.get("persons_needed_per_year"), goal.get("persons_per_year")
    if status == "cannot_tell_yet":
        if not is_missing(now):
            count = fmt_value(round(float(now)), "int", lang)
            if is_missing(needed) or float(needed) > 10 * float(now):
                out.append(text(lang, "goal_persons_needed_many", now=count))
            else:
                out.append(text(lang, "goal_persons_needed", now=count,
                                needed=fmt_value(needed, "int", lang)))  # fmt: skip
        out.append(text(lang, "goal_cannot_tell_note"))
    return out


def goal_sentences(
    release: PublicRelease, *, full: bool = True, rule: Literal["full", "short"] = "full"
) -> list[str]:
    """The goal for the share of women: target and assessment; with ``full`` also the rule
    (the whole rule, or with ``rule="short"`` one plain sentence for residents), the
    benchmark and the smallest change the data can detect."""
    lang, goal = release.language, release.goal
    out: list[str] = []
    target, target_period = goal.get("target_female_share"), goal.get("target_period")
    if not is_missing(target) and target_period:
        out.append(
            text(
                lang,
                "goal_sentence",
                target=fmt_value(target, "percent", lang, decimals=0),
                target_period=period_text(str(target_period), lang),
            )
        )
    status = goal.get("status")
    if is_missing(status) or not status:
        ind = indicator(release, "period", "goal_status")
        status = ind.get("value") if ind else None
    if status:
        out.append(text(lang, "goal_status_line", status=goal_status_words(lang, str(status))))
        out += _goal_numbers(release, str(status))
    elif goal.get("rule"):
        out.append(text(lang, "goal_withheld"))
    if not full:
        return out
    if rule == "short":
        if target_period:
            out.append(
                text(lang, "goal_rule_short", target_period=period_text(str(target_period), lang))
            )
    elif rule_text := _rule_text(goal.get("rule"), lang):
        out.append(text(lang, "goal_rule", rule=rule_text))
    bench = goal.get("benchmark_female_share")
    if not is_missing(bench):
        out.append(
            text(
                lang,
                "goal_benchmark",
                benchmark=fmt_value(bench, "percent", lang, decimals=0),
                source=str(goal.get("benchmark_source") or "").rstrip("."),
            )
        )
    mdc = goal.get("min_detectable_change")
    if not is_missing(mdc):
        out.append(text(lang, "goal_mdc", mdc=fmt_value(mdc, "share_pp", lang, decimals=0)))
    return out
