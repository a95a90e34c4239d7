"""The early-identification risk indicator and its fairness audit (issue 17).

References: a hand-built cohort whose targets and exclusions are counted by hand; scikit-learn's
``roc_auc_score`` and DeLong's variance (DeLong, DeLong & Clarke-Pearson 1988, written out
here) for the AUC; simulated outcomes with a known calibration slope; confusion matrices of
scikit-learn for the fairlearn figures; linear programming for the disclosure rule; and the
synthetic generator's true probabilities for the acceptance test.
"""

from __future__ import annotations

import math
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import linprog
from sklearn.metrics import confusion_matrix, roc_auc_score
from typer.testing import CliRunner

import risk_indicators as ri
from risk_indicators.cli import app
from risk_indicators.errors import UsageError
from risk_indicators.intake import Pseudonymiser
from risk_indicators.riskmodel import (
    FEATURES,
    TABLE_COLUMNS,
    build_cohort,
    model_card,
    protect_counts,
    report_section,
    write_model_outputs,
)
from risk_indicators.riskmodel._audit import eod_bootstrap, group_metrics
from risk_indicators.riskmodel._metrics import (
    bootstrap_indices,
    calibration_bins,
    calibration_fit,
    rank_auc,
)
from risk_indicators.synthetic import SynthParams, rereport_truth

KEY = b"k" * 32


# ----------------------------------------------------------------------------- cohort
def _records(rows: list[tuple[str, str, int, str, str]]) -> ri.Records:
    frame = pd.DataFrame(rows, columns=["person_id", "report_date", "age", "gender", "offence"])
    frame["report_id"] = [f"K{i}" for i in range(len(frame))]
    return ri.read_reports(frame, key=KEY, max_rejected_share=1.0)


HAND = [
    ("a", "2023-01-10", 16, "K", "eget_bruk"),  # reported again 2023-06-01: 1
    ("a", "2023-06-01", 16, "K", "innehav"),
    ("b", "2022-12-01", 14, "M", "eget_bruk"),  # an earlier report at 14
    ("b", "2023-02-01", 15, "M", "innehav"),  # index; next 2024-02-02 is a day too late: 0
    ("b", "2024-02-02", 16, "M", "innehav"),
    ("c", "2023-03-03", 30, "M", "innehav"),  # never young: not in the cohort
    ("d", "2023-03-01", 20, "M", "overlatelse"),  # another case the same day: 1
    ("d", "2023-03-01", 20, "M", "innehav"),
    ("e", "2023-01-05", 22, "X", "eget_bruk"),  # gender unknown: left out
    ("f", "2024-09-01", 18, "M", "eget_bruk"),  # 12 months not observed: left out
    ("g", "2023-01-15", 24, "K", "eget_bruk"),  # again on the last day of 12 months: 1
    ("g", "2024-01-15", 25, "K", "eget_bruk"),
    ("c", "2025-01-31", 32, "M", "innehav"),  # the last report: follow-up ends here
]


def test_cohort_by_hand() -> None:
    cfg = ri.load_config()
    cohort = build_cohort(_records(HAND), config=cfg)
    assert cohort.counts == {"young_first_reports": 6, "not_observed": 1, "unknown_gender": 1,
                             "study": 4, "reported_again": 3}  # fmt: skip
    letters = {Pseudonymiser(KEY).pseudonymise(pd.Series([x]))[0]: x for x in "abcdefg"}
    by = cohort.frame.set_index(cohort.frame["person"].map(letters))
    assert by["outcome"].to_dict() == {"a": 1, "b": 0, "d": 1, "g": 1}
    assert by["earlier_reports"].to_dict() == {"a": "0", "b": "1", "d": "0", "g": "0"}
    assert by["age"].to_dict() == {"a": 16, "b": 15, "d": 20, "g": 24}
    assert by["period_of_year"].to_dict() == {"a": "1", "b": "1", "d": "1", "g": "1"}
    assert by["age_band"].to_dict() == {"a": "15-17", "b": "15-17", "d": "18-20", "g": "21-24"}
    assert set(cohort.frame.columns) >= set(FEATURES) | {"outcome", "person", "period"}
    assert str(cohort.follow_end) == "2025-01-31"


