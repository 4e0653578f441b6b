-- Period (month; fiscal quarter) x source group x attribution model: what each credited close
-- cost (docs/costs-and-signals.md, "Cost per close"). Cost is the group's allocated cost in the
-- reporting currency (the same under every model); credited closes and revenue are the model's
-- credit (fct_credit_by_source). cost_per_close = cost / credited closes (NULL when 0 closes, and
-- for a group whose resource is `unattributed`: no budget pays for direct, it has no cost); ROI =
-- (credited revenue - cost) / cost (NULL when the cost is 0). Per period, on every row of it:
-- total cost (allocated + unallocated), credited deals, blended CAC = total cost / credited deals,
-- win rate and median sales cycle. Every group of seeds/mappings/source_groups.csv appears under
-- every model of var('attribution_models') in every period that has a cost, a credit or a closed
-- deal; `unallocated` carries the cost no rule takes, so the groups add up to the staged cost.
-- `_low`/`_high`: the var('interval_level') central interval over the bootstrap's replicates, the
-- cost fixed and the credited closes drawn (macros/marts/interval_bounds.sql); a replicate without
-- a credited close has an infinite cost per close, so a high bound landing on it is NULL.
with

credit as (
    select * from {{ ref('fct_credit_by_source') }}
),

costs as (
    select * from {{ ref('int_costs_by_period') }}
),

outcomes as (
    select * from {{ ref('int_deal_outcomes_by_period') }}
),

resources as (
    select * from {{ cost_resource_rows() }} as cost_resources
),

periods as (
    select
        period_type,
        period_start
    from credit
    union
    select
        period_type,
        period_start
    from costs
    union
    select
        period_type,
        period_start
    from outcomes
),

grid as (
    {{ reporting_grid('periods', source_group_rows(touch_groups_only=false, also_in=['costs', 'credit'])) | indent(4) }}
),

period_costs as (
    select
        period_type,
        period_start,
        sum(cost) as total_cost
    from costs
    group by
        period_type,
        period_start
),

filled as (
    select
        {{ grid_cell_columns('grid') }},
        cast(coalesce(costs.cost, 0.0) as double) as cost,
        coalesce(costs.cost_lines, 0) as cost_lines,
        coalesce(costs.unconverted_cost_lines, 0) as unconverted_cost_lines,
        cast(coalesce(credit.credited_closes, 0.0) as double) as credited_closes,
        cast(coalesce(credit.credited_revenue, 0.0) as double) as credited_revenue
    from grid
    left join costs
        on {{ join_grid_cell('grid', 'costs', with_model=false) }}
    left join credit
        on {{ join_grid_cell('grid', 'credit') }}
),

draws as (
    select
        {{ grid_cell_columns('filled') }},
        replicates.replicate,
        coalesce(replicate_credit.credited_closes, 0.0) as credited_closes,
        {{ cost_per_close(
            'filled.cost', 'coalesce(replicate_credit.credited_closes, 0.0)',
            resource_of('filled.source_group', 'resources.resource')
        ) }} as cost_per_close
    from filled
    cross join {{ replicate_numbers() }} as replicates
    left join resources
        on filled.source_group = resources.source_group
    left join {{ ref('int_credit_replicates') }} as replicate_credit
        on
            {{ join_grid_cell('filled', 'replicate_credit') }}
            and replicates.replicate = replicate_credit.replicate
),

bounds as (
    {{ interval_bounds('draws', ['period_type', 'period_start', 'source_group', 'attribution_model'],
        ['credited_closes', 'cost_per_close']) | indent(4) }}
)

select
    filled.period_type,
    filled.period_start,
    filled.source_group,
    filled.attribution_model,
    filled.cost,
    filled.cost_lines,
    filled.unconverted_cost_lines,
    filled.credited_closes,
    bounds.credited_closes_low,
    bounds.credited_closes_high,
    filled.credited_revenue,
    {{ cost_per_close(
        'filled.cost', 'filled.credited_closes', resource_of('filled.source_group', 'resources.resource')
    ) }} as cost_per_close,
    bounds.cost_per_close_low,
    bounds.cost_per_close_high,
    {{ safe_divide('filled.credited_revenue - filled.cost', 'filled.cost') }} as roi,
    filled.credited_closes - legacy.credited_closes as credit_shift,
    cast(coalesce(period_costs.total_cost, 0.0) as double) as period_total_cost,
    coalesce(outcomes.credited_deals, 0) as period_credited_deals,
    coalesce(outcomes.lost_deals, 0) as period_lost_deals,
    {{ safe_divide('coalesce(period_costs.total_cost, 0.0)', 'outcomes.credited_deals') }} as blended_cac,
    outcomes.win_rate,
    outcomes.median_sales_cycle_days,
    '{{ var("reporting_currency") }}' as reporting_currency,
    {{ as_of_date_literal() }} as as_of_date
from filled
{{ join_legacy_baseline('filled') }}
left join resources
    on filled.source_group = resources.source_group
left join period_costs
    on
        filled.period_type = period_costs.period_type
        and filled.period_start = period_costs.period_start
left join outcomes
    on
        filled.period_type = outcomes.period_type
        and filled.period_start = outcomes.period_start
left join bounds
    on {{ join_grid_cell('filled', 'bounds') }}
