"""The short follow-up text, ready to paste into the police's published follow-up.

In the style of a published "uppföljning av medborgarlöfte": a title, the promise in one
sentence, what happened with young people and with the gender distribution, the goal, what was
done and what to keep in mind. It uses the same sentences as the HTML summary, so the two never
disagree. One list of blocks (:func:`followup_blocks`) is rendered three ways, so the three
files say the same: Markdown (``followup.md``), an HTML fragment for a web editor
(``followup.html``: headings, paragraphs and a rule, no styles or scripts) and plain text
(``followup.txt``, for an e-mail or a form that takes no markup).
"""

from __future__ import annotations

import html
import textwrap
from typing import Literal

from .effort import detection_sentences, effort_sentences
from .labels import text
from .model import PublicRelease
from .summary import (
    dash_meaning,
    gender_sentences,
    goal_sentences,
    persons_sentences,
    source_lines,
    youth_sentences,
)

__all__ = ["followup_blocks", "render_followup_html", "render_followup_md",
           "render_followup_txt"]  # fmt: skip

Kind = Literal["title", "heading", "text", "rule"]


def render_followup_md(release: PublicRelease) -> str:
    """Render the follow-up text as Markdown in ``release.language``.

    Examples
    --------
    The first line is the title, e.g.
    ``# Medborgarlöfte Vaggeryd: uppföljning av narkotikabrott, tertial 1 2024 (jan-apr)``.
    """
    marks = {"title": "# ", "heading": "## ", "text": "", "rule": ""}
    blocks = followup_blocks(release)
    return "\n\n".join(marks[kind] + (body or "---") for kind, body in blocks) + "\n"


def render_followup_html(release: PublicRelease) -> str:
    """The follow-up as an HTML fragment to paste into a web editor (``<h2>``, ``<h3>``,
    ``<p>``, ``<hr>``; every text escaped; no styles, scripts or links)."""
    tags = {"title": "h2", "heading": "h3", "text": "p"}
    lines = [
        "<hr>" if kind == "rule" else f"<{tags[kind]}>{html.escape(body)}</{tags[kind]}>"
        for kind, body in followup_blocks(release)
    ]
    return "\n".join(lines) + "\n"


def render_followup_txt(release: PublicRelease, *, width: int = 78) -> str:
    """The follow-up as plain text: the title and headings underlined, paragraphs wrapped at
    ``width`` characters, no markup."""
    out: list[str] = []
    for kind, body in followup_blocks(release):
        if kind == "rule":
            out.append("-" * 20)
        elif kind == "text":
            out.append(textwrap.fill(body, width=width, break_on_hyphens=False))
        else:
            out.append(f"{body}\n{('=' if kind == 'title' else '-') * len(body)}")
    return "\n\n".join(out) + "\n"


def followup_blocks(release: PublicRelease) -> list[tuple[Kind, str]]:
    """The follow-up as ``(kind, text)`` blocks: a title, headings, paragraphs and one rule
    (``""`` as its text) before the sources."""
    lang = release.language
    period = release.period.label_sv(long=True) if lang == "sv" else release.period.label_en()
    draft = text(lang, "draft_prefix") if release.draft else ""
    title = text(lang, "md_title", municipality=release.municipality, period=period)
    blocks: list[tuple[Kind, str]] = [
        ("title", f"{draft}{title}"),
        ("text", text(lang, "draft_note") if release.draft else ""),
        ("text", text(lang, "md_intro")),
        ("heading", text(lang, "md_youth")),
        ("text", " ".join(youth_sentences(release) + persons_sentences(release))),
        ("heading", text(lang, "md_gender")),
    ]
    gender = gender_sentences(release)
    # residents read this text: the shares and counts, without the log-odds
    decomposition = release.sentences.get("decomposition_plain", "")
    if decomposition:
        gender.append(decomposition)
    blocks.append(("text", " ".join(gender)))
    blocks.append(("text", " ".join(goal_sentences(release, rule="short"))))
    # issue 16: what was done, and what changes when effort is taken into account
    blocks += [
        ("heading", text(lang, "sec_effort")),
        ("text", " ".join(effort_sentences(release) + detection_sentences(release))),
        ("heading", text(lang, "md_caution")),
        ("text", text(lang, "meaning_police")),
        ("text", text(lang, "meaning_chance")),
        ("text", dash_meaning(release)[-1]),
        ("rule", ""),
        ("text", " ".join([
            text(lang, "md_more"),
            *source_lines(release),
            text(lang, "version_text", version=release.version or "?"),
        ])),
    ]  # fmt: skip
    return [(kind, body) for kind, body in blocks if body or kind == "rule"]
