"""The self-contained HTML follow-up report (jinja2, autoescaped).

Self-contained means one file that opens anywhere without a network: CSS inline, figures as
base64 PNG data, no script, no external address of any kind. The page is deterministic: the same
release gives the same bytes (no time stamps).
"""

from __future__ import annotations

import base64
from typing import Any

import jinja2

from .content import (
    checksum_table,
    cube_table,
    definitions,
    key_table,
    rows_table,
    simple_tables,
)
from .effort import effort_view
from .figures import make_figures
from .labels import text
from .model import PublicRelease
from .summary import (
    ages_text,
    cell_key_text,
    dash_meaning,
    goal_sentences,
    scope_label,
    source_lines,
    summary_sentences,
)

__all__ = ["render_html", "report_view"]

_ENV = jinja2.Environment(
    loader=jinja2.PackageLoader("risk_indicators.report", "templates"),
    autoescape=True,
    undefined=jinja2.StrictUndefined,
    keep_trailing_newline=True,
    trim_blocks=False,
    lstrip_blocks=False,
)


def report_view(release: PublicRelease, figures: dict[str, tuple[bytes, str]]) -> dict[str, Any]:
    """Everything the template shows, as text (the template adds no words of its own)."""
    lang, ages, t_count = release.language, ages_text(release), release.min_count
    goal_short, goal_full = goal_sentences(release, full=False), goal_sentences(release)
    long_period = release.period.label_sv(long=True) if lang == "sv" else release.period.label_en()
    fig_alt = {"youth_rate": "fig_youth_alt", "female_share": "fig_female_alt",
               "effort": "fig_effort_alt"}  # fmt: skip
    area_tables = [t for t in (cube_table(release, "area"), cube_table(release, "age_band")) if t]
    if release.noise is not None:  # the cell-key method: nothing hidden, every count changed
        disclosure = [cell_key_text(release), text(lang, "perturbed_text")]
    else:
        disclosure = [text(lang, "method_disclosure", T=t_count, T1=t_count - 1)]
        disclosure.append(
            text(lang, "suppressed_count_text", k=release.suppressed_count)
            if release.suppressed_count
            else text(lang, "suppressed_none_text")
        )
        disclosure.append(text(lang, "footnote_suppressed", T=t_count))
    return {
        "lang": lang,
        "title": (text(lang, "draft_prefix") if release.draft else "") + text(lang, "title"),
        "subtitle": text(lang, "subtitle", municipality=release.municipality, period=long_period),
        "intro": text(
            lang, "intro", municipality=release.municipality, period=scope_label(release, "period")
        ),
        "published_note": text(lang, "draft_note" if release.draft else "published_note"),
        "h": {
            "summary": text(lang, "sec_summary"),
            "youth": text(lang, "sec_youth", ages=ages),
            "gender": text(lang, "sec_gender"),
            "fairness": text(lang, "sec_fairness"),
            "meaning": text(lang, "sec_meaning"),
            "method": text(lang, "sec_method"),
            "goal": text(lang, "sub_goal"),
            "goal_rule": text(lang, "sub_goal_rule"),
            "areas": text(lang, "sub_areas"),
            "definitions": text(lang, "sub_definitions"),
            "methods": text(lang, "sub_methods"),
            "disclosure": text(lang, "sub_disclosure"),
            "rows": text(lang, "sub_rows"),
            "notes": text(lang, "sub_notes"),
            "sources": text(lang, "sub_sources"),
        },
        "summary_sentences": summary_sentences(release),
        "goal_short": goal_short,
        "goal_sentences": goal_full,
        # the gender section adds only what the summary's goal does not say (no paragraph twice)
        "goal_rule_sentences": goal_full[len(goal_short) :],
        "key_table": key_table(release),
        "area_tables": area_tables,
        "more_tables": text(lang, "more_tables"),
        "tables": simple_tables(release),
        "figures": {
            name: {
                "png": base64.b64encode(png).decode("ascii"),
                "alt": text(lang, fig_alt.get(name, "fig_youth_alt")),
            }
            for name, (png, _svg) in figures.items()
        },
        "decomposition": release.sentences.get("decomposition", ""),
        "effort": effort_view(release),  # issue 16: "Vad som gjordes" / "What was done"
        "meaning": [
            text(lang, "meaning_police"),
            text(lang, "meaning_chance"),
            text(lang, "meaning_arrows"),
            *dash_meaning(release),
            text(lang, "meaning_counting"),
            text(lang, "meaning_benchmark"),
        ],
        "definitions": definitions(release),
        "methods": [
            text(lang, k)
            for k in (
                "method_wilson",
                "method_poisson",
                "method_katz",
                "method_trend",
                "method_female_trend",
                "method_comparison",
                "method_alarm",
                "method_effort",
            )
        ],
        "disclosure": disclosure,
        "rows_table": rows_table(release),
        "notes": list(release.notes),
        "sources": source_lines(release),
        "version": text(lang, "version_text", version=release.version or "?"),
        "checksum_table": checksum_table(release),
        "no_rows": text(lang, "no_rows"),
    }


def render_html(
    release: PublicRelease, *, figures: dict[str, tuple[bytes, str]] | None = None
) -> str:
    """Render the follow-up report as one self-contained HTML page.

    Parameters
    ----------
    release
        The public data of the release; only these figures are shown.
    figures
        Output of :func:`risk_indicators.report.make_figures` when already drawn (saves
        drawing twice); drawn here otherwise.

    Returns
    -------
    str
        The HTML text (UTF-8 when written), in ``release.language``.
    """
    figs = figures if figures is not None else make_figures(release)
    return _ENV.get_template("report.html.j2").render(**report_view(release, figs))
