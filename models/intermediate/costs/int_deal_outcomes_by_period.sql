-- Period x deal outcomes by close date (docs/costs-and-signals.md, "Cost per close"), over the deal
-- types whose wins are credited (var('credited_deal_types')): credited deals (won), lost deals, the
-- win rate won / (won + lost), and the median sales cycle: days from the opportunity's creation
-- (date in the reporting time zone) to the close of the won deals.
with

opportunities as (
    select
        outcome,
        close_date,
        created_date,
        is_credited_deal,
        coalesce(
            lower(trim(opportunity_type)) in ({{ sql_string_list(var('credited_deal_types')) }}),
            false
        ) as is_credited_type
    from {{ ref('int_journey_opportunities') }}
    where close_date is not null
),

closed as (
    select
        period_types.period_type,
        {{ period_start_of('period_types.period_type', 'opportunities.close_date') }} as period_start,
        opportunities.is_credited_deal,
        opportunities.outcome = 'lost' as is_lost,
        case
            when opportunities.is_credited_deal
                then {{ dbt.datediff('opportunities.created_date', 'opportunities.close_date', 'day') }}
        end as sales_cycle_days
    from opportunities
    cross join {{ period_types() }} as period_types
    where opportunities.is_credited_type and opportunities.outcome in ('won', 'lost')
),

counted as (
    select
        period_type,
        period_start,
        cast(sum(case when is_credited_deal then 1 else 0 end) as {{ dbt.type_bigint() }}) as credited_deals,
        cast(sum(case when is_lost then 1 else 0 end) as {{ dbt.type_bigint() }}) as lost_deals,
        {{ median('sales_cycle_days') }} as median_sales_cycle_days
    from closed
    group by
        period_type,
        period_start
)

select
    period_type,
    period_start,
    credited_deals,
    lost_deals,
    {{ safe_divide('credited_deals', 'credited_deals + lost_deals') }} as win_rate,
    cast(median_sales_cycle_days as double) as median_sales_cycle_days
from counted
