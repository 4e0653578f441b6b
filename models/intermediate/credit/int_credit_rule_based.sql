-- Every rule-based model's credit fraction for every touch of every credited deal. The synthetic
-- opportunity-owner touch is listed under every model: legacy_handoff gives it the whole close,
-- the others give it 0, so every model has the same rows per deal.
with

touches as (
    select * from {{ ref('int_credit_touches') }}
),

custom_weights as (
    select
        {%- for stage in ['ft', 'lc', 'oc', 'cw', 'middle'] %}
            max(case when stage = '{{ stage }}' then weight end) as custom_{{ stage }}_weight
            {%- if not loop.last %},{% endif %}
        {%- endfor %}
    from {{ ref('attribution_custom_weights') }}
),

prepared as (
    select
        touches.*,
        custom_weights.*,
        sum(
            case when not touches.is_owner_touch then {{ time_decay_weight('touches.days_before_close') }} end
        ) over (partition by touches.opportunity_id) as decay_weight_total,
        coalesce(
            max(
                case
                    when not touches.is_owner_touch and touches.source_group <> 'direct'
                        then touches.touch_position
                end
            ) over (partition by touches.opportunity_id),
            max(touches.touch_count) over (partition by touches.opportunity_id)
        ) as last_non_direct_position
    from touches
    cross join custom_weights
)

select
    opportunity_id,
    touch_id,
    'legacy_handoff' as attribution_model,
    case when is_owner_touch then 1.0 else 0.0 end as credit_fraction
from prepared
{%- for model in rule_based_models() %}
    union all
    select
        opportunity_id,
        touch_id,
        '{{ model }}' as attribution_model,
        case when is_owner_touch then 0.0 else {{ rule_based_fraction(model) }} end as credit_fraction
    from prepared
{%- endfor %}
