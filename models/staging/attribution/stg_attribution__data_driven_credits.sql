select
    opportunity_id,
    touch_id,
    attribution_model,
    credit_fraction,
    as_of_date,
    path_transform
from {{ source('attribution', 'data_driven_credits') }}
