-- The touches every attribution model credits: each credited deal's journey touches, plus one
-- synthetic `opportunity_owner` touch at the close (legacy_handoff's whole answer), whose group
-- is the owner's role group (normally sales; an unmapped role is direct). When the self_reported
-- model is listed, a deal whose journey holds no self-reported touch gets one synthetic
-- `no_self_report` touch at the close (group direct): that model's whole answer, 0 elsewhere.
with

deals as (
    select * from {{ ref('int_credited_deals') }}
),

journey_touches as (
    select * from {{ ref('int_journey_touches') }}
),

owners as (
    select * from {{ ref('int_users_with_source_groups') }}
),

answered as (
    select distinct opportunity_id from journey_touches
    where touch_kind = 'self_reported'
)

select
    journey_touches.opportunity_id,
    journey_touches.touch_id,
    journey_touches.touch_kind,
    journey_touches.touch_date,
    journey_touches.channel,
    journey_touches.source_group,
    journey_touches.campaign_id,
    journey_touches.partner_id,
    journey_touches.is_synthetic,
    false as is_owner_touch,
    journey_touches.touch_position,
    journey_touches.touch_count,
    journey_touches.lc_position,
    journey_touches.oc_position,
    journey_touches.cw_position,
    journey_touches.days_before_close
from journey_touches
inner join deals
    on journey_touches.opportunity_id = deals.opportunity_id
union all
select
    deals.opportunity_id,
    {{ dbt.concat(["'opportunity_owner:'", 'deals.opportunity_id']) }} as touch_id,
    'opportunity_owner' as touch_kind,
    deals.close_date as touch_date,
    'opportunity_owner' as channel,
    coalesce(owners.source_group, 'direct') as source_group,
    cast(null as {{ dbt.type_string() }}) as campaign_id,
    cast(null as {{ dbt.type_string() }}) as partner_id,
    true as is_synthetic,
    true as is_owner_touch,
    cast(null as {{ dbt.type_int() }}) as touch_position,
    cast(null as {{ dbt.type_int() }}) as touch_count,
    cast(null as {{ dbt.type_int() }}) as lc_position,
    cast(null as {{ dbt.type_int() }}) as oc_position,
    cast(null as {{ dbt.type_int() }}) as cw_position,
    0 as days_before_close
from deals
left join owners
    on deals.owner_user_id = owners.user_id
{%- if 'self_reported' in attribution_models() %}
    union all
    select
        deals.opportunity_id,
        {{ dbt.concat(["'no_self_report:'", 'deals.opportunity_id']) }} as touch_id,
        'no_self_report' as touch_kind,
        deals.close_date as touch_date,
        'no_self_report' as channel,
        'direct' as source_group,
        cast(null as {{ dbt.type_string() }}) as campaign_id,
        cast(null as {{ dbt.type_string() }}) as partner_id,
        true as is_synthetic,
        false as is_owner_touch,
        cast(null as {{ dbt.type_int() }}) as touch_position,
        cast(null as {{ dbt.type_int() }}) as touch_count,
        cast(null as {{ dbt.type_int() }}) as lc_position,
        cast(null as {{ dbt.type_int() }}) as oc_position,
        cast(null as {{ dbt.type_int() }}) as cw_position,
        0 as days_before_close
    from deals
    left join answered
        on deals.opportunity_id = answered.opportunity_id
    where answered.opportunity_id is null
{%- endif %}
