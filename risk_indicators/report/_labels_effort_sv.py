"""Swedish texts of the section "Vad som gjordes" (issue 16); the keys are those of
:mod:`._labels_effort_en`. Merged into the report's labels by :mod:`..labels`."""

from __future__ import annotations

SV_EFFORT: dict[str, str] = {
    "sec_effort": "Vad som gjordes",
    "eff_intro": (
        "Löftet räknar upp vad polisen och kommunen gör: trygghetsvandringar i Skillingaryd "
        "och Vaggeryd, arbetsmetoden EST, trygghetsrundor på hot spots och trafikinsatser. "
        "Narkotikabrott upptäcks till största delen genom polisens eget arbete, därför ställs "
        "de rapporterade unga här bredvid polisens insatser."
    ),
    "eff_unknown": (
        "Polisens insatser är okända i den här rapporten: ingen aktivitetsfil angavs. Antalet "
        "rapporterade unga speglar både narkotikabruket och hur mycket polisen letar; utan "
        "uppgifter om insatserna går det inte att skilja dem åt."
    ),
    "eff_hours": "Under {period} redovisar aktivitetsfilen {hours} timmar insatser.",
    "eff_per_hours": (
        "Det motsvarar {rate} rapporterade unga per 100 insatstimmar (95 % konfidensintervall "
        "{ci})."
    ),
    "eff_per_hours_supp": (
        "Unga per 100 insatstimmar redovisas inte (–): antalet unga är färre än {T} eller skulle "
        "kunna avslöja ett sådant tal."
    ),
    "eff_trend": (
        "Med insatstimmarna i modellen förändrades antalet rapporterade unga per invånare med "
        "{adj} per år (95 % konfidensintervall {ci}) under {span}; utan dem, under samma "
        "perioder, med {unadj} ({uci})."
    ),
    "eff_gone": (
        "Förändringen utan hänsyn till insatserna är inte säkerställd när insatserna räknas "
        "in: den kan bero på att polisen letat mer snarare än på att fler unga använder "
        "narkotika."
    ),
    "eff_stays": (
        "Förändringen finns kvar när insatserna räknas in: de redovisade insatserna förklarar "
        "den inte."
    ),
    "eff_new": (
        "Först när insatserna räknas in är förändringen säkerställd: en förändring i "
        "insatserna dolde den."
    ),
    "eff_unclear": (
        "Ingen av förändringarna är säkerställd: båda intervallen rymmer både en minskning och "
        "en ökning."
    ),
    "eff_elasticity": (
        "Elasticitet för rapporterade unga mot insatstimmar: {g} (95 % konfidensintervall "
        "{ci}); 1 betyder att antalet följer timmarna fullt ut, 0 att det inte beror på dem."
    ),
    "eff_flat": (
        "Insatstimmarna varierade inte utöver årstiden, så det finns inget att justera: "
        "trenden med insatser är densamma som utan."
    ),
    "eff_last_unknown": (
        "Aktivitetsfilen saknar timmar för {period}, så trenden med insatser kan inte skattas. "
        "Redovisa timmarna för varje period, även den ordinarie patrulleringen."
    ),
    "eff_in_step": (
        "Insatstimmarna förändrades i takt med tiden, så data kan inte skilja en förändring av "
        "insatserna från en förändring av narkotikabruket: trenden med insatser skattas inte."
    ),
    "eff_insufficient": "Trenden med insatser kan ännu inte skattas (för få perioder).",
    "eff_share": (
        "Av de unga under {period} vars upptäcktssätt är känt upptäcktes {share} genom "
        "polisens eget arbete (95 % konfidensintervall {ci})."
    ),
    "eff_detection_supp": (
        "De unga efter upptäcktssätt redovisas inte (–): ett antal skulle vara färre än {T} "
        "eller kunna avslöja ett sådant tal."
    ),
    "eff_not_reported": "ej redovisad",
    "cap_effort_promise": "Aktiviteter i löftet, {period}",
    "cap_effort_activities": "Aktiviteter per period och område, de senaste tolv månaderna",
    "cap_effort_trend": "Trend för rapporterade unga, med och utan polisens insatser",
    "cap_effort_detection": "Unga ({ages} år) efter upptäcktssätt, {period}",
    "col_activity": "Aktivitet",
    "col_amount": "Omfattning",
    "col_unit": "Enhet",
    "col_promised": "I löftet",
    "col_detection": "Upptäcktssätt",
    "col_women_and_men": "Kvinnor och män",
    "act_trygghetsvandring": "Trygghetsvandring",
    "act_trygghetsrunda": "Trygghetsrunda",
    "act_hot_spot": "Insats på hot spot",
    "act_est": "EST-möte (gemensam lägesbild)",
    "act_trafikinsats": "Trafikinsats",
    "act_kontroll": "Kontroller",
    "act_patrull": "Patrullering",
    "unit_antal": "tillfällen",
    "unit_timmar": "timmar",
    "term_annual_change_effort_adjusted": "Årlig förändring med insatser",
    "term_annual_change_same_periods": "Årlig förändring utan insatser (samma perioder)",
    "term_effort_elasticity": "Elasticitet mot insatstimmar",
    "fig_effort_title": "Insatstimmar och rapporterade unga ({ages} år)",
    "fig_effort_ylabel": "Insatstimmar",
    "fig_effort_right": "Rapporterade unga",
    "fig_effort_persons": "Rapporterade unga (höger axel)",
    "fig_effort_alt": (
        "Stapeldiagram över insatstimmar per period och aktivitet, med antalet rapporterade "
        "unga som linje."
    ),
    "ind_police_initiated_share_youth": "Andel unga upptäckta genom polisens arbete",
    "ind_youth_per_100_activity_hours": "Unga per 100 insatstimmar",
    "ind_youth_trend_annual_change_effort_adjusted": (
        "Trend med polisens insatser: årlig förändring"
    ),
    "def_police_initiated_share_youth": (
        "Unga kvinnor och män som upptäckts genom polisens arbete delat med dem som upptäckts "
        "genom polisens arbete eller anmälts av någon annan (okänt upptäcktssätt räknas inte)."
    ),
    "def_youth_per_100_activity_hours": (
        "Rapporterade unga under perioden per 100 timmar insatser i aktivitetsfilen."
    ),
    "def_youth_trend_annual_change_effort_adjusted": (
        "Trenden för rapporterade unga med logaritmen av varje periods insatstimmar i modellen; "
        "över perioderna med kända timmar."
    ),
    "method_effort": (
        "Trend med insatser: samma kvasi-Poissonmodell som trenden, med logaritmen av "
        "periodens insatstimmar som förklarande variabel vars koefficient (elasticiteten) "
        "skattas i stället för att sättas till 1, eftersom bara de som upptäcks genom polisens "
        "arbete följer timmarna. Den förutsätter en elasticitet för alla perioder och att "
        "timmarna mäter den polisnärvaro som upptäcker narkotikabrott, ordinarie patrullering "
        "inräknad. Unga per 100 insatstimmar: exakt Poissonintervall. Andel upptäckta genom "
        "polisens arbete: Wilsonintervall."
    ),
    "sheet_effort": "Aktiviteter",
}
