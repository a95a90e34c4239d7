"""The report's figures as PNG and SVG bytes, drawn with matplotlib's Agg canvas.

The figures plot the public tables as they are; nothing is estimated here. They are
deterministic: no pyplot state, fixed ``svg.hashsalt``, text as paths, and no date or software
metadata, so the same release gives the same bytes. Colours are the Okabe-Ito palette, which
stays distinguishable with the common colour-vision deficiencies, and every series also differs
by marker or line style.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any

import matplotlib
import numpy as np
import pandas as pd
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter

from risk_indicators.periods import parse_period

from .effort_figure import effort_figure
from .formatting import Lang, fmt_value, is_missing, short_period_text, window_end
from .labels import text
from .model import PublicRelease, table

__all__ = ["FIGURE_NAMES", "OKABE_ITO", "make_figures"]

#: Okabe & Ito (2008) colour-blind safe palette.
OKABE_ITO: dict[str, str] = {
    "black": "#000000",
    "orange": "#E69F00",
    "sky_blue": "#56B4E9",
    "bluish_green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "reddish_purple": "#CC79A7",
}
FIGURE_NAMES: tuple[str, ...] = ("youth_rate", "female_share")

# typed Any: matplotlib types the keys as a Literal of every rc name
_RC: Any = {
    "svg.hashsalt": "risk_indicators",
    "svg.fonttype": "path",
    "font.family": "DejaVu Sans",
    "font.size": 9,
    "axes.spines.top": False,
    "axes.spines.right": False,
}
_SIZE = (8.0, 5.0)
_DPI = 150
_MAX_TICKS = 12


def _floats(values: pd.Series) -> np.ndarray:
    """Numbers as floats with NaN for missing values (matplotlib draws gaps there)."""
    return np.array([np.nan if is_missing(v) else float(v) for v in values], dtype=float)


def _positions(codes: Sequence[str]) -> dict[str, int]:
    """x position of each period code, in time order."""
    known = {}
    for code in dict.fromkeys(codes):
        try:
            known[code] = parse_period(code).ordinal
        except ValueError:
            continue
    ordered = sorted(known, key=lambda c: known[c])
    return {code: i for i, code in enumerate(ordered)}


def _period_axis(ax: Any, pos: dict[str, int], lang: Lang) -> None:
    codes = list(pos)
    step = max(1, -(-len(codes) // _MAX_TICKS))
    shown = codes[::-1][::step][::-1]  # always label the latest period
    ax.set_xticks([pos[c] for c in shown])
    ax.set_xticklabels([short_period_text(c, lang).replace(" ", "\n") for c in shown])
    if codes:
        ax.set_xlim(-0.6, len(codes) - 0.4)


def _no_data(ax: Any, lang: Lang) -> None:
    ax.text(
        0.5,
        0.5,
        text(lang, "fig_no_data"),
        ha="center",
        va="center",
        transform=ax.transAxes,
        color=OKABE_ITO["black"],
    )
    ax.set_xticks([])
    ax.set_yticks([])


def _errorbar(
    ax: Any, x: np.ndarray, y: np.ndarray, lo: np.ndarray, hi: np.ndarray, **kwargs: Any
) -> None:
    ok = ~np.isnan(y)
    if not ok.any():
        return
    low = np.where(np.isnan(lo[ok]), y[ok], lo[ok])
    high = np.where(np.isnan(hi[ok]), y[ok], hi[ok])
    ax.errorbar(
        x[ok],
        y[ok],
        yerr=[y[ok] - low, high - y[ok]],
        capsize=3,
        linestyle="none",
        clip_on=False,
        zorder=4,
        **kwargs,
    )


def _finish(fig: Figure, ax: Any, lang: Lang, *, gaps: bool) -> None:
    """Legend below the axes (never over the data), grid, and the note on missing points."""
    ax.grid(axis="y", color="#DDDDDD", linewidth=0.6)
    handles, labels = ax.get_legend_handles_labels()
    bottom = 0.16 if gaps else 0.12
    fig.legend(
        handles,
        labels,
        loc="lower left",
        bbox_to_anchor=(0.01, 0.06 if gaps else 0.01),
        ncols=min(4, max(1, len(labels))),
        frameon=False,
        fontsize=8,
    )
    if gaps:
        fig.text(0.01, 0.01, text(lang, "fig_gaps"), ha="left", va="bottom", fontsize=7)
    fig.tight_layout(rect=(0, bottom, 1, 1))


def _youth_figure(release: PublicRelease) -> Figure:
    lang = release.language
    ages = f"{release.youth_ages[0]}-{release.youth_ages[1]}"
    df = table(release, "youth_by_period")
    fig = Figure(figsize=_SIZE, dpi=_DPI)
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    ax.set_title(text(lang, "fig_youth_title", ages=ages), loc="left")
    pos = _positions([str(c) for c in df["period"]])
    df = df.loc[df["period"].astype(str).isin(pos)]
    x = np.array([pos[str(c)] for c in df["period"]], dtype=float)
    rate, fitted = _floats(df["rate_per_10k"]), _floats(df["fitted_rate"])
    if np.isnan(rate).all() and np.isnan(fitted).all():
        _no_data(ax, lang)
        return fig
    flo, fhi = _floats(df["fitted_low"]), _floats(df["fitted_high"])
    if not np.isnan(flo).all():
        ax.fill_between(
            x,
            flo,
            fhi,
            color=OKABE_ITO["sky_blue"],
            alpha=0.35,
            linewidth=0,
            label=text(lang, "fig_band"),
        )
    if not np.isnan(fitted).all():
        ax.plot(x, fitted, color=OKABE_ITO["blue"], linewidth=1.8, label=text(lang, "fig_fitted"))
    _errorbar(
        ax,
        x,
        rate,
        _floats(df["ci_low"]),
        _floats(df["ci_high"]),
        marker="o",
        color=OKABE_ITO["black"],
        markersize=4,
        label=text(lang, "fig_observed"),
    )
    alarm = np.array([v is True or (not is_missing(v) and bool(v)) for v in df["alarm"]])
    hit = alarm & ~np.isnan(rate)
    if hit.any():
        ax.scatter(
            x[hit],
            rate[hit],
            marker="^",
            s=90,
            color=OKABE_ITO["vermillion"],
            clip_on=False,
            edgecolor=OKABE_ITO["black"],
            zorder=5,
            label=text(lang, "fig_alarm"),
        )
    ax.set_ylabel(text(lang, "fig_youth_ylabel", ages=ages))
    ax.set_ylim(bottom=0)
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: fmt_value(v, "rate", lang, decimals=0)))
    _period_axis(ax, pos, lang)
    _finish(fig, ax, lang, gaps=bool(np.isnan(rate).any()))
    return fig


def _female_figure(release: PublicRelease) -> Figure:
    lang = release.language
    ages = f"{release.youth_ages[0]}-{release.youth_ages[1]}"
    df = table(release, "female_share")
    fig = Figure(figsize=_SIZE, dpi=_DPI)
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    ax.set_title(text(lang, "fig_female_title", ages=ages), loc="left")
    per = df.loc[df["scope"] == "period"]
    roll = df.loc[df["scope"] == "rolling_12_months"]
    ends = [window_end(str(c)) for c in roll["period"]]
    pos = _positions([str(c) for c in per["period"]] + ends)
    per = per.loc[per["period"].astype(str).isin(pos)]
    keep = [e in pos for e in ends]
    roll, ends = roll.loc[keep], [e for e, k in zip(ends, keep, strict=True) if k]
    y_per, y_roll = _floats(per["estimate"]), _floats(roll["estimate"])
    if np.isnan(y_per).all() and np.isnan(y_roll).all():
        _no_data(ax, lang)
        return fig
    x_per = np.array([pos[str(c)] for c in per["period"]], dtype=float)
    x_roll = np.array([pos[e] for e in ends], dtype=float)
    if not np.isnan(y_roll).all():
        ax.fill_between(
            x_roll,
            _floats(roll["ci_low"]),
            _floats(roll["ci_high"]),
            color=OKABE_ITO["orange"],
            alpha=0.25,
            linewidth=0,
        )
        ax.plot(
            x_roll, y_roll, color=OKABE_ITO["orange"], linewidth=2, label=text(lang, "fig_rolling")
        )
    _errorbar(
        ax,
        x_per,
        y_per,
        _floats(per["ci_low"]),
        _floats(per["ci_high"]),
        marker="o",
        color=OKABE_ITO["blue"],
        markersize=4,
        label=text(lang, "fig_period_points"),
    )
    tops = [np.nanmax(np.r_[y_per, y_roll, _floats(per["ci_high"]), _floats(roll["ci_high"])])]
    for key, style, colour in (
        ("benchmark_female_share", "--", OKABE_ITO["bluish_green"]),
        ("target_female_share", ":", OKABE_ITO["reddish_purple"]),
    ):
        value = release.goal.get(key)
        if not isinstance(value, int | float) or is_missing(value):
            continue
        name = "fig_benchmark" if key.startswith("benchmark") else "fig_target"
        label = text(lang, name, value=fmt_value(value, "percent", lang, decimals=0))
        ax.axhline(float(value), linestyle=style, color=colour, linewidth=1.6, label=label)
        tops.append(float(value))
    ax.set_ylim(0, min(1.0, float(np.nanmax(tops)) + 0.1))
    ax.set_ylabel(text(lang, "fig_female_ylabel"))
    ax.yaxis.set_major_formatter(
        FuncFormatter(lambda v, _: fmt_value(v, "percent", lang, decimals=0))
    )
    _period_axis(ax, pos, lang)
    _finish(fig, ax, lang, gaps=bool(np.isnan(y_per).any() or np.isnan(y_roll).any()))
    return fig


def _bytes(fig: Figure) -> tuple[bytes, str]:
    png, svg = io.BytesIO(), io.BytesIO()
    fig.savefig(png, format="png", dpi=_DPI, metadata={"Software": None})
    fig.savefig(svg, format="svg", metadata={"Date": None, "Creator": None})
    return png.getvalue(), svg.getvalue().decode("utf-8")


def make_figures(release: PublicRelease) -> dict[str, tuple[bytes, str]]:
    """Draw the report's figures.

    Figures
    -------
    ``youth_rate``
        Young people per 10,000 inhabitants per period with 95% intervals, the fitted trend
        with its band, and alarms marked (from ``youth_by_period``).
    ``female_share``
        Share of women among young people per period (points with intervals) and over rolling
        12 months (line with band), with the benchmark and the goal as horizontal lines.
    ``effort``
        Only with activity data: activity hours per period by activity, with the young
        people reported (:mod:`risk_indicators.report.effort_figure`).

    Periods whose value is suppressed or not defined are left out (a gap), and the figure says
    so; a table without any value gives a figure that says "no publishable values".

    Returns
    -------
    dict
        Name -> ``(png_bytes, svg_text)``; identical for identical releases.
    """
    out: dict[str, tuple[bytes, str]] = {}
    with matplotlib.rc_context(_RC):
        for name, draw in (("youth_rate", _youth_figure), ("female_share", _female_figure)):
            out[name] = _bytes(draw(release))
        if release.effort is not None and release.effort.known:  # issue 16
            out["effort"] = _bytes(effort_figure(release))
    return out