def test_too_few_says_why_with_the_numbers() -> None:
    cfg = ri.load_config()
    result = ri.fit_risk_model(_records(HAND), config=cfg)
    assert result.status == "insufficient_data"
    assert set(result.reasons) == {"few_training_events", "few_test_events"}
    # the counts 1 (not observed) and 1 (unknown gender) are withheld, and with them
    # enough others that neither follows from the shown ones
    assert not result.figure("not_observed", group_by="data")["published"]
    assert result.count("not_observed") is None and result.count("unknown_gender") is None
    card = model_card(result, "en")
    assert "The data are too few" in card and "–" in card
    assert not re.search(r"\b1 do not yet have", card)
    # the embargo: training ends 12 months before the test's first tertial 2023T1 begins
    split = (result.settings["test_from"], result.settings["train_before"])
    assert split == ("2023T1", "2022-01-01")
    assert "report is from 2022-01-01 and before 2023T1 are in neither" in card
    assert "från 2022-01-01 och före 2023T1 är inte med" in model_card(result, "sv")


# ----------------------------------------------------------------------------- metrics
def _delong_se(y: np.ndarray, s: np.ndarray) -> float:
    """DeLong et al. (1988): variance of the AUC from the structural components."""
    pos, neg = s[y == 1], s[y == 0]
    psi = (pos[:, None] > neg[None, :]) + 0.5 * (pos[:, None] == neg[None, :])
    v10, v01 = psi.mean(axis=1), psi.mean(axis=0)
    return math.sqrt(v10.var(ddof=1) / pos.size + v01.var(ddof=1) / neg.size)


def test_rank_auc_equals_sklearn_with_ties() -> None:
    rng = np.random.default_rng(4)
    y = rng.integers(0, 2, 400)
    s = np.round(rng.random(400) + 0.3 * y, 1)  # many ties
    assert rank_auc(y, s)[0] == pytest.approx(roc_auc_score(y, s), abs=1e-12)
    boot = bootstrap_indices(y, 5, rng)
    expected = [roc_auc_score(y[b], s[b]) for b in boot]
    np.testing.assert_allclose(rank_auc(y, s, boot), expected, atol=1e-12)
    assert (y[boot].sum(axis=1) == y.sum()).all()  # stratified: the same number reported again


def test_bootstrap_se_close_to_delong() -> None:
    rng = np.random.default_rng(7)
    y = np.r_[np.ones(150, int), np.zeros(250, int)]
    s = rng.normal(0.6 * y, 1.0)
    boot = rank_auc(y, s, bootstrap_indices(y, 2000, rng))
    # the bootstrap SE's own Monte Carlo error is about SE / sqrt(2 B) = 1.6 %; the methods
    # differ by O(1/n): allow 10 %
    assert boot.std(ddof=1) == pytest.approx(_delong_se(y, s), rel=0.10)


def test_calibration_slope_recovers_a_known_slope() -> None:
    rng = np.random.default_rng(11)
    score = rng.uniform(0.05, 0.95, 20_000)
    logit = np.log(score / (1 - score))
    truth = 1 / (1 + np.exp(-(0.3 + 0.5 * logit)))  # slope 0.5, intercept 0.3 on the logit
    y = (rng.random(score.size) < truth).astype(int)
    fit = calibration_fit(y, score)
    est, low, high = fit["calibration_slope"]
    assert low < 0.5 < high and abs(est - 0.5) < 3 * (high - low) / 3.92
    est, low, high = calibration_fit(y, truth)["calibration_slope"]
    assert low < 1.0 < high


def test_calibration_groups_merge_small_ones() -> None:
    y = np.r_[np.zeros(40, int), np.ones(2, int), np.zeros(8, int), np.ones(50, int)]
    s = np.linspace(0, 1, 100)
    table = calibration_bins(y, s, bins=10, min_count=5)
    assert table["n"].sum() == 100 and table["positives"].sum() == 52
    for c in ("n", "positives", "negatives"):
        assert ((table[c] == 0) | (table[c] >= 5)).all()
    assert set(table.columns) == {"bin", "mean_predicted", "n", "positives", "negatives"}


