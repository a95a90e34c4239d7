"""The section "Vad som gjordes" / "What was done" (issue 16): sentences and tables.

Renders :attr:`PublicRelease.effort <risk_indicators.report.PublicRelease.effort>` and the
effort indicators of ``indicators.json``; computes nothing. Without an effort view (no
activity file) the section says that the police effort is unknown. The sentences compare the
published intervals with 0 to say plainly what changes when effort is taken into account.
"""

from __future__ import annotations

from typing import Any

from risk_indicators.intake import HOURS_UNIT
from risk_indicators.periods import parse_period

from ._effort_model import EffortView
from .content import Cell, TableView, _finish, _interval, _label, _num
from .formatting import ValueKind, fmt_interval, fmt_value, is_missing, period_text
from .labels import code_label, text
from .model import PublicRelease
from .summary import ages_text, indicator

__all__ = ["detection_sentences", "effort_sentences", "effort_tables", "effort_view"]


def _amount(release: PublicRelease, value: Any, unit: Any) -> Cell:
    """An activity amount: hours always with one decimal (a column of hours reads alike:
    401,0 beside 397,8), occasions and other counts without decimals when whole."""
    whole = not is_missing(value) and float(value).is_integer()
    kind: ValueKind = "int" if whole and unit != HOURS_UNIT else "rate"
    return _num(release, value, kind, suppressed=False, main=False)


def _view(release: PublicRelease) -> EffortView | None:
    ev = release.effort
    return ev if ev is not None and ev.known else None


def _terms(ev: EffortView) -> dict[str, dict[str, Any]]:
    t = ev.table("effort_trend")
    return {str(r["term"]): r for r in t.to_dict("records")}


def _certain(row: dict[str, Any] | None) -> bool | None:
    """Whether a published interval excludes 0 (None when it is not published)."""
    if row is None or is_missing(row.get("ci_low")) or is_missing(row.get("ci_high")):
        return None
    return bool(row["ci_low"] > 0 or row["ci_high"] < 0)


def _trend_sentences(release: PublicRelease, ev: EffortView) -> list[str]:
    lang, p = release.language, release.period.code
    if ev.status == "flat":
        return [text(lang, "eff_flat")]
    if ev.status != "ok":
        key = {"last_unknown": "eff_last_unknown", "in_step": "eff_in_step"}.get(
            ev.status, "eff_insufficient")  # fmt: skip
        return [text(lang, key, period=period_text(p, lang))]
    terms = _terms(ev)
    adj, same = terms.get("annual_change_effort_adjusted"), terms.get("annual_change_same_periods")
    if adj is None or same is None or is_missing(adj["estimate"]):
        return [text(lang, "eff_insufficient")]
    span = "–".join(period_text(c, lang) for c in ev.periods)
    out = [text(lang, "eff_trend",
                adj=fmt_value(adj["estimate"], "signed_percent", lang),
                ci=fmt_interval(adj["ci_low"], adj["ci_high"], "signed_percent", lang),
                unadj=fmt_value(same["estimate"], "signed_percent", lang),
                uci=fmt_interval(same["ci_low"], same["ci_high"], "signed_percent", lang),
                span=span)]  # fmt: skip
    a, u = _certain(adj), _certain(same)
    if a is not None and u is not None:
        out.append(
            text(
                lang,
                {
                    (False, True): "eff_gone",
                    (True, True): "eff_stays",
                    (True, False): "eff_new",
                    (False, False): "eff_unclear",
                }[(a, u)],
            )
        )
    g = terms.get("effort_elasticity")
    if g is not None and not is_missing(g["estimate"]) and not is_missing(g["ci_low"]):
        out.append(text(lang, "eff_elasticity", g=fmt_value(g["estimate"], "ratio", lang),
                        ci=fmt_interval(g["ci_low"], g["ci_high"], "ratio", lang)))  # fmt: skip
    return out


def effort_sentences(release: PublicRelease) -> list[str]:
    """The section's text: the promise, the effort of P, the trend with and without effort."""
    lang, p = release.language, release.period.code
    out = [text(lang, "eff_intro")]
    ev = _view(release)
    if ev is None:
        return [*out, text(lang, "eff_unknown")]
    hours = ev.table("effort_hours")
    now = hours.loc[hours["period"].astype(str) == p, "hours"]
    if len(now) and not is_missing(now.iloc[0]):
        out.append(text(lang, "eff_hours", period=period_text(p, lang),
                        hours=fmt_value(now.iloc[0], "rate", lang)))  # fmt: skip
    per = indicator(release, "period", "youth_per_100_activity_hours")
    if per is not None and per.get("suppressed"):
        out.append(text(lang, "eff_per_hours_supp", T=release.min_count))
    elif per is not None and not is_missing(per.get("value")):
        out.append(
            text(
                lang,
                "eff_per_hours",
                rate=fmt_value(per["value"], "ratio", lang),
                ci=fmt_interval(per.get("ci_low"), per.get("ci_high"), "ratio", lang),
            )
        )
    return out + _trend_sentences(release, ev)


