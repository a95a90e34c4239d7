"""The figure of the section "What was done" (issue 16): activity hours per period, stacked by
activity, with the young persons reported as a line on a second axis.

Plots the public tables as they are (``effort_activities`` of the effort view, the published
``persons_youth`` of ``youth_by_period``); a hidden count is a gap in the line. Deterministic
like the report's other figures (:mod:`risk_indicators.report.figures`).
"""

from __future__ import annotations

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from risk_indicators.intake import HOURS_UNIT
from risk_indicators.periods import parse_period

from .formatting import is_missing, short_period_text
from .labels import code_label, text
from .model import PublicRelease, table

__all__ = ["effort_figure"]

#: Okabe & Ito colours (as the report's other figures), one per activity in order.
_COLOURS = ("#56B4E9", "#E69F00", "#009E73", "#CC79A7", "#F0E442", "#0072B2", "#D55E00")
_SIZE, _DPI, _MAX_TICKS = (8.0, 5.0), 150, 12


def effort_figure(release: PublicRelease) -> Figure:
    """Hours per period by activity (bars) and the young persons reported (line)."""
    lang, ages = release.language, f"{release.youth_ages[0]}-{release.youth_ages[1]}"
    fig = Figure(figsize=_SIZE, dpi=_DPI)
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    ax.set_title(text(lang, "fig_effort_title", ages=ages), loc="left")
    youth = table(release, "youth_by_period")
    acts = release.effort.table("effort_activities") if release.effort is not None else None
    codes = [str(c) for c in youth["period"]]
    if acts is not None:
        codes += [str(c) for c in acts["period"]]
    order = sorted(set(codes), key=lambda c: parse_period(c).ordinal)
    order = [c for c in order if parse_period(c).ordinal <= release.period.ordinal]
    pos = {c: i for i, c in enumerate(order)}
    x = np.arange(len(order), dtype=float)
    if acts is not None:
        hours = acts.loc[(acts["unit"] == HOURS_UNIT) & acts["period"].astype(str).isin(pos)]
        wide = hours.pivot_table(index="period", columns="activity", values="amount",
                                 aggfunc="sum").reindex(order).fillna(0.0)  # fmt: skip
        bottom = np.zeros(len(order))
        for i, name in enumerate(wide.columns):
            values = wide[name].to_numpy(dtype=float)
            ax.bar(x, values, bottom=bottom, width=0.75, color=_COLOURS[i % len(_COLOURS)],
                   label=code_label(lang, "activity", name))  # fmt: skip
            bottom += values
    ax.set_ylabel(text(lang, "fig_effort_ylabel"))
    right = ax.twinx()
    persons = np.full(len(order), np.nan)
    for c, v in zip(youth["period"].astype(str), youth["persons_youth"], strict=True):
        if c in pos and not is_missing(v):
            persons[pos[c]] = float(v)
    right.plot(x, persons, color="#000000", marker="o", markersize=4, linewidth=1.5,
               label=text(lang, "fig_effort_persons"))  # fmt: skip
    right.set_ylabel(text(lang, "fig_effort_right"))
    right.set_ylim(bottom=0)
    step = max(1, -(-len(order) // _MAX_TICKS))
    shown = order[::-1][::step][::-1]
    ax.set_xticks([pos[c] for c in shown])
    ax.set_xticklabels([short_period_text(c, lang).replace(" ", "\n") for c in shown])
    if order:
        ax.set_xlim(-0.6, len(order) - 0.4)
    ax.grid(axis="y", color="#DDDDDD", linewidth=0.6)
    handles, labels = ax.get_legend_handles_labels()
    h2, l2 = right.get_legend_handles_labels()
    fig.legend(handles + h2, labels + l2, loc="lower left", bbox_to_anchor=(0.01, 0.01),
               ncols=min(4, max(1, len(labels) + len(l2))), frameon=False, fontsize=8)  # fmt: skip
    fig.tight_layout(rect=(0, 0.14, 1, 1))
    return fig
