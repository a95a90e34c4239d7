"""The short follow-up text, ready to paste into the police's published follow-up.

Markdown in the style of a published "uppföljning av medborgarlöfte": a title, the promise in
one sentence, what happened with young people and with the gender distribution, the goal, and
what to keep in mind. It uses the same sentences as the HTML summary, so the two never disagree.
"""

from __future__ import annotations

from .effort import detection_sentences, effort_sentences
from .labels import text
from .model import PublicRelease
from .summary import (
    gender_sentences,
    goal_sentences,
    persons_sentences,
    source_lines,
    youth_sentences,
)

__all__ = ["render_followup_md"]


def render_followup_md(release: PublicRelease) -> str:
    """Render the follow-up text as Markdown in ``release.language``.

    Examples
    --------
    The first line is the title, e.g.
    ``# Medborgarlöfte Vaggeryd: uppföljning av narkotikabrott, tertial 1 2024 (jan-apr)``.
    """
    lang = release.language
    period = release.period.label_sv(long=True) if lang == "sv" else release.period.label_en()
    draft = text(lang, "draft_prefix") if release.draft else ""
    parts = [
        f"# {draft}{text(lang, 'md_title', municipality=release.municipality, period=period)}",
        text(lang, "draft_note") if release.draft else "",
        text(lang, "md_intro"),
        f"## {text(lang, 'md_youth')}",
        " ".join(youth_sentences(release) + persons_sentences(release)),
        f"## {text(lang, 'md_gender')}",
    ]
    gender = gender_sentences(release)
    # residents read this text: the shares and counts, without the log-odds
    decomposition = release.sentences.get("decomposition_plain", "")
    if decomposition:
        gender.append(decomposition)
    if gender:
        parts.append(" ".join(gender))
    goal = goal_sentences(release, rule="short")
    if goal:
        parts.append(" ".join(goal))
    # issue 16: what was done, and what changes when effort is taken into account
    parts += [
        f"## {text(lang, 'sec_effort')}",
        " ".join(effort_sentences(release) + detection_sentences(release)),
    ]
    parts += [
        f"## {text(lang, 'md_caution')}",
        text(lang, "meaning_police"),
        text(lang, "meaning_chance"),
        text(lang, "meaning_suppressed", T=release.min_count),
        "---",
        " ".join(
            [
                text(lang, "md_more"),
                *source_lines(release),
                text(lang, "version_text", version=release.version or "?"),
            ]
        ),
    ]
    return "\n\n".join(p for p in parts if p) + "\n"