def detection_sentences(release: PublicRelease) -> list[str]:
    """The police-initiated share of the young, or why the split is not shown."""
    lang, p = release.language, release.period.code
    out = []
    share = indicator(release, "period", "police_initiated_share_youth")
    if share is not None and not share.get("suppressed") and not is_missing(share.get("value")):
        out.append(text(lang, "eff_share", period=period_text(p, lang),
                        share=fmt_value(share["value"], "percent", lang),
                        ci=fmt_interval(share.get("ci_low"), share.get("ci_high"), "percent",
                                        lang)))  # fmt: skip
    det = release.effort.table("effort_detection") if release.effort is not None else None
    if det is not None and len(det) and det["suppressed"].astype(bool).all():
        out.append(text(lang, "eff_detection_supp", T=release.min_count))
    return out


def _promise(release: PublicRelease, ev: EffortView) -> TableView:
    lang = release.language
    rows = []
    for r in ev.table("effort_promise").to_dict("records"):
        missing = is_missing(r["amount"])
        rows.append((
            _label(code_label(lang, "activity", r["activity"])),
            _label(code_label(lang, "area", r["area"])),
            Cell(text(lang, "eff_not_reported")) if missing
            else _amount(release, r["amount"], r["unit"]),
            _label("" if not r["unit"] else code_label(lang, "unit", r["unit"])),
            _label(text(lang, "yes" if bool(r["promised"]) else "no")),
        ))  # fmt: skip
    headers = [text(lang, k) for k in ("col_activity", "col_area", "col_amount", "col_unit",
                                       "col_promised")]  # fmt: skip
    caption = text(lang, "cap_effort_promise", period=period_text(release.period.code, lang))
    return _finish(release, "effort_promise", caption, headers, rows)


def _activities(release: PublicRelease, ev: EffortView) -> TableView:
    lang = release.language
    window = [q.code for q in parse_period(release.period.code).window()]
    df = ev.table("effort_activities")
    df = df.loc[df["period"].astype(str).isin(window)]
    periods = [c for c in window if c in set(df["period"].astype(str))]
    keys = list(dict.fromkeys(zip(df["area"], df["activity"], df["unit"], strict=True)))
    keys.sort(key=lambda k: (k[0] == "total", str(k[0]), str(k[1]), str(k[2])))
    rows = []
    for area, activity, unit in keys:
        part = df.loc[(df["area"] == area) & (df["activity"] == activity) & (df["unit"] == unit)]
        cells = [_label(code_label(lang, "area", area)),
                 _label(f"{code_label(lang, 'activity', activity)} "
                        f"({code_label(lang, 'unit', unit)})")]  # fmt: skip
        for p in periods:
            hit = part.loc[part["period"].astype(str) == p, "amount"]
            cells.append(_amount(release, hit.iloc[0], unit) if len(hit) else Cell(""))
        rows.append(tuple(cells))
    headers = [text(lang, "col_area"), text(lang, "col_activity")]
    headers += [period_text(p, lang) for p in periods]
    return _finish(release, "effort_activities", text(lang, "cap_effort_activities"), headers,
                   rows)  # fmt: skip


def _trend(release: PublicRelease, ev: EffortView) -> TableView:
    lang = release.language
    rows = []
    for r in ev.table("effort_trend").to_dict("records"):
        kind: Any = "ratio" if r["term"] == "effort_elasticity" else "signed_percent"
        rows.append((
            _label(code_label(lang, "term", r["term"])),
            _num(release, r["estimate"], kind, suppressed=False, main=True),
            _interval(release, r["ci_low"], r["ci_high"], kind, suppressed=False),
            _num(release, r["p_value"], "p", suppressed=False, main=False),
            _num(release, r["n"], "int", suppressed=False, main=False),
        ))  # fmt: skip
    headers = [text(lang, k) for k in ("col_term", "col_estimate", "col_ci", "col_p_value",
                                       "col_n")]  # fmt: skip
    return _finish(release, "effort_trend", text(lang, "cap_effort_trend"), headers, rows)


def _detection(release: PublicRelease) -> TableView | None:
    lang = release.language
    if release.effort is None:
        return None
    df = release.effort.table("effort_detection")
    if df.empty:
        return None
    rows = []
    for r in df.to_dict("records"):
        sup = bool(r["suppressed"])
        rows.append((_label(code_label(lang, "group", r["detection"])),
                     *(_num(release, r[c], "int", suppressed=sup, main=True)
                       for c in ("women", "men", "persons"))))  # fmt: skip
    headers = [text(lang, k) for k in ("col_detection", "col_women", "col_men",
                                       "col_women_and_men")]  # fmt: skip
    caption = text(lang, "cap_effort_detection", ages=ages_text(release),
                   period=period_text(release.period.code, lang))  # fmt: skip
    return _finish(release, "effort_detection", caption, headers, rows)


def effort_tables(release: PublicRelease) -> list[TableView]:
    """The section's tables in order: the promise, the activities, the trend, the young by
    detection mode (each only when it has something to show)."""
    ev = _view(release)
    out = [] if ev is None else [_promise(release, ev), _activities(release, ev)]
    if ev is not None and ev.status in ("ok", "flat"):
        out.append(_trend(release, ev))
    det = _detection(release)
    return out + ([det] if det is not None else [])


def effort_view(release: PublicRelease) -> dict[str, Any]:
    """What the template shows of the section (heading, text, tables, detection text)."""
    lang = release.language
    tables = effort_tables(release)
    detection = [t for t in tables if t.key == "effort_detection"]
    return {
        "heading": text(lang, "sec_effort"),
        "sentences": effort_sentences(release),
        "tables": [t for t in tables if t.key != "effort_detection"],
        "detection": detection[0] if detection else None,
        "detection_sentences": detection_sentences(release),
    }
