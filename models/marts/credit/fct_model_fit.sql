-- Which model fits your data (docs/models.md, "Which model fits"): each listed model scored on
-- held-out journeys by the Python engine, the recommended model and the signal model. The rule
-- and the scoring live in orchestration/attribution/model_fit.py; this mart publishes them.
select
    attribution_model,
    model_order,
    holdout_method,
    training_journeys,
    training_conversions,
    held_out_journeys,
    held_out_conversions,
    log_loss,
    auc,
    note,
    is_recommended,
    recommendation_reason,
    is_signal_model,
    as_of_date
from {{ ref('stg_attribution__model_fits') }}
