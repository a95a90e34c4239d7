"""Swedish texts of the report: definitions, what the numbers mean, methods."""

from __future__ import annotations

SV_METHODS: dict[str, str] = {
    # ------------------------------------------------------------------ definitions
    "def_persons": ("Antal olika personer med minst en anmälan om narkotikabrott under perioden."),
    "def_persons_youth": (
        "Rapporterade personer som var {ages} år vid sin första anmälan under perioden."
    ),
    "def_youth_share": "Unga delat med alla rapporterade personer.",
    "def_female_share": (
        "Kvinnor delat med kvinnor och män bland de rapporterade; okänt kön räknas inte med."
    ),
    "def_female_share_youth": (
        "Kvinnor delat med kvinnor och män bland de rapporterade unga; okänt kön räknas inte med."
    ),
    "def_youth_rate_per_10k": (
        "Rapporterade unga per 10 000 invånare som är {ages} år (befolkningen vid årets slut "
        "enligt SCB)."
    ),
    "def_rate_ratio_female_male_youth": (
        "Unga kvinnors tal per invånare delat med unga mäns; 1 betyder lika höga tal."
    ),
    "def_female_share_youth_12m": (
        "Andelen kvinnor bland unga under de tolv månader som slutar med perioden (varje "
        "person räknas en gång); målet följs upp med den."
    ),
    "def_rate_ratio_female_male_youth_12m": (
        "Kvoten mellan unga kvinnors och unga mäns tal per invånare under de tolv månader som "
        "slutar med perioden."
    ),
    "def_benchmark_ratio_youth": (
        "Oddset för andelen kvinnor bland rapporterade unga delat med oddset för "
        "jämförelsevärdet; 1 betyder att kvinnor rapporteras i samma utsträckning som de "
        "använder narkotika."
    ),
    "def_new_persons_youth": (
        "Unga under perioden som inte hade någon anmälan under de 24 månaderna före periodens "
        "början."
    ),
    "def_youth_trend_annual_change": (
        "Relativ förändring per år av rapporterade unga per invånare, över alla perioder från "
        "den första i data."
    ),
    "def_female_share_youth_trend": (
        "Förändring per år av log-oddset för andelen kvinnor bland unga; över 0 betyder att "
        "andelen ökar."
    ),
    "def_goal_status": "Om målet för andelen kvinnor är nått eller på väg att nås (se regeln).",
    # ------------------------------------------------------------------ what the numbers mean
    "meaning_police": (
        "Narkotikabrott upptäcks till största delen genom polisens eget arbete, till exempel "
        "kontroller och insatser på platser som pekas ut i den gemensamma lägesbilden. Antalet "
        "rapporterade personer följer därför polisens arbetsinsats minst lika mycket som hur "
        "vanligt narkotikabruket är. Fler rapporterade unga kan betyda att polisen upptäcker "
        "fler, inte att fler använder narkotika."
    ),
    "meaning_chance": (
        "Talen är små. När det gäller några tiotal personer per period varierar antalet mycket "
        "av en slump. Konfidensintervallen (95 %) visar hur stor osäkerheten är. Om en "
        "förändring är större än slumpen avgörs med ett test, som rapporten anger där det "
        "finns."
    ),
    "meaning_arrows": (
        "Pilarna i tabellen säger om talet är högre eller lägre än samma period året innan. "
        "”Inom slumpens variation” betyder att ett exakt test inte kan skilja skillnaden från "
        "slumpen (p ≥ 0,05); en pil ensam betyder att skillnaden är större än vad slumpen brukar "
        "ge (p < 0,05). Också en sådan skillnad kan komma av polisens arbetsinsats."
    ),
    "meaning_zero": (
        "En nolla visas bara i en tabell utan streck, och betyder då att ingen rapporterades. I "
        "en tabell med streck visas inte heller nollorna: ett streck kan alltså betyda att "
        "ingen rapporterades."
    ),
    "meaning_suppressed": (
        "Ett streck (–) betyder att siffran inte redovisas: den är färre än {T} personer, "
        "kanske noll, eller skulle tillsammans med andra publicerade siffror (även från "
        "tidigare rapporter) kunna avslöja ett sådant tal. Ett streck säger alltså inte att "
        "någon rapporterades."
    ),
    "meaning_counting": (
        "En person räknas en gång per period, i det område, den åldersgrupp och det kön som "
        "gäller vid personens första anmälan under perioden. Under tolv månader räknas en "
        "person en gång, så en tolvmånaderssiffra kan vara mindre än summan av perioderna."
    ),
    "meaning_benchmark": (
        "Andelen kvinnor jämförs med ett jämförelsevärde: andelen kvinnor bland unga som "
        "använder narkotika. En kvot nära 1 betyder att kvinnor rapporteras i takt med sitt "
        "narkotikabruk."
    ),
    # ------------------------------------------------------------------ methods
    "method_wilson": (
        "Andelar redovisas med Wilsons 95 % konfidensintervall, som fungerar även för små tal "
        "och för andelar nära 0 eller 100 %."
    ),
    "method_poisson": (
        "Tal per 10 000 invånare redovisas med exakta (Garwood) Poisson-intervall, 95 %."
    ),
    "method_katz": (
        "Kvoten mellan kvinnors och mäns tal redovisas med Katz logaritmiska 95 % intervall."
    ),
    "method_trend": (
        "Trenden är en kvasi-Poisson-regression av antalet rapporterade unga per period, med "
        "befolkningen som exponering och periodens plats i året som säsong; överspridningen "
        "skattas från data och intervallet bygger på t-fördelningen. Trenden redovisas som "
        "relativ förändring per år."
    ),
    "method_female_trend": (
        "Förändringen av andelen kvinnor över tid skattas med logistisk regression som tillåter "
        "att andelen varierar mer än slumpen ensam ger (kvasibinomial, med t-intervall). "
        "Målbedömningen använder samma slags regression över de årliga 12-månadersandelarna "
        "och ger sannolikheten att andelen når målet."
    ),
    "method_comparison": (
        "Jämförelsen med tidigare år är kvoten mellan talen per invånare, med exakt villkorligt "
        "test och intervall. Pilarna i nyckeltalen prövas också: antal med ett exakt "
        "binomialtest, andelar och kvoterna mellan kvinnor och män med Fishers exakta test."
    ),
    "method_alarm": (
        "Larm för enskilda perioder följer Farringtons flexibla metod (som i R-paketet "
        "surveillance): antalet jämförs med en gräns som skattas från samma tid på året under "
        "tidigare år. Ett larm betyder ett ovanligt högt antal, inte att något är fel."
    ),
    "method_disclosure": (
        "Rapporten redovisar ett fåtal utvalda tabeller, inte alla kombinationer av område, "
        "ålder och kön: unga per period; personer efter ålder, område och kön för perioden och "
        "samma period året innan; unga kvinnor och män under tolvmånadersperioder. Varje "
        "publicerat antal är 0 eller minst {T}, och nollor visas bara i tabeller utan streck. "
        "Andelar, tal per invånare, kvoter och trender publiceras bara när alla antal de "
        "bygger på publiceras. Dessutom döljs siffror så att inget antal mellan 1 och {T1}, "
        "publicerat eller inte, kan räknas fram ur allt som publicerats (även i tidigare "
        "rapporter); en granskning med heltalsprogrammering visar det före varje publicering."
    ),
    "method_disclosure_cell_key": (
        "Rapporten redovisar ett fåtal utvalda tabeller, inte alla kombinationer av område, "
        "ålder och kön: unga per period; personer efter ålder, område och kön för perioden och "
        "samma period året innan; unga kvinnor och män under tolvmånadersperioder. Varje antal "
        "utom 0 ändras lite slumpmässigt innan något räknas ut (cellnyckelmetoden, som SCB, "
        "ONS och Australian Bureau of Statistics använder den): med högst {D}, i genomsnitt "
        "med ingenting, med variansen {V}. Ett antal unga är summan av {bands} åldersgrupper "
        "som ändras var för sig, så det ändras med högst {Y}. Samma personer får alltid samma "
        "ändring, i varje tabell och varje rapport, så ändringen kan inte jämnas ut genom att "
        "jämföra eller upprepa rapporter (ett tal som ändras av nya uppgifter får en ny "
        "ändring). Ett publicerat litet tal är alltså inte det sanna talet: den som känner "
        "denna regel och inget annat gissar rätt på det sanna talet högst {worst} av gångerna. "
        "En 0 kan stå för upp till {D} personer (unga: upp till {Y}); den är en verklig 0 {zero} "
        "av gångerna. "
        "Andelar, tal per invånare, kvoter och trender räknas ut ur de publicerade talen, och "
        "deras "
        "95-procentiga konfidensintervall inkluderar ändringen. Eftersom varje tal ändras för "
        "sig kan en summa skilja sig lite från summan av delarna."
    ),
    "meaning_perturbed": (
        "Varje tal utom 0 har ändrats med högst {D} personer uppåt eller nedåt (ett antal unga, "
        "summan av {bands} åldersgrupper, med högst {Y}), så att ett litet tal inte ger det "
        "sanna talet. En 0 kan stå för upp till {D} personer (unga: upp till {Y}). "
        "Konfidensintervallen inkluderar ändringen. Summor kan skilja sig lite från summan av "
        "delarna."
    ),
    "perturbed_text": "Inget antal döljs: varje tal visas, lite ändrat.",
    "suppressed_count_text": "I rapportens tabeller visas {k} antal som streck (–).",
    "suppressed_none_text": "Inget antal i rapportens tabeller behövde döljas.",
    "rows_rounded": "Avrundat till tiotal, så att två rapporter inte ger en periods exakta antal.",
    "rows_read": "Rader i polisens uttag",
    "rows_used": "Använda rader",
    "rows_rejected": "Avvisade rader (fel i uppgifterna; listas i granskningen, publiceras inte)",
    "rows_duplicates": "Dubbletter (samma ärende och person, räknas en gång)",
    "source_police": (
        "Polismyndigheten: personer rapporterade för narkotikabrott, uttag för {municipality}."
    ),
    "source_population": "SCB: befolkning efter ålder och kön den 31 december.",
    "source_activity": (
        "Polisen och kommunen: aktivitetsfilen (löftets aktiviteter och polisens insatstimmar "
        "per period och område)."
    ),
    "version_text": "Framställd med risk_indicators version {version}.",
    "col_input": "Indata",
    "input_reports": "Rapporterade personer (polisens uttag)",
    "input_population": "Befolkning",
    "input_counts": "Antal (aggregerade)",
    "input_activity": "Polisens insatser (aktivitetsfil)",
    "input_config": "Inställningar",
    "col_file": "Fil",
    "col_sha256": "SHA-256",
    "col_count": "Rader",
    "col_what": "Vad",
}
