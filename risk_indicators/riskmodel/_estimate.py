"""``fit_risk_model``: cohort -> temporal split -> pipelines -> performance and fairness figures.

Private to :mod:`risk_indicators.riskmodel`, which documents the method (its modules hold
the parts: ``_cohort``, ``_fit``, ``_metrics``, ``_audit``, ``_protect``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from risk_indicators._params import InstanceOf, Interval, Options, check_param
from risk_indicators.config import Config, load_config
from risk_indicators.errors import UsageError

from ._audit import eod_bootstrap, equal_opportunity_predictions, group_metrics
from ._cohort import FEATURES, build_cohort
from ._figures import FigureBook
from ._fit import MODEL_KINDS, make_pipeline, n_parameters, temporal_split
from ._metrics import auc_table, bootstrap_indices, calibration_bins, calibration_fit, rank_auc
from ._result import RATES, RiskModelResult

__all__ = ["fit_risk_model"]

_FUNC = "fit_risk_model"
EQUAL_OPPORTUNITY = "+equal_opportunity"


def _check(**options: Any) -> None:
    check_param(options["months"], Interval(int, 1, 60, closed="both"), name="months", func=_FUNC)
    check_param(options["test_share"], Interval(float, 0, 1, closed="neither"),
                name="test_share", func=_FUNC)  # fmt: skip
    check_param(options["bootstrap"], Interval(int, 100, None), name="bootstrap", func=_FUNC)
    check_param(options["bins"], Interval(int, 2, 50, closed="both"), name="bins", func=_FUNC)
    check_param(options["threshold"], Options("prevalence"), Interval(float, 0, 1, "neither"),
                name="threshold", func=_FUNC)  # fmt: skip
    check_param(options["seed"], Interval(int, 0, None), name="seed", func=_FUNC)
    check_param(options["equal_opportunity"], InstanceOf((bool,), "a bool"),
                name="equal_opportunity", func=_FUNC)  # fmt: skip
    check_param(options["embargo"], InstanceOf((bool,), "a bool"), name="embargo", func=_FUNC)
    check_param(options["min_events_per_parameter"], Interval(float, 0, None),
                name="min_events_per_parameter", func=_FUNC)  # fmt: skip
    check_param(options["min_test_events"], Interval(int, 1, None), name="min_test_events",
                func=_FUNC)  # fmt: skip
    models = options["models"]
    if (
        isinstance(models, str)
        or not isinstance(models, Sequence)
        or not models
        or any(m not in MODEL_KINDS for m in models)
        or len(set(models)) != len(models)
    ):
        raise UsageError(
            "The 'models' parameter of fit_risk_model must be a non-empty sequence of distinct "
            f"values among 'boosting', 'logistic'. Got {models!r} instead."
        )  # fmt: skip


def fit_risk_model(
    records: Any,
    *,
    config: Config | None = None,
    models: Sequence[str] = ("logistic", "boosting"),
    months: int = 12,
    test_share: float = 0.3,
    test_from: str | None = None,
    embargo: bool = True,
    threshold: str | float = "prevalence",
    equal_opportunity: bool = True,
    truth: pd.DataFrame | None = None,
    bootstrap: int = 1000,
    bins: int = 10,
    seed: int = 0,
    min_events_per_parameter: float = 10.0,
    min_test_events: int = 100,
) -> RiskModelResult:
    """Fit and audit the early-identification indicator (see :mod:`risk_indicators.riskmodel`).

    Parameters
    ----------
    records
        Pseudonymised report rows (:func:`risk_indicators.read_reports`).
    config
        Youth ages, age bands, period kind, ``disclosure.min_count`` (T) and the language of
        the model card; default :func:`risk_indicators.load_config`.
    models
        Pipelines to fit, among ``"logistic"`` (default, interpretable) and ``"boosting"``;
        the first is the one the fairness variant and the card's headline use.
    months
        Follow-up after the first report.
    test_share, test_from
        The test set: the last periods holding at least ``test_share`` of the study, or the
        periods from ``test_from`` (e.g. ``"2023T3"``).
    embargo
        Train only on persons whose follow-up ended before the test periods begin.
    threshold
        Flag persons whose score reaches it; ``"prevalence"``: the training set's share of
        persons reported again (flag those above the average risk).
    equal_opportunity
        Also audit a fairlearn ``ThresholdOptimizer`` with equal true positive rates by
        gender on the first model, and what it costs.
    truth
        Optional true probabilities (``person, report_date, probability``, e.g.
        :func:`risk_indicators.synthetic.rereport_truth`'s table): then the best achievable
        AUC on the same test persons and the gap to it, with a paired interval.
    bootstrap
        Bootstrap resamples for the AUC, Brier and equalized-odds intervals.
    bins
        Calibration groups before merging small ones.
    seed
        Seed of the bootstrap, the boosting and the randomised thresholds.
    min_events_per_parameter, min_test_events
        The data-sufficiency rule (``_fit``); below it nothing is fitted and the result
        says why (``status == "insufficient_data"``).

    Returns
    -------
    RiskModelResult

    Examples
    --------
    >>> import risk_indicators as ri
    >>> cfg = ri.load_config(ri.demo_data_dir() / "config.toml")
    >>> records = ri.read_reports(ri.demo_data_dir() / "reports.csv", config=cfg,
    ...                           key=ri.DEMO_KEY)
    >>> result = ri.fit_risk_model(records, config=cfg)
    >>> result.status
    'insufficient_data'
    """
    _check(models=models, months=months, test_share=test_share, bootstrap=bootstrap, bins=bins,
           threshold=threshold, seed=seed, equal_opportunity=equal_opportunity, embargo=embargo,
           min_events_per_parameter=min_events_per_parameter,
           min_test_events=min_test_events)  # fmt: skip
    config = config or load_config()
    cohort = build_cohort(records, config=config, months=months)
    frame = cohort.frame
    split = temporal_split(frame, kind=config.period, months=months, test_share=test_share,
                           test_from=test_from, embargo=embargo)  # fmt: skip
    book = FigureBook()
    _data_counts(book, cohort.counts, frame, split)
    train, test = frame.loc[split.train], frame.loc[split.test]
    # parameters of the design on the training set (on the whole study when that is empty)
    n_par = n_parameters(train if len(train) else frame)
    need_train = int(np.ceil(min_events_per_parameter * n_par))
    train_events = int(min(train["outcome"].sum(), (1 - train["outcome"]).sum()))
    test_pos, test_neg = int(test["outcome"].sum()), int((1 - test["outcome"]).sum())
    reasons = []
    if train_events < need_train or len(train) == 0:
        reasons.append("few_training_events")
    if min(test_pos, test_neg) < min_test_events:
        reasons.append("few_test_events")
    settings: dict[str, Any] = {
        "months": months, "models": list(models), "test_from": split.test_from,
        "train_before": split.train_before, "embargo": embargo, "threshold_rule": threshold,
        "bootstrap": bootstrap, "seed": seed, "features": list(FEATURES),
        "min_count": config.disclosure.min_count, "n_parameters": n_par,
        "min_events_per_parameter": min_events_per_parameter,
        "needed_training_events": need_train, "min_test_events": min_test_events,
        "follow_end": None if cohort.follow_end is None else cohort.follow_end.isoformat(),
        "youth": [config.youth_min_age, config.youth_max_age], "truth": truth is not None,
        "equal_opportunity": equal_opportunity, "period_kind": config.period,
    }  # fmt: skip
    fitted: dict[str, Any] = {}
    if not reasons:
        fitted = _fit_all(book, train, test, models=models, threshold=threshold, truth=truth,
                          bootstrap=bootstrap, bins=bins, seed=seed,
                          equal_opportunity=equal_opportunity, config=config,
                          settings=settings)  # fmt: skip
    table, withheld = book.table(min_count=config.disclosure.min_count)
    return RiskModelResult(
        status="insufficient_data" if reasons else "fitted",
        table=table,
        settings=settings,
        reasons=tuple(reasons),
        municipality=config.municipality,
        language=config.language,
        withheld=withheld,
        pipelines=fitted,
    )


def _data_counts(book: FigureBook, counts: dict[str, int], frame: pd.DataFrame, split: Any) -> None:
    """The cohort's counts as figures, with every sum they form."""
    book.counts(counts)
    y = frame["outcome"].to_numpy()
    for part, mask in (("train", split.train), ("gap", split.gap), ("test", split.test)):
        book.count(part, mask.sum())
        book.count(f"{part}_pos", y[mask].sum())
        book.count(f"{part}_neg", mask.sum() - y[mask].sum())
        book.partition(part, (f"{part}_pos", f"{part}_neg"))
    book.count("not_reported_again", counts["study"] - counts["reported_again"])
    book.partition("young_first_reports", ("not_observed", "unknown_gender", "study"))
    book.partition("study", ("reported_again", "not_reported_again"))
    book.partition("study", ("train", "gap", "test"))
    book.partition("reported_again", ("train_pos", "gap_pos", "test_pos"))
    book.partition("not_reported_again", ("train_neg", "gap_neg", "test_neg"))
    for name in ("young_first_reports", "not_observed", "unknown_gender", "study",
                 "reported_again"):  # fmt: skip
        book.figure(name, group_by="data", estimate=book.values[name], counts={"n": name})
    for part in ("train", "test"):
        book.figure(f"{part}_persons", group_by="data", estimate=book.values[part],
                    counts={"n": part, "positives": f"{part}_pos",
                            "negatives": f"{part}_neg"})  # fmt: skip


def _fit_all(
    book: FigureBook, train: pd.DataFrame, test: pd.DataFrame, *, models: Sequence[str],
    threshold: str | float, truth: pd.DataFrame | None, bootstrap: int, bins: int, seed: int,
    equal_opportunity: bool, config: Config, settings: dict[str, Any],
) -> dict[str, Any]:  # fmt: skip
    features = list(FEATURES)
    y_train, y = train["outcome"].to_numpy(), test["outcome"].to_numpy()
    fitted, scores = {}, {}
    from threadpoolctl import threadpool_limits  # installed with scikit-learn

    for kind in models:
        # one OpenMP thread: the cohorts are small (tens of thousands) and the boosting's
        # threads spin and wait when the cores are shared (25 times slower measured, 2 cores)
        with threadpool_limits(limits=1, user_api="openmp"):
            pipe = make_pipeline(kind, random_state=seed).fit(train[features], y_train)
            scores[kind] = pipe.predict_proba(test[features])[:, 1]
        fitted[kind] = pipe
    cut = float(y_train.mean()) if threshold == "prevalence" else float(threshold)
    settings["threshold"] = cut
    overall = {"n": "test", "positives": "test_pos", "negatives": "test_neg"}
    if threshold == "prevalence":
        book.figure(
            "threshold",
            estimate=cut,
            group_by="data",
            counts={"n": "train", "positives": "train_pos", "negatives": "train_neg"},
        )
    all_scores = dict(scores)
    half = None
    if truth is not None:
        all_scores["truth"], half = _truth_scores(test, truth)
    rng = np.random.Generator(np.random.PCG64(seed))
    boot = bootstrap_indices(y, bootstrap, rng)
    perf = auc_table(y, all_scores, boot, against="truth" if truth is not None else None)
    for row in perf.to_dict("records"):
        book.figure(str(row["figure"]), model=str(row["model"]), estimate=row["estimate"],
                    ci=(row["ci_low"], row["ci_high"]), counts=overall)  # fmt: skip
    if half is not None:
        # the truth's Monte Carlo noise lowers its AUC by about c/R; half the futures lower
        # it by 2c/R: the difference estimates what the truth's AUC lacks
        att = float(rank_auc(y, all_scores["truth"])[0] - rank_auc(y, half)[0])
        book.figure("auc_mc_attenuation", model="truth", estimate=att, counts=overall)
    splits = {"gender": test["gender"], "age_band": test["age_band"]}
    decisions = {kind: (scores[kind] >= cut).astype(np.int64) for kind in models}
    if equal_opportunity:
        first = models[0]
        decisions[first + EQUAL_OPPORTUNITY] = equal_opportunity_predictions(
            fitted[first], train, test, features, seed=seed
        )
    for name, flagged in decisions.items():
        score = scores.get(name)
        if score is not None:
            for figure, (est, low, high) in calibration_fit(y, score).items():
                book.figure(figure, model=name, estimate=est, ci=(low, high), counts=overall)
            _bins(book, name, y, score, bins=bins, min_count=config.disclosure.min_count)
        for split_name, groups in splits.items():
            _audit(book, name, y, flagged, score, groups, split_name, boot)
    return fitted


def _truth_scores(test: pd.DataFrame, truth: pd.DataFrame) -> tuple[np.ndarray, np.ndarray | None]:
    """The truth's probabilities of the test persons (and from half its futures, if given)."""
    missing = [c for c in ("person", "report_date", "probability") if c not in truth.columns]
    if missing:
        raise UsageError(f"The truth needs the columns person, report_date, probability; "
                         f"it lacks {missing}.")  # fmt: skip
    keyed = truth.assign(report_date=pd.to_datetime(truth["report_date"])).drop_duplicates(
        ["person", "report_date"]
    )
    joined = test[["person", "report_date"]].merge(keyed, on=["person", "report_date"],
                                                   how="left")  # fmt: skip
    absent = int(joined["probability"].isna().sum())
    if absent:
        raise UsageError(
            f"The truth has no probability for {absent} of the {len(test)} test persons' first "
            "reports; give the truth of the same synthetic data (every report, 12 months "
            "observed)."
        )
    half = None
    if "probability_half" in joined.columns and joined["probability_half"].notna().all():
        half = joined["probability_half"].to_numpy(dtype=float)
    return joined["probability"].to_numpy(dtype=float), half


def _bins(book: FigureBook, model: str, y: np.ndarray, score: np.ndarray, *, bins: int,
          min_count: int) -> None:  # fmt: skip
    from risk_indicators.stats import wilson_interval

    table = calibration_bins(y, score, bins=bins, min_count=min_count)
    names = []
    for rec in table.to_dict("records"):
        n, pos, neg, b = (int(rec[c]) for c in ("n", "positives", "negatives", "bin"))
        key = f"{model}|score_group={b}"
        names.append(key)
        book.counts({key: n, f"{key}|pos": pos, f"{key}|neg": neg})
        book.partition(key, (f"{key}|pos", f"{key}|neg"))
        counts = {"n": key, "positives": f"{key}|pos", "negatives": f"{key}|neg"}
        ci = wilson_interval(pos, n)
        book.figure(
            "observed_rate",
            model=model,
            group_by="score_group",
            group=str(b),
            estimate=ci.estimate,
            ci=(ci.ci_low, ci.ci_high),
            counts=counts,
        )
        book.figure("mean_predicted", model=model, group_by="score_group", group=str(b),
                    estimate=rec["mean_predicted"], counts=counts)  # fmt: skip
    book.partition("test", names)
    book.partition("test_pos", [f"{k}|pos" for k in names])
    book.partition("test_neg", [f"{k}|neg" for k in names])


def _audit(
    book: FigureBook, model: str, y: np.ndarray, flagged: np.ndarray, score: np.ndarray | None,
    groups: pd.Series, split: str, boot: np.ndarray,
) -> None:  # fmt: skip
    table, eod = group_metrics(y, flagged, score, groups, group_by=split)
    keys = []
    for raw in table.to_dict("records"):
        row = {str(k): x for k, x in raw.items()}
        overall = row["group"] == "all"
        base = "test" if overall else f"test|{split}={row['group']}"
        if not overall:
            keys.append(base)
            book.counts({base: row["n"], f"{base}|pos": row["positives"],
                         f"{base}|neg": row["negatives"]})  # fmt: skip
            book.partition(base, (f"{base}|pos", f"{base}|neg"))
        cells = {c: book.count(f"{model}|{base}|{c}", row[c]) for c in ("tp", "fp", "fn", "tn")}
        pos_name = "test_pos" if overall else f"{base}|pos"
        neg_name = "test_neg" if overall else f"{base}|neg"
        book.partition(pos_name, (cells["tp"], cells["fn"]))
        book.partition(neg_name, (cells["fp"], cells["tn"]))
        if overall and split != "gender":
            continue  # the overall figures once, with the gender split
        counts = {"n": base, "positives": pos_name, "negatives": neg_name, **cells}
        group_by = "overall" if overall else split
        for rate in RATES:
            if rate in ("mean_predicted", "calibration_in_the_large") and score is None:
                continue
            est, low, high = _rate(row, rate)
            book.figure(rate, model=model, group_by=group_by, group=str(row["group"]),
                        estimate=est, ci=(low, high), counts=counts)  # fmt: skip
        if overall:
            tpr, tnr = _ratio(row["tp"], row["positives"]), _ratio(row["tn"], row["negatives"])
            bal = None if tpr is None or tnr is None else (tpr + tnr) / 2
            book.figure("balanced_accuracy", model=model, estimate=bal, counts=counts)
    for cell in ("tp", "fp", "fn", "tn"):
        book.partition(f"{model}|test|{cell}", [f"{model}|{k}|{cell}" for k in keys])
    for total, suffix in (("test", ""), ("test_pos", "|pos"), ("test_neg", "|neg")):
        book.partition(total, [k + suffix for k in keys])
    codes = pd.factorize(groups.to_numpy())[0]
    if len(keys) >= 2:
        replicates = eod_bootstrap(y, flagged, codes, boot)
        finite = replicates[np.isfinite(replicates)]
        ci = tuple(np.quantile(finite, [0.025, 0.975])) if finite.size >= 20 else (None, None)
        extra = [f"{model}|{k}|{c}" for k in keys for c in ("tp", "fp", "fn", "tn")]
        book.figure("equalized_odds_difference", model=model, group_by=split, estimate=eod,
                    ci=ci, counts={"n": "test", "positives": "test_pos", "negatives": "test_neg"},
                    extra=extra)  # fmt: skip


def _ratio(a: Any, b: Any) -> float | None:
    return None if not b else float(a) / float(b)


def _rate(row: dict[str, Any], rate: str) -> tuple[Any, Any, Any]:
    if rate == "mean_predicted":
        return row["mean_predicted"], None, None
    if rate == "calibration_in_the_large":
        m, low, high = row["mean_predicted"], row["observed_rate_low"], row["observed_rate_high"]
        est = m - row["observed_rate"] if row["n"] else None
        return est, (m - high if est is not None else None), (m - low if est is not None else None)
    return row[rate], row.get(f"{rate}_low"), row.get(f"{rate}_high")
