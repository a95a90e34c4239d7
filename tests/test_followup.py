"""The youth statistics of the analysis against statsmodels fitted directly (CONTRACT 4)."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
import statsmodels.formula.api as smf
from scipy import stats

import risk_indicators as ri
from risk_indicators import demo_data_dir
from risk_indicators.intake.pseudonymise import DEMO_KEY


@pytest.fixture(scope="module")
def demo() -> ri.Analysis:
    data = demo_data_dir()
    # exact counts: the textbook references below hold as they are (with the default
    # cell-key method the comparison's test uses effective counts, tests/test_cellkey_release.py)
    cfg = ri.load_config(data / "config.toml", disclosure={"method": "suppression"})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ri.DataWarning)
        records = ri.read_reports(data / "reports.csv", config=cfg, key=DEMO_KEY)
        population = ri.read_population(data / "population.csv", config=cfg)
        return ri.analyse(records, population, period="2025T1", config=cfg)


def test_youth_trend_is_the_contracts_glm(demo: ri.Analysis) -> None:
    cube = demo.cube
    youth = cube.loc[
        (cube["area"] == "total")
        & (cube["gender"] == "total")
        & cube["age_band"].isin(["15-17", "18-20", "21-24"])
    ]
    series = youth.groupby("period", sort=False)[["persons", "population"]].sum()
    data = pd.DataFrame(
        {
            "y": series["persons"].to_numpy(dtype=float),
            "t": np.arange(len(series)) / 3,
            "season": [label[-1] for label in series.index],
            "off": np.log(series["population"].to_numpy(dtype=float)),
        }
    )
    # reference: smf.glm("y ~ t + C(season)", data, family=Poisson(), offset=off)
    fit = smf.glm("y ~ t + C(season)", data, family=sm.families.Poisson(), offset=data["off"]).fit()
    phi = max(fit.pearson_chi2 / fit.df_resid, 1.0)
    se = fit.bse["t"] * np.sqrt(phi)
    q = stats.t.ppf(0.975, fit.df_resid)
    got = demo.indicators["youth_trend_annual_change"]
    assert got["value"] == pytest.approx(np.exp(fit.params["t"]) - 1, rel=1e-8)
    assert got["ci_low"] == pytest.approx(np.exp(fit.params["t"] - q * se) - 1, rel=1e-6)
    assert got["ci_high"] == pytest.approx(np.exp(fit.params["t"] + q * se) - 1, rel=1e-6)
    assert got["n"] == len(series) == 19  # 2019T1 .. 2025T1


def test_comparison_with_a_year_earlier(demo: ri.Analysis) -> None:
    s = demo.youth.series  # type: ignore[union-attr]
    row = demo.youth.comparison.set_index("comparison").loc["previous_year"]  # type: ignore[union-attr]
    rr = (s.loc["2025T1", "persons"] / s.loc["2025T1", "population"]) / (
        s.loc["2024T1", "persons"] / s.loc["2024T1", "population"]
    )
    assert row["estimate"] == pytest.approx(rr, rel=1e-12)
    # exact conditional p-value: statsmodels test_poisson_2indep(..., method="exact-cond")
    from statsmodels.stats.rates import test_poisson_2indep

    ref = test_poisson_2indep(
        int(s.loc["2025T1", "persons"]),
        float(s.loc["2025T1", "population"]),
        int(s.loc["2024T1", "persons"]),
        float(s.loc["2024T1", "population"]),
        method="exact-cond",
    )
    assert row["p_value"] == pytest.approx(ref.pvalue, rel=1e-8)


def test_alarms_cover_the_last_periods_with_history(demo: ri.Analysis) -> None:
    alarms = demo.youth.alarms  # type: ignore[union-attr]
    assert alarms is not None
    table = alarms.table
    assert table["period"].iloc[-1] == "2025T1"
    assert (table["upperbound"].astype(float) >= table["expected"].astype(float)).all()
    # 19 periods, w = 1: (19 - 1 - 1) // 3 = 5 years of history
    assert "5 years of history" in demo.youth.alarm_note  # type: ignore[union-attr]


def test_short_series_has_no_trend_and_says_why() -> None:
    frame = pd.DataFrame(
        {
            "person_id": list("abcdef"),
            "report_date": [
                "2024-01-05",
                "2024-02-01",
                "2024-05-03",
                "2024-06-01",
                "2024-09-09",
                "2024-10-10",
            ],
            "age": [17, 18, 19, 20, 21, 22],
            "gender": ["M"] * 6,
            "offence": ["innehav"] * 6,
        }
    )
    pop = pd.DataFrame(
        {
            "year": [2024] * 6,
            "age_band": ["15-17", "18-20", "21-24"] * 2,
            "gender": ["man"] * 3 + ["kvinna"] * 3,
            "population": [100] * 6,
        }
    )
    a = ri.analyse(ri.read_reports(frame, key=b"x" * 16), ri.read_population(pop), period="2024T3")
    got = a.indicators["youth_trend_annual_change"]
    assert got["value"] is None
    assert got["reason"].startswith("insufficient_data")
    assert a.youth is not None and a.youth.alarms is None
    assert "need 3 years of history" in a.youth.alarm_note
