"""The goal rule in words: for the method section (with status codes) and for residents
(plain), in Swedish and English. Private to :mod:`risk_indicators.fairness.goal`."""

__all__ = ["GOAL_RULE_EN", "GOAL_RULE_PLAIN", "GOAL_RULE_SV"]

GOAL_RULE_EN = (
    "Goal status for the target female share T among young reported persons by the target "
    "period. The share is measured in 12-month windows: the one ending with the period P and "
    "those ending one, two, ... years before it, back to the baseline period of the config if "
    "one is set (they do not overlap; each person counts once in each). (1) insufficient_data: "
    "fewer than 20 young women and men in the 12 months ending with P, or (when not met) "
    "fewer than 3 such windows. (2) met: the lower limit of "
    "the Wilson 95% interval of the share in the 12 months ending with P is at least T. "
    "(3) Otherwise a quasi-binomial logistic trend of the windows' shares on time (dispersion "
    "floored at 1, Student's t with windows - 2 degrees of freedom) gives the probability "
    "that the share at the target period (at P once it has passed) is at least T: on_track "
    "when it is at least 0.9, not_on_track when it is at most 0.1, cannot_tell_yet between. "
    "When no trend can be fitted (no woman or no man in any window, or women and men in "
    "separate years), not_on_track if the upper Wilson limit of the 12 months ending with P "
    "is below T, otherwise insufficient_data."
)
GOAL_RULE_SV = (
    "Målstatus för målandelen kvinnor T bland unga anmälda personer till målperioden. "
    "Andelen mäts i 12-månadersfönster: det som slutar med perioden P och de som slutar ett, "
    "två, ... år före, tillbaka till konfigurationens basperiod om en sådan är satt (de "
    "överlappar inte; varje person räknas en gång i varje). "
    "(1) insufficient_data (för lite data): färre än 20 unga kvinnor och män under de 12 "
    "månader som slutar med P, eller (när målet inte är uppnått) färre än 3 sådana fönster. "
    "(2) met (uppnått): den nedre gränsen i Wilsons 95 %-intervall för andelen under de 12 "
    "månader som slutar med P är minst T. (3) Annars ger en kvasibinomial logistisk trend för "
    "fönstrens andelar över tid (dispersion minst 1, Students t med antal fönster - 2 "
    "frihetsgrader) sannolikheten att andelen vid målperioden (vid P när den har passerat) är "
    "minst T: on_track (på väg) när den är minst 0,9, not_on_track (inte på väg) när den är "
    "högst 0,1, cannot_tell_yet (går inte att säga än) däremellan. Går ingen trend att skatta "
    "(ingen kvinna eller ingen man i något fönster, eller kvinnor och män under skilda år) "
    "blir statusen not_on_track om den övre Wilsongränsen för de 12 månaderna som slutar med "
    "P ligger under T, annars insufficient_data."
)

#: The rule for readers of the report, without status codes or symbols (same rule as above).
GOAL_RULE_PLAIN = {
    "sv": (
        "Andelen kvinnor bland rapporterade unga mäts över 12 månader: de senaste 12 "
        "månaderna och samma 12 månader ett, två, ... år tidigare. Målet är uppnått när den "
        "nedre gränsen i 95 % konfidensintervallet (Wilson) för de senaste 12 månaderna ligger "
        "på eller över målet, så andelen är över målet även med hänsyn till slumpen. Annars "
        "skattas en trend i andelen över åren (logistisk regression som tar hänsyn till att "
        "andelen varierar mer än slumpen ensam ger), och den ger sannolikheten att andelen når "
        "målet vid målperioden. På väg att nå målet: sannolikheten är minst 90 %. Inte på väg: "
        "högst 10 %. Däremellan går det inte att säga än: siffrorna är för små för att skilja "
        "en andel under målet från en vid målet. För lite data för att bedöma: färre än 20 "
        "unga kvinnor och män under de senaste 12 månaderna, eller färre än tre års data."
    ),
    "en": (
        "The share of women among young reported persons is measured over 12 months: the last "
        "12 months and the same 12 months one, two, ... years earlier. The goal is met when "
        "the lower limit of the 95% confidence interval (Wilson) for the last 12 months is at "
        "or above the target, so the share is above the target even allowing for chance. "
        "Otherwise a trend in the share over the years is estimated (logistic regression that "
        "allows the share to vary more than chance alone gives), and it gives the probability "
        "that the share reaches the target at the target period. On track: that probability "
        "is at least 90%. Not on track: at most 10%. In between it cannot be told yet: the "
        "numbers are too small to tell a share below the target from one at the target. Too "
        "little data to assess: fewer than 20 young women and men in the last 12 months, or "
        "less than three years of data."
    ),
}
