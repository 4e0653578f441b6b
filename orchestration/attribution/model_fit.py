"""Which model fits your data: every listed model scored out of sample, and the recommended model.

The method (docs/models.md, "Which model fits"), in short:

1. The fit population (closed journeys of the credited types in the lookback window,
   `select_fit_journeys`) is split by `holdout_mask`: the journeys closed in the most recent
   `weeks` weeks before the night, or a random `share` of the journeys (by a hash of the journey
   id, so the same journeys on any engine and in any row order).
2. Each model credits the *training* journeys it converts (rule-based models by their rules,
   markov and shapley refitted on the training journeys only). A channel's weight under the model
   is its credited conversions per training touch: `w(c) = sum of c's credit fractions / touches of
   c in the training journeys (won and lost)`.
3. A journey's score is the sum of its touches' channel weights (channels never seen in training
   weigh 0); `p = sigmoid(a + b * score)`, with `a, b` fitted on the training journeys (logistic
   regression, Newton). Held-out log-loss (natural log, p clipped to [1e-6, 1 - 1e-6]) and AUC
   (Mann-Whitney, ties counted half) say how well the model's credits predict conversion.

The synthetic `direct` touch is left out: the journey layer gives it only to credited (won)
deals without a touch, so it would give the outcome away. Nothing here reads a ground truth.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from orchestration.attribution._table import as_frame, bool_array
from orchestration.attribution.engine import data_driven_credits
from orchestration.attribution.rules import RULE_MODELS, rule_based_fractions

HOLDOUT_METHODS = ("recent_weeks", "random_share")
# Never recommended: legacy_handoff is the baseline every model is compared with, self_reported
# is what buyers say, not a model of the journey.
NOT_RECOMMENDED = ("legacy_handoff", "self_reported")
FALLBACK_MODEL = "w_shaped"
LOG_LOSS_TIE = 0.001  # a smaller log-loss difference goes to the earlier model in the list
RECOMMENDED = "recommended"  # var('signal_model') naming the rule's pick
_CLIP = 1e-6

TOUCH_COLUMNS = (
    "journey_id",
    "position",
    "n",
    "channel",
    "group",
    "is_ft",
    "is_lc",
    "is_oc",
    "is_cw",
    "days_before_close",
    "is_synthetic",
)


def holdout_mask(journeys, *, as_of_date, method: str, weeks: int, share: float) -> np.ndarray:
    """True for the held-out journeys of `journeys` (`journey_id, close_date`).

    `recent_weeks`: closed in the last `weeks` weeks up to the night, `(as_of - 7 * weeks, as_of]`;
    `random_share`: the journeys whose id hashes (sha256, first 8 bytes / 2^64) below `share`.
    """
    if method not in HOLDOUT_METHODS:
        raise ValueError(f"var model_fit_holdout is {method!r}; choose one of {', '.join(HOLDOUT_METHODS)}")
    frame = as_frame(
        journeys, ("journey_id", "close_date")[: 2 if method == "recent_weeks" else 1], "journeys"
    )
    if method == "recent_weeks":
        if int(weeks) < 1:
            raise ValueError(f"var model_fit_holdout_weeks must be >= 1, got {weeks!r}")
        first = pd.Timestamp(as_of_date) - pd.Timedelta(days=7 * int(weeks))
        close = pd.to_datetime(frame["close_date"])
        return (close > first).to_numpy(dtype=bool) & (close <= pd.Timestamp(as_of_date)).to_numpy(dtype=bool)
    if not 0.0 < float(share) < 1.0:
        raise ValueError(f"var model_fit_holdout_share must be between 0 and 1, got {share!r}")
    return _hash_unit(frame["journey_id"]) < float(share)


def _hash_unit(ids) -> np.ndarray:
    return np.array(
        [int.from_bytes(hashlib.sha256(str(i).encode()).digest()[:8], "big") / 2.0**64 for i in ids],
        dtype=np.float64,
    )


@dataclass(frozen=True)
class Recommendation:
    model: str
    reason: str


def score_models(
    touches,
    journeys,
    held_out,
    models: Sequence[str],
    *,
    path_transform="exposure",
    half_life_days: float = 7.0,
    custom_weights: Mapping[str, float] | None = None,
) -> pd.DataFrame:
    """Held-out log-loss and AUC of every model in `models` (see the module docstring).

    `touches`: TOUCH_COLUMNS, every touch of every journey in `journeys` (`group` is the touch's
    source group; `n` its journey's touch count). `journeys`: `journey_id, converted`, the fit
    population; `held_out`: a boolean array aligned with it (`holdout_mask`).
    Returns one row per model, in `models`' order: `attribution_model, model_order,
    training_journeys, training_conversions, held_out_journeys, held_out_conversions, log_loss,
    auc, note` (log_loss and auc NULL, with a note, when the model cannot be scored).
    """
    frame = as_frame(journeys, ("journey_id", "converted"), "journeys")
    if frame["journey_id"].duplicated().any():
        raise ValueError("journeys: journey_id must be unique")
    converted = bool_array(frame["converted"], "journeys.converted")
    held = np.asarray(held_out, dtype=bool)
    if held.shape != converted.shape:
        raise ValueError("held_out must have one flag per journey")
    ids = pd.Index(frame["journey_id"])
    touch = as_frame(touches, TOUCH_COLUMNS, "touches")
    touch = touch[~bool_array(touch["is_synthetic"], "touches.is_synthetic")]
    touch = touch[touch["journey_id"].isin(ids)].reset_index(drop=True)
    code = ids.get_indexer(touch["journey_id"])
    train_touch = ~held[code]
    won_train_touch = train_touch & converted[code]
    channels, channel_code = np.unique(touch["channel"].astype(str).to_numpy(), return_inverse=True)
    exposures = np.bincount(channel_code[train_touch], minlength=channels.size).astype(np.float64)

    counts = {
        "training_journeys": int((~held).sum()),
        "training_conversions": int((converted & ~held).sum()),
        "held_out_journeys": int(held.sum()),
        "held_out_conversions": int((converted & held).sum()),
    }
    rows = []
    for order, model in enumerate(models, start=1):
        row = {"attribution_model": model, "model_order": order, **counts}
        fractions, note = _training_fractions(
            model,
            touch,
            train_touch,
            won_train_touch,
            converted,
            ids,
            path_transform,
            half_life_days,
            custom_weights,
        )
        if fractions is None:
            rows.append({**row, "log_loss": None, "auc": None, "note": note})
            continue
        credit = np.bincount(channel_code[won_train_touch], weights=fractions, minlength=channels.size)
        credit = credit.astype("float64")  # an empty training set gives integer counts
        weight = np.divide(credit, exposures, out=np.zeros_like(credit), where=exposures > 0)
        score = np.bincount(code, weights=weight[channel_code], minlength=len(ids))
        p = _calibrated(score, converted, ~held)
        rows.append(
            {
                **row,
                "log_loss": _log_loss(p[held], converted[held]),
                "auc": _auc(p[held], converted[held]),
                "note": note,
            }
        )
    return pd.DataFrame(rows)


def _training_fractions(
    model, touch, train_touch, won_train_touch, converted, ids, transform, half_life_days, custom_weights
):
    """The credit fraction of each won training touch (`touch[won_train_touch]`) under `model`, and
    a note; None when the model has no channel credits to score."""
    won_touches = touch[won_train_touch]
    if model == "legacy_handoff":
        # the whole close goes to the opportunity owner's synthetic touch, no journey channel
        return np.zeros(len(won_touches)), "all credit to the owner: every journey scores alike"
    if model in RULE_MODELS:
        fractions = rule_based_fractions(
            won_touches, model, half_life_days=half_life_days, custom_weights=custom_weights
        )
        return fractions, None
    if model in ("markov", "shapley"):
        # refitted on the training journeys, won and lost, then crediting the won ones
        fit_touches = touch[train_touch]
        fit_ids = pd.unique(fit_touches["journey_id"])
        outcomes = pd.DataFrame({"journey_id": fit_ids, "converted": converted[ids.get_indexer(fit_ids)]})
        result = data_driven_credits(
            fit_touches[["journey_id", "position", "channel"]],
            outcomes,
            pd.unique(won_touches["journey_id"]).tolist(),
            transform,
            models=(model,),
        )
        credits = result.credits()[model][["journey_id", "position", "fraction"]]
        aligned = won_touches[["journey_id", "position"]].merge(
            credits, on=["journey_id", "position"], how="left", validate="one_to_one"
        )
        return aligned["fraction"].fillna(0.0).to_numpy(dtype=np.float64), None
    return None, f"{model} has no channel credits to learn from journeys; not scored"


def _calibrated(score: np.ndarray, y: np.ndarray, train: np.ndarray) -> np.ndarray:
    """p = sigmoid(a + b * z), z the standardised score, a and b fitted on `train` (Newton)."""
    spread = score[train].std() if train.any() else 0.0
    z = (score - score[train].mean()) / spread if spread > 0 else np.zeros_like(score)
    x = np.column_stack([np.ones_like(z), z])
    xt, yt = x[train], y[train].astype(np.float64)
    beta = np.zeros(2)
    ridge = np.diag([0.0, 1e-6]) if spread > 0 else np.diag([0.0, 1.0])
    for _ in range(50):
        p = 1.0 / (1.0 + np.exp(-(xt @ beta)))
        gradient = xt.T @ (p - yt) + ridge @ beta
        hessian = (xt * (p * (1 - p))[:, None]).T @ xt + ridge + 1e-12 * np.eye(2)
        step = np.linalg.solve(hessian, gradient)
        beta -= step
        if np.abs(step).max() < 1e-10:
            break
    return 1.0 / (1.0 + np.exp(-(x @ beta)))


def _log_loss(p: np.ndarray, y: np.ndarray) -> float | None:
    if p.size == 0:
        return None
    p = np.clip(p, _CLIP, 1 - _CLIP)
    return float(-np.mean(np.where(y, np.log(p), np.log1p(-p))))


def _auc(p: np.ndarray, y: np.ndarray) -> float | None:
    positives, negatives = int(y.sum()), int((~y).sum())
    if positives == 0 or negatives == 0:
        return None
    ranks = pd.Series(p).rank(method="average").to_numpy()
    return float((ranks[y].sum() - positives * (positives + 1) / 2) / (positives * negatives))


def recommend_model(fit: pd.DataFrame, models: Sequence[str], min_journeys: int) -> Recommendation:
    """The rule's pick from `score_models`' result (docs/models.md, "The recommended model").

    While fewer than `min_journeys` held-out journeys of each outcome (won, lost) exist:
    `w_shaped` (the first listed candidate if w_shaped is not listed). Otherwise, among the listed
    models except NOT_RECOMMENDED, the best held-out log-loss; a model within LOG_LOSS_TIE of the
    best that comes earlier in `models` wins.
    """
    candidates = [m for m in models if m not in NOT_RECOMMENDED]
    if not candidates:
        raise ValueError("var attribution_models lists no model that can be recommended")
    won = int(fit["held_out_conversions"].iloc[0]) if len(fit) else 0
    lost = (int(fit["held_out_journeys"].iloc[0]) if len(fit) else 0) - won
    if won < min_journeys or lost < min_journeys:
        fallback = FALLBACK_MODEL if FALLBACK_MODEL in candidates else candidates[0]
        return Recommendation(
            fallback,
            f"too few held-out journeys to tell the models apart ({won} won, {lost} lost; "
            f"model_fit_min_journeys = {min_journeys} of each): {fallback}, the default",
        )
    loss = dict(zip(fit["attribution_model"], fit["log_loss"], strict=True))
    scored = [m for m in candidates if loss.get(m) is not None and np.isfinite(loss[m])]
    if not scored:
        raise ValueError("no recommendable model could be scored on the held-out journeys")
    best = min(loss[m] for m in scored)
    pick = next(m for m in scored if loss[m] - best < LOG_LOSS_TIE)
    return Recommendation(
        pick,
        f"best held-out log-loss {loss[pick]:.4f} on {won} won and {lost} lost journeys"
        + (
            ""
            if loss[pick] == best
            else f" (within {LOG_LOSS_TIE} of the best, {best:.4f}; earlier in the list)"
        ),
    )


def resolve_signal_model(signal_model: str, recommended: str, models: Sequence[str]) -> str:
    """var('signal_model') as a model: `recommended` is the rule's pick, any listed model itself.

    The one place `recommended` is resolved: the fit table's `is_signal_model` carries the result
    to the signal mart and the report.
    """
    model = recommended if signal_model == RECOMMENDED else str(signal_model)
    if model not in models:
        raise ValueError(
            f"var signal_model is {signal_model!r}: choose {RECOMMENDED} or one of {', '.join(models)}"
        )
    return model
