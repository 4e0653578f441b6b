"""Which model fits: held-out scoring and the recommended-model rule (docs/models.md, "Which model fits")."""

from datetime import date

import numpy as np
import pandas as pd
import pytest

from orchestration.attribution.model_fit import (
    holdout_mask,
    recommend_model,
    resolve_signal_model,
    score_models,
)
from orchestration.attribution.rules import RULE_MODELS

# Every scored model, from the engine's own list of rule-based models (stated once, rules.py).
MODELS = ("legacy_handoff", *RULE_MODELS, "markov", "shapley")
CUSTOM = {"ft": 0.3, "lc": 0.15, "oc": 0.15, "cw": 0.3, "middle": 0.1}
CHANNELS = {"demo": "sales", "call": "sales", "paid_search": "marketing", "webinar": "marketing",
            "partner": "community", "direct": "direct"}  # fmt: skip


def population(n_journeys: int, seed: int, effect: dict[str, float] | None = None):
    """Journeys of 1-6 touches; won with P = 1 - exp(-0.25 * sum of the touches' channel effects)."""
    rng = np.random.default_rng(seed)
    names = np.array(list(CHANNELS))
    length = rng.integers(1, 7, n_journeys)
    journey = np.repeat(np.arange(n_journeys), length)
    start = np.repeat(np.cumsum(length) - length, length)
    position = np.arange(journey.size) - start + 1
    n = length[journey]
    channel = names[rng.integers(0, names.size, journey.size)]
    lc = np.minimum(rng.integers(1, 3, n_journeys), length)
    oc = np.maximum(lc, np.minimum(rng.integers(1, 4, n_journeys), length))
    touches = pd.DataFrame(
        {
            "journey_id": [f"o{j}" for j in journey],
            "position": position,
            "n": n,
            "channel": channel,
            "group": [CHANNELS[c] for c in channel],
            "is_ft": position == 1,
            "is_lc": position == lc[journey],
            "is_oc": position == oc[journey],
            "is_cw": position == n,
            "days_before_close": (n - position) * 5,
            "is_synthetic": False,
        }
    )
    effect = effect or dict.fromkeys(CHANNELS, 1.0)
    score = np.bincount(journey, weights=[effect[c] for c in channel], minlength=n_journeys)
    won = rng.random(n_journeys) < 1 - np.exp(-0.25 * score)
    journeys = pd.DataFrame({"journey_id": [f"o{j}" for j in range(n_journeys)], "converted": won})
    return touches, journeys


def _score(touches, journeys, held_out, models=MODELS):
    return score_models(touches, journeys, held_out, models, custom_weights=CUSTOM, half_life_days=7.0)


def test_shuffled_outcomes_give_every_model_an_auc_of_one_half():
    touches, journeys = population(6000, seed=1, effect={**dict.fromkeys(CHANNELS, 0.2), "demo": 3.0})
    shuffled = journeys.assign(
        converted=np.random.default_rng(2).permutation(journeys["converted"].to_numpy())
    )
    held_out = holdout_mask(shuffled, as_of_date=date(2026, 1, 1), method="random_share", weeks=0, share=0.4)
    fit = _score(touches, shuffled, held_out)
    assert list(fit["attribution_model"]) == list(MODELS)
    assert fit["auc"].notna().all()
    assert fit["auc"].between(0.45, 0.55).all(), fit[["attribution_model", "auc"]]


def test_credits_that_follow_the_outcome_predict_it_out_of_sample():
    # demos close deals; the other channels hardly: every model that credits demos scores above chance
    touches, journeys = population(6000, seed=3, effect={**dict.fromkeys(CHANNELS, 0.2), "demo": 3.0})
    held_out = holdout_mask(journeys, as_of_date=date(2026, 1, 1), method="random_share", weeks=0, share=0.4)
    fit = _score(touches, journeys, held_out).set_index("attribution_model")
    assert fit.loc["legacy_handoff", "auc"] == pytest.approx(0.5)
    for model in ("linear", "w_shaped", "markov", "shapley"):
        assert fit.loc[model, "auc"] > 0.7, model
        assert fit.loc[model, "log_loss"] < fit.loc["legacy_handoff", "log_loss"] - 0.02, model
    assert fit["held_out_journeys"].iloc[0] == held_out.sum()
    assert fit["training_journeys"].iloc[0] == (~held_out).sum()


