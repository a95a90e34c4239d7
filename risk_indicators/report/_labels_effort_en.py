"""English texts of the section "What was done" (issue 16); the keys are those of
:mod:`._labels_effort_sv`. Merged into the report's labels by :mod:`..labels`."""

from __future__ import annotations

EN_EFFORT: dict[str, str] = {
    "sec_effort": "What was done",
    "eff_intro": (
        "The promise lists what the police and the municipality do: safety walks in "
        "Skillingaryd and Vaggeryd, the EST working method, safety rounds at hot spots and "
        "traffic operations. Narcotics offences are found mostly by police activity, so this "
        "section sets the young people reported beside the police's work."
    ),
    "eff_unknown": (
        "Police effort is unknown in this report: no activity file was given. The number of "
        "young people reported reflects both drug use and how much the police look; without "
        "the activities the two cannot be told apart."
    ),
    "eff_hours": "In {period} the activity file records {hours} hours of activity.",
    "eff_per_hours": (
        "That is {rate} young people reported per 100 activity hours (95% confidence "
        "interval {ci})."
    ),
    "eff_per_hours_supp": (
        "Young people per 100 activity hours are not shown (–): the number of young people is "
        "below {T} or could reveal such a number."
    ),
    "eff_trend": (
        "With the activity hours in the model, the number of young people reported per "
        "inhabitant changed by {adj} a year (95% confidence interval {ci}) over {span}; "
        "without them, over the same periods, by {unadj} ({uci})."
    ),
    "eff_gone": (
        "The change seen without effort is not certain once effort is taken into account: it "
        "may come from the police looking more rather than from more young people using drugs."
    ),
    "eff_stays": (
        "The change remains when effort is taken into account: the recorded activity does not "
        "explain it."
    ),
    "eff_new": (
        "Only with effort taken into account is the change certain: a change in the activity "
        "hid it."
    ),
    "eff_unclear": "Neither change is certain: both intervals hold a decrease and an increase.",
    "eff_elasticity": (
        "Elasticity of young people reported to activity hours: {g} (95% confidence interval "
        "{ci}); 1 means the number follows the hours fully, 0 that it does not depend on them."
    ),
    "eff_flat": (
        "The activity hours did not vary beyond the time of year, so there is nothing to "
        "adjust: the trend with effort equals the trend without."
    ),
    "eff_last_unknown": (
        "The activity file has no hours for {period}, so the trend with effort cannot be "
        "estimated. Record the hours of every period, ordinary patrol included."
    ),
    "eff_in_step": (
        "The activity hours changed in step with time, so the data cannot tell a change in "
        "effort from a change in drug use: the trend with effort is not estimated."
    ),
    "eff_insufficient": "The trend with effort cannot be estimated yet (too few periods).",
    "eff_share": (
        "Of the young people of {period} whose way of detection is known, {share} were found "
        "by police activity (95% confidence interval {ci})."
    ),
    "eff_detection_supp": (
        "The young people by way of detection are not shown (–): a number would be below {T} "
        "or could reveal such a number."
    ),
    "eff_not_reported": "not reported",
    "cap_effort_promise": "Activities of the promise, {period}",
    "cap_effort_activities": "Activities by period and area, the last 12 months",
    "cap_effort_trend": "Trend of young people reported, with and without police effort",
    "cap_effort_detection": "Young people ({ages}) by way of detection, {period}",
    "col_activity": "Activity",
    "col_amount": "Amount",
    "col_unit": "Unit",
    "col_promised": "In the promise",
    "col_detection": "Way of detection",
    "col_women_and_men": "Women and men",
    "act_trygghetsvandring": "Safety walk",
    "act_trygghetsrunda": "Safety round",
    "act_hot_spot": "Hot-spot round",
    "act_est": "EST meeting (shared situation picture)",
    "act_trafikinsats": "Traffic operation",
    "act_kontroll": "Checks",
    "act_patrull": "Patrol",
    "unit_antal": "occasions",
    "unit_timmar": "hours",
    "term_annual_change_effort_adjusted": "Annual change with effort",
    "term_annual_change_same_periods": "Annual change without effort (same periods)",
    "term_effort_elasticity": "Elasticity to activity hours",
    "fig_effort_title": "Activity hours and young people ({ages}) reported",
    "fig_effort_ylabel": "Activity hours",
    "fig_effort_right": "Young people reported",
    "fig_effort_persons": "Young people reported (right axis)",
    "fig_effort_alt": (
        "Bar chart of the activity hours per period by activity, with the number of young "
        "people reported as a line."
    ),
    "ind_police_initiated_share_youth": "Share of young people found by police activity",
    "ind_youth_per_100_activity_hours": "Young people per 100 activity hours",
    "ind_youth_trend_annual_change_effort_adjusted": "Trend with police effort: annual change",
    "def_police_initiated_share_youth": (
        "Young women and men found by police activity divided by those found by police "
        "activity or reported by someone else (unknown way of detection left out)."
    ),
    "def_youth_per_100_activity_hours": (
        "Young people reported in the period per 100 hours of activity in the activity file."
    ),
    "def_youth_trend_annual_change_effort_adjusted": (
        "The trend of the young people reported with the log of each period's activity hours "
        "in the model; over the periods with known hours."
    ),
    "method_effort": (
        "Trend with effort: the same quasi-Poisson model as the trend, with the log of the "
        "period's activity hours as a covariate whose coefficient (the elasticity) is "
        "estimated, not fixed at 1, since only the persons found by police activity follow "
        "the hours. It assumes one elasticity over all periods and that the hours measure the "
        "police presence that finds narcotics offences, ordinary patrol included. Young people "
        "per 100 activity hours: exact Poisson interval. Share found by police activity: "
        "Wilson interval."
    ),
    "sheet_effort": "Activities",
}
