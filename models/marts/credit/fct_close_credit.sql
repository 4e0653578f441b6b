-- Opportunity x touch x attribution model: the share of each credited close every touch gets,
-- and the revenue that share carries in the reporting currency. Every model lists the same touches
-- per deal (the owner touch included), so models compare row for row. The models are those of
-- var('attribution_models'); the engine's rows count only for the data-driven models listed.
with

touches as (
    select * from {{ ref('int_credit_touches') }}
),

deals as (
    select * from {{ ref('int_credited_deals') }}
),

data_driven as (
    -- The engine credits journey touches only; the owner touch and any touch it did not list get 0.
    select
        touches.opportunity_id,
        touches.touch_id,
        models.attribution_model,
        coalesce(engine.credit_fraction, 0.0) as credit_fraction
    from touches
    cross join {{ attribution_model_rows(data_driven_models()) }} as models
    left join {{ ref('stg_attribution__data_driven_credits') }} as engine
        on
            touches.opportunity_id = engine.opportunity_id
            and touches.touch_id = engine.touch_id
            and models.attribution_model = engine.attribution_model
),

credits as (
    select * from {{ ref('int_credit_rule_based') }}
    union all
    select * from data_driven
)

select
    credits.opportunity_id,
    credits.touch_id,
    credits.attribution_model,
    touches.touch_kind,
    touches.touch_date,
    touches.channel,
    touches.source_group,
    touches.campaign_id,
    touches.partner_id,
    touches.is_synthetic,
    touches.is_owner_touch,
    touches.touch_position,
    touches.days_before_close,
    deals.close_date,
    credits.credit_fraction,
    credits.credit_fraction * deals.amount_reporting as credited_revenue,
    deals.is_amount_converted,
    {{ as_of_date_literal() }} as as_of_date
from credits
inner join touches
    on
        credits.opportunity_id = touches.opportunity_id
        and credits.touch_id = touches.touch_id
inner join deals
    on credits.opportunity_id = deals.opportunity_id
