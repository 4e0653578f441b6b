-- Lead-source touches (docs/models.md, "Touches"): a lead, or a contact no lead converted
-- into, whose creation no form submit (same email) or campaign response (same person) explains
-- within var('lead_source_explanation_minutes') before or after the creation gets a touch from its
-- lead_source at its creation time. An empty lead source maps to direct (channel rules).
with

records as (
    select * from {{ ref('int_people_records') }}
    where created_at is not null
),

people as (
    select
        person_id,
        lead_count
    from {{ ref('int_people') }}
),

candidates as (
    select records.*
    from records
    inner join people
        on records.person_id = people.person_id
    where records.record_kind = 'lead' or people.lead_count = 0
),

form_submits as (
    select
        email,
        occurred_at
    from {{ ref('int_web_events_classified') }}
    where
        not is_bot
        and email is not null
        and event_type in ({{ sql_string_list(var('lead_explaining_event_types')) }})
),

responses as (
    select
        person_id,
        touched_at
    from {{ ref('int_campaign_responses') }}
    where person_id is not null
),

explained_by_form as (
    select distinct candidates.record_id
    from candidates
    inner join form_submits
        on
            candidates.email = form_submits.email
            and form_submits.occurred_at
            >= {{ dbt.dateadd('minute', -1 * var('lead_source_explanation_minutes'), 'candidates.created_at') }}
            and form_submits.occurred_at
            <= {{ dbt.dateadd('minute', var('lead_source_explanation_minutes'), 'candidates.created_at') }}
),

explained_by_response as (
    select distinct candidates.record_id
    from candidates
    inner join responses
        on
            candidates.person_id = responses.person_id
            and responses.touched_at
            >= {{ dbt.dateadd('minute', -1 * var('lead_source_explanation_minutes'), 'candidates.created_at') }}
            and responses.touched_at
            <= {{ dbt.dateadd('minute', var('lead_source_explanation_minutes'), 'candidates.created_at') }}
)

select
    {{ dbt.concat(["'lead_source:'", 'candidates.record_id']) }} as touch_id,
    'lead_source' as touch_kind,
    candidates.record_id as source_record_id,
    candidates.record_kind,
    candidates.created_at as touched_at,
    candidates.person_id,
    candidates.lead_source
from candidates
left join explained_by_form
    on candidates.record_id = explained_by_form.record_id
left join explained_by_response
    on candidates.record_id = explained_by_response.record_id
where
    explained_by_form.record_id is null
    and explained_by_response.record_id is null
