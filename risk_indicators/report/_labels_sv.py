"""Swedish texts of the report (the default language); the keys are those of :mod:`._labels_en`.

A space before "%" is written as an ordinary space here; :func:`..labels.text` makes it a
no-break space, as Swedish typography wants.
"""

from __future__ import annotations

SV: dict[str, str] = {
    # ------------------------------------------------------------------ title and sections
    "title": "Uppföljning av medborgarlöftet: narkotikabrott",
    "subtitle": "{municipality}, {period}",
    "intro": (
        "I medborgarlöftet har kommunen och polisen i {municipality} lovat att arbeta för att "
        "upptäcka yngre personer som riskerar att hamna i ett missbruk och att eftersträva en "
        "jämnare könsfördelning bland personer som rapporteras för narkotikabrott. Rapporten "
        "följer upp båda målen för {period}."
    ),
    "published_note": ("Alla siffror i rapporten har passerat röjandekontroll och får publiceras."),
    "sec_summary": "Sammanfattning",
    "sec_youth": "Unga {ages} år",
    "sec_gender": "Könsfördelning",
    "sec_fairness": "Skillnader mellan grupper",
    "sec_meaning": "Vad siffrorna betyder",
    "sec_method": "Metod och datakvalitet",
    "sub_definitions": "Definitioner",
    "sub_methods": "Metoder",
    "sub_disclosure": "Röjandekontroll",
    "sub_rows": "Rader i indata",
    "sub_notes": "Anmärkningar om data",
    "sub_sources": "Källor",
    "sub_checksums": "Kontrollsummor för indata (SHA-256)",
    "sub_goal": "Målet",
    "sub_goal_rule": "Målet: regel och jämförelsevärde",
    "sub_areas": "Områden och åldersgrupper",
    # ------------------------------------------------------------------ summary sentences
    "s_youth": "Under {period} rapporterades {n} unga ({ages} år) för narkotikabrott.",
    "s_youth_supp": (
        "Antalet unga ({ages} år) som rapporterades för narkotikabrott under {period} redovisas "
        "inte (–): det är färre än {T}, kanske inga, eller skulle kunna avslöja ett sådant tal."
    ),
    "s_youth_rate": (
        "Det motsvarar {rate} per 10 000 invånare i samma ålder (95 % konfidensintervall {ci})."
    ),
    "s_compare_more": "Det är fler än samma period året innan ({label}), då {n} rapporterades.",
    "s_compare_fewer": "Det är färre än samma period året innan ({label}), då {n} rapporterades.",
    "s_compare_same": "Det är lika många som samma period året innan ({label}).",
    "s_compare_chance": "Skillnaden ryms väl inom slumpens variation (exakt test, {p}).",
    "s_compare_real": "Skillnaden är större än vad slumpen brukar ge (exakt test, {p}).",
    "s_compare_only": "Samma period året innan ({label}) var antalet {n}.",
    "s_rolling": "Under de senaste tolv månaderna ({label}) rapporterades {n} unga.",
    "s_persons": "Totalt rapporterades {n} personer i alla åldrar under {period}.",
    "s_female_youth": ("Andelen kvinnor bland de unga var {share} (95 % konfidensintervall {ci})."),
    "s_female_youth_supp": (
        "Andelen kvinnor bland de unga ({ages} år) under en enskild period som {period} "
        "redovisas inte (–): med några få unga kvinnor per period skulle den kunna avslöja hur "
        "många de är. Målet följs därför upp över tolv månader."
    ),
    "s_female_youth_rolling": (
        "Under de senaste tolv månaderna ({label}) var andelen kvinnor bland de unga {share} "
        "(95 % konfidensintervall {ci})."
    ),
    "s_trend": (
        "Sett över alla perioder har antalet rapporterade unga per invånare förändrats med "
        "{change} per år (95 % konfidensintervall {ci})."
    ),
    "s_trend_unclear": (
        "Förändringen är inte säkerställd: intervallet rymmer både en minskning och en ökning."
    ),
    "s_trend_undefined": "Trenden kan ännu inte skattas med de data som finns.",
    "s_alarm": "Larm: antalet unga under {periods} var högre än väntat utifrån tidigare år.",
    "s_no_alarm": "Inget larm: antalet unga under {period} låg inom det väntade.",
    "s_new_youth": "{n} av de unga hade inte rapporterats under de 24 månaderna innan.",
    # ------------------------------------------------------------------ goal
    "goal_sentence": (
        "Löftet om en jämnare könsfördelning följs upp med ett lokalt satt mål: att andelen "
        "kvinnor bland de rapporterade unga ska vara minst {target} senast {target_period}."
    ),
    "goal_status_line": "Bedömning: {status}.",
    "goal_probability": (
        "Enligt trenden i andelen kvinnor över åren är sannolikheten {probability} att andelen "
        "är minst {target} under {horizon} (trendens värde då: {projected}, 95 % "
        "konfidensintervall {interval})."
    ),
    "goal_persons_needed": (
        "För att kunna säga det med samma trend skulle det krävas ungefär {needed} unga "
        "kvinnor och män per 12 månader; i dag är de omkring {now}."
    ),
    "goal_persons_needed_many": (
        "Trenden ligger så nära målet att inte ens tio gånger så många unga per 12 månader "
        "(i dag omkring {now}) skulle räcka för att säga det."
    ),
    "goal_cannot_tell_note": (
        "Med så få unga per år går det ofta inte att skilja en andel under målet från en vid "
        "målet; att det inte går att säga än betyder inte att det går dåligt."
    ),
    "goal_withheld": (
        "Bedömningen redovisas inte den här gången: den bygger på antal som döljs för att "
        "ingen person ska kunna identifieras."
    ),
    "goal_met": "målet är uppnått",
    "goal_on_track": "på väg att nå målet",
    "goal_not_on_track": "inte på väg att nå målet",
    "goal_insufficient_data": "för lite data för att bedöma",
    "goal_cannot_tell_yet": "det går inte att säga än",
    "goal_rule_short": (
        "Målet räknas som uppnått när andelen kvinnor bland de unga under de senaste 12 "
        "månaderna ligger över målet även med hänsyn till slumpen, som på väg när trenden "
        "över åren med minst 90 % sannolikhet når målet senast {target_period}, och som inte "
        "på väg när den sannolikheten är högst 10 %. Hela regeln finns i rapporten."
    ),
    "goal_rule": "Så görs bedömningen: {rule}",
    "goal_mdc": (
        "Med så små tal behöver andelen kvinnor ändras med ungefär {mdc} mellan två "
        "tolvmånadersperioder för att förändringen ska upptäckas med 80 % sannolikhet."
    ),
    "goal_benchmark": (
        "Jämförelsevärde: kvinnor är {benchmark} av de unga som använder narkotika ({source})."
    ),
    # ------------------------------------------------------------------ key table
    "col_indicator": "Indikator",
    "col_this_period": "{label}",
    "col_last_year": "Samma period året innan ({label})",
    "col_rolling": "Senaste 12 månaderna ({label})",
    "col_direction": "Jämfört med året innan",
    "dir_up": "↑ högre",
    "dir_down": "↓ lägre",
    "dir_up_chance": "↑ högre, inom slumpens variation",
    "dir_down_chance": "↓ lägre, inom slumpens variation",
    "dir_same": "→ oförändrat",
    "ci_short": "95 % KI",
    "not_defined": "ej def.",
    "footnote_unshown": "– = visas inte: bygger på antal som rapporten inte publicerar.",
    "footnote_suppressed": (
        "– = visas inte: färre än {T} personer, kanske inga, eller dolt för att en annan siffra "
        "inte ska kunna räknas fram."
    ),
    "footnote_not_defined": (
        "ej def. = kan inte beräknas (till exempel när nämnaren är noll eller serien för kort)."
    ),
    "footnote_rate_span": (
        "Tal per 10 000 invånare gäller hela tiden i kolumnen: {months} månader för en period, "
        "ett år för de senaste 12 månaderna, som därför har ungefär {times} gånger så höga tal."
    ),
    "footnote_model_withheld": (
        "Trendlinje, väntat antal och larmgräns per period visas inte när något antal i serien "
        "är dolt: de räknas fram ur alla antal och skulle kunna avslöja det dolda. Trendens "
        "årliga förändring redovisas ändå."
    ),
    "footnote_ci": (
        "Inom parentes: 95 % konfidensintervall, ett mått på osäkerheten; sådana intervall "
        "täcker det sanna värdet i 95 fall av 100."
    ),
    # ------------------------------------------------------------------ indicator names
    "ind_persons": "Rapporterade personer (alla åldrar)",
    "ind_persons_youth": "Unga ({ages} år), antal",
    "ind_youth_share": "Andel unga av alla rapporterade",
    "ind_female_share": "Andel kvinnor (alla åldrar)",
    "ind_female_share_youth": "Andel kvinnor bland unga",
    "ind_youth_rate_per_10k": "Unga per 10 000 invånare {ages} år",
    "ind_rate_ratio_female_male_youth": "Kvot mellan kvinnors och mäns tal per invånare, unga",
    "ind_female_share_youth_12m": "Andel kvinnor bland unga, senaste 12 månaderna",
    "ind_rate_ratio_female_male_youth_12m": (
        "Kvot mellan kvinnors och mäns tal per invånare, unga, senaste 12 månaderna"
    ),
    "ind_benchmark_ratio_youth": "Oddskvot mot jämförelsevärdet, unga",
    "ind_new_persons_youth": "Nya unga (ej rapporterade de 24 månaderna innan)",
    "ind_youth_trend_annual_change": "Trend: årlig förändring av antalet unga",
    "ind_female_share_youth_trend": "Trend: förändring per år av andelen kvinnor (log-odds)",
    "ind_goal_status": "Målstatus",
    # ------------------------------------------------------------------ captions
    "cap_key": "Nyckeltal",
    "cap_youth": "Unga {ages} år per period",
    "cap_comparison": "Unga per invånare jämfört med tidigare år",
    "cap_trend": "Trend för unga per invånare",
    "cap_female": "Andel kvinnor bland unga {ages} år",
    "cap_fairness": "Kvinnor och män jämförda",
    "cap_area": "Rapporterade personer per område, {period} och året innan",
    "cap_age": "Rapporterade personer per åldersgrupp, {period} och året innan",
    "cap_rows": "Indatarader: lästa, använda, avvisade och dubbletter",
    "no_rows": "Inga publicerade värden.",
    "more_tables": (
        "Alla tabeller, med alla perioder, områden och åldersgrupper, finns i report.xlsx och "
        "tables/*.csv."
    ),
    # ------------------------------------------------------------------ table columns
    "col_period": "Period",
    "col_label": "Period",
    "col_persons_youth": "Unga",
    "col_population_youth": "Befolkning {ages} år",
    "col_rate_per_10k": "Per 10 000",
    "col_ci": "95 % KI",
    "col_ci_low": "95 % KI, nedre",
    "col_ci_high": "95 % KI, övre",
    "col_fitted_rate": "Trend (anpassat, per 10 000)",
    "col_fitted_low": "Trendband, nedre",
    "col_fitted_high": "Trendband, övre",
    "col_fitted_band": "Trendens 95 % band",
    "col_expected": "Väntat antal",
    "col_upperbound": "Larmgräns (antal)",
    "col_alarm": "Larm",
    "col_scope": "Omfattning",
    "col_women": "Kvinnor",
    "col_men": "Män",
    "col_estimate": "Skattning",
    "col_share_women": "Andel kvinnor",
    "col_value": "Värde",
    "col_n": "n",
    "col_id": "Indikator",
    "col_area": "Område",
    "col_age_band": "Åldersgrupp",
    "col_gender": "Kön",
    "col_measure": "Mått",
    "col_term": "Term",
    "col_p_value": "p-värde",
    "col_comparison": "Jämförelse",
    "col_group": "Grupp",
    "col_note": "Anmärkning",
    "col_total": "Totalt",
    # ------------------------------------------------------------------ values
    "scope_all_periods": "Alla perioder",
    "scope_period": "Perioden",
    "scope_same_period_last_year": "Samma period året innan",
    "scope_rolling_12_months": "Rullande 12 månader",
    "gender_man": "Män",
    "gender_kvinna": "Kvinnor",
    "gender_okänt": "Okänt kön",
    "total": "Totalt",
    "area_total": "Hela kommunen",
    "age_total": "Alla åldrar",
    "measure_persons": "Personer",
    "measure_reports": "Anmälningar",
    "comparison_previous_year": "Mot samma period året innan",
    "comparison_previous_3_years": "Mot samma period de tre föregående åren",
    "term_annual_change": "Årlig förändring",
    "term_time_in_years": "Tidskoefficient (log-skala, per år)",
    "yes": "Ja",
    "no": "Nej",
    "fair_rate_ratio_crude": "Kvot kvinnor/män per invånare, ojusterad",
    "fair_rate_ratio_standardised": "Kvot kvinnor/män per invånare, åldersstandardiserad",
    "fair_benchmark_ratio": "Oddskvot mot jämförelsevärdet",
    "fair_female_share_by_detection": "Andel kvinnor efter hur brottet upptäcktes",
    "fair_share_by_detection": "Andel efter hur brottet upptäcktes",
    "fair_female_share_youth": "Andel kvinnor bland unga",
    "fair_female_share": "Andel kvinnor (alla åldrar)",
    "fair_rate_ratio_female_male_youth": "Kvot kvinnor/män per invånare, unga",
    "fair_rate_ratio_katz": "Kvot kvinnor/män per invånare (Katz)",
    "fair_rate_ratio_exact": "Kvot kvinnor/män per invånare (exakt)",
    "fair_rate_ratio_mantel_haenszel": "Kvot kvinnor/män, åldersstandardiserad (Mantel-Haenszel)",
    "fair_benchmark_ratio_youth": "Oddskvot mot jämförelsevärdet, unga",
    "fair_female_share_youth_trend": "Trend för andelen kvinnor bland unga (log-odds per år)",
    "fair_demographic_parity_ratio": (
        "Lägsta delat med högsta andel rapporterade per invånare, unga kvinnor och män "
        "(demografisk paritet)"
    ),
    "fair_demographic_parity_difference": (
        "Högsta minus lägsta andel rapporterade per invånare, unga kvinnor och män (demografisk "
        "paritet)"
    ),
    "group_polisinitierad": "Upptäckt genom polisens arbete",
    "group_anmalan": "Anmält av någon annan",
    "group_okand": "Okänt hur det upptäcktes",
    # ------------------------------------------------------------------ figures
    "fig_youth_title": "Rapporterade unga {ages} år per 10 000 invånare",
    "fig_youth_ylabel": "Per 10 000 invånare {ages} år",
    "fig_observed": "Observerat (95 % KI)",
    "fig_fitted": "Trend",
    "fig_band": "Trendens 95 % band",
    "fig_alarm": "Larm",
    "fig_female_title": "Andel kvinnor bland unga {ages} år",
    "fig_female_ylabel": "Andel kvinnor",
    "fig_period_points": "Per period (95 % KI)",
    "fig_rolling": "Rullande 12 månader (95 % KI)",
    "fig_benchmark": "Jämförelsevärde {value}",
    "fig_target": "Mål {value}",
    "fig_no_data": "Inga publicerbara värden",
    "fig_gaps": "Saknade punkter: dolda (–) eller ej definierade",
    "fig_youth_alt": (
        "Diagram över rapporterade unga per 10 000 invånare per period, med trend och larm. "
        "Samma siffror finns i tabellen nedan."
    ),
    "fig_female_alt": (
        "Diagram över andelen kvinnor bland rapporterade unga, per period och rullande 12 "
        "månader, med jämförelsevärde och mål. Samma siffror finns i tabellen nedan."
    ),
    # ------------------------------------------------------------------ excel
    "sheet_info": "Om rapporten",
    "sheet_youth_by_period": "Unga per period",
    "sheet_female_share": "Andel kvinnor bland unga",
    "sheet_indicators": "Indikatorer",
    "sheet_trend": "Trend",
    "sheet_comparison": "Jämförelse",
    "sheet_fairness": "Grupper",
    "sheet_methods": "Metod och definitioner",
    "note_suppressed": (
        "Dold: färre än {T} personer, kanske inga, eller kan avslöja ett sådant tal."
    ),
    "note_not_defined": "Ej definierat: kan inte beräknas (t.ex. noll i nämnaren).",
    "note_no_history": (
        "Inget väntat antal, ingen larmgräns och inget larm: larm kräver flera års tidigare data "
        "från samma tid på året."
    ),
    "note_model_withheld": (
        "Trend, väntat antal, larmgräns och larm visas inte: ett antal i serien är dolt och "
        "skulle kunna räknas fram ur dem."
    ),
    "note_not_applicable": (
        "Ej tillämpligt: radens tomma celler (intervall, n eller p-värde) tas inte fram för "
        "det här måttet."
    ),
    "info_empty": (
        "En tom cell betyder att värdet döljs, inte kan beräknas eller inte hör till raden; "
        "kolumnen Anmärkning säger varför. Dolda värden bygger på färre än {T} personer eller "
        "skulle kunna avslöja ett sådant tal (kanske noll). Nollor visas bara i tabeller utan "
        "streck."
    ),
    "info_methods": (
        "Målet, definitioner, metoder, röjandekontroll, rader i indata och källor finns på "
        "bladet {sheet}."
    ),
    "info_municipality": "Kommun",
    "info_period": "Period",
    "info_threshold": "Gräns för röjandekontroll",
    "info_version": "Version",
    # ------------------------------------------------------------------ follow-up text
    "md_title": "Medborgarlöfte {municipality}: uppföljning av narkotikabrott, {period}",
    "md_intro": (
        "Kommunen och polisen följer upp medborgarlöftets fokus på narkotikabrott: att upptäcka "
        "yngre personer som riskerar att hamna i ett missbruk och att eftersträva en jämnare "
        "könsfördelning bland rapporterade personer."
    ),
    "md_youth": "Unga",
    "md_gender": "Könsfördelning",
    "md_caution": "Att tänka på",
    "md_more": (
        "Hela rapporten med tabeller och metod publiceras tillsammans med den här texten "
        "(filerna report.html och report.xlsx)."
    ),
    "col_table": "Tabell",
    "sheet_counts": "Antal",
    "table_youth_by_period": "Unga per period",
    "table_persons_by_age": "Personer efter ålder",
    "table_persons_by_area": "Personer efter område",
    "table_persons_by_gender": "Personer efter kön",
    "table_youth_by_gender": "Unga efter kön",
    "table_new_youth": "Nya unga",
    "table_youth_12m": "Unga under 12 månader",
    "measure_new_persons": "nya personer",
    "draft_prefix": "UTKAST – ",
    "draft_note": (
        "Utkast: den här versionen är inte registrerad i publiceringsregistret och får inte "
        "publiceras. Kör om utan --draft för den version som ska publiceras."
    ),
}