def test_fairlearn_rates_equal_confusion_matrices_small() -> None:
    """fairlearn's figures by gender equal a direct computation from confusion matrices."""
    from fairlearn.metrics import equalized_odds_difference

    rng = np.random.default_rng(3)
    g = pd.Series(rng.choice(["man", "kvinna"], 500, p=[0.7, 0.3]))
    y = rng.integers(0, 2, 500)
    score = np.clip(0.3 + 0.3 * y + rng.normal(0, 0.2, 500), 0.01, 0.99)
    flagged = (score >= 0.5).astype(int)
    table, eod = group_metrics(y, flagged, score, g, group_by="gender")
    for gender in ("man", "kvinna"):
        m = (g == gender).to_numpy()
        tn, fp, fn, tp = confusion_matrix(y[m], flagged[m], labels=[0, 1]).ravel()
        row = table.set_index("group").loc[gender]
        assert (row["tp"], row["fp"], row["fn"], row["tn"]) == (tp, fp, fn, tn)
        assert row["true_positive_rate"] == pytest.approx(tp / (tp + fn))
        assert row["false_positive_rate"] == pytest.approx(fp / (fp + tn))
        assert row["selection_rate"] == pytest.approx((tp + fp) / m.sum())
        assert row["precision"] == pytest.approx(tp / (tp + fp))
        assert row["mean_predicted"] == pytest.approx(score[m].mean())
    assert eod == pytest.approx(equalized_odds_difference(y, flagged, sensitive_features=g))
    boot = bootstrap_indices(y, 3, rng)
    codes = pd.factorize(g)[0]
    for b, value in zip(boot, eod_bootstrap(y, flagged, codes, boot), strict=True):
        assert value == pytest.approx(
            equalized_odds_difference(y[b], flagged[b], sensitive_features=g[b])
        )


# ----------------------------------------------------------------------------- disclosure
def _lp_range(values: dict[str, int], visible: set[str], partitions: list, c: str) -> tuple:
    names = sorted(values)
    at = {n: i for i, n in enumerate(names)}
    rows, rhs = [], []
    for total, parts in partitions:
        row = np.zeros(len(names))
        row[at[total]] = 1
        for p in parts:
            row[at[p]] -= 1
        rows.append(row)
        rhs.append(0)
    for n in visible:
        row = np.zeros(len(names))
        row[at[n]] = 1
        rows.append(row)
        rhs.append(values[n])
    cost = np.zeros(len(names))
    cost[at[c]] = 1
    low = linprog(cost, A_eq=np.array(rows), b_eq=rhs, bounds=(0, None)).fun
    high = linprog(-cost, A_eq=np.array(rows), b_eq=rhs, bounds=(0, None))
    return low, (math.inf if high.status == 3 else -high.fun)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 12), st.integers(0, 12)), min_size=2, max_size=4),
       st.booleans())  # fmt: skip
def test_protect_counts_leaves_every_small_count_open(groups: list, gap: bool) -> None:
    """A test set split into groups, each into reported again / not; the gap group implied
    (never shown). Every hidden count in 1..T-1 can still be 0 and T (linear programming;
    the partition matrix is totally unimodular, so the bounds are integer)."""
    t = 5
    values: dict[str, int] = {}
    partitions = []
    for i, (pos, neg) in enumerate(groups):
        values |= {f"g{i}": pos + neg, f"g{i}|pos": pos, f"g{i}|neg": neg}
        partitions.append((f"g{i}", (f"g{i}|pos", f"g{i}|neg")))
    names = [f"g{i}" for i in range(len(groups))]
    values["all"] = sum(values[n] for n in names)
    values["all|pos"] = sum(values[n + "|pos"] for n in names)
    values["all|neg"] = values["all"] - values["all|pos"]
    partitions += [("all", tuple(names)), ("all|pos", tuple(n + "|pos" for n in names)),
                   ("all|neg", tuple(n + "|neg" for n in names)),
                   ("all", ("all|pos", "all|neg"))]  # fmt: skip
    shown = set(values) - ({"g0", "g0|pos", "g0|neg"} if gap else set())
    withheld = protect_counts(values, shown, partitions, min_count=t)
    visible = shown - set(withheld)
    for c, v in values.items():
        if c not in visible and 0 < v < t:
            low, high = _lp_range(values, visible, partitions, c)
            assert low <= 1e-9 and high >= t - 1e-9, (c, v, low, high, withheld)
    assert all(0 < values[c] < t for c, why in withheld.items() if why == "primary")


