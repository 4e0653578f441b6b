{{ config(**incremental_by('anonymous_id')) }}
-- depends_on: {{ ref('stg_web__events') }}
-- Web sessions (docs/models.md, "Touches"): the events of one anonymous id, bots excluded,
-- in time order (ties by event_id). An event starts a new session when
--   (a) more than var('session_timeout_minutes') passed since the previous event, or
--   (b) it carries a non-empty UTM tuple that differs from the session's first event's, or
--   (c) its referrer is external and differs from the session's first event's external referrer.
-- Rules (b) and (c) compare with the session's first event, which is itself decided by the rules:
-- a state machine. It is computed without recursion: within a visit (rule (a)), an event d
-- continues a session iff some earlier event e of the visit "covers" every event of (e, d] (each
-- of their UTM tuples and external referrers is empty or equal to e's). The earliest covering
-- event is the session's first event, so d starts a session iff no earlier event covers it. With
--   L / LH  the last position <= d with a UTM tuple / an external referrer,
--   B / BH  the last position before L / LH whose value differs from the one at L / LH,
-- e covers d iff e > max(B, BH), and (e >= L or e has a UTM tuple), and (e >= LH or e has an
-- external referrer). The three ranges of e this gives are looked up below (proved against the
-- state machine on random sequences; pinned by the unit tests).
-- A session carries its first event's time, UTMs, referrer, referral code and identity.
with

events as (
    select
        event_id,
        anonymous_id,
        occurred_at,
        page_host,
        referrer_host,
        external_referrer_host,
        utm_source,
        utm_medium,
        utm_campaign,
        utm_key,
        referral_code
    from {{ ref('int_web_events_classified') }}
    where
        not is_bot
        -- incremental: every event of the anonymous ids with new events (a late event can re-open,
        -- split or merge any of their sessions)
        and {{ when_incremental(
            "anonymous_id in (select anonymous_id from " ~ ref('stg_web__events')
            ~ " where " ~ is_new_extract('_extract_date') ~ ")"
        ) }}
),

gaps as (
    select
        events.*,
        lag(events.occurred_at)
            over (partition by events.anonymous_id order by events.occurred_at, events.event_id)
            as previous_occurred_at
    from events
),

visits as (
    select
        gaps.*,
        sum(
            case
                when gaps.previous_occurred_at is null then 1
                when
                    gaps.occurred_at
                    > {{ dbt.dateadd('minute', var('session_timeout_minutes'), 'previous_occurred_at') }}
                    then 1
                else 0
            end
        ) over (
            partition by gaps.anonymous_id
            order by gaps.occurred_at, gaps.event_id rows between unbounded preceding and current row
        ) as visit_number
    from gaps
),

positioned as (
    select
        visits.*,
        row_number()
            over (partition by visits.anonymous_id, visits.visit_number order by visits.occurred_at, visits.event_id)
            as visit_position,
        case when visits.utm_key is not null then 1 else 0 end as has_utm,
        case when visits.external_referrer_host is not null then 1 else 0 end as has_external_referrer
    from visits
),

previous_values as (
    select
        positioned.*,
        {{ last_value_ignoring_nulls('utm_key') }} over (
            partition by positioned.anonymous_id, positioned.visit_number
            order by positioned.visit_position rows between unbounded preceding and 1 preceding
        ) as previous_utm_key,
        max(case when positioned.has_utm = 1 then positioned.visit_position end) over (
            partition by positioned.anonymous_id, positioned.visit_number
            order by positioned.visit_position rows between unbounded preceding and 1 preceding
        ) as previous_utm_position,
        {{ last_value_ignoring_nulls('external_referrer_host') }} over (
            partition by positioned.anonymous_id, positioned.visit_number
            order by positioned.visit_position rows between unbounded preceding and 1 preceding
        ) as previous_referrer_host,
        max(case when positioned.has_external_referrer = 1 then positioned.visit_position end) over (
            partition by positioned.anonymous_id, positioned.visit_number
            order by positioned.visit_position rows between unbounded preceding and 1 preceding
        ) as previous_referrer_position
    from positioned
),

changes as (
    select
        previous_values.*,
        case
            when
                previous_values.has_utm = 1
                and previous_values.previous_utm_key is not null
                and previous_values.utm_key <> previous_values.previous_utm_key
                then previous_values.previous_utm_position
        end as utm_change_from_position,
        case
            when
                previous_values.has_external_referrer = 1 and previous_values.previous_referrer_host is not null
                and previous_values.external_referrer_host <> previous_values.previous_referrer_host
                then previous_values.previous_referrer_position
        end as referrer_change_from_position
    from previous_values
),

bounds as (
    select
        changes.*,
        coalesce(max(case when changes.has_utm = 1 then changes.visit_position end) over (
            partition by changes.anonymous_id, changes.visit_number
            order by changes.visit_position rows between unbounded preceding and current row
        ), 0) as last_utm_position,
        coalesce(max(case when changes.has_external_referrer = 1 then changes.visit_position end) over (
            partition by changes.anonymous_id, changes.visit_number
            order by changes.visit_position rows between unbounded preceding and current row
        ), 0) as last_referrer_position,
        coalesce(max(changes.utm_change_from_position) over (
            partition by changes.anonymous_id, changes.visit_number
            order by changes.visit_position rows between unbounded preceding and current row
        ), 0) as utm_conflict_position,
        coalesce(max(changes.referrer_change_from_position) over (
            partition by changes.anonymous_id, changes.visit_number
            order by changes.visit_position rows between unbounded preceding and current row
        ), 0) as referrer_conflict_position,
        min(case when changes.has_utm = 1 then changes.visit_position end) over (
            partition by changes.anonymous_id, changes.visit_number
            order by changes.visit_position rows between current row and unbounded following
        ) as next_utm_position,
        min(case when changes.has_external_referrer = 1 then changes.visit_position end) over (
            partition by changes.anonymous_id, changes.visit_number
            order by changes.visit_position rows between current row and unbounded following
        ) as next_referrer_position,
        min(case when changes.has_utm = 1 and changes.has_external_referrer = 1 then changes.visit_position end) over (
            partition by changes.anonymous_id, changes.visit_number
            order by changes.visit_position rows between current row and unbounded following
        ) as next_both_position
    from changes
),

ranges as (
    select
        bounds.*,
        case
            when bounds.utm_conflict_position > bounds.referrer_conflict_position then bounds.utm_conflict_position
            else bounds.referrer_conflict_position
        end + 1 as first_candidate_position,
        case
            when bounds.last_utm_position < bounds.last_referrer_position then bounds.last_utm_position
            else bounds.last_referrer_position
        end as lower_last_position,
        case
            when bounds.last_utm_position > bounds.last_referrer_position then bounds.last_utm_position
            else bounds.last_referrer_position
        end as upper_last_position
    from bounds
),

lookup_positions as (
    select
        ranges.*,
        case
            when ranges.first_candidate_position > ranges.lower_last_position then ranges.first_candidate_position
            else ranges.lower_last_position
        end as middle_candidate_position
    from ranges
),

covered as (
    select
        lookup_positions.*,
        (
            -- e in [max(first candidate, upper last), d): nothing left to match
            (
                case
                    when lookup_positions.first_candidate_position > lookup_positions.upper_last_position
                        then lookup_positions.first_candidate_position
                    else lookup_positions.upper_last_position
                end < lookup_positions.visit_position
            )
            -- e in [max(first candidate, lower last), upper last): e carries the later-set value
            or (
                lookup_positions.last_utm_position > lookup_positions.last_referrer_position
                and at_middle.next_utm_position < lookup_positions.upper_last_position
            )
            or (
                lookup_positions.last_referrer_position > lookup_positions.last_utm_position
                and at_middle.next_referrer_position < lookup_positions.upper_last_position
            )
            -- e in [first candidate, lower last): e carries both
            or at_first.next_both_position < lookup_positions.lower_last_position
        ) as is_covered
    from lookup_positions
    left join lookup_positions as at_first
        on
            lookup_positions.anonymous_id = at_first.anonymous_id
            and lookup_positions.visit_number = at_first.visit_number
            and lookup_positions.first_candidate_position = at_first.visit_position
    left join lookup_positions as at_middle
        on
            lookup_positions.anonymous_id = at_middle.anonymous_id
            and lookup_positions.visit_number = at_middle.visit_number
            and lookup_positions.middle_candidate_position = at_middle.visit_position
),

numbered as (
    select
        covered.*,
        sum(case when coalesce(covered.is_covered, false) then 0 else 1 end) over (
            partition by covered.anonymous_id
            order by covered.occurred_at, covered.event_id rows between unbounded preceding and current row
        ) as session_number
    from covered
),

sessions as (
    select
        anonymous_id,
        session_number,
        min(occurred_at) as started_at,
        max(occurred_at) as ended_at,
        count(*) as event_count
    from numbered
    group by anonymous_id, session_number
),

first_events as (
    select *
    from numbered
    where not coalesce(is_covered, false)
)

select
    first_events.event_id as session_id,
    first_events.anonymous_id,
    first_events.session_number,
    sessions.started_at,
    sessions.ended_at,
    sessions.event_count,
    first_events.page_host as landing_page_host,
    first_events.referrer_host,
    first_events.external_referrer_host,
    first_events.utm_source,
    first_events.utm_medium,
    first_events.utm_campaign,
    first_events.referral_code
from first_events
inner join sessions
    on
        first_events.anonymous_id = sessions.anonymous_id
        and first_events.session_number = sessions.session_number
