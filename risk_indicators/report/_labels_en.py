"""English texts of the report; the keys are the same as in :mod:`._labels_sv`."""

from __future__ import annotations

EN: dict[str, str] = {
    # ------------------------------------------------------------------ title and sections
    "title": "Follow-up of the citizen promise: narcotics offences",
    "subtitle": "{municipality}, {period}",
    "intro": (
        "In their citizen promise, the municipality of {municipality} and the police commit to "
        "detect younger persons who risk ending up in drug abuse, and to strive for a more even "
        "gender distribution of persons reported for narcotics offences. This report follows "
        "up both goals for {period}."
    ),
    "published_note": (
        "Every figure in this report has passed disclosure control and may be published."
    ),
    "sec_summary": "Summary",
    "sec_youth": "Young people aged {ages}",
    "sec_gender": "Gender distribution",
    "sec_fairness": "Differences between groups",
    "sec_meaning": "What the numbers mean",
    "sec_method": "Method and data quality",
    "sub_definitions": "Definitions",
    "sub_methods": "Methods",
    "sub_disclosure": "Disclosure control",
    "sub_rows": "Input rows",
    "sub_notes": "Notes on the data",
    "sub_sources": "Sources",
    "sub_checksums": "Input checksums (SHA-256)",
    "sub_goal": "The goal",
    "sub_goal_rule": "The goal: rule and benchmark",
    "sub_areas": "Areas and age groups",
    # ------------------------------------------------------------------ summary sentences
    "s_youth": "In {period}, {n} young people ({ages} years) were reported for narcotics offences.",
    "s_youth_supp": (
        "The number of young people ({ages} years) reported for narcotics offences in {period} "
        "is not shown (–): it is fewer than {T}, possibly none, or could reveal such a number."
    ),
    "s_youth_rate": (
        "That is {rate} per 10,000 inhabitants of the same age (95% confidence interval {ci})."
    ),
    "s_compare_more": (
        "That is more than in the same period a year earlier ({label}), when {n} were reported."
    ),
    "s_compare_fewer": (
        "That is fewer than in the same period a year earlier ({label}), when {n} were reported."
    ),
    "s_compare_same": "That is as many as in the same period a year earlier ({label}).",
    "s_compare_chance": "The difference is well within chance variation (exact test, {p}).",
    "s_compare_real": "The difference is larger than chance usually gives (exact test, {p}).",
    "s_compare_only": "In the same period a year earlier ({label}) the number was {n}.",
    "s_rolling": "In the last 12 months ({label}), {n} young people were reported.",
    "s_persons": "In all, {n} persons of all ages were reported in {period}.",
    "s_female_youth": (
        "Women made up {share} of the young people reported (95% confidence interval {ci})."
    ),
    "s_female_youth_supp": (
        "The share of women among young people ({ages} years) in a single period such as "
        "{period} is not shown (–): with a few young women a period it could reveal how many "
        "they are. The goal is therefore followed over 12 months."
    ),
    "s_female_youth_rolling": (
        "Over the last 12 months ({label}), women made up {share} of the young people "
        "reported (95% confidence interval {ci})."
    ),
    "s_trend": (
        "Over all periods, the number of young people reported per inhabitant changed by "
        "{change} a year (95% confidence interval {ci})."
    ),
    "s_trend_unclear": (
        "The change is not established: the interval holds both a decrease and an increase."
    ),
    "s_trend_undefined": "The trend cannot be estimated from the data available yet.",
    "s_alarm": (
        "Alarm: the number of young people in {periods} was higher than expected from earlier "
        "years."
    ),
    "s_no_alarm": "No alarm: the number of young people in {period} was within the expected range.",
    "s_new_youth": "{n} of the young people had not been reported in the 24 months before.",
    # ------------------------------------------------------------------ goal
    "goal_sentence": (
        "The promise of a more even gender distribution is followed up with a locally set "
        "target: a share of women of at least {target} among the young people reported, by "
        "{target_period}."
    ),
    "goal_status_line": "Assessment: {status}.",
    "goal_probability": (
        "By the trend in the share of women over the years, the probability is {probability} "
        "that the share is at least {target} in {horizon} (the trend's value then: "
        "{projected}, 95% confidence interval {interval})."
    ),
    "goal_persons_needed": (
        "To tell with the same trend would take about {needed} young women and men per 12 "
        "months; today they are about {now}."
    ),
    "goal_persons_needed_many": (
        "The trend lies so close to the target that not even ten times as many young people "
        "per 12 months (today about {now}) would be enough to tell."
    ),
    "goal_cannot_tell_note": (
        "With this few young people a year a share below the target often cannot be told "
        "from one at the target; that it cannot be told yet does not mean that it goes badly."
    ),
    "goal_withheld": (
        "The assessment is not published this time: it rests on counts that are hidden so "
        "that no person can be identified."
    ),
    "goal_met": "the goal is met",
    "goal_on_track": "on track to meet the goal",
    "goal_not_on_track": "not on track to meet the goal",
    "goal_insufficient_data": "too little data to assess",
    "goal_cannot_tell_yet": "it cannot be told yet",
    "goal_rule_short": (
        "The goal counts as met when the share of women among the young in the last 12 months "
        "is above the target even allowing for chance, as on track when the trend over the "
        "years reaches the target by {target_period} with a probability of at least 90%, and "
        "as not on track when that probability is at most 10%. The full rule is in the report."
    ),
    "goal_rule": "How the assessment is made: {rule}",
    "goal_mdc": (
        "With numbers this small, the share of women has to change by about {mdc} between two "
        "12-month periods for the change to be detected with 80% probability."
    ),
    "goal_benchmark": (
        "Benchmark: women are {benchmark} of young people who use narcotics ({source})."
    ),
    # ------------------------------------------------------------------ key table
    "col_indicator": "Indicator",
    "col_this_period": "{label}",
    "col_last_year": "Same period a year earlier ({label})",
    "col_rolling": "Last 12 months ({label})",
    "col_direction": "Compared with a year earlier",
    "dir_up": "↑ higher",
    "dir_down": "↓ lower",
    "dir_up_chance": "↑ higher, within chance variation",
    "dir_down_chance": "↓ lower, within chance variation",
    "dir_same": "→ unchanged",
    "ci_short": "95% CI",
    "not_defined": "n/a",
    "footnote_unshown": "– = not shown: it rests on counts the report does not publish.",
    "footnote_suppressed": (
        "– = not shown: fewer than {T} persons, possibly none, or hidden so that another "
        "figure cannot be worked out."
    ),
    "footnote_not_defined": "n/a = not defined (e.g. nothing to divide by, or too short a series).",
    "footnote_rate_span": (
        "Rates per 10,000 inhabitants cover the whole time of the column: {months} months for "
        "a period, a year for the last 12 months, whose rates are therefore about {times} "
        "times as high."
    ),
    "footnote_model_withheld": (
        "The trend line, expected numbers and alarm thresholds per period are not shown when a "
        "count of the series is hidden: they are computed from every count and could reveal "
        "the hidden one. The trend's annual change is still reported."
    ),
    "footnote_ci": (
        "Brackets show 95% confidence intervals, a measure of uncertainty; such intervals "
        "cover the true value 95 times out of 100."
    ),
    # ------------------------------------------------------------------ indicator names
    "ind_persons": "Persons reported (all ages)",
    "ind_persons_youth": "Young people ({ages}), number",
    "ind_youth_share": "Share of young people among all reported",
    "ind_female_share": "Share of women (all ages)",
    "ind_female_share_youth": "Share of women among young people",
    "ind_youth_rate_per_10k": "Young people per 10,000 inhabitants aged {ages}",
    "ind_rate_ratio_female_male_youth": "Ratio of women's to men's rate, young people",
    "ind_female_share_youth_12m": "Share of women among young people, last 12 months",
    "ind_rate_ratio_female_male_youth_12m": (
        "Ratio of women's to men's rate, young people, last 12 months"
    ),
    "ind_benchmark_ratio_youth": "Odds ratio against the benchmark, young people",
    "ind_new_persons_youth": "New young people (not reported in the previous 24 months)",
    "ind_youth_trend_annual_change": "Trend: annual change in young people reported",
    "ind_female_share_youth_trend": "Trend: change a year in the log-odds of the share of women",
    "ind_goal_status": "Goal status",
    # ------------------------------------------------------------------ captions
    "cap_key": "Key figures",
    "cap_youth": "Young people aged {ages} per period",
    "cap_comparison": "Young people per inhabitant compared with earlier years",
    "cap_trend": "Trend of young people per inhabitant",
    "cap_female": "Share of women among young people aged {ages}",
    "cap_fairness": "Women and men compared",
    "cap_area": "Persons reported by area, {period} and a year earlier",
    "cap_age": "Persons reported by age group, {period} and a year earlier",
    "cap_rows": "Input rows: read, used, rejected and duplicates",
    "no_rows": "No published values.",
    "more_tables": (
        "Every table, including all periods, areas and age groups, is in report.xlsx and "
        "tables/*.csv."
    ),
    # ------------------------------------------------------------------ table columns
    "col_period": "Period",
    "col_label": "Period",
    "col_persons_youth": "Young people",
    "col_population_youth": "Population aged {ages}",
    "col_rate_per_10k": "Per 10,000",
    "col_ci": "95% CI",
    "col_ci_low": "95% CI, lower",
    "col_ci_high": "95% CI, upper",
    "col_fitted_rate": "Trend (fitted, per 10,000)",
    "col_fitted_low": "Trend band, lower",
    "col_fitted_high": "Trend band, upper",
    "col_fitted_band": "Trend 95% band",
    "col_expected": "Expected number",
    "col_upperbound": "Alarm threshold (number)",
    "col_alarm": "Alarm",
    "col_scope": "Scope",
    "col_women": "Women",
    "col_men": "Men",
    "col_estimate": "Estimate",
    "col_share_women": "Share of women",
    "col_value": "Value",
    "col_n": "n",
    "col_id": "Indicator",
    "col_area": "Area",
    "col_age_band": "Age group",
    "col_gender": "Gender",
    "col_measure": "Measure",
    "col_term": "Term",
    "col_p_value": "p-value",
    "col_comparison": "Comparison",
    "col_group": "Group",
    "col_note": "Note",
    "col_total": "Total",
    # ------------------------------------------------------------------ values
    "scope_all_periods": "All periods",
    "scope_period": "The period",
    "scope_same_period_last_year": "Same period a year earlier",
    "scope_rolling_12_months": "Rolling 12 months",
    "gender_man": "Men",
    "gender_kvinna": "Women",
    "gender_okänt": "Unknown gender",
    "total": "Total",
    "area_total": "Whole municipality",
    "age_total": "All ages",
    "measure_persons": "Persons",
    "measure_reports": "Reports",
    "comparison_previous_year": "Against the same period a year earlier",
    "comparison_previous_3_years": "Against the same period in the three previous years",
    "term_annual_change": "Annual change",
    "term_time_in_years": "Time coefficient (log scale, a year)",
    "yes": "Yes",
    "no": "No",
    "fair_rate_ratio_crude": "Women/men rate ratio, crude",
    "fair_rate_ratio_standardised": "Women/men rate ratio, age-standardised",
    "fair_benchmark_ratio": "Odds ratio against the benchmark",
    "fair_female_share_by_detection": "Share of women by how the offence was found",
    "fair_share_by_detection": "Share by how the offence was found",
    "fair_female_share_youth": "Share of women among young people",
    "fair_female_share": "Share of women (all ages)",
    "fair_rate_ratio_female_male_youth": "Women/men rate ratio, young people",
    "fair_rate_ratio_katz": "Women/men rate ratio (Katz)",
    "fair_rate_ratio_exact": "Women/men rate ratio (exact)",
    "fair_rate_ratio_mantel_haenszel": "Women/men rate ratio, age-standardised (Mantel-Haenszel)",
    "fair_benchmark_ratio_youth": "Odds ratio against the benchmark, young people",
    "fair_female_share_youth_trend": "Trend of the share of young women (log-odds a year)",
    "fair_demographic_parity_ratio": (
        "Lowest over highest share reported per inhabitant, young women and men (demographic "
        "parity)"
    ),
    "fair_demographic_parity_difference": (
        "Highest minus lowest share reported per inhabitant, young women and men (demographic "
        "parity)"
    ),
    "group_polisinitierad": "Found by police activity",
    "group_anmalan": "Reported by someone else",
    "group_okand": "Unknown how found",
    # ------------------------------------------------------------------ figures
    "fig_youth_title": "Young people aged {ages} reported per 10,000 inhabitants",
    "fig_youth_ylabel": "Per 10,000 inhabitants aged {ages}",
    "fig_observed": "Observed (95% CI)",
    "fig_fitted": "Trend",
    "fig_band": "Trend 95% band",
    "fig_alarm": "Alarm",
    "fig_female_title": "Share of women among young people aged {ages}",
    "fig_female_ylabel": "Share of women",
    "fig_period_points": "Per period (95% CI)",
    "fig_rolling": "Rolling 12 months (95% CI)",
    "fig_benchmark": "Benchmark {value}",
    "fig_target": "Goal {value}",
    "fig_no_data": "No publishable values",
    "fig_gaps": "Missing points: hidden (–) or not defined",
    "fig_youth_alt": (
        "Chart of young people reported per 10,000 inhabitants per period, with the trend and "
        "alarms. The same figures are in the table below."
    ),
    "fig_female_alt": (
        "Chart of the share of women among young people reported, per period and over rolling "
        "12 months, with the benchmark and the goal. The same figures are in the table below."
    ),
    # ------------------------------------------------------------------ excel
    "sheet_info": "About",
    "sheet_youth_by_period": "Young people",
    "sheet_female_share": "Share of women, young people",
    "sheet_indicators": "Indicators",
    "sheet_trend": "Trend",
    "sheet_comparison": "Comparison",
    "sheet_fairness": "Groups",
    "sheet_methods": "Methods and definitions",
    "note_suppressed": (
        "Hidden: fewer than {T} persons, possibly none, or could reveal such a number."
    ),
    "note_not_defined": "Not defined: cannot be computed (e.g. nothing to divide by).",
    "note_no_history": (
        "No expected number, alarm threshold or alarm: alarms need several years of earlier data "
        "for the same time of year."
    ),
    "note_model_withheld": (
        "Trend, expected number, alarm threshold and alarm not shown: a count of the series is "
        "hidden and could be worked out from them."
    ),
    "note_not_applicable": (
        "Not applicable: the row's empty cells (interval, n or p-value) are not computed for "
        "this measure."
    ),
    "info_empty": (
        "An empty cell means that the value is hidden, cannot be computed or does not apply to "
        "the row; the Note column says why. Hidden values rest on fewer than {T} persons or "
        "could reveal such a number (possibly zero). Zeros are shown only in tables without a "
        "dash."
    ),
    "info_methods": (
        "The goal, definitions, methods, disclosure control, input rows and sources are on the "
        "sheet {sheet}."
    ),
    "info_municipality": "Municipality",
    "info_period": "Period",
    "info_threshold": "Disclosure threshold",
    "info_version": "Version",
    # ------------------------------------------------------------------ follow-up text
    "md_title": "Citizen promise {municipality}: follow-up of narcotics offences, {period}",
    "md_intro": (
        "The municipality and the police follow up the citizen promise's focus on narcotics "
        "offences: to detect younger persons who risk ending up in drug abuse, and to strive "
        "for a more even gender distribution of persons reported."
    ),
    "md_youth": "Young people",
    "md_gender": "Gender distribution",
    "md_caution": "Keep in mind",
    "md_more": (
        "The full report with tables and method is published with this text (the files "
        "report.html and report.xlsx)."
    ),
    "col_table": "Table",
    "sheet_counts": "Counts",
    "table_youth_by_period": "Young persons by period",
    "table_persons_by_age": "Persons by age",
    "table_persons_by_area": "Persons by area",
    "table_persons_by_gender": "Persons by gender",
    "table_youth_by_gender": "Young persons by gender",
    "table_new_youth": "New young persons",
    "table_youth_12m": "Young persons over 12 months",
    "measure_new_persons": "new persons",
    "draft_prefix": "DRAFT – ",
    "draft_note": (
        "Draft: this version is not recorded in the release ledger and must not be published. "
        "Run again without --draft for the version to publish."
    ),
}
