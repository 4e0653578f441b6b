-- One row per account: the staged CRM accounts, plus a placeholder for every account id an
-- opportunity names that the CRM has not (yet) sent (is_in_crm = false), so no deal loses its
-- account. Account names are company names and stay; no person is named here.
{%- set string_type = dbt.type_string() %}
with

accounts as (
    select * from {{ crm_staged('accounts') }}
),

opportunities as (
    select
        account_id,
        count(*) as opportunity_count,
        sum(case when is_won then 1 else 0 end) as won_opportunity_count
    from {{ crm_staged('opportunities') }}
    group by account_id
),

missing as (
    select opportunities.account_id
    from opportunities
    left join accounts
        on opportunities.account_id = accounts.account_id
    where accounts.account_id is null
),

all_accounts as (
    select
        account_id,
        name as account_name,
        website,
        industry,
        number_of_employees,
        billing_country,
        owner_id as owner_user_id,
        created_date as created_at,
        true as is_in_crm
    from accounts
    union all
    select
        account_id,
        cast(null as {{ string_type }}) as account_name,
        cast(null as {{ string_type }}) as website,
        cast(null as {{ string_type }}) as industry,
        cast(null as double) as number_of_employees,
        cast(null as {{ string_type }}) as billing_country,
        cast(null as {{ string_type }}) as owner_user_id,
        cast(null as {{ dbt.type_timestamp() }}) as created_at,
        false as is_in_crm
    from missing
)

select
    cast(all_accounts.account_id as {{ string_type }}) as account_id,
    cast(all_accounts.account_name as {{ string_type }}) as account_name,
    cast(all_accounts.website as {{ string_type }}) as website,
    cast(all_accounts.industry as {{ string_type }}) as industry,
    cast(all_accounts.number_of_employees as double) as number_of_employees,
    cast(all_accounts.billing_country as {{ string_type }}) as billing_country,
    cast(all_accounts.owner_user_id as {{ string_type }}) as owner_user_id,
    cast(all_accounts.created_at as {{ dbt.type_timestamp() }}) as created_at,
    all_accounts.is_in_crm,
    cast(coalesce(opportunities.opportunity_count, 0) as {{ dbt.type_bigint() }}) as opportunity_count,
    cast(coalesce(opportunities.won_opportunity_count, 0) as {{ dbt.type_bigint() }}) as won_opportunity_count
from all_accounts
left join opportunities
    on all_accounts.account_id = opportunities.account_id
