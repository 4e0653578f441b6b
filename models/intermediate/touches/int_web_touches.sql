{{ config(**incremental_by('anonymous_id')) }}
-- depends_on: {{ ref('stg_web__events') }}
-- Web touches: web sessions and referral clicks, stitched to an email at their time.
-- A session of the same anonymous id starting within var('referral_click_merge_minutes') after a
-- referral click (the latest such click) is that click's touch, not a second one: it keeps the
-- click's time and referral channel (docs/models.md, "Touches").
{%- set incremental = is_incremental_night() %}
with
{%- if incremental %}

-- incremental: the touches of every anonymous id (NULL too, for clicks without one) with new web
-- events (their sessions and identities changed), new clicks, or a referral code whose partner
-- changed since it was stored
affected_ids as (
    select {{ null_safe_key('anonymous_id') }} as anonymous_key
    from {{ ref('stg_web__events') }}
    where {{ is_new_extract('_extract_date') }}
    union
    select {{ null_safe_key('anonymous_id') }} as anonymous_key
    from {{ ref('stg_referral__clicks') }}
    where {{ is_new_extract('_extract_date') }}
    union
    select {{ null_safe_key('stored.anonymous_id') }} as anonymous_key
    from {{ this }} as stored
    left join {{ ref('int_partner_referral_codes') }} as current_codes
        on stored.referral_code = current_codes.referral_code
    where
        stored.referral_code is not null
        and (
            stored.partner_id is distinct from current_codes.partner_id
            or stored.partner_type is distinct from coalesce(current_codes.partner_type, 'unknown')
        )
),
{%- endif %}

sessions as (
    select * from {{ ref('int_web_sessions') }}
    {%- if incremental %}
    where {{ null_safe_key('anonymous_id') }} in (select anonymous_key from affected_ids)
    {%- endif %}
),

clicks as (
    select
        click_id,
        anonymous_id,
        clicked_at,
        nullif(trim(referral_code), '') as referral_code
    from {{ ref('stg_referral__clicks') }}
    where
        clicked_at is not null
        and {{ when_incremental(null_safe_key('anonymous_id') ~ ' in (select anonymous_key from affected_ids)') }}
),

identities as (
    select * from {{ ref('int_identity_anonymous_emails') }}
    {%- if incremental %}
    where {{ null_safe_key('anonymous_id') }} in (select anonymous_key from affected_ids)
    {%- endif %}
),

codes as (
    select * from {{ ref('int_partner_referral_codes') }}
),

session_clicks as (
    select
        sessions.session_id,
        clicks.click_id,
        row_number() over (
            partition by sessions.session_id order by clicks.clicked_at desc, clicks.click_id desc
        ) as click_rank
    from sessions
    inner join clicks
        on
            sessions.anonymous_id = clicks.anonymous_id
            and sessions.started_at >= clicks.clicked_at
            and sessions.started_at
            <= {{ dbt.dateadd('minute', var('referral_click_merge_minutes'), 'clicks.clicked_at') }}
),

merged_sessions as (
    select
        session_id,
        click_id
    from session_clicks
    where click_rank = 1
),

merged_counts as (
    select
        click_id,
        count(*) as merged_session_count
    from merged_sessions
    group by click_id
),

click_touches as (
    select
        {{ dbt.concat(["'referral_click:'", 'clicks.click_id']) }} as touch_id,
        'referral_click' as touch_kind,
        clicks.click_id as source_record_id,
        clicks.anonymous_id,
        clicks.clicked_at as touched_at,
        lower(clicks.referral_code) as referral_code,
        coalesce(codes.partner_type, 'unknown') as partner_type,
        codes.partner_id,
        cast(null as {{ dbt.type_string() }}) as utm_source,
        cast(null as {{ dbt.type_string() }}) as utm_medium,
        cast(null as {{ dbt.type_string() }}) as utm_campaign,
        cast(null as {{ dbt.type_string() }}) as referrer_host,
        coalesce(merged_counts.merged_session_count, 0) as merged_session_count
    from clicks
    left join codes
        on lower(clicks.referral_code) = codes.referral_code
    left join merged_counts
        on clicks.click_id = merged_counts.click_id
),

session_touches as (
    select
        {{ dbt.concat(["'web_session:'", 'sessions.session_id']) }} as touch_id,
        'web_session' as touch_kind,
        sessions.session_id as source_record_id,
        sessions.anonymous_id,
        sessions.started_at as touched_at,
        lower(sessions.referral_code) as referral_code,
        case when sessions.referral_code is not null then coalesce(codes.partner_type, 'unknown') end as partner_type,
        codes.partner_id,
        sessions.utm_source,
        sessions.utm_medium,
        sessions.utm_campaign,
        sessions.external_referrer_host as referrer_host,
        0 as merged_session_count
    from sessions
    left join merged_sessions
        on sessions.session_id = merged_sessions.session_id
    left join codes
        on lower(sessions.referral_code) = codes.referral_code
    where merged_sessions.session_id is null
),

touches as (
    select * from click_touches
    union all
    select * from session_touches
)

select
    touches.*,
    identities.email
from touches
left join identities
    on {{ identity_in_force('identities', 'touches.anonymous_id', 'touches.touched_at') }}
