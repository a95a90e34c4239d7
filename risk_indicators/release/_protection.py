"""The publication design of a follow-up and its disclosure control.

A follow-up publishes a designed set of tables (in the manner of tau-ARGUS linked tables), not
the cube: what the promise's follow-up needs and no more (the full cube stays in
``internal/``). :func:`publication_design` names every count it shows and the public table it
appears in:

=====================  =============================================================
table                  counts
=====================  =============================================================
``youth_by_period``    the young persons (youth bands, all areas and genders) of every
                       period: the youth series, its rate, trend and alarms
``persons_by_age``     persons by age band (all areas and genders) of P and of the same
                       period a year earlier, with the total
``persons_by_area``    persons by area (all ages and genders), the same periods
``persons_by_gender``  persons by gender (all areas and ages), the same periods
``youth_by_gender``    the young women and men of the same periods (with the cell-key
                       method: of every period, which the share's trend uses)
``new_youth``          P's young persons not reported in the 24 months before P
``youth_12m``          for each 12-month window ending with P, a year earlier, two years
                       earlier, ... (:func:`risk_indicators.analysis.followup_windows`):
                       the young, young women and young men, and all persons, women and
                       men of the window
=====================  =============================================================

Each table of each period is its own unit for the rule on zeros (``protect(zeros=
"per_table")``): a zero is shown only in a table without a dash, so a dash never proves that
someone was reported. Every other count (every cell, margin and derived count of the cube
and of those windows, such as the young of unknown gender) is not shown and is protected all
the same: the audit proves that none in 1..T-1 can be narrowed down, also together with the
earlier releases in the ledger. The rows used (published in the data-quality section) are
every period's reports, a known sum the audit knows too.

Why these windows: the 12-month windows of the goal do not overlap, so the female share of
the young and its trend use every young person once, and publishing the tertial counts of
young women (one to six at Vaggeryd) is never needed; a window ending in another tertial was
published by that tertial's follow-up (the audit knows it from the ledger).
"""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd

from risk_indicators.analysis import Analysis, detail_periods, followup_windows
from risk_indicators.cube import TOTAL, CountName, perturbation_of, window_block
from risk_indicators.disclosure import (
    DerivedCount,
    Ledger,
    Protection,
    PublishedTotal,
    default_priority,
    perturbed_release,
    protect,
)
from risk_indicators.errors import LedgerError
from risk_indicators.periods import window_label

__all__ = ["check_one_method", "followup_priority", "protect_analysis", "publication_design",
           "published_windows"]  # fmt: skip

#: The derived counts of the young: name -> the gender summed (all youth bands and areas).
YOUTH_COUNTS = {"youth": TOTAL, "youth_women": "kvinna", "youth_men": "man",
                "youth_unknown": "okänt"}  # fmt: skip
#: Published of the young by gender (the young of unknown gender are not: protected only).
SHOWN_SPLIT = ("youth_women", "youth_men")


def published_windows(analysis: Analysis) -> pd.DataFrame | None:
    """The 12-month window cube of the windows the release reports
    (:func:`risk_indicators.analysis.followup_windows`)."""
    if analysis.windows is None:
        return None
    wanted = [window_label(p) for p in followup_windows(analysis.period, analysis.windows)]
    chosen = analysis.windows.loc[analysis.windows["period"].isin(wanted)]
    return chosen.reset_index(drop=True) if len(chosen) else None


def _window_blocks(analysis: Analysis) -> dict[str, tuple[str, list[str]]]:
    """Window label -> (its block, the periods it covers) for the reported windows."""
    out = {}
    for end in followup_windows(analysis.period, analysis.windows):
        periods = [q.code for q in end.window()]
        out[window_label(end)] = (window_block(periods), periods)
    return out


