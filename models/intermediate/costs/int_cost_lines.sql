-- Every staged cost line in one shape (docs/costs-and-signals.md, "Money" and "Cost per close"):
-- marketing spend (dated by its date), sales cost and program cost (by their month), partner
-- payouts (by earned_at in the reporting time zone; a payout without earned_at is dated by the
-- extract that brought it, flagged is_date_imputed). Restated lines are already resolved in
-- staging (the later extract's row per key wins), so each key is here once.
-- The amount is converted into var('reporting_currency') at the rates of the line's month
-- (int_fx_reporting_rates). A line without a rate keeps amount_reporting NULL and is_converted
-- false: counted and reported, never taken as 0.
with

owners as (
    select
        user_id,
        {{ rule_text('source_group') }} as owner_group
    from {{ ref('int_users_with_source_groups') }}
),

marketing_spend as (
    select
        'marketing_spend' as cost_source,
        {{ dbt.concat([
            "'marketing_spend:'", as_text('date'),
            "'|'", "coalesce(channel, '')",
            "'|'", "coalesce(utm_source, '')",
            "'|'", "coalesce(utm_campaign, '')",
            "'|'", "coalesce(campaign_id, '')",
        ]) }} as cost_line_id,
        date as cost_date,
        false as is_date_imputed,
        channel as cost_item,
        cast(null as {{ dbt.type_string() }}) as user_id,
        cast(null as {{ dbt.type_string() }}) as partner_id,
        spend as amount,
        currency_iso_code,
        _extract_date as extract_date
    from {{ ref('stg_costs__marketing_spend') }}
),

sales_costs as (
    select
        'sales_cost' as cost_source,
        {{ dbt.concat([
            "'sales_cost:'", as_text('month'),
            "'|'", "coalesce(user_id, '')",
            "'|'", "coalesce(cost_type, '')",
        ]) }} as cost_line_id,
        month as cost_date,
        false as is_date_imputed,
        cost_type as cost_item,
        user_id,
        cast(null as {{ dbt.type_string() }}) as partner_id,
        amount,
        currency_iso_code,
        _extract_date as extract_date
    from {{ ref('stg_costs__sales_costs') }}
),

program_costs as (
    select
        'program_cost' as cost_source,
        {{ dbt.concat(["'program_cost:'", as_text('month'), "'|'", "coalesce(program, '')"]) }} as cost_line_id,
        month as cost_date,
        false as is_date_imputed,
        program as cost_item,
        cast(null as {{ dbt.type_string() }}) as user_id,
        cast(null as {{ dbt.type_string() }}) as partner_id,
        amount,
        currency_iso_code,
        _extract_date as extract_date
    from {{ ref('stg_costs__program_costs') }}
),

payouts as (
    select
        'payout' as cost_source,
        {{ dbt.concat(["'payout:'", 'payout_id']) }} as cost_line_id,
        {{ payout_cost_date('earned_at', '_extract_date') }} as cost_date,
        earned_at is null as is_date_imputed,
        payout_type as cost_item,
        cast(null as {{ dbt.type_string() }}) as user_id,
        partner_id,
        amount,
        currency_iso_code,
        _extract_date as extract_date
    from {{ ref('stg_referral__payouts') }}
),

lines as (
    select * from marketing_spend
    union all
    select * from sales_costs
    union all
    select * from program_costs
    union all
    select * from payouts
),

rates as (
    select * from {{ ref('int_fx_reporting_rates') }}
)

select
    lines.cost_source,
    lines.cost_line_id,
    lines.cost_date,
    {{ month_start('lines.cost_date') }} as cost_month,
    lines.is_date_imputed,
    {{ rule_text('lines.cost_item') }} as cost_item,
    lines.user_id,
    owners.owner_group,
    lines.partner_id,
    lines.amount,
    lines.currency_iso_code,
    rates.to_reporting_factor,
    lines.amount * rates.to_reporting_factor as amount_reporting,
    rates.to_reporting_factor is not null as is_converted,
    lines.extract_date
from lines
left join owners
    on lines.user_id = owners.user_id
left join rates
    on
        {{ month_start('lines.cost_date') }} = rates.month
        and lines.currency_iso_code = rates.currency_iso_code
