"""The gender goal: the trend of the female share among young persons and the goal status.

- :func:`female_share_youth_trend` (CONTRACT 4): binomial GLM
  ``logit(share) ~ time_in_years`` over every period up to P that has young women or men
  (women successes, men failures), Wald 95% interval; the value is the change per year in
  the log-odds, ``exp`` of it the odds ratio per year.
- :func:`goal_status` (CONTRACT 4): ``met``, ``on_track``, ``not_on_track`` or
  ``insufficient_data`` for ``gender_goal.target_female_share`` by
  ``gender_goal.target_period``, by the rule in :data:`GOAL_RULE_EN` (also in Swedish,
  :data:`GOAL_RULE_SV`), with the smallest change in the share that the data could detect.

This module holds the goal status and the minimum detectable change; the trend lives in
``_share_trend`` and is re-exported here.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import pandas as pd
from statsmodels.stats.power import NormalIndPower

from risk_indicators.config import Config
from risk_indicators.errors import UsageError
from risk_indicators.periods import Period, parse_period, window_label
from risk_indicators.stats import wilson_interval

from ._gender_counts import COLOURS, gender_counts, period_of
from ._share_trend import MIN_YEARS, ShareTrendResult, female_share_youth_trend

__all__ = [
    "GOAL_RULE_EN",
    "GOAL_RULE_PLAIN",
    "GOAL_RULE_SV",
    "GOAL_STATUSES",
    "GoalResult",
    "ShareTrendResult",
    "detectable_change",
    "female_share_youth_trend",
    "goal_status",
]

GOAL_STATUSES = ("met", "on_track", "not_on_track", "insufficient_data")
N_MIN = 20

GOAL_RULE_EN = (
    "Goal status for the target female share T among young reported persons by the target "
    "period. (1) insufficient_data: the data up to the period P cover fewer than 2 years of "
    "periods, or fewer than 20 young women and men were reported in the rolling 12 months "
    "ending with P. (2) met: the lower limit of the Wilson 95% interval of the female share "
    "in those 12 months is at least T, i.e. the share is at or above the target beyond chance "
    "variation. (3) on_track: not met, but the trend (binomial GLM of the share on time, "
    "female_share_youth_trend) projected to the target period (or to P, when the target "
    "period has passed) reaches T. (4) not_on_track: otherwise. When the trend cannot be "
    "estimated, the status is not_on_track if the upper limit of the 12-month interval is "
    "below T, otherwise insufficient_data."
)
GOAL_RULE_SV = (
    "Målstatus för målandelen kvinnor T bland unga anmälda personer till målperioden. "
    "(1) insufficient_data (för lite data): data fram till perioden P täcker färre än 2 års "
    "perioder, eller färre än 20 unga kvinnor och män anmäldes under de rullande 12 månader "
    "som slutar med P. (2) met (uppnått): den nedre gränsen i Wilsons 95 %-intervall för "
    "andelen kvinnor under de 12 månaderna är minst T, dvs. andelen ligger på eller över målet "
    "bortom slumpvariation. (3) on_track (på väg): inte uppnått, men trenden (binomial GLM för "
    "andelen över tid, female_share_youth_trend) framskriven till målperioden (eller till P "
    "när målperioden har passerat) når T. (4) not_on_track (inte på väg): annars. När trenden "
    "inte kan skattas blir statusen not_on_track om den övre gränsen i 12-månadersintervallet "
    "ligger under T, annars insufficient_data."
)

#: The rule for readers of the report, without status codes or symbols (same rule as above).
GOAL_RULE_PLAIN = {
    "sv": (
        "Andelen kvinnor bland rapporterade unga mäts över de senaste 12 månaderna. För lite "
        "data för att bedöma: data täcker mindre än två år, eller färre än 20 unga kvinnor och "
        "män rapporterades under de 12 månaderna. Målet är uppnått: den nedre gränsen i 95 % "
        "konfidensintervallet (Wilson) för andelen ligger på eller över målet, så andelen är "
        "över målet även med hänsyn till slumpen. På väg att nå målet: målet är inte uppnått, "
        "men trenden i andelen (logistisk regression av andelen på tiden över alla perioder) "
        "når målet vid målperioden (eller vid den senaste perioden, när målperioden har "
        "passerat). Inte på väg: annars. Går trenden inte att skatta bedöms målet som inte på "
        "väg om den övre gränsen i 12-månadersintervallet ligger under målet, annars som för "
        "lite data."
    ),
    "en": (
        "The share of women among young reported persons is measured over the last 12 months. "
        "Too little data to assess: the data cover less than two years, or fewer than 20 young "
        "women and men were reported in those 12 months. Met: the lower limit of the 95% "
        "confidence interval (Wilson) of the share is at or above the target, so the share is "
        "above the target even allowing for chance. On track: not met, but the trend in the "
        "share (logistic regression of the share on time over all periods) reaches the target "
        "at the target period (or at the latest period, once the target period has passed). "
        "Not on track: otherwise. When the trend cannot be estimated, the goal is not on track "
        "if the upper limit of the 12-month interval is below the target, otherwise there is "
        "too little data."
    ),
}


# --------------------------------------------------------------------------- power
def detectable_change(
    share: float, n: float, *, alpha: float = 0.05, power: float = 0.8
) -> float | None:
    """Smallest increase of a share from ``share`` that a two-sided test could detect.

    Two independent samples of ``n`` persons each (e.g. this period and a period a year
    earlier), normal test on the arcsine scale: Cohen's ``h`` solved from
    ``statsmodels.stats.power.NormalIndPower`` (``h ~ (z_{1-alpha/2} + z_power) *
    sqrt(2/n)``) and mapped back, ``p1 = sin(asin(sqrt(p0)) + h/2)**2``. Returns ``p1 - p0``
    in share units (0.10 = 10 percentage points), or None when ``n < 2`` or ``p1`` would pass
    1.

    Examples
    --------
    >>> round(detectable_change(0.2, 40), 3)
    0.291
    """
    if not (0 < share < 1) or n < 2:
        return None
    h = float(NormalIndPower().solve_power(effect_size=None, nobs1=n, alpha=alpha,
                                           power=power, ratio=1.0))  # fmt: skip
    angle = math.asin(math.sqrt(share)) + h / 2
    if angle >= math.pi / 2:
        return None
    return math.sin(angle) ** 2 - share


# --------------------------------------------------------------------------- goal
@dataclass(frozen=True)
class GoalResult:
    """``goal_status`` with the numbers the rule used (see :data:`GOAL_RULE_EN`).

    Attributes
    ----------
    status
        ``met``, ``on_track``, ``not_on_track`` or ``insufficient_data``.
    reason
        Why, in one sentence with the numbers.
    share, ci_low, ci_high, n
        Female share among young women and men in the rolling 12 months ending with P, its
        Wilson interval and ``n`` = young women + men.
    projected, projected_low, projected_high
        The trend's fitted share at the target period (at P when the target has passed).
    detectable_change_period, detectable_change_year
        Smallest increase of the share detectable with the given power when two periods, or
        two 12-month windows, of the current size are compared (:func:`detectable_change`).
    """

    status: str
    reason: str
    period: str
    target: float
    target_period: str
    share: float | None
    ci_low: float | None
    ci_high: float | None
    n: int
    projected: float | None
    projected_low: float | None
    projected_high: float | None
    detectable_change_period: float | None
    detectable_change_year: float | None
    n_per_period: float
    trend: ShareTrendResult
    window: str

    @property
    def table(self) -> pd.DataFrame:
        rows = [("rolling_12_month_share", self.share, self.ci_low, self.ci_high, self.n),
                ("projected_share_at_target", self.projected, self.projected_low,
                 self.projected_high, self.trend.n),
                ("trend_log_odds_per_year", self.trend.estimate, self.trend.ci_low,
                 self.trend.ci_high, self.trend.n),
                ("detectable_change_period", self.detectable_change_period, None, None,
                 round(self.n_per_period)),
                ("detectable_change_12_months", self.detectable_change_year, None, None,
                 self.n)]  # fmt: skip
        out = pd.DataFrame(rows, columns=["quantity", "estimate", "ci_low", "ci_high", "n"])
        for c in ("estimate", "ci_low", "ci_high"):
            out[c] = pd.array([None if v is None else float(v) for v in out[c].tolist()],
                              dtype="Float64")  # fmt: skip
        return out.assign(period=self.period, status=self.status, target=self.target,
                          target_period=self.target_period)  # fmt: skip

    def summary(self) -> str:
        share = "" if self.share is None else (
            f"; female share {self.share:.1%} (CI {self.ci_low:.1%}-{self.ci_high:.1%}, "
            f"n = {self.n}) in {self.window}")  # fmt: skip
        det = "" if self.detectable_change_year is None else (
            f"; a rise of {100 * self.detectable_change_year:.1f} percentage points between two "
            "12-month periods is the smallest the data could detect with 80% power")  # fmt: skip
        return (f"Goal {self.target:.0%} by {self.target_period}: {self.status} "
                f"({self.reason}){share}{det}.")  # fmt: skip

    def plot(self, ax: Any = None) -> Any:
        """Observed shares, the fitted trend projected to the target period, and the target."""
        import matplotlib.pyplot as plt

        if ax is None:
            _, ax = plt.subplots(figsize=(7, 3.5))
        self.trend.plot(ax=ax)
        f = self.trend.fitted
        last = len(f) - 1
        if self.projected is not None and last >= 0:
            now = period_of(self.period)
            steps = _target_ordinal(self.target_period, now) - now.ordinal
            x_end = last + max(steps, 0)
            ax.plot([last, x_end], [float(f["fitted"].iloc[-1]), self.projected], ls=":",
                    color="black", label="projection")  # fmt: skip
        ax.axhline(self.target, color=COLOURS["standardised"], ls="--", label="target")
        ax.set_title(f"{self.status}: {self.reason}", fontsize=7)
        ax.legend(fontsize=8, frameon=False)
        return ax


def _target_ordinal(target_period: str, p: Period) -> int:
    """Ordinal, in the kind of ``p``, of the period that holds the target period's last day."""
    end = parse_period(target_period).end
    return end.year * p.freq + (end.month - 1) // p.months


