-- Time-bounded identity of anonymous web ids (docs/models.md, "Stitching"): one row per
-- identification (an identify or form submit event carrying an email, bots excluded). An event
-- of the anonymous id at time t belongs to the email of the identification in force at t:
-- valid_from <= t < valid_to. The first identification is valid from the beginning (events
-- before the first identify belong to the first email); the last one has no end.
-- Join on:   ids.anonymous_id = x.anonymous_id
--   and (ids.valid_from is null or ids.valid_from <= x.t) and (ids.valid_to is null or x.t < ids.valid_to)
with

identifications as (
    select
        event_id,
        anonymous_id,
        occurred_at as identified_at,
        email
    from {{ ref('int_web_events_classified') }}
    where
        not is_bot
        and email is not null
        and event_type in ({{ sql_string_list(var('identity_event_types')) }})
),

ordered as (
    select
        identifications.*,
        row_number()
            over (
                partition by identifications.anonymous_id
                order by identifications.identified_at, identifications.event_id
            )
            as identification_number,
        lead(identifications.identified_at)
            over (
                partition by identifications.anonymous_id
                order by identifications.identified_at, identifications.event_id
            )
            as next_identified_at
    from identifications
)

select
    event_id as identification_event_id,
    anonymous_id,
    email,
    identification_number,
    identified_at,
    case when identification_number > 1 then identified_at end as valid_from,
    next_identified_at as valid_to
from ordered
