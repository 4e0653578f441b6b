select
    replicate,
    attribution_model,
    close_month,
    source_group,
    credited_closes,
    as_of_date
from {{ source('attribution', 'credit_replicates') }}
