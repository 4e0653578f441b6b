-- Sales activities: completed tasks (status in seeds/mappings/completed_task_statuses.csv,
-- case-insensitive) and all events whose owner's role maps to a source group
-- (seeds/mappings/user_role_groups.csv; "Other" and unmapped roles give no touch and are counted
-- in int_journey_quality). Time: the event's start_date_time, or the task's activity_date (00:00
-- in the reporting time zone, or its created_date when that falls on the same day).
-- Linked to the person of who_id (a lead or contact); one without a resolvable who_id is linked
-- to the opportunity or account of what_id.
with

completed_statuses as (
    select distinct lower(trim(status)) as status
    from {{ ref('completed_task_statuses') }}
),

tasks as (
    select
        tasks.task_id as activity_id,
        'task' as activity_object,
        tasks.who_id,
        tasks.what_id,
        tasks.owner_id,
        tasks.type as activity_type,
        {{ date_or_same_day_timestamp('tasks.activity_date', 'tasks.created_date') }} as touched_at
    from {{ crm_staged('tasks') }} as tasks
    inner join completed_statuses
        on lower(trim(tasks.status)) = completed_statuses.status
),

events as (
    select
        event_id as activity_id,
        'event' as activity_object,
        who_id,
        what_id,
        owner_id,
        type as activity_type,
        coalesce(start_date_time, created_date) as touched_at
    from {{ crm_staged('events') }}
),

activities as (
    select * from tasks
    union all
    select * from events
),

owners as (
    select
        user_id,
        user_role,
        source_group as owner_group
    from {{ ref('int_users_with_source_groups') }}
),

records as (
    select
        record_id,
        person_id
    from {{ ref('int_people_records') }}
),

opportunities as (
    select opportunity_id from {{ crm_staged('opportunities') }}
),

accounts as (
    select account_id from {{ crm_staged('accounts') }}
)

select
    {{ dbt.concat(['activities.activity_object', "':'", 'activities.activity_id']) }} as touch_id,
    'sales_activity' as touch_kind,
    activities.activity_id as source_record_id,
    activities.activity_object,
    {{ normalized_text('activities.activity_type') }} as activity_type,
    activities.owner_id as owner_user_id,
    owners.user_role as owner_role,
    owners.owner_group,
    activities.touched_at,
    records.person_id,
    case
        when
            records.person_id is null
            and (opportunities.opportunity_id is not null or activities.what_id like '006%')
            then activities.what_id
    end as link_opportunity_id,
    case
        when
            records.person_id is null and opportunities.opportunity_id is null
            and (accounts.account_id is not null or activities.what_id like '001%')
            then activities.what_id
    end as link_account_id
from activities
left join owners
    on activities.owner_id = owners.user_id
left join records
    on activities.who_id = records.record_id
left join opportunities
    on activities.what_id = opportunities.opportunity_id
left join accounts
    on activities.what_id = accounts.account_id
