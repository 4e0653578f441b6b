-- The resource view of fct_cost_per_close (docs/costs-and-signals.md, "Cost per close"): period x
-- resource x attribution model, the product brief's three budgets. A source group's cost and
-- credit go to its resource (seeds/costs/cost_resources.csv): sales <- sales, marketing <-
-- marketing, product <- community (word of mouth is the product's result) + product cost; direct
-- credit stays `unattributed`, cost no rule takes stays `unallocated`. Same measures and NULL rules
-- as the group view (`unattributed` has a NULL cost per close: it has no cost, never 0); the period
-- columns are the group view's.
with

by_group as (
    select * from {{ ref('fct_cost_per_close') }}
),

resources as (
    select * from {{ cost_resource_rows() }} as cost_resources
),

by_resource as (
    select
        by_group.period_type,
        by_group.period_start,
        {{ resource_of('by_group.source_group', 'resources.resource') }} as resource,
        by_group.attribution_model,
        sum(by_group.cost) as cost,
        cast(sum(by_group.cost_lines) as {{ dbt.type_bigint() }}) as cost_lines,
        cast(sum(by_group.unconverted_cost_lines) as {{ dbt.type_bigint() }}) as unconverted_cost_lines,
        sum(by_group.credited_closes) as credited_closes,
        sum(by_group.credited_revenue) as credited_revenue,
        sum(by_group.credit_shift) as credit_shift,
        max(by_group.period_total_cost) as period_total_cost,
        max(by_group.period_credited_deals) as period_credited_deals,
        max(by_group.period_lost_deals) as period_lost_deals,
        max(by_group.blended_cac) as blended_cac,
        max(by_group.win_rate) as win_rate,
        max(by_group.median_sales_cycle_days) as median_sales_cycle_days,
        max(by_group.reporting_currency) as reporting_currency,
        max(by_group.as_of_date) as as_of_date
    from by_group
    left join resources
        on by_group.source_group = resources.source_group
    group by
        by_group.period_type,
        by_group.period_start,
        {{ resource_of('by_group.source_group', 'resources.resource') }},
        by_group.attribution_model
)

select
    period_type,
    period_start,
    resource,
    attribution_model,
    cost,
    cost_lines,
    unconverted_cost_lines,
    credited_closes,
    credited_revenue,
    {{ cost_per_close('cost', 'credited_closes', 'resource') }} as cost_per_close,
    {{ safe_divide('credited_revenue - cost', 'cost') }} as roi,
    credit_shift,
    period_total_cost,
    period_credited_deals,
    period_lost_deals,
    blended_cac,
    win_rate,
    median_sales_cycle_days,
    reporting_currency,
    as_of_date
from by_resource