def test_the_synthetic_touch_of_a_won_deal_without_touches_gives_nothing_away():
    touches, journeys = population(3000, seed=4)
    held_out = holdout_mask(journeys, as_of_date=date(2026, 1, 1), method="random_share", weeks=0, share=0.4)
    # deals without touches: the won ones get the journey layer's synthetic direct touch
    extra = pd.DataFrame(
        {"journey_id": [f"x{i}" for i in range(600)], "converted": [i % 2 == 0 for i in range(600)]}
    )
    synthetic = pd.DataFrame(
        {"journey_id": extra["journey_id"][extra["converted"]], "position": 1, "n": 1, "channel": "direct",
         "group": "direct", "is_ft": True, "is_lc": True, "is_oc": True, "is_cw": True,
         "days_before_close": 0, "is_synthetic": True}
    )  # fmt: skip
    all_journeys = pd.concat([journeys, extra], ignore_index=True)
    all_held = np.concatenate([held_out, np.arange(600) % 3 == 0])
    with_synthetic = _score(
        pd.concat([touches, synthetic], ignore_index=True), all_journeys, all_held, ("linear",)
    )
    without = _score(touches, all_journeys, all_held, ("linear",))
    assert with_synthetic[["log_loss", "auc"]].equals(without[["log_loss", "auc"]])
    # counted as a real touch, the synthetic direct touch would mark the won ones
    leaked = _score(
        pd.concat([touches, synthetic.assign(is_synthetic=False)], ignore_index=True),
        all_journeys,
        all_held,
        ("linear",),
    )
    assert leaked["auc"].iloc[0] > without["auc"].iloc[0] + 0.02


def test_a_model_without_channel_credits_is_listed_unscored():
    touches, journeys = population(400, seed=5)
    held_out = np.arange(len(journeys)) % 2 == 0
    fit = _score(touches, journeys, held_out, ("self_reported", "linear"))
    row = fit.set_index("attribution_model").loc["self_reported"]
    assert pd.isna(row["log_loss"]) and pd.isna(row["auc"]) and "not scored" in row["note"]


def test_recent_weeks_hold_out_the_weeks_up_to_the_night():
    journeys = pd.DataFrame(
        {
            "journey_id": ["a", "b", "c", "d"],
            "close_date": ["2026-03-03", "2026-03-04", "2026-03-31", "2026-04-01"],
        }
    )
    mask = holdout_mask(journeys, as_of_date=date(2026, 3, 31), method="recent_weeks", weeks=4, share=0.5)
    assert mask.tolist() == [False, True, True, False]


def test_random_share_is_the_same_in_any_row_order():
    journeys = pd.DataFrame({"journey_id": [f"o{i}" for i in range(2000)], "close_date": "2026-01-01"})
    mask = holdout_mask(journeys, as_of_date=date(2026, 1, 1), method="random_share", weeks=0, share=0.3)
    shuffled = journeys.sample(frac=1.0, random_state=7)
    again = holdout_mask(shuffled, as_of_date=date(2026, 1, 1), method="random_share", weeks=0, share=0.3)
    assert dict(zip(shuffled["journey_id"], again, strict=True)) == dict(
        zip(journeys["journey_id"], mask, strict=True)
    )
    assert 0.27 < mask.mean() < 0.33


def test_an_unknown_holdout_method_is_named():
    with pytest.raises(ValueError, match="model_fit_holdout is 'latest'"):
        holdout_mask(pd.DataFrame({"journey_id": [], "close_date": []}), as_of_date=date(2026, 1, 1),
                     method="latest", weeks=4, share=0.3)  # fmt: skip


def _fit(losses: dict, won: int = 300, held: int = 1000) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "attribution_model": list(losses),
            "log_loss": list(losses.values()),
            "held_out_journeys": held,
            "held_out_conversions": won,
        }
    )


def test_the_best_log_loss_wins_and_legacy_and_self_reported_never_do():
    models = ["legacy_handoff", "self_reported", "linear", "markov"]
    fit = _fit({"legacy_handoff": 0.30, "self_reported": 0.31, "linear": 0.52, "markov": 0.50})
    pick = recommend_model(fit, models, min_journeys=200)
    assert pick.model == "markov" and "0.5000" in pick.reason


def test_a_difference_under_0_001_goes_to_the_earlier_model():
    models = ["linear", "markov", "shapley"]
    assert (
        recommend_model(_fit({"linear": 0.5009, "markov": 0.5000, "shapley": 0.49995}), models, 200).model
        == "linear"
    )
    assert (
        recommend_model(_fit({"linear": 0.5011, "markov": 0.5000, "shapley": 0.5004}), models, 200).model
        == "markov"
    )


@pytest.mark.parametrize(("won", "held"), [(199, 1000), (300, 499), (0, 0)])
def test_too_few_held_out_journeys_of_either_outcome_fall_back_to_w_shaped(won, held):
    fit = _fit({"linear": 0.4, "w_shaped": 0.6}, won=won, held=held)
    pick = recommend_model(fit, ["linear", "w_shaped"], min_journeys=200)
    assert pick.model == "w_shaped"
    assert f"{won} won, {held - won} lost" in pick.reason and "model_fit_min_journeys = 200" in pick.reason


def test_signal_model_recommended_resolves_to_the_pick_and_any_model_still_names_itself():
    models = ["legacy_handoff", "linear", "markov"]
    assert resolve_signal_model("recommended", "markov", models) == "markov"
    assert resolve_signal_model("legacy_handoff", "markov", models) == "legacy_handoff"
    with pytest.raises(ValueError, match="var signal_model is 'lineal'"):
        resolve_signal_model("lineal", "markov", models)
