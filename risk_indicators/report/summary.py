"""Plain sentences about the release, shared by the HTML report and the follow-up text.

Every number in a sentence is a published value of the release, formatted; a sentence whose
number is suppressed is left out or replaced by one that says the figure is not shown. The only
logic is the choice of words: "more" or "fewer" when both published counts differ, and
"within chance variation" beside an arrow from an exact test of the published counts.
"""

from __future__ import annotations

from typing import Any

from risk_indicators.stats import counts_differ_p, shares_differ_p

from ._lookup import indicator
from ._lookup import shown as _shown
from .formatting import (
    INDICATOR_KINDS,
    NBSP,
    SUPPRESSED,
    Lang,
    fmt_interval,
    fmt_value,
    is_missing,
    period_text,
)
from .goal_text import goal_sentences, goal_status_words
from .labels import text
from .model import PublicRelease, table

__all__ = [
    "ages_text",
    "direction",
    "gender_sentences",
    "goal_sentences",
    "indicator",
    "indicator_texts",
    "join_words",
    "persons_sentences",
    "scope_label",
    "source_lines",
    "summary_sentences",
    "youth_sentences",
]

SCOPE_KEYS = ("period", "same_period_last_year", "rolling_12_months")


def ages_text(release: PublicRelease) -> str:
    """The youth ages as written in the report, e.g. ``15-24``."""
    return f"{release.youth_ages[0]}-{release.youth_ages[1]}"


def scope_label(release: PublicRelease, scope: str) -> str:
    """The period or window of a scope as text (``T1 2023``, ``T2 2023–T1 2024``)."""
    if scope == "period":
        return period_text(release.period.code, release.language)
    label = release.indicators.get("comparisons", {}).get(scope, {}).get("label", "")
    return period_text(str(label), release.language) if label else ""


def indicator_texts(
    release: PublicRelease, scope: str, indicator_id: str
) -> tuple[str, str] | None:
    """``(value, interval)`` of an indicator as text; None when the scope lacks it.

    A suppressed value is "–" and a value that is not defined is "ej def." / "n/a"; the
    interval is ``""`` when it is missing. ``goal_status`` is written as words.
    """
    ind = indicator(release, scope, indicator_id)
    if ind is None:
        return None
    lang = release.language
    if ind.get("suppressed"):
        return SUPPRESSED, ""
    value = ind.get("value")
    if indicator_id == "goal_status":
        if is_missing(value):
            return text(lang, "not_defined"), ""
        return goal_status_words(lang, str(value)), ""
    kind = INDICATOR_KINDS.get(indicator_id, "ratio")
    missing = text(lang, "not_defined")
    return (
        fmt_value(value, kind, lang, missing=missing),
        fmt_interval(ind.get("ci_low"), ind.get("ci_high"), kind, lang),
    )


def direction(release: PublicRelease, indicator_id: str) -> str:
    """Arrow and word comparing P with the same period a year earlier ("" when not both shown
    or when the change cannot be tested).

    Every arrow is tested, and "within chance variation" is added when p >= 0.05: the young
    persons and their rate by the comparison table's exact test of the rates; the persons of
    all ages by the exact test of two counts; the shares and the female/male ratios of the
    young by Fisher's exact test of their published counts (:func:`_change_p`). An arrow alone
    therefore says the change exceeds chance, as the report's legend states.
    """
    if indicator_id not in INDICATOR_KINDS or "trend" in indicator_id:
        return ""
    now = _shown(release, "period", indicator_id)
    before = _shown(release, "same_period_last_year", indicator_id)
    if now is None or before is None:
        return ""
    kind = INDICATOR_KINDS[indicator_id]
    a = fmt_value(now["value"], kind, release.language)
    b = fmt_value(before["value"], kind, release.language)
    if a == b:  # equal as shown: no direction out of the last decimals
        return text(release.language, "dir_same")
    p = _change_p(release, indicator_id)
    if p is None:  # an untested arrow would read as a change beyond chance
        return ""
    key = "dir_up" if float(now["value"]) > float(before["value"]) else "dir_down"
    return text(release.language, key + ("_chance" if p >= 0.05 else ""))


#: Indicators whose change from a year earlier the comparison table tests (exact conditional
#: test of the rates; the count has the same test, the populations being nearly equal).
_TESTED = ("persons_youth", "youth_rate_per_10k")

#: The share whose published counts test each row by Fisher's exact test. The two ratios of
#: the young move with the share of women among them: the benchmark share is fixed, and the
#: populations' split by gender moves by far less within a year than the share can by chance.
_SHARE_OF = {
    "youth_share": "youth_share",
    "female_share": "female_share",
    "female_share_youth": "female_share_youth",
    "rate_ratio_female_male_youth": "female_share_youth",
    "benchmark_ratio_youth": "female_share_youth",
}


