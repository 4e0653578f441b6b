-- One row per build: how well the journey layer could see the data. The nightly summary prints it.
--   stitch rates   share of web sessions whose anonymous id is stitched to an email, and linked
--                  through a lead/contact to an account; share of people linked to an account
--   unmapped share share of touches (and of journey touches) no channel rule placed: channel
--                  `unclassified`, group direct (kept, never dropped)
--   bots           web events excluded as bots (seeds/mappings/bot_user_agent_patterns.csv)
--   coverage       won opportunities with a journey; touches per won deal (median, p90)
with

events as (
    select
        count(*) as web_events,
        sum(case when is_bot then 1 else 0 end) as bot_events_excluded
    from {{ ref('int_web_events_classified') }}
),

person_emails as (
    select
        records.email,
        max(case when people.is_linked_to_account then 1 else 0 end) as is_linked_to_account
    from {{ ref('int_people_records') }} as records
    inner join {{ ref('int_people') }} as people
        on records.person_id = people.person_id
    where records.email is not null
    group by records.email
),

stitched_sessions as (
    select
        sessions.session_id,
        identities.email,
        person_emails.email is not null as is_linked_to_person,
        coalesce(person_emails.is_linked_to_account, 0) = 1 as is_linked_to_account
    from {{ ref('int_web_sessions') }} as sessions
    left join {{ ref('int_identity_anonymous_emails') }} as identities
        on {{ identity_in_force('identities', 'sessions.anonymous_id', 'sessions.started_at') }}
    left join person_emails
        on identities.email = person_emails.email
),

sessions as (
    select
        count(*) as web_sessions,
        sum(case when email is not null then 1 else 0 end) as sessions_stitched_to_email,
        sum(case when is_linked_to_person then 1 else 0 end) as sessions_linked_to_person,
        sum(case when is_linked_to_account then 1 else 0 end) as sessions_linked_to_account
    from stitched_sessions
),

clicks as (
    select
        count(*) as referral_clicks,
        sum(merged_session_count) as sessions_merged_into_clicks
    from {{ ref('int_web_touches') }}
    where touch_kind = 'referral_click'
),

people as (
    select
        count(*) as people,
        sum(case when is_linked_to_account then 1 else 0 end) as people_linked_to_account
    from {{ ref('int_people') }}
),

activities as (
    select
        count(*) as sales_activities,
        sum(case when owner_group is null then 1 else 0 end) as activities_without_group
    from {{ ref('int_sales_activities') }}
),

touches as (
    select
        count(*) as touches,
        sum(case when is_unclassified then 1 else 0 end) as unclassified_touches
    from {{ ref('int_touches_classified') }}
),

journey_touches as (
    select
        sum(case when not is_synthetic then 1 else 0 end) as journey_touches,
        sum(case when is_unclassified then 1 else 0 end) as unclassified_journey_touches,
        sum(case when is_synthetic then 1 else 0 end) as synthetic_touches
    from {{ ref('int_journey_touches') }}
),

journey_sizes as (
    select
        opportunities.opportunity_id,
        opportunities.outcome,
        opportunities.is_credited_deal,
        count(journey.touch_id) as touch_count
    from {{ ref('int_journey_opportunities') }} as opportunities
    left join {{ ref('int_journey_touches') }} as journey
        on opportunities.opportunity_id = journey.opportunity_id
    group by opportunities.opportunity_id, opportunities.outcome, opportunities.is_credited_deal
),

deals as (
    select
        count(*) as opportunities,
        sum(case when outcome = 'won' then 1 else 0 end) as won_opportunities,
        sum(case when outcome = 'won' and touch_count > 0 then 1 else 0 end) as won_opportunities_with_touches,
        sum(case when is_credited_deal then 1 else 0 end) as credited_deals,
        {{ percentile_cont("case when outcome = 'won' then touch_count end", 0.5) }} as touches_per_won_deal_median,
        {{ percentile_cont("case when outcome = 'won' then touch_count end", 0.9) }} as touches_per_won_deal_p90
    from journey_sizes
),

orphans as (
    select count(*) as opportunities_without_account
    from {{ crm_staged('opportunities') }} as opportunities
    left join {{ crm_staged('accounts') }} as accounts
        on opportunities.account_id = accounts.account_id
    where accounts.account_id is null
)

select
    {{ journey_as_of_date() }} as as_of_date,
    events.web_events,
    events.bot_events_excluded,
    sessions.web_sessions,
    sessions.sessions_stitched_to_email,
    sessions.sessions_linked_to_person,
    sessions.sessions_linked_to_account,
    {{ safe_divide('sessions.sessions_stitched_to_email', 'sessions.web_sessions') }} as session_email_stitch_rate,
    {{ safe_divide('sessions.sessions_linked_to_account', 'sessions.web_sessions') }} as session_account_stitch_rate,
    clicks.referral_clicks,
    coalesce(clicks.sessions_merged_into_clicks, 0) as sessions_merged_into_clicks,
    people.people,
    people.people_linked_to_account,
    {{ safe_divide('people.people_linked_to_account', 'people.people') }} as person_account_stitch_rate,
    activities.sales_activities,
    activities.activities_without_group,
    touches.touches,
    touches.unclassified_touches,
    {{ safe_divide('touches.unclassified_touches', 'touches.touches') }} as unmapped_share,
    coalesce(journey_touches.journey_touches, 0) as journey_touches,
    coalesce(journey_touches.unclassified_journey_touches, 0) as unclassified_journey_touches,
    {{ safe_divide('journey_touches.unclassified_journey_touches', 'journey_touches.journey_touches') }}
        as journey_unmapped_share,
    coalesce(journey_touches.synthetic_touches, 0) as synthetic_touches,
    deals.opportunities,
    deals.won_opportunities,
    deals.won_opportunities_with_touches,
    deals.credited_deals,
    deals.touches_per_won_deal_median,
    deals.touches_per_won_deal_p90,
    orphans.opportunities_without_account
from events
cross join sessions
cross join clicks
cross join people
cross join activities
cross join touches
cross join journey_touches
cross join deals
cross join orphans
