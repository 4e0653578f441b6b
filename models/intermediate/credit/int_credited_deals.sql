-- The deals whose close is credited (won, type in var('credited_deal_types')) with the amount in
-- the reporting currency at the rates of the close month. A missing rate leaves the amount NULL
-- and is_amount_converted false: counted and reported, never taken as 0.
with

journeys as (
    select * from {{ ref('int_journey_opportunities') }}
    where is_credited_deal
),

opportunities as (
    select
        opportunity_id,
        amount,
        currency_iso_code
    from {{ crm_staged('opportunities') }}
),

rates as (
    select * from {{ ref('int_fx_reporting_rates') }}
)

select
    journeys.opportunity_id,
    journeys.account_id,
    journeys.owner_user_id,
    journeys.opportunity_type,
    journeys.close_date,
    journeys.created_at,
    opportunities.amount,
    opportunities.currency_iso_code,
    opportunities.amount * rates.to_reporting_factor as amount_reporting,
    rates.to_reporting_factor is not null as is_amount_converted
from journeys
inner join opportunities
    on journeys.opportunity_id = opportunities.opportunity_id
left join rates
    on
        {{ month_start('journeys.close_date') }} = rates.month
        and opportunities.currency_iso_code = rates.currency_iso_code