def test_protect_counts_needs_no_hiding_when_all_large() -> None:
    values = {"all": 30, "a": 10, "b": 20}
    assert protect_counts(values, values, [("all", ("a", "b"))], min_count=5) == {}
    with pytest.raises(ValueError, match="do not add up"):
        protect_counts({"all": 3, "a": 1, "b": 1}, ["all"], [("all", ("a", "b"))], min_count=5)


# ----------------------------------------------------------------------------- municipality
def test_demo_municipality_says_too_few_in_both_languages(tmp_path: Path) -> None:
    data = ri.demo_data_dir()
    cfg = ri.load_config(data / "config.toml")
    records = ri.read_reports(data / "reports.csv", config=cfg, key=ri.DEMO_KEY)
    result = ri.fit_risk_model(records, config=cfg)
    assert result.status == "insufficient_data"
    young, study, again = (result.count(n) for n in ("young_first_reports", "study",
                                                      "reported_again"))  # fmt: skip
    assert young is not None and study is not None and again is not None
    sv, en = model_card(result, "sv"), model_card(result, "en")
    assert "Uppgifterna räcker inte" in sv and "The data are too few" in en
    for card in (sv, en):
        for number in (young, study, again):
            assert f" {number} " in card
    section = report_section(result, "en")
    assert section["title"].startswith("Model card") and section["table"]["rows"]
    assert all(isinstance(p, str) for p in section["paragraphs"])
    files = write_model_outputs(result, tmp_path)
    assert {f.name for f in files} >= {"model_card.md", "model_card.en.md", "model_figures.csv"}


def test_cli_model_demo_and_usage_errors(tmp_path: Path) -> None:
    runner = CliRunner()
    done = runner.invoke(app, ["model", "--demo", "--out", str(tmp_path / "m"), "-q"])
    assert done.exit_code == 0, done.output
    assert (
        (tmp_path / "m" / "public" / "model_card.md")
        .read_text(encoding="utf-8")
        .startswith("# Modellkort")
    )
    assert runner.invoke(app, ["model", "--out", str(tmp_path / "x")]).exit_code == 2
    bad = runner.invoke(app, ["model", "--demo", "--models", "forest", "--out", str(tmp_path)])
    assert bad.exit_code == 2 and "'models' parameter of fit_risk_model" in bad.output


def test_bad_options() -> None:
    records = _records(HAND)
    with pytest.raises(UsageError, match="'months' parameter of fit_risk_model"):
        ri.fit_risk_model(records, months=0)
    with pytest.raises(UsageError, match="'threshold' parameter of fit_risk_model"):
        ri.fit_risk_model(records, threshold="median")
    with pytest.raises(UsageError, match="'language' parameter of model_card"):
        model_card(ri.fit_risk_model(records), "de")  # type: ignore[arg-type]


# ----------------------------------------------------------------------------- the nation
AREAS_STEP, REPLICATES = 10, 20
TEST_PERIODS = ["2023T1", "2023T2", "2023T3", "2024T1", "2024T2"]


