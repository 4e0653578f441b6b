-- One row per opportunity with what its journey needs (docs/models.md, "Deals", "Journey"):
-- outcome (won / lost / open), whether it is a credited deal (won and its type in
-- var('credited_deal_types')), the window [window_start_date, window_end_date] in the reporting
-- time zone (closed: close_date - var('lookback_days') .. close_date; open: as_of_date -
-- lookback_days .. as_of_date), its creation time and the lead creation time (earliest creation
-- among the journey's people).
with

opportunities as (
    select * from {{ crm_staged('opportunities') }}
),

people as (
    select
        opportunity_id,
        count(*) as people_count,
        min(person_created_at) as lead_created_at
    from {{ ref('int_opportunity_people') }}
    group by opportunity_id
),

as_of as (
    select {{ journey_as_of_date() }} as as_of_date
),

shaped as (
    select
        opportunities.opportunity_id,
        opportunities.account_id,
        opportunities.owner_id as owner_user_id,
        opportunities.type as opportunity_type,
        opportunities.is_closed,
        opportunities.is_won,
        case
            when opportunities.is_won then 'won'
            when opportunities.is_closed then 'lost'
            else 'open'
        end as outcome,
        coalesce(
            opportunities.is_won
            and lower(trim(opportunities.type)) in ({{ sql_string_list(var('credited_deal_types')) }}),
            false
        ) as is_credited_deal,
        opportunities.close_date,
        opportunities.created_date as created_at,
        {{ to_reporting_date('opportunities.created_date') }} as created_date,
        people.lead_created_at,
        coalesce(people.people_count, 0) as people_count,
        as_of.as_of_date,
        case
            when opportunities.is_closed or opportunities.is_won then opportunities.close_date
            else as_of.as_of_date
        end as window_end_date
    from opportunities
    cross join as_of
    left join people
        on opportunities.opportunity_id = people.opportunity_id
)

select
    shaped.*,
    cast({{ dbt.dateadd('day', -1 * var('lookback_days'), 'window_end_date') }} as date) as window_start_date
from shaped