def _rolling(cube: pd.DataFrame, windows: pd.DataFrame | None, period: str,
             config: Config) -> tuple[int, int, str]:  # fmt: skip
    """Young women and men in the rolling 12 months ending with P."""
    p = period_of(period)
    label = window_label(p)
    if windows is not None and label in set(windows["period"]):
        c = gender_counts(windows, config=config, periods=[label])
        return int(c["women"].iloc[0]), int(c["men"].iloc[0]), label
    # counts mode: person-periods (a person reported in two periods counts twice)
    codes = [q.code for q in p.window()]
    c = gender_counts(cube, config=config, periods=codes)
    return int(c["women"].sum()), int(c["men"].sum()), f"{label} (sum of periods)"


def goal_status(
    cube: pd.DataFrame,
    period: str | None = None,
    *,
    config: Config,
    windows: pd.DataFrame | None = None,
    n_min: int = N_MIN,
    min_years: int = MIN_YEARS,
    alpha: float = 0.05,
    power: float = 0.8,
) -> GoalResult:
    """Whether the female share among young persons meets the goal (CONTRACT 4).

    Rule (:data:`GOAL_RULE_EN`; T = ``gender_goal.target_female_share``):

    1. ``insufficient_data`` when the periods up to P span fewer than ``min_years`` (2) years
       or fewer than ``n_min`` (20) young women and men were reported in the rolling 12 months
       ending with P;
    2. ``met`` when the Wilson 95% lower limit of the female share in those 12 months is
       at least T;
    3. ``on_track`` when not met but the trend of :func:`female_share_youth_trend`, projected
       on the logit scale to ``gender_goal.target_period`` (to P once the target period has
       passed), reaches T with its point estimate;
    4. ``not_on_track`` otherwise. If the trend cannot be estimated: ``not_on_track`` when the
       Wilson upper limit is below T, else ``insufficient_data``.

    Why the lower limit for ``met``: at the counts of a small municipality (15-40 young persons
    in 12 months) the point estimate reaches the target by chance far too often. With a true
    share of 0.20, 20 persons and T = 0.25 the point estimate is at least 0.25 with probability
    ``P(Bin(20, 0.2) >= 5) = 0.370``; the Wilson lower limit reaches 0.25 only with 9 or more
    women of 20, probability ``P(Bin(20, 0.2) >= 9) = 0.010``. ``met`` therefore means shown
    beyond chance variation; a share at the target by its point estimate alone shows as
    ``on_track``. The price: with a true share of 0.35 and 20 persons ``met`` shows with
    probability 0.24 only, so the detectable change is reported beside the status.

    The rolling 12 months are read from ``windows`` (distinct persons); without it (counts
    mode) the last 12 months of periods are summed, counting a person once per period.
    """
    func = "goal_status"
    labels = list(dict.fromkeys(cube["period"]))
    period = str(labels[-1]) if period is None else period
    if period not in labels:
        raise UsageError(f"The period {period!r} given to {func} is not in the cube.")
    if not (isinstance(n_min, int) and n_min >= 1):
        raise UsageError(f"The 'n_min' parameter of {func} must be a positive integer. "
                         f"Got {n_min!r} instead.")  # fmt: skip
    goal = config.gender_goal
    target, target_period = goal.target_female_share, goal.target_period
    p = period_of(period)
    trend = female_share_youth_trend(cube, period, config=config, alpha=alpha,
                                     min_years=min_years)  # fmt: skip
    w, m, window = _rolling(cube, windows, period, config)
    n = w + m
    est = wilson_interval(w, n, alpha=alpha)
    recent = gender_counts(cube, config=config, periods=[q.code for q in p.window()])
    n_period = float((recent["women"] + recent["men"]).mean()) if len(recent) else 0.0
    base = est.estimate if est.estimate is not None and 0 < est.estimate < 1 else target
    horizon = max(_target_ordinal(target_period, p), p.ordinal)
    proj = trend.projected(p.shift(horizon - p.ordinal).code, alpha=alpha)
    span = labels.index(period) + 1
    if span < min_years * p.freq:
        status, reason = (
            "insufficient_data",
            (f"the data cover {span} periods up to {period}, fewer than {min_years} years"),
        )
    elif n < n_min:
        status, reason = (
            "insufficient_data",
            (f"fewer than {n_min} young women and men in {window}"),
        )
    elif est.ci_low is not None and est.ci_low >= target:
        status, reason = (
            "met",
            (f"the lower 95% limit of the 12-month share is at least {target:.0%}"),
        )
    elif proj is not None:
        on = proj[0] >= target
        status = "on_track" if on else "not_on_track"
        reason = (
            f"the trend projects {proj[0]:.1%} by {p.shift(horizon - p.ordinal).code}, "
            f"{'at or above' if on else 'below'} the target {target:.0%}"
        )
    elif est.ci_high is not None and est.ci_high < target:
        status, reason = (
            "not_on_track",
            (
                f"the trend cannot be estimated ({trend.reason}) and the upper 95% limit of the "
                f"12-month share is below {target:.0%}"
            ),
        )
    else:
        status, reason = "insufficient_data", (
            f"the trend cannot be estimated ({trend.reason}) and the 12-month interval "
            f"includes the target {target:.0%}")  # fmt: skip
    projected, projected_low, projected_high = proj if proj is not None else (None, None, None)
    return GoalResult(
        status=status, reason=reason, period=period, target=target,
        target_period=target_period, share=est.estimate, ci_low=est.ci_low,
        ci_high=est.ci_high, n=n, projected=projected, projected_low=projected_low,
        projected_high=projected_high,
        detectable_change_period=detectable_change(base, n_period, alpha=alpha, power=power),
        detectable_change_year=detectable_change(base, n, alpha=alpha, power=power),
        n_per_period=n_period, trend=trend, window=window,
    )  # fmt: skip
