-- One row per referral partner (inactive ones too): its type, the channel and source group the
-- channel rules give its referral records, commission rate, status and activity counts.
-- No partner name or referral code: partners are often people (advocates, affiliates) and codes
-- often carry their names.
{%- set string_type = dbt.type_string() %}
with

partners as (
    select * from {{ ref('stg_referral__partners') }}
),

combinations as (
    select distinct
        coalesce({{ normalized_text('partner_type') }}, '~') as classification_key,
        'referral_record' as touch_kind,
        coalesce({{ normalized_text('partner_type') }}, 'unknown') as partner_type,
        {%- for attribute in channel_rule_attributes()[2:] %}
            cast(null as {{ string_type }}) as {{ attribute }}{% if not loop.last %},{% endif %}
        {%- endfor %}
    from partners
),

best_matches as (
    {{ channel_rule_best_matches('combinations', 'classification_key') | indent(4) }}
),

channels as (
    select * from {{ ref('channels') }}
),

referrals as (
    select
        partner_id,
        count(*) as referral_count
    from {{ ref('int_referral_records') }}
    group by partner_id
),

clicks as (
    select
        partner_id,
        count(*) as click_count
    from {{ ref('int_web_touches') }}
    where touch_kind = 'referral_click'
    group by partner_id
),

typed as (
    select
        partners.*,
        coalesce(best_matches.channel, 'unclassified') as channel
    from partners
    left join best_matches
        on coalesce({{ normalized_text('partners.partner_type') }}, '~') = best_matches.classification_key
)

select
    cast(typed.partner_id as {{ string_type }}) as partner_id,
    cast(typed.partner_type as {{ string_type }}) as partner_type,
    cast(typed.channel as {{ string_type }}) as channel,
    cast(coalesce(channels.source_group, 'direct') as {{ string_type }}) as source_group,
    cast(typed.commission_rate as double) as commission_rate,
    cast(typed.status as {{ string_type }}) as status,
    cast(typed.created_at as {{ dbt.type_timestamp() }}) as created_at,
    coalesce(typed.is_in_latest_extract, false) as is_in_latest_extract,
    cast(coalesce(referrals.referral_count, 0) as {{ dbt.type_bigint() }}) as referral_count,
    cast(coalesce(clicks.click_count, 0) as {{ dbt.type_bigint() }}) as click_count
from typed
left join channels
    on typed.channel = channels.channel
left join referrals
    on typed.partner_id = referrals.partner_id
left join clicks
    on typed.partner_id = clicks.partner_id