def _change_p(release: PublicRelease, indicator_id: str) -> float | None:
    """The p-value of the change from a year earlier, from published figures only (so it
    tells nothing the release does not already publish); None when it cannot be computed.

    With the cell-key method the counts enter with the noise their intervals have: a count of
    the young sums ``youth_bands`` perturbed cells, the persons of all ages and each gender
    of them are one cell each (the young's share of all persons: the young over a total
    perturbed on its own).
    """
    if indicator_id in _TESTED:
        return _previous_year_p(release)
    share = _SHARE_OF.get(indicator_id)
    if share is None and indicator_id != "persons":
        return None
    _, variance, bands = release.noise or (0, 0.0, 1)
    pair = [_shown(release, scope, share or indicator_id)
            for scope in ("period", "same_period_last_year")]  # fmt: skip
    if pair[0] is None or pair[1] is None:
        return None
    if share is None:  # the persons of all ages
        return counts_differ_p(float(pair[0]["value"]), float(pair[1]["value"]),
                               noise_variance=variance)  # fmt: skip
    if any(is_missing(x.get("n")) for x in pair):
        return None
    noise = {"noise_variance": variance if share == "female_share" else bands * variance}
    if share == "youth_share":
        noise["trials_noise_variance"] = variance
    (k1, n1), (k0, n0) = ((round(float(x["value"]) * float(x["n"])), float(x["n"])) for x in pair)
    return shares_differ_p(k1, n1, k0, n0, **noise)


def _previous_year_p(release: PublicRelease) -> float | None:
    """The p-value of the published comparison with a year earlier, if there is one."""
    table = release.tables.get("comparison")
    if table is None or table.empty:
        return None
    rows = table.loc[(table["comparison"] == "previous_year") & ~table["suppressed"]]
    if rows.empty or is_missing(rows["p_value"].iloc[0]):
        return None
    return float(rows["p_value"].iloc[0])


def _chance_sentence(release: PublicRelease) -> list[str]:
    """Whether the change from a year earlier exceeds chance: the exact conditional test of
    the comparison table (rates per inhabitant), when it is published."""
    p = _previous_year_p(release)
    if p is None:
        return []
    key = "s_compare_chance" if p >= 0.05 else "s_compare_real"
    shown = fmt_value(p, "p", release.language)
    # "p < 0,001", never "p = < 0,001"
    below = shown.startswith("<")
    p_text = f"p <{NBSP}{shown[1:].lstrip(NBSP + ' ')}" if below else f"p = {shown}"
    return [text(release.language, key, p=p_text)]


def join_words(lang: Lang, items: list[str]) -> str:
    """``a, b och c`` / ``a, b and c``."""
    if len(items) <= 1:
        return "".join(items)
    word = " och " if lang == "sv" else " and "
    return ", ".join(items[:-1]) + word + items[-1]


def _alarm_sentence(release: PublicRelease) -> str | None:
    lang = release.language
    df = table(release, "youth_by_period")
    flagged: list[str] = []
    this_period: bool | None = None
    for code, alarm in zip(df["period"], df["alarm"], strict=True):
        if is_missing(alarm):
            continue
        if bool(alarm):
            flagged.append(period_text(str(code), lang))
        if str(code) == release.period.code:
            this_period = bool(alarm)
    if flagged:
        return text(lang, "s_alarm", periods=join_words(lang, flagged))
    if this_period is False:
        return text(lang, "s_no_alarm", period=scope_label(release, "period"))
    return None


def summary_sentences(release: PublicRelease) -> list[str]:
    """The plain sentences of the summary, in the report language."""
    return youth_sentences(release) + gender_sentences(release) + persons_sentences(release)


def youth_sentences(release: PublicRelease) -> list[str]:
    """Young people in P: count, rate, earlier periods, new persons, alarms and trend."""
    lang = release.language
    ages, period = ages_text(release), scope_label(release, "period")
    out: list[str] = []
    youth = _shown(release, "period", "persons_youth")
    if youth is not None:
        n = fmt_value(youth["value"], "int", lang)
        out.append(text(lang, "s_youth", period=period, n=n, ages=ages))
        rate = _shown(release, "period", "youth_rate_per_10k")
        if rate is not None:
            ci = fmt_interval(rate.get("ci_low"), rate.get("ci_high"), "rate", lang)
            out.append(
                text(
                    lang,
                    "s_youth_rate",
                    rate=fmt_value(rate["value"], "rate", lang),
                    ci=ci or text(lang, "not_defined"),
                )
            )
    else:
        out.append(text(lang, "s_youth_supp", period=period, ages=ages, T=release.min_count))
    before = _shown(release, "same_period_last_year", "persons_youth")
    if before is not None:
        label = scope_label(release, "same_period_last_year")
        n_before = fmt_value(before["value"], "int", lang)
        if youth is not None:
            diff = float(youth["value"]) - float(before["value"])
            key = (
                "s_compare_more"
                if diff > 0
                else "s_compare_fewer"
                if diff < 0
                else ("s_compare_same")
            )
        else:
            key = "s_compare_only"
        out.append(text(lang, key, label=label, n=n_before))
        if youth is not None and key != "s_compare_same":
            out.extend(_chance_sentence(release))
    rolling = _shown(release, "rolling_12_months", "persons_youth")
    if rolling is not None:
        out.append(
            text(
                lang,
                "s_rolling",
                label=scope_label(release, "rolling_12_months"),
                n=fmt_value(rolling["value"], "int", lang),
            )
        )
    new = _shown(release, "period", "new_persons_youth")
    if new is not None and youth is not None:
        out.append(text(lang, "s_new_youth", n=fmt_value(new["value"], "int", lang)))
    alarm = _alarm_sentence(release)
    if alarm:
        out.append(alarm)
    trend = _shown(release, "period", "youth_trend_annual_change")
    if trend is not None:
        ci = fmt_interval(trend.get("ci_low"), trend.get("ci_high"), "signed_percent", lang)
        out.append(
            text(
                lang,
                "s_trend",
                change=fmt_value(trend["value"], "signed_percent", lang),
                ci=ci or text(lang, "not_defined"),
            )
        )
        if _straddles_zero(trend):
            out.append(text(lang, "s_trend_unclear"))
    elif (indicator(release, "period", "youth_trend_annual_change") or {}).get(
        "suppressed"
    ) is False:
        out.append(text(lang, "s_trend_undefined"))
    return out


