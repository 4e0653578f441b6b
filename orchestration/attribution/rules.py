"""Plain numpy reference of the rule-based models (docs/models.md, "Models"), the SQL macros' cross-check.

Written straight from the table of docs/models.md, independent of the warehouse:

- milestone positions: FT = 1, LC, OC and CW from the flags (LC <= OC <= CW, as the journey layer
  guarantees; checked). CW is n, except where only self-reported touches follow the last observed
  touch (a journey of one observed touch): those are middle touches; position_based, which reads
  no flags, keeps CW = n;
- a model covers positions 1..R (R = LC for u_shaped, OC for w_shaped, n otherwise) and uses a
  set of milestones with weights plus a middle weight;
- each milestone's weight lands on its position; coinciding milestones add up;
- the middle weight is spread evenly over the *middle* = positions in 1..R at no milestone the
  model uses; with no middle it goes to the model's milestones in equal parts (again adding up
  where they coincide);
- touches after R get 0.

With these rules position_based (FT, CW: 40/40, middle 20) gives 100% for one touch and 50/50
for two; u_shaped (FT, LC: 40/40, middle 20) gives 50/50 without a middle and 100% when
FT = LC; w_shaped (FT, LC, OC: 30 each, middle 10) and full_path (FT, LC, OC, CW: 22.5 each,
middle 10) give the middle's share in equal thirds / quarters -- exactly the table's edge cases.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from orchestration.attribution._table import as_frame, bool_array, factorize, int_array

RULE_MODELS = (
    "first_touch",
    "last_touch",
    "last_non_direct",
    "linear",
    "time_decay",
    "position_based",
    "u_shaped",
    "w_shaped",
    "full_path",
    "custom",
)
DEFAULT_HALF_LIFE_DAYS = 7.0
CUSTOM_STAGES = ("ft", "lc", "oc", "cw", "middle")
_FLAGS = {"is_ft": "FT", "is_lc": "LC", "is_oc": "OC", "is_cw": "CW"}
_MILESTONE_MODELS = {
    # model: (range end, {milestone: weight}, middle weight)
    "position_based": ("n", {"ft": 0.4, "cw": 0.4}, 0.2),
    "u_shaped": ("lc", {"ft": 0.4, "lc": 0.4}, 0.2),
    "w_shaped": ("oc", {"ft": 0.3, "lc": 0.3, "oc": 0.3}, 0.1),
    "full_path": ("n", {"ft": 0.225, "lc": 0.225, "oc": 0.225, "cw": 0.225}, 0.1),
}


def _columns_for(model: str) -> list[str]:
    columns = ["journey_id", "position", "n"]
    if model in ("u_shaped", "w_shaped", "full_path", "custom"):
        columns += list(_FLAGS)
    if model == "time_decay":
        columns.append("days_before_close")
    if model == "last_non_direct":
        columns.append("group")
    return columns


def _custom_weights(custom_weights: Mapping[str, float] | None) -> dict[str, float]:
    if custom_weights is None:
        raise ValueError("custom needs custom_weights: {'ft', 'lc', 'oc', 'cw', 'middle'}")
    weights = {k.lower(): float(v) for k, v in custom_weights.items()}
    if set(weights) != set(CUSTOM_STAGES):
        raise ValueError(f"custom_weights needs exactly the stages {CUSTOM_STAGES}, got {sorted(weights)}")
    if any(not np.isfinite(v) or v < 0 for v in weights.values()):
        raise ValueError("custom_weights must be finite and non-negative")
    if abs(sum(weights.values()) - 1.0) > 1e-9:
        raise ValueError(
            f"custom_weights must sum to 1 (the seed's stage weights), got {sum(weights.values())}"
        )
    return weights


def rule_based_fractions(
    touches,
    model: str,
    *,
    half_life_days: float = DEFAULT_HALF_LIFE_DAYS,
    custom_weights: Mapping[str, float] | None = None,
) -> np.ndarray:
    """Fraction of its deal's close for every touch (aligned with the rows of `touches`).

    `touches` (pandas / pyarrow / mapping of arrays), one row per touch of each journey:
    `journey_id`, `position` (1..n), `n`; plus, where the model needs them, the milestone flags
    `is_ft, is_lc, is_oc, is_cw` (u_shaped, w_shaped, full_path, custom), `days_before_close`
    (time_decay) and `group` (last_non_direct). Every touch of a journey must be present.

    `custom_weights`: stage weights `ft, lc, oc, cw, middle` (the seed
    `attribution_custom_weights`: `dict(zip(seed.stage, seed.weight))`), used as given; they must
    sum to 1 (+- 1e-9), or no deal's fractions could.
    """
    if model not in RULE_MODELS:
        raise ValueError(f"unknown rule-based model {model!r}; expected one of {', '.join(RULE_MODELS)}")
    frame = as_frame(touches, _columns_for(model), "touches")
    journey, _ = factorize(frame["journey_id"], "touches.journey_id", sort=False)
    position = int_array(frame["position"], "touches.position")
    n = int_array(frame["n"], "touches.n")
    n_journeys = int(journey.max()) + 1 if journey.size else 0
    count = np.bincount(journey, minlength=n_journeys)
    seen = pd.Series(journey * (int(n.max()) + 1) + position).duplicated().to_numpy() if journey.size else []
    if np.any(count[journey] != n) or np.any(position < 1) or np.any(position > n) or np.any(seen):
        raise ValueError("touches: each journey needs exactly the positions 1..n, once each")
    if journey.size == 0:
        return np.zeros(0)

    if model == "first_touch":
        return (position == 1).astype(np.float64)
    if model == "last_touch":
        return (position == n).astype(np.float64)
    if model == "linear":
        return 1.0 / n
    if model == "last_non_direct":
        group = pd.Series(frame["group"])
        if group.isna().any():
            raise ValueError("touches.group has null values")
        non_direct = (group != "direct").to_numpy()
        last = np.zeros(n_journeys, dtype=np.int64)
        np.maximum.at(last, journey[non_direct], position[non_direct])
        target = np.where(last[journey] > 0, last[journey], n)
        return (position == target).astype(np.float64)
    if model == "time_decay":
        if not half_life_days > 0:
            raise ValueError("half_life_days must be > 0")
        days = pd.Series(frame["days_before_close"]).to_numpy(dtype=np.float64)
        if not np.all(np.isfinite(days)):
            raise ValueError("touches.days_before_close has null values")
        nearest = np.full(n_journeys, np.inf)
        np.minimum.at(nearest, journey, days)
        # 2^(-dt/h) / sum 2^(-dt/h); shifting dt by the journey's smallest keeps the ratio and
        # keeps the weights away from underflow for short half-lives.
        weight = np.exp2(-(days - nearest[journey]) / half_life_days)
        return weight / np.bincount(journey, weights=weight, minlength=n_journeys)[journey]

    milestone_position = {"ft": np.ones_like(position), "cw": n}
    if model in ("u_shaped", "w_shaped", "full_path", "custom"):
        flags = {flag: bool_array(frame[flag], f"touches.{flag}") for flag in _FLAGS}
        for flag, label in _FLAGS.items():
            if np.any(np.bincount(journey, weights=flags[flag], minlength=n_journeys) != 1):
                raise ValueError(f"touches: every journey needs exactly one {label} touch")
        if np.any(flags["is_ft"] != (position == 1)):
            raise ValueError("touches: FT must be position 1")
        for stage in ("lc", "oc", "cw"):
            at = np.zeros(n_journeys, dtype=np.int64)
            at[journey[flags[f"is_{stage}"]]] = position[flags[f"is_{stage}"]]
            milestone_position[stage] = at[journey]
        if np.any(milestone_position["lc"] > milestone_position["oc"]):
            raise ValueError("touches: LC must not come after OC")
        if np.any(milestone_position["oc"] > milestone_position["cw"]):
            raise ValueError("touches: OC must not come after CW")

    if model == "custom":
        weights = _custom_weights(custom_weights)
        range_end, milestones, middle = (
            "n",
            {k: weights[k] for k in ("ft", "lc", "oc", "cw")},
            weights["middle"],
        )
    else:
        range_end, milestones, middle = _MILESTONE_MODELS[model]
    end = n if range_end == "n" else milestone_position[range_end]
    fraction = np.zeros(position.size)
    at_milestones = np.zeros(position.size, dtype=np.int64)  # how many milestones land here
    for stage, weight in milestones.items():
        here = position == milestone_position[stage]
        fraction += np.where(here, weight, 0.0)
        at_milestones += here
    in_range = position <= end
    is_middle = in_range & (at_milestones == 0)
    n_middle = np.bincount(journey, weights=is_middle, minlength=n_journeys)[journey]
    fraction += np.where(is_middle, middle / np.maximum(n_middle, 1), 0.0)
    fraction += np.where(n_middle == 0, middle / len(milestones) * at_milestones, 0.0)
    return np.where(in_range, fraction, 0.0)