@pytest.fixture(scope="module")
def nation() -> dict:
    """A sample of the synthetic nation: 26 municipalities, 480,000 inhabitants, 2017-2025
    (two years of burn-in, so that the pool of persons who may return is settled; the data
    handed to the model start in 2019), the truth for the test periods' first reports."""
    params = SynthParams.national()
    params = params.only_areas(params.areas[30::AREAS_STEP])
    truth = rereport_truth(params, seed=1, start="2017-01-01", periods=TEST_PERIODS,
                           replicates=REPLICATES)  # fmt: skip
    reports = truth.data.reports
    reports = reports[reports["report_date"] >= "2019-01-01"]
    # persons never reported at a youth age cannot enter the cohort (their rows change
    # nothing): leave them out to read fewer rows
    young = reports.loc[reports["age"].astype(int).between(13, 24), "person_id"].unique()
    reports = reports[reports["person_id"].isin(young)]
    cfg = ri.load_config(municipality="Sverige (syntetiskt urval)")
    records = ri.read_reports(reports, config=cfg, key=ri.DEMO_KEY)
    result = ri.fit_risk_model(records, config=cfg, truth=truth.table, test_from="2023T1",
                               models=("logistic",), bootstrap=500)  # fmt: skip
    return {"records": records, "config": cfg, "truth": truth, "result": result}


@pytest.mark.slow
def test_acceptance_auc_near_the_truth_and_calibrated(nation: dict) -> None:
    """The logistic model's test AUC is within 0.03 of the best achievable AUC and its
    calibration slope lies in [0.8, 1.2].

    The truth is simulated with 20 futures per period; its Monte Carlo noise lowers the AUC
    computed from it by about c/R, and the half-futures difference ``auc_mc_attenuation``
    estimates c/R. The best achievable AUC is taken as the truth's AUC plus twice that (on
    seed 1 the truth's AUC rose by 0.0076 from 20 to 100 futures while the estimate at 20
    was 0.0062: the first-order estimate falls short, twice it does not)."""
    result = nation["result"]
    assert result.status == "fitted"
    auc = result.figure("auc", model="logistic")
    truth = result.figure("auc", model="truth")
    attenuation = result.figure("auc_mc_attenuation", model="truth")["estimate"]
    assert auc["n"] > 5000 and auc["published"]
    assert 0 <= attenuation < 0.02
    best = truth["estimate"] + 2 * attenuation
    assert best - 0.03 <= auc["estimate"] <= truth["estimate"] + 0.03
    gap = result.figure("auc_gap", model="logistic")
    assert gap["estimate"] == pytest.approx(auc["estimate"] - truth["estimate"])
    slope = result.figure("calibration_slope", model="logistic")["estimate"]
    assert 0.8 <= slope <= 1.2


@pytest.mark.slow
def test_acceptance_fairness_by_gender_equals_confusion_matrices(nation: dict) -> None:
    """The result's fairlearn figures by gender against confusion matrices computed here from
    the cohort, the published split rule and the fitted pipeline."""
    result, cfg = nation["result"], nation["config"]
    frame = build_cohort(nation["records"], config=cfg).frame
    start = ri.parse_period(result.settings["test_from"]).start
    test = frame[pd.to_datetime(frame["report_date"]) >= pd.Timestamp(start)]
    score = result.pipelines["logistic"].predict_proba(test[list(FEATURES)])[:, 1]
    flagged = (score >= result.settings["threshold"]).astype(int)
    y = test["outcome"].to_numpy()
    for gender in ("man", "kvinna"):
        m = (test["gender"] == gender).to_numpy()
        tn, fp, fn, tp = confusion_matrix(y[m], flagged[m], labels=[0, 1]).ravel()
        row = {f: result.figure(f, model="logistic", group_by="gender", group=gender)
               for f in ("true_positive_rate", "false_positive_rate", "selection_rate",
                         "precision")}  # fmt: skip
        assert (row["precision"]["tp"], row["precision"]["fp"], row["precision"]["fn"],
                row["precision"]["tn"]) == (tp, fp, fn, tn)  # fmt: skip
        assert row["true_positive_rate"]["estimate"] == pytest.approx(tp / (tp + fn))
        assert row["false_positive_rate"]["estimate"] == pytest.approx(fp / (fp + tn))
        assert row["selection_rate"]["estimate"] == pytest.approx((tp + fp) / m.sum())
        assert row["precision"]["estimate"] == pytest.approx(tp / (tp + fp))