def gender_sentences(release: PublicRelease) -> list[str]:
    """The share of women among young people in P and over the last 12 months."""
    lang, ages = release.language, ages_text(release)
    out: list[str] = []
    share = _shown(release, "period", "female_share_youth")
    if share is not None:
        ci = fmt_interval(share.get("ci_low"), share.get("ci_high"), "percent", lang)
        out.append(
            text(
                lang,
                "s_female_youth",
                share=fmt_value(share["value"], "percent", lang),
                ci=ci or text(lang, "not_defined"),
            )
        )
    elif (indicator(release, "period", "female_share_youth") or {}).get("suppressed"):
        out.append(
            text(
                lang,
                "s_female_youth_supp",
                period=scope_label(release, "period"),
                ages=ages,
                T=release.min_count,
            )
        )
    rolling = _shown(release, "rolling_12_months", "female_share_youth")
    if rolling is not None:
        ci = fmt_interval(rolling.get("ci_low"), rolling.get("ci_high"), "percent", lang)
        out.append(
            text(
                lang,
                "s_female_youth_rolling",
                label=scope_label(release, "rolling_12_months"),
                share=fmt_value(rolling["value"], "percent", lang),
                ci=ci or text(lang, "not_defined"),
            )
        )
    return out


def persons_sentences(release: PublicRelease) -> list[str]:
    """All persons reported in P."""
    lang, out = release.language, []
    persons = _shown(release, "period", "persons")
    if persons is not None:
        out.append(
            text(
                lang,
                "s_persons",
                n=fmt_value(persons["value"], "int", lang),
                period=scope_label(release, "period"),
            )
        )
    return out


def _straddles_zero(ind: dict[str, Any]) -> bool:
    """Whether a published change's interval holds both a decrease and an increase."""
    low, high = ind.get("ci_low"), ind.get("ci_high")
    if low is None or high is None or is_missing(low) or is_missing(high):
        return False
    return float(low) < 0 < float(high)


def source_lines(release: PublicRelease) -> list[str]:
    """Where the data come from: ``release.sources``, or the standard wording (the activity
    file too when the release has its effort figures)."""
    if release.sources:
        return list(release.sources)
    lang = release.language
    lines = [
        text(lang, "source_police", municipality=release.municipality),
        text(lang, "source_population"),
    ]
    if release.effort is not None and release.effort.known:
        lines.append(text(lang, "source_activity"))
    return lines


def cell_key_text(release: PublicRelease) -> str:
    """The method paragraph of the cell-key method: its table and its posterior risk
    (:meth:`~risk_indicators.cube.PerturbationTable.posterior`, the attacker who knows the
    table and nothing else)."""
    from risk_indicators.cube import PerturbationTable

    d, v, bands = release.noise or (2, 1.0, 3)
    table = PerturbationTable(max_deviation=d, variance=v)
    worst = max(float(table.posterior(j).max()) for j in range(1, 2 * d + 3))
    lang = release.language
    zero = fmt_value(float(table.posterior(0).iloc[0]), "percent", lang, decimals=0)
    return text(lang, "method_disclosure_cell_key", D=d, Y=d * bands, bands=bands, zero=zero,
                V=fmt_value(v, "rate", lang), worst=fmt_value(worst, "percent", lang,
                                                          decimals=0))  # fmt: skip


def dash_meaning(release: PublicRelease) -> list[str]:
    """What a shown number or a dash means, for the reader (the last item alone in short
    texts)."""
    lang = release.language
    if release.noise is not None:
        d, _, bands = release.noise
        return [text(lang, "meaning_perturbed", D=d, Y=d * bands, bands=bands)]
    return [text(lang, "meaning_zero"), text(lang, "meaning_suppressed", T=release.min_count)]
