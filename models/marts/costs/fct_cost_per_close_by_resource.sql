-- The resource view of fct_cost_per_close (docs/costs-and-signals.md, "Cost per close"): period x
-- resource x attribution model, the product brief's three budgets. A source group's cost and
-- credit go to its resource (seeds/costs/cost_resources.csv): sales <- sales, marketing <-
-- marketing, product <- community (word of mouth is the product's result) + product cost; direct
-- credit stays `unattributed`, cost no rule takes stays `unallocated`. Same measures and NULL rules
-- as the group view (`unattributed` has a NULL cost per close: it has no cost, never 0); the period
-- columns are the group view's. `_low`/`_high`: the resource's credited closes (its groups summed)
-- drawn per bootstrap replicate, its cost fixed (macros/marts/interval_bounds.sql).
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
),

replicate_closes as (
    select
        replicate_credit.period_type,
        replicate_credit.period_start,
        {{ resource_of('replicate_credit.source_group', 'resources.resource') }} as resource,
        replicate_credit.attribution_model,
        replicate_credit.replicate,
        sum(replicate_credit.credited_closes) as credited_closes
    from {{ ref('int_credit_replicates') }} as replicate_credit
    left join resources
        on replicate_credit.source_group = resources.source_group
    group by
        replicate_credit.period_type,
        replicate_credit.period_start,
        {{ resource_of('replicate_credit.source_group', 'resources.resource') }},
        replicate_credit.attribution_model,
        replicate_credit.replicate
),

draws as (
    select
        by_resource.period_type,
        by_resource.period_start,
        by_resource.resource,
        by_resource.attribution_model,
        replicates.replicate,
        coalesce(replicate_closes.credited_closes, 0.0) as credited_closes,
        {{ cost_per_close(
            'by_resource.cost', 'coalesce(replicate_closes.credited_closes, 0.0)', 'by_resource.resource'
        ) }} as cost_per_close
    from by_resource
    cross join {{ replicate_numbers() }} as replicates
    left join replicate_closes
        on
            by_resource.period_type = replicate_closes.period_type
            and by_resource.period_start = replicate_closes.period_start
            and by_resource.resource = replicate_closes.resource
            and by_resource.attribution_model = replicate_closes.attribution_model
            and replicates.replicate = replicate_closes.replicate
),

bounds as (
    {{ interval_bounds('draws', ['period_type', 'period_start', 'resource', 'attribution_model'],
        ['credited_closes', 'cost_per_close']) | indent(4) }}
)

select
    by_resource.period_type,
    by_resource.period_start,
    by_resource.resource,
    by_resource.attribution_model,
    by_resource.cost,
    by_resource.cost_lines,
    by_resource.unconverted_cost_lines,
    by_resource.credited_closes,
    bounds.credited_closes_low,
    bounds.credited_closes_high,
    by_resource.credited_revenue,
    {{ cost_per_close('by_resource.cost', 'by_resource.credited_closes', 'by_resource.resource') }}
        as cost_per_close,
    bounds.cost_per_close_low,
    bounds.cost_per_close_high,
    {{ safe_divide('by_resource.credited_revenue - by_resource.cost', 'by_resource.cost') }} as roi,
    by_resource.credit_shift,
    by_resource.period_total_cost,
    by_resource.period_credited_deals,
    by_resource.period_lost_deals,
    by_resource.blended_cac,
    by_resource.win_rate,
    by_resource.median_sales_cycle_days,
    by_resource.reporting_currency,
    by_resource.as_of_date
from by_resource
left join bounds
    on
        by_resource.period_type = bounds.period_type
        and by_resource.period_start = bounds.period_start
        and by_resource.resource = bounds.resource
        and by_resource.attribution_model = bounds.attribution_model
