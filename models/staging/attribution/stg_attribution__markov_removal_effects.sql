select
    channel,
    removal_effect,
    attributed_conversions,
    p_conv_without,
    as_of_date,
    path_transform
from {{ source('attribution', 'markov_removal_effects') }}
