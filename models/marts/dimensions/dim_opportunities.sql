-- One row per opportunity: descriptive attributes. No name (opportunity names often carry
-- people's names); the owner is a CRM user id with its role and source group, never a name. The
-- amount stands beside its value in var('reporting_currency') at the rates of the close month
-- (int_fx_reporting_rates, as the credited deals take it); with no rate it is NULL and
-- is_amount_converted false, never a guess.
{%- set string_type = dbt.type_string() %}
with

opportunities as (
    select * from {{ crm_staged('opportunities') }}
),

journeys as (
    select * from {{ ref('int_journey_opportunities') }}
),

owners as (
    select * from {{ ref('int_users_with_source_groups') }}
),

accounts as (
    select account_id from {{ crm_staged('accounts') }}
),

rates as (
    select * from {{ ref('int_fx_reporting_rates') }}
)

select
    cast(opportunities.opportunity_id as {{ string_type }}) as opportunity_id,
    cast(opportunities.account_id as {{ string_type }}) as account_id,
    cast(opportunities.owner_id as {{ string_type }}) as owner_user_id,
    cast(owners.user_role as {{ string_type }}) as owner_role,
    cast(owners.source_group as {{ string_type }}) as owner_source_group,
    cast(opportunities.type as {{ string_type }}) as opportunity_type,
    cast(opportunities.stage_name as {{ string_type }}) as stage_name,
    cast(opportunities.amount as double) as amount,
    cast(opportunities.currency_iso_code as {{ string_type }}) as currency_iso_code,
    cast(opportunities.amount * rates.to_reporting_factor as double) as amount_reporting,
    cast('{{ var("reporting_currency") }}' as {{ string_type }}) as reporting_currency,
    rates.to_reporting_factor is not null as is_amount_converted,
    cast(opportunities.probability as double) as probability,
    opportunities.is_closed,
    opportunities.is_won,
    cast(journeys.outcome as {{ string_type }}) as outcome,
    journeys.is_credited_deal,
    cast(opportunities.created_date as {{ dbt.type_timestamp() }}) as created_at,
    cast(journeys.created_date as date) as created_date,
    cast(opportunities.close_date as date) as close_date,
    cast(opportunities.lead_source as {{ string_type }}) as lead_source,
    cast(opportunities.campaign_id as {{ string_type }}) as campaign_id,
    accounts.account_id is not null as is_account_in_crm
from opportunities
inner join journeys
    on opportunities.opportunity_id = journeys.opportunity_id
left join owners
    on opportunities.owner_id = owners.user_id
left join accounts
    on opportunities.account_id = accounts.account_id
left join rates
    on
        {{ month_start('opportunities.close_date') }} = rates.month
        and opportunities.currency_iso_code = rates.currency_iso_code
