"""Texts of the model card in Swedish and English (placeholders filled by ``_card``).

Private to :mod:`risk_indicators.riskmodel`.
"""

from __future__ import annotations

__all__ = ["FIGURE_LABELS", "GROUP_LABELS", "MODEL_LABELS", "TEXT"]

TEXT: dict[str, dict[str, str]] = {
    "sv": {
        "title": "Modellkort: riskindikator för tidig upptäckt (forskning), {municipality}",
        "warning": "Ett forskningsverktyg på pseudonymiserade uppgifter. Det publicerar bara "
        "sammanräknade mått, aldrig en poäng för en person, och är inte till för beslut om "
        "enskilda. Att bli anmäld igen mäter polisens aktivitet lika mycket som beteende: "
        "narkotikabrott upptäcks mest genom polisens eget arbete.",
        "status": "Status",
        "status_fitted": "Modellen är anpassad och prövad på senare perioder än den tränats på.",
        "status_few": "Uppgifterna räcker inte till en riskindikator.",
        "few_body": "Av {young} unga ({ages} år) med en första anmälan i uppgifterna är {study} "
        "med i studien ({not_observed} har ännu inte {months} månader efter anmälan i "
        "uppgifterna, {unknown} har okänt kön). Av dem anmäldes {again} igen inom {months} "
        "månader.",
        "few_train": "En logistisk modell med {params} parametrar behöver minst {need} personer "
        "med och lika många utan en ny anmälan bland dem som tränar modellen ({epv:g} per "
        "parameter, Peduzzi m.fl. 1996); träningsperioderna har {train_pos} med och "
        "{train_neg} utan.",
        "few_test": "Prövningen behöver minst {need} personer med och {need} utan en ny anmälan "
        "i testperioderna (Vergouwe m.fl. 2005); de har {test_pos} med och {test_neg} utan.",
        "few_next": "Riskindikatorn är meningsfull på data för många kommuner eller hela "
        "landet (se README, Forskare).",
        "data": "Data",
        "data_young": "Unga ({ages} år) med en första anmälan i uppgifterna",
        "data_not_observed": "varav {months} månader ännu inte observerade (ej med)",
        "data_unknown": "varav okänt kön (ej med)",
        "data_study": "I studien",
        "data_again": "varav anmälda igen inom {months} månader",
        "data_train": "Träning (första anmälan före {before})",
        "data_test": "Test (första anmälan från {test_from})",
        "data_follow": "Uppföljningen går till den senaste anmälan i uppgifterna ({month}).",
        "data_gap": "Träning och test är tillsammans färre än studien: de med en första "
        "anmälan från {before} och före {test_from} är inte med i någon av dem, så att "
        "träningens {months} månader av uppföljning slutar innan testet börjar.",
        "count_col": "personer",
        "again_col": "anmälda igen",
        "target": "Vad som förutsägs",
        "target_body": "För varje ung persons första anmälan i uppgifterna: om samma pseudonym "
        "anmäls igen inom {months} månader (samma dag räknas, dubbletter räknas inte). "
        "Personer vars {months} månader inte är observerade är inte med och räknas ovan.",
        "features": "Vad modellen vet",
        "features_body": "Bara uppgifter från den första anmälan och tidigare: ålder, kön, "
        "brott, hur brottet upptäcktes, område, del av året ({period}) och antal tidigare "
        "anmälningar i uppgifterna (0, 1, 2+). Personer anmälda före uppgifternas början "
        "ser nya ut.",
        "method": "Metod",
        "method_body": "Två scikit-learn-pipelines: one-hot-kodning och logistisk regression "
        "(huvudmodellen, tolkbar) och HistGradientBoostingClassifier. Tidsvalidering: "
        "modellen tränas på personer vars uppföljning slutade innan testperioderna börjar och "
        "prövas på senare perioder. AUC och Brier med bootstrap-intervall över personer "
        "({boot} dragningar, stratifierat), kalibreringens lutning och skärning (logistisk "
        "regression, Wald-intervall). En person flaggas när modellens sannolikhet är minst "
        "{threshold} ({rule}).",
        "rule_prevalence": "andelen anmälda igen i träningen",
        "rule_fixed": "en vald gräns",
        "performance": "Hur bra modellen är (testperioderna)",
        "perf_cols": "modell|AUC (95 % KI)|Brier (95 % KI)|kalibrering, lutning (95 % KI)"
        "|kalibrering, skärning (95 % KI)",
        "truth_line": "Bästa möjliga AUC från de syntetiska uppgifternas sanna sannolikheter på "
        "samma testpersoner: {auc}; huvudmodellens skillnad: {gap}.",
        "truth_att": "Slumpbruset i de (simulerade) sanna sannolikheterna sänker den bästa "
        "AUC:n med ungefär {att}.",
        "calibration": "Kalibrering (grupper efter modellens sannolikhet, {model})",
        "cal_cols": "grupp|personer|medelsannolikhet|andel anmälda igen (95 % KI)",
        "fairness": "Rättvisa vid gränsen ({model})",
        "fair_cols": "grupp|personer|anmälda igen|sann positiv andel (95 % KI)"
        "|falsk positiv andel (95 % KI)|flaggade|precision|medelsannolikhet minus andel",
        "eod": "Skillnad i equalized odds (fairlearn, största skillnaden i sann eller falsk "
        "positiv andel): mellan kön {gender}; mellan åldersgrupper {age}.",
        "eo": "Lika möjligheter (fairlearn ThresholdOptimizer)",
        "eo_body": "En gräns per kön vald så att den sanna positiva andelen blir lika "
        "(tränad på träningsmängden). Den använder kön vid beslutet, vilket är en juridisk "
        "och etisk fråga i sig. Balanserad träffsäkerhet: {before} utan, {after} med.",
        "eo_cols": "grupp|sann positiv andel (95 % KI)|falsk positiv andel (95 % KI)|flaggade",
        "limits": "Begränsningar",
        "limits_body": "- Att anmälas igen mäter polisens aktivitet lika mycket som beteende; "
        "en grupp som polisen söker upp mer ser mer riskfylld ut.\n"
        "- Personer anmälda före uppgifternas början ser nya ut; tidigare anmälningar saknas "
        "för dem.\n"
        "- Måtten gäller testperioderna; förändrat polisarbete eller nya områden kan ändra "
        "dem.\n"
        "- Modellen är inte prövad för beslut om enskilda och får inte användas så.",
        "disclosure": "Röjandekontroll: ett mått som vilar på ett antal personer mellan 1 och "
        "{t1}, eller på ett antal som kan räknas fram ur de visade, visas som –.",
        "withheld": "–",
        "group_all": "alla",
    },
    "en": {
        "title": "Model card: early-identification risk indicator (research), {municipality}",
        "warning": "A research tool on pseudonymised data. It publishes aggregate figures only, "
        "never a score for a person, and is not for decisions about individuals. Being "
        "reported again measures police activity as much as behaviour: narcotics offences "
        "are mostly found by the police's own work.",
        "status": "Status",
        "status_fitted": "The model is fitted and tested on later periods than it was trained on.",
        "status_few": "The data are too few for a risk indicator.",
        "few_body": "Of {young} young persons (aged {ages}) with a first report in the data, "
        "{study} are in the study ({not_observed} do not yet have {months} months after it in "
        "the data, {unknown} have an unknown gender). Of these, {again} were reported again "
        "within {months} months.",
        "few_train": "A logistic model with {params} parameters needs at least {need} persons "
        "with and as many without a new report among those it is trained on ({epv:g} per "
        "parameter, Peduzzi et al. 1996); the training periods have {train_pos} with and "
        "{train_neg} without.",
        "few_test": "Testing needs at least {need} persons with and {need} without a new report "
        "in the test periods (Vergouwe et al. 2005); they have {test_pos} with and "
        "{test_neg} without.",
        "few_next": "The indicator is meaningful on data of many municipalities or the whole "
        "country (see README, For researchers).",
        "data": "Data",
        "data_young": "Young persons (aged {ages}) with a first report in the data",
        "data_not_observed": "of whom {months} months not yet observed (left out)",
        "data_unknown": "of whom gender unknown (left out)",
        "data_study": "In the study",
        "data_again": "of whom reported again within {months} months",
        "data_train": "Training (first report before {before})",
        "data_test": "Test (first report from {test_from})",
        "data_follow": "Follow-up runs to the latest report in the data ({month}).",
        "data_gap": "Training and test together are fewer than the study: those whose first "
        "report is from {before} and before {test_from} are in neither, so that the "
        "training's {months} months of follow-up end before the test begins.",
        "count_col": "persons",
        "again_col": "reported again",
        "target": "What is predicted",
        "target_body": "For each young person's first report in the data: whether the same "
        "pseudonym is reported again within {months} months (the same day counts, "
        "duplicates do not). Persons whose {months} months are not observed are left out and "
        "counted above.",
        "features": "What the model knows",
        "features_body": "Only facts of the first report and before: age, gender, offence, how "
        "the offence was found, area, part of the year ({period}) and earlier reports in the "
        "data (0, 1, 2+). Persons reported before the data begin look new.",
        "method": "Method",
        "method_body": "Two scikit-learn pipelines: one-hot encoding and logistic regression "
        "(the main model, interpretable) and HistGradientBoostingClassifier. Temporal "
        "validation: trained on persons whose follow-up ended before the test periods begin, "
        "tested on later periods. AUC and Brier score with a bootstrap interval over persons "
        "({boot} resamples, stratified), calibration slope and intercept (logistic "
        "regression, Wald intervals). A person is flagged when the model's probability is at "
        "least {threshold} ({rule}).",
        "rule_prevalence": "the share reported again in training",
        "rule_fixed": "a chosen threshold",
        "performance": "How good the model is (test periods)",
        "perf_cols": "model|AUC (95% CI)|Brier (95% CI)|calibration slope (95% CI)"
        "|calibration intercept (95% CI)",
        "truth_line": "Best achievable AUC from the synthetic data's true probabilities on the "
        "same test persons: {auc}; the main model's difference: {gap}.",
        "truth_att": "The Monte Carlo noise of the (simulated) true probabilities lowers the "
        "best AUC by about {att}.",
        "calibration": "Calibration (groups by the model's probability, {model})",
        "cal_cols": "group|persons|mean probability|share reported again (95% CI)",
        "fairness": "Fairness at the threshold ({model})",
        "fair_cols": "group|persons|reported again|true positive rate (95% CI)"
        "|false positive rate (95% CI)|flagged|precision|mean probability minus share",
        "eod": "Equalized odds difference (fairlearn, the larger difference in true or false "
        "positive rate): between genders {gender}; between age bands {age}.",
        "eo": "Equal opportunity (fairlearn ThresholdOptimizer)",
        "eo_body": "A threshold per gender chosen so that the true positive rates are equal "
        "(fitted on the training set). It uses gender at the moment of decision, which is a "
        "legal and ethical question of its own. Balanced accuracy: {before} without, {after} "
        "with.",
        "eo_cols": "group|true positive rate (95% CI)|false positive rate (95% CI)|flagged",
        "limits": "Limits",
        "limits_body": "- Being reported again measures police activity as much as behaviour; "
        "a group the police seek out more looks riskier.\n"
        "- Persons reported before the data begin look new; their earlier reports are "
        "missing.\n"
        "- The figures hold for the test periods; changed policing or new areas can change "
        "them.\n"
        "- The model is not tested for decisions about individuals and must not be used so.",
        "disclosure": "Disclosure control: a figure resting on a count of persons between 1 and "
        "{t1}, or on a count that the shown ones would give away, is shown as –.",
        "withheld": "–",
        "group_all": "all",
    },
}

MODEL_LABELS: dict[str, dict[str, str]] = {
    "sv": {"logistic": "logistisk regression", "boosting": "gradient boosting",
           "logistic+equal_opportunity": "logistisk, lika möjligheter", "truth": "sanningen"},
    "en": {"logistic": "logistic regression", "boosting": "gradient boosting",
           "logistic+equal_opportunity": "logistic, equal opportunity", "truth": "the truth"},
}  # fmt: skip

GROUP_LABELS: dict[str, dict[str, str]] = {
    "sv": {"man": "män", "kvinna": "kvinnor", "all": "alla"},
    "en": {"man": "men", "kvinna": "women", "all": "all"},
}

FIGURE_LABELS: dict[str, dict[str, str]] = {
    "sv": {"period_tertial": "tertial", "period_quarter": "kvartal", "period_month": "månad",
           "period_year": "år"},
    "en": {"period_tertial": "tertial", "period_quarter": "quarter", "period_month": "month",
           "period_year": "year"},
}  # fmt: skip
