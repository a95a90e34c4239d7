"""English texts of the report: definitions, what the numbers mean, methods."""

from __future__ import annotations

EN_METHODS: dict[str, str] = {
    # ------------------------------------------------------------------ definitions
    "def_persons": (
        "Distinct persons with at least one report of a narcotics offence in the period."
    ),
    "def_persons_youth": "Persons reported who were {ages} at their first report in the period.",
    "def_youth_share": "Young people divided by all persons reported.",
    "def_female_share": (
        "Women divided by women and men among persons reported; unknown gender is left out."
    ),
    "def_female_share_youth": (
        "Women divided by women and men among the young people reported; unknown gender is "
        "left out."
    ),
    "def_youth_rate_per_10k": (
        "Young people reported per 10,000 inhabitants aged {ages} (population at the end of the "
        "year, Statistics Sweden)."
    ),
    "def_rate_ratio_female_male_youth": (
        "Young women's rate per inhabitant divided by young men's; 1 means equal rates."
    ),
    "def_female_share_youth_12m": (
        "The share of women among young people over the 12 months ending with the period "
        "(each person counted once); the goal is followed with it."
    ),
    "def_rate_ratio_female_male_youth_12m": (
        "Young women's rate per inhabitant divided by young men's over the 12 months ending "
        "with the period."
    ),
    "def_benchmark_ratio_youth": (
        "The odds of the share of women among young people reported divided by the odds of the "
        "benchmark share; 1 means women are reported as often as they use narcotics."
    ),
    "def_new_persons_youth": (
        "Young people in the period with no report in the 24 months before it began."
    ),
    "def_youth_trend_annual_change": (
        "Relative change a year in young people reported per inhabitant, over every period from "
        "the first in the data."
    ),
    "def_female_share_youth_trend": (
        "Change a year in the log-odds of the share of women among young people; above 0 means "
        "the share is rising."
    ),
    "def_goal_status": "Whether the goal for the share of women is met or on track (see the rule).",
    # ------------------------------------------------------------------ what the numbers mean
    "meaning_police": (
        "Narcotics offences are found mostly by police activity, for example checks and "
        "operations at places picked out in the shared situation picture. The number of persons "
        "reported therefore follows police effort at least as much as drug use. More young "
        "people reported can mean that the police find more of them, not that more use drugs."
    ),
    "meaning_chance": (
        "The numbers are small. With a few dozen persons a period, the counts vary a lot by "
        "chance. The 95% confidence intervals show how large that uncertainty is. Whether a "
        "change is more than chance is decided by a test, which the report gives where there "
        "is one."
    ),
    "meaning_arrows": (
        "The arrows in the table say whether a number is higher or lower than in the same "
        "period a year earlier. “Within chance variation” means that an exact test cannot tell "
        "the difference from chance (p ≥ 0.05); an arrow alone means that the difference is "
        "larger than chance usually gives (p < 0.05). Even such a difference may come from "
        "police effort."
    ),
    "meaning_zero": (
        "A zero is shown only in a table without a dash, and then means that nobody was "
        "reported. In a table with a dash the zeros are not shown either: a dash may mean that "
        "nobody was reported."
    ),
    "meaning_suppressed": (
        "A dash (–) means that a figure is not shown: it is fewer than {T} persons, possibly "
        "none, or together with other published figures (also from earlier reports) it could "
        "reveal such a number. A dash therefore does not say that anyone was reported."
    ),
    "meaning_counting": (
        "A person is counted once a period, in the area, age group and gender of their first "
        "report in the period. Over 12 months a person is counted once, so a 12-month figure "
        "can be smaller than the sum of its periods."
    ),
    "meaning_benchmark": (
        "The share of women is compared with a benchmark: the share of women among young people "
        "who use narcotics. A ratio near 1 means women are reported in line with their drug use."
    ),
    # ------------------------------------------------------------------ methods
    "method_wilson": (
        "Shares come with Wilson 95% confidence intervals, which work for small numbers and for "
        "shares near 0 or 100%."
    ),
    "method_poisson": (
        "Rates per 10,000 inhabitants come with exact (Garwood) Poisson 95% confidence intervals."
    ),
    "method_katz": "The ratio of women's to men's rates comes with the Katz log 95% interval.",
    "method_trend": (
        "The trend is a quasi-Poisson regression of young people reported per period, with the "
        "population as exposure and the period of the year as season; the overdispersion is "
        "estimated from the data and the interval uses the t distribution. It is shown as the "
        "relative change a year."
    ),
    "method_female_trend": (
        "The change in the share of women over time is a logistic regression that allows the "
        "share to vary more than chance alone gives (quasi-binomial, with a t interval). The "
        "goal assessment uses the same kind of regression over the yearly 12-month shares and "
        "gives the probability that the share reaches the target."
    ),
    "method_comparison": (
        "The comparison with earlier years is the ratio of the rates per inhabitant, with an "
        "exact conditional test and interval. The arrows of the key figures are tested too: "
        "counts with an exact binomial test, shares and the ratios of women to men with "
        "Fisher's exact test."
    ),
    "method_alarm": (
        "Alarms for single periods use the Farrington flexible method (as in the R package "
        "surveillance): the count is compared with a threshold estimated from the same time of "
        "year in earlier years. An alarm means an unusually high count, not that anything is "
        "wrong."
    ),
    "method_disclosure": (
        "The report shows a few designed tables, not every combination of area, age and "
        "gender: young persons by period; persons by age, area and gender for the period and "
        "the same period a year earlier; young women and men over 12-month periods. Every "
        "published count is 0 or at least {T}, and zeros are shown only in tables without a "
        "dash. Shares, rates, ratios and trends are published only when every count they use "
        "is published. Further figures are hidden so that no number between 1 and {T1}, "
        "published or not, can be worked out from everything published (also in earlier "
        "reports); an audit by integer programming proves it before every release."
    ),
    "method_disclosure_cell_key": (
        "The report shows a few designed tables, not every combination of area, age and "
        "gender: young persons by period; persons by age, area and gender for the period and "
        "the same period a year earlier; young women and men over 12-month periods. Every "
        "count except 0 is changed a little at random before anything is computed (the "
        "cell-key method, as Statistics Sweden, the ONS and the Australian Bureau of "
        "Statistics use it): by at most {D}, on average by nothing, with variance {V}. A "
        "number of young people adds up its {bands} age groups, each changed on its own, so "
        "it moves by at most {Y}. The same persons always get the same change, in every table "
        "and every report, so the change cannot be averaged away by comparing or repeating "
        "reports (a number revised by new data gets a new change). A published small number "
        "is therefore not the true number: someone who knows this rule and nothing else "
        "guesses the true number right at most {worst} of the time. A 0 may stand for up to "
        "{D} persons (young people: up to {Y}); it is a true 0 {zero} of the time. Shares, "
        "rates, ratios and trends are computed from the published numbers, and their 95% "
        "confidence intervals include the change. Because each number is changed on its own, "
        "a total can differ a little from "
        "the sum of its parts."
    ),
    "meaning_perturbed": (
        "Every number except 0 has been changed by at most {D} persons up or down (a number "
        "of young people, the sum of {bands} age groups, by at most {Y}), so that a small "
        "number does not give the true number. A 0 may stand for up to {D} persons (young "
        "people: up to {Y}). The "
        "confidence intervals include this change. Totals can differ a little from the sum of "
        "their parts."
    ),
    "perturbed_text": "No count is hidden: every number is shown, changed a little.",
    "suppressed_count_text": "{k} counts in the report's tables are shown as a dash (–).",
    "suppressed_none_text": "No count in the report's tables had to be hidden.",
    "rows_rounded": "Rounded to tens, so that two reports do not give a period's exact count.",
    "rows_read": "Rows in the police extract",
    "rows_used": "Rows used",
    "rows_rejected": "Rows rejected (errors in the data; listed in the audit, never published)",
    "rows_duplicates": "Duplicates (same case and person, counted once)",
    "source_police": (
        "Swedish Police Authority: persons reported for narcotics offences, extract for "
        "{municipality}."
    ),
    "source_population": "Statistics Sweden: population by age and gender on 31 December.",
    "source_activity": (
        "The police and the municipality: the activity file (the promise's activities and "
        "hours of police activity by period and area)."
    ),
    "version_text": "Made with risk_indicators version {version}.",
    "col_input": "Input",
    "input_reports": "Reported persons (police extract)",
    "input_population": "Population",
    "input_counts": "Counts (aggregated)",
    "input_activity": "Police effort (activity file)",
    "input_config": "Settings",
    "col_file": "File",
    "col_sha256": "SHA-256",
    "col_count": "Rows",
    "col_what": "What",
}
