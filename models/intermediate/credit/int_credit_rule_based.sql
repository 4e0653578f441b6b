-- Every rule-based model's credit fraction for every touch of every credited deal. The synthetic
-- opportunity-owner touch is listed under every model: legacy_handoff gives it the whole close,
-- the others give it 0, so every model has the same rows per deal; so does the synthetic
-- no_self_report touch under the self_reported model.
with

touches as (
    select * from {{ ref('int_credit_touches') }}
),

custom_weights as (
    select * from {{ custom_weights_row() }} as weights
),

-- self_reported: per deal, its distinct self-reported channels and the touches of each.
self_reported_answers as (
    select
        opportunity_id,
        channel,
        count(*) as self_reported_answer_touches
    from touches
    where touch_kind = 'self_reported'
    group by opportunity_id, channel
),

self_reported_deals as (
    select
        opportunity_id,
        count(*) as self_reported_answer_count
    from self_reported_answers
    group by opportunity_id
),

prepared as (
    select
        touches.*,
        custom_weights.*,
        self_reported_deals.self_reported_answer_count,
        self_reported_answers.self_reported_answer_touches,
        -- the synthetic touches of one model (owner, no_self_report) take no part in the others
        touches.is_owner_touch or coalesce(touches.touch_kind, '') = 'no_self_report' as is_model_only_touch,
        sum(
            case
                when not touches.is_owner_touch and coalesce(touches.touch_kind, '') <> 'no_self_report'
                    then {{ time_decay_weight('touches.days_before_close') }}
            end
        ) over (partition by touches.opportunity_id) as decay_weight_total,
        coalesce(
            max(
                case
                    when
                        not touches.is_owner_touch and coalesce(touches.touch_kind, '') <> 'no_self_report'
                        and touches.source_group <> 'direct'
                        then touches.touch_position
                end
            ) over (partition by touches.opportunity_id),
            max(touches.touch_count) over (partition by touches.opportunity_id)
        ) as last_non_direct_position
    from touches
    cross join custom_weights
    left join self_reported_deals
        on touches.opportunity_id = self_reported_deals.opportunity_id
    left join self_reported_answers
        on
            touches.opportunity_id = self_reported_answers.opportunity_id
            and touches.touch_kind = 'self_reported'
            and touches.channel = self_reported_answers.channel
)

select
    opportunity_id,
    touch_id,
    'legacy_handoff' as attribution_model,
    case when is_owner_touch then 1.0 else 0.0 end as credit_fraction
from prepared
{%- for model in rule_based_models() %}
    {%- set not_this_models_touch = 'is_owner_touch' if model == 'self_reported' else 'is_model_only_touch' %}
    union all
    select
        opportunity_id,
        touch_id,
        '{{ model }}' as attribution_model,
        case when {{ not_this_models_touch }} then 0.0 else {{ rule_based_fraction(model) }} end as credit_fraction
    from prepared
{%- endfor %}
