{{ config(**incremental_by('event_id')) }}
-- Every staged web event with what the journey rules need: bot flag (user-agent patterns of
-- seeds/mappings/bot_user_agent_patterns.csv, case-insensitive substrings), normalised email,
-- page and referrer hosts (lower-cased, `www.` removed), whether the referrer is external (not
-- the page's own host), and the UTM tuple (trimmed, lower-cased; NULL when all three are empty).
with

events as (
    select * from {{ ref('stg_web__events') }}
    -- incremental: the events of new extracts (an event is classified by its own row only)
    where {{ is_new_extract('_extract_date') }}
),

bot_patterns as (
    select lower(trim(pattern)) as pattern
    from {{ ref('bot_user_agent_patterns') }}
    where trim(pattern) <> ''
),

user_agents as (
    select distinct user_agent
    from events
    where user_agent is not null
),

bot_user_agents as (
    select
        user_agents.user_agent,
        min(bot_patterns.pattern) as bot_pattern
    from user_agents
    inner join bot_patterns
        on {{ dbt.position('bot_patterns.pattern', 'lower(user_agents.user_agent)') }} > 0
    group by user_agents.user_agent
),

normalized as (
    select
        events.event_id,
        events.anonymous_id,
        lower(trim(events.event_type)) as event_type,
        events.occurred_at,
        {{ normalized_text('events.user_email') }} as email,
        {{ url_host('events.page_url') }} as page_host,
        {{ url_host('events.referrer_url') }} as referrer_host,
        {{ normalized_text('events.utm_source') }} as utm_source,
        {{ normalized_text('events.utm_medium') }} as utm_medium,
        {{ normalized_text('events.utm_campaign') }} as utm_campaign,
        nullif(trim(events.referral_code), '') as referral_code,
        bot_user_agents.bot_pattern,
        coalesce(bot_user_agents.bot_pattern is not null, false) as is_bot
    from events
    left join bot_user_agents
        on events.user_agent = bot_user_agents.user_agent
)

select
    event_id,
    anonymous_id,
    event_type,
    occurred_at,
    email,
    page_host,
    referrer_host,
    case
        when referrer_host is not null and (page_host is null or referrer_host <> page_host) then referrer_host
    end as external_referrer_host,
    utm_source,
    utm_medium,
    utm_campaign,
    case
        when utm_source is not null or utm_medium is not null or utm_campaign is not null
            then {{ dbt.concat([
                "coalesce(utm_source, '')", "'|'", "coalesce(utm_medium, '')", "'|'", "coalesce(utm_campaign, '')"
            ]) }}
    end as utm_key,
    referral_code,
    is_bot,
    bot_pattern
from normalized
