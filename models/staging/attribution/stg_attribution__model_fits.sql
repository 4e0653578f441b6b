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
from {{ source('attribution', 'model_fit') }}