def publication_design(analysis: Analysis) -> dict[CountName, str]:
    """Every count the follow-up shows, with its public table (see the module docstring;
    the table of a period's breakdown is named ``"<table> <period>"``)."""
    design: dict[CountName, str] = {}
    cube_periods = [str(p) for p in analysis.cube["period"].unique()]
    perturbed = analysis.perturbed
    for p in cube_periods:
        design[CountName.derived_count("youth", p)] = "youth_by_period"
        if perturbed:  # every period's split (the share's trend uses it), noise protects it
            for name in SHOWN_SPLIT:
                design[CountName.derived_count(name, p)] = f"youth_by_gender {p}"
    cfg = analysis.config
    areas = sorted({str(a) for a in analysis.cube["area"]} - {TOTAL})
    genders = sorted({str(g) for g in analysis.cube["gender"]} - {TOTAL})
    for p in detail_periods(analysis.period, cube_periods):
        design[CountName("persons", p)] = f"persons_by_age {p}"
        for band in cfg.age_band_labels:
            design[CountName("persons", p, age_band=band)] = f"persons_by_age {p}"
        for area in areas:
            design[CountName("persons", p, area=area)] = f"persons_by_area {p}"
        for gender in genders:
            design[CountName("persons", p, gender=gender)] = f"persons_by_gender {p}"
        for name in SHOWN_SPLIT:
            design[CountName.derived_count(name, p)] = f"youth_by_gender {p}"
    if "new_persons_youth" in analysis.results["period"]:
        design[CountName.derived_count("new_youth", analysis.period.code)] = "new_youth"
    for block, _ in _window_blocks(analysis).values():
        for name in ("youth", *SHOWN_SPLIT):
            design[CountName.derived_count(name, block)] = "youth_12m"
        for gender in (TOTAL, "kvinna", "man"):
            design[CountName("persons", block, gender=gender)] = "youth_12m"
    return design


def _derived_counts(analysis: Analysis, design: dict[CountName, str]) -> list[DerivedCount]:
    """The derived counts of the young in every period and reported window: the published
    ones and the rest (protected, not shown), and the period's new young. Perturbed counts
    (the cell-key method) carry their value: the sum of the perturbed band margins, as the
    figures compute it (the sum of the inner cells would be another, noisier value)."""
    cfg = analysis.config
    labels = {str(p): str(p) for p in analysis.cube["period"].unique()}
    labels.update({block: label for label, (block, _) in _window_blocks(analysis).items()})
    values = None
    if analysis.perturbed:
        both = [analysis.cube] + ([analysis.windows] if analysis.windows is not None else [])
        rows = pd.concat(both, ignore_index=True)
        rows = rows.loc[(rows["area"] == TOTAL) & rows["age_band"].isin(cfg.youth_bands)]
        values = rows.groupby(["period", "gender"], observed=True)["persons"].sum()
    extras = [
        DerivedCount(
            name,
            block,
            tuple((TOTAL, band, gender) for band in cfg.youth_bands),
            published=CountName.derived_count(name, block) in design,
            value=None if values is None else int(values.get((label, gender), 0)),
        )
        for block, label in labels.items()
        for name, gender in YOUTH_COUNTS.items()
    ]
    new = analysis.results["period"].get("new_persons_youth")
    if new is not None and isinstance(new.value, int):
        extras.append(
            DerivedCount(
                "new_youth",
                analysis.period.code,
                tuple((TOTAL, band, TOTAL) for band in cfg.youth_bands),
                value=new.value,
                bounded=True,
            )
        )
    return extras