@pytest.mark.slow
def test_public_files_hold_no_score_or_pseudonym(nation: dict, tmp_path: Path) -> None:
    result = nation["result"]
    files = write_model_outputs(result, tmp_path, language="en")
    public = [f for f in files if "public" in f.parts]
    assert len(public) == 3
    frame = build_cohort(nation["records"], config=nation["config"]).frame
    persons = set(frame["person"])
    score = result.pipelines["logistic"].predict_proba(frame[list(FEATURES)])[:, 1]
    scores = {f"{x:.6f}".rstrip("0") for x in score}
    for path in public:
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"p_[0-9a-f]{32}", text)
        assert not any(p in text for p in persons)
        assert not re.search(r"\d{6,8}-?\d{4}", text)  # no personnummer
        numbers = {x.rstrip("0") for x in re.findall(r"\d+\.\d{6}", text)}
        # written scores would all be there; a figure equals a score to 6 decimals by chance
        assert len(numbers & scores) < 0.01 * len(scores)
    table = pd.read_csv(tmp_path / "public" / "tables" / "model_figures.csv")
    assert len(table) == len(result.table)  # one row per figure, none per person
    assert len(table) < 0.05 * len(frame)
    assert set(table.columns) == set(result.table.columns)
    counts = table[["n", "positives", "negatives", "tp", "fp", "fn", "tn"]]
    values = counts.to_numpy(dtype=float)
    values = values[np.isfinite(values)]
    assert ((values == 0) | (values >= nation["config"].disclosure.min_count)).all()


def test_readme_risk_indicator_example_runs(capsys: pytest.CaptureFixture[str]) -> None:
    text = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    blocks = [b for b in re.findall(r"```python\n(.*?)```", text, flags=re.S)
              if "fit_risk_model" in b]  # fmt: skip
    assert blocks, "the README lost its risk indicator example"
    namespace: dict[str, object] = {}
    exec(compile(blocks[0], "README.md", "exec"), namespace)
    printed = capsys.readouterr().out.splitlines()
    assert printed == [
        "insufficient_data",
        "# Model card: early-identification risk indicator (research), Vaggeryd",
    ]
    table = namespace["table"]
    assert tuple(table.columns) == TABLE_COLUMNS
    assert table["published"].all()  # the demo's counts are all 0 or at least 5


def test_small_fit_withholds_small_counts_and_their_complements() -> None:
    """The demo municipality fitted with the sufficiency rule lowered: most group counts
    are small, so most figures are withheld; nothing shown is in 1..T-1, and a split is
    never shown with one group hidden while the overall is shown."""
    data = ri.demo_data_dir()
    cfg = ri.load_config(data / "config.toml")
    records = ri.read_reports(data / "reports.csv", config=cfg, key=ri.DEMO_KEY)
    result = ri.fit_risk_model(records, config=cfg, models=("logistic",), bootstrap=200,
                               equal_opportunity=False, min_events_per_parameter=1,
                               min_test_events=10)  # fmt: skip
    assert result.status == "fitted"
    public = result.public_table()
    counts = public[["n", "positives", "negatives", "tp", "fp", "fn", "tn"]].to_numpy(float)
    counts = counts[np.isfinite(counts)]
    assert ((counts == 0) | (counts >= 5)).all()
    assert (~public["published"]).sum() > 0
    assert (public.loc[~public["published"], "note"] != "").all()
    assert public.loc[~public["published"], "estimate"].isna().all()
    t = result.table
    tpr = t[(t["figure"] == "true_positive_rate") & (t["model"] == "logistic")]
    overall = bool(tpr.loc[tpr["group_by"] == "overall", "published"].iloc[0])
    for split in ("gender", "age_band"):
        shown = tpr.loc[tpr["group_by"] == split, "published"].to_numpy(bool)
        assert not (overall and shown.sum() == len(shown) - 1)
    assert "–" in model_card(result, "sv")
