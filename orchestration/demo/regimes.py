"""Causal stories ("regimes") of the demo: how touches make a deal close, and the true shares.

Each touch i of a journey contributes c_i >= 0 to the journey's causal score S = sum(c_i). A deal is
won with probability P = 1 - exp(-lambda * S): every unit of score is an independent chance to
convince the buyer (competing hazards), so the probability that group g's touches closed the deal
is exactly sum(c_i for i in g) / S. That is the ground-truth share of g for a won deal.

    c_i = u_i * kappa_i * w_regime(i)

u_i   hidden quality of the touch, lognormal with mean 1 (sigma 0.5): the same for every regime,
      never in the data, so no attribution model can recover the shares exactly;
kappa_i community_strength for community touches, else 1;
w     the regime's weight (below). lambda is set so that 30 % of all deals are won.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from . import vocab as V
from .fmt import DAY
from .plan import Plan, group_starts

QUALITY_SIGMA = 0.5
TARGET_WIN_RATE = 0.30
HALF_LIFE_DAYS = 14.0
SALES_LED_BETA = {"meeting_demo": 6.0, "other_sales": 2.0, "non_sales": 0.5}


@dataclass(frozen=True)
class Regime:
    name: str
    summary: str
    weight: str
    params: dict = field(default_factory=dict)


REGIMES: dict[str, Regime] = {
    "early": Regime(
        "early",
        "first and early touches drive the close",
        "w_i = 2^(-(t_i - t_first) / h): decays with the time since the journey's first touch",
        {"half_life_days": HALF_LIFE_DAYS},
    ),
    "late": Regime(
        "late",
        "touches near the close drive it",
        "w_i = 2^(-(t_close - t_i) / h): decays with the time left before the close",
        {"half_life_days": HALF_LIFE_DAYS},
    ),
    "even": Regime(
        "even",
        "every touch adds equally, whatever its position, time or channel",
        "w_i = 1",
        {},
    ),
    "sales_led": Regime(
        "sales_led",
        "sales meetings and demos dominate",
        "w_i = 6 for a sales meeting or demo, 2 for another sales touch (call, email, outbound "
        "lead source), 0.5 for any other touch",
        dict(SALES_LED_BETA),
    ),
}


def contributions(plan: Plan, touches: dict, opps: dict) -> np.ndarray:
    """c_i of every touch (0 for touches outside any journey)."""
    if plan.regime not in REGIMES:
        raise ValueError(f"unknown regime {plan.regime!r}; choose one of {', '.join(REGIMES)}")
    r = plan.rng("touch-quality")
    n = len(touches["time"])
    u = r.lognormal(-(QUALITY_SIGMA**2) / 2, QUALITY_SIGMA, n)
    journey = touches["journey"]
    in_journey = journey >= 0
    j = np.where(in_journey, journey, 0)
    t = touches["time"].astype(np.float64)
    kappa = np.where(touches["group"] == V.COMMUNITY, plan.community_strength, 1.0)
    if plan.regime == "even":
        w = np.ones(n)
    elif plan.regime == "early":
        # touches are sorted by journey then time: the first row of a journey is its first touch
        first_idx = np.maximum.accumulate(np.where(group_starts(journey), np.arange(n), 0))
        w = 2.0 ** (-(t - t[first_idx]) / (HALF_LIFE_DAYS * DAY))
    elif plan.regime == "late":
        w = 2.0 ** (-(opps["t_close"][j] - t) / (HALF_LIFE_DAYS * DAY))
    else:
        kind = touches["kind"]
        meeting = np.isin(kind, [V.K["sales_meeting"], V.K["sales_demo"]])
        other_sales = touches["group"] == V.SALES
        w = np.where(
            meeting,
            SALES_LED_BETA["meeting_demo"],
            np.where(other_sales, SALES_LED_BETA["other_sales"], SALES_LED_BETA["non_sales"]),
        )
    return np.where(in_journey, u * kappa * w, 0.0)


def decide_outcomes(plan: Plan, touches: dict, opps: dict, c: np.ndarray) -> dict:
    """Won/lost for every opportunity, from its causal score; group sums for the shares."""
    n_opp = len(opps["t_oc"])
    in_j = touches["journey"] >= 0
    jj = touches["journey"][in_j]
    score = np.bincount(jj, weights=c[in_j], minlength=n_opp)
    by_group = np.zeros((n_opp, 4))
    for g in range(4):
        m = touches["group"][in_j] == g
        by_group[:, g] = np.bincount(jj[m], weights=c[in_j][m], minlength=n_opp)
    lo, hi = 0.0, 1.0
    while np.mean(1 - np.exp(-hi * score)) < TARGET_WIN_RATE and hi < 1e9:
        hi *= 2
    for _ in range(80):
        mid = (lo + hi) / 2
        if np.mean(1 - np.exp(-mid * score)) < TARGET_WIN_RATE:
            lo = mid
        else:
            hi = mid
    lam = (lo + hi) / 2
    p_win = 1 - np.exp(-lam * score)
    won = plan.rng("outcome").random(n_opp) < p_win
    total = by_group.sum(axis=1)
    shares = by_group / np.where(total > 0, total, 1.0)[:, None]
    return {"score": score, "p_win": p_win, "won": won, "shares": shares, "lambda": lam}