def protect_analysis(analysis: Analysis, *, ledger: Ledger | None) -> Protection:
    """Suppress and audit every count the release publishes, and every count it does not
    show, against this release and the earlier ones in the ledger (fail closed); with the
    cell-key method, publish every designed count as perturbed (nothing hidden, no audit).

    Raises
    ------
    DisclosureError
        The audit failed or a solver failed; nothing may be published.
    """
    design = publication_design(analysis)
    shown = published_windows(analysis)
    windows = {"rolling_12_months": shown} if shown is not None else None
    blocks = _window_blocks(analysis)
    release_id = f"{analysis.config.municipality} {analysis.period.code}"
    table = perturbation_of(analysis.config.disclosure)
    check_one_method(analysis, ledger)
    if analysis.perturbed and table is not None:  # the counts are perturbed already
        return perturbed_release(
            analysis.cube, table=table, publish=design, windows=windows,
            window_periods={label: periods for label, (_, periods) in blocks.items()} or None,
            extra_counts=_derived_counts(analysis, design), release_id=release_id,
            min_count=analysis.config.disclosure.min_count,
            state=ledger.state() if ledger is not None else 0,
        )  # fmt: skip
    return protect(
        analysis.cube,
        min_count=analysis.config.disclosure.min_count,
        windows=windows,
        window_periods={label: periods for label, (_, periods) in blocks.items()} or None,
        extra_counts=_derived_counts(analysis, design),
        published_totals=_rows_used(analysis),
        ledger=ledger,
        release_id=release_id,
        priority=followup_priority(analysis),
        publish=design,
        zeros="per_table",
        measures=("persons",),  # the design publishes no report count
    )


def check_one_method(analysis: Analysis, ledger: Ledger | None) -> None:
    """One disclosure method per ledger (series of releases), else a clear refusal.

    A suppression release after cell-key releases cannot hide what they published (its
    audit would fail closed after a long search); a cell-key release after suppression
    releases would publish values within D of counts they hid, breaking their promise.

    Raises
    ------
    LedgerError
        The ledger holds releases of the other method (exit code 2).
    """
    if ledger is None:
        return
    method = "cell_key" if analysis.perturbed else "suppress"
    methods = ledger.releases()["method"]
    other = methods[methods.ne(method)]
    if len(other):
        name = {"cell_key": "cell_key", "suppress": "suppression", "round": "round"}
        earlier = name.get(str(other.iloc[0]), str(other.iloc[0]))
        raise LedgerError(
            f"The release ledger {ledger.path.name} holds {len(other)} release(s) made with "
            f"disclosure.method = \"{earlier}\"; this release uses "
            f"\"{name[method]}\". One series of releases keeps one method: set "
            "disclosure.method as in the earlier releases, or begin a new series with a new "
            "ledger (--ledger NEW.sqlite), knowing that its figures may then narrow down "
            "counts the old series protected."
        )


def _rows_used(analysis: Analysis) -> list[PublishedTotal]:
    """The rows used, published in the data-quality section: every used row is one report and
    every person of the cube has one, so they bound the persons of all periods from above (no
    report count is published, so reports are left out of the audit). In counts mode the rows
    are rows of the counts table, which bound nothing."""
    if analysis.mode != "records":
        return []
    periods = tuple(sorted({str(p) for p in analysis.cube["period"].unique()}))
    used = float(analysis.accounting["used"])
    return [PublishedTotal("rows_used", periods, measure="persons", value=used, upper=True)]


def followup_priority(analysis: Analysis) -> Callable[[CountName, int], float]:
    """What a follow-up hides last in secondary suppression (costs for ``protect``).

    The counts of the young, from most to least costly to hide: the young persons of every
    period and the period's new young persons (10,000: the series is the youth goal's
    backbone, and one hidden period hides the trend line and the alarms of the whole series);
    the young of the 12 months ending with the period with their split, and the period's
    split (3,000: the goal for the share of women is judged on the 12 months); the young of
    other windows (1,000) and other splits (300). Every other count costs what
    :func:`~risk_indicators.disclosure.default_priority` says (at most 100).
    """
    period = analysis.period.code
    window = window_block([q.code for q in analysis.period.window()])

    def priority(name: CountName, n_cells: int) -> float:
        if not name.is_derived:
            return default_priority(name, n_cells)
        headline = name.derived in ("youth", "new_youth")
        if headline and not name.is_window:
            cost = 10_000.0
        elif name.block in (period, window):
            cost = 3_000.0
        else:
            cost = 1_000.0 if headline else 300.0
        return cost / 2 if name.measure == "reports" else cost

    return priority
