-- Period x source group x attribution model: credited closes (the sum of fractions of the deals
-- closed in the period), credited revenue, and the credit shift against legacy_handoff, the
-- traditional answer. Every touch group (seeds/mappings/source_groups.csv) appears under every model
-- of var('attribution_models') in every period, 0 when uncredited. Credited share = the group's
-- credited closes / the period's under the model. `_low`/`_high`: the var('interval_level') central
-- interval over the bootstrap's replicates (int_credit_replicates; macros/marts/interval_bounds.sql).
with

credit as (
    select * from {{ ref('fct_close_credit') }}
),

credit_periods as (
    select
        'month' as period_type,
        {{ month_start('close_date') }} as period_start,
        source_group,
        attribution_model,
        credit_fraction,
        credited_revenue
    from credit
    union all
    select
        'quarter' as period_type,
        {{ fiscal_quarter_start('close_date') }} as period_start,
        source_group,
        attribution_model,
        credit_fraction,
        credited_revenue
    from credit
),

periods as (
    select distinct
        period_type,
        period_start
    from credit_periods
),

grid as (
    {{ reporting_grid('periods', source_group_rows(touch_groups_only=true, also_in=['credit'])) | indent(4) }}
),

credited as (
    select
        period_type,
        period_start,
        source_group,
        attribution_model,
        sum(credit_fraction) as credited_closes,
        sum(credited_revenue) as credited_revenue
    from credit_periods
    group by period_type, period_start, source_group, attribution_model
),

filled as (
    select
        {{ grid_cell_columns('grid') }},
        coalesce(credited.credited_closes, 0.0) as credited_closes,
        coalesce(credited.credited_revenue, 0.0) as credited_revenue
    from grid
    left join credited
        on {{ join_grid_cell('grid', 'credited') }}
),

period_totals as (
    select
        period_type,
        period_start,
        attribution_model,
        sum(credited_closes) as period_credited_closes
    from filled
    group by
        period_type,
        period_start,
        attribution_model
),

draws as (
    -- every grid cell in every replicate, 0 where the replicate credited the cell nothing
    select
        {{ grid_cell_columns('grid') }},
        replicates.replicate,
        coalesce(replicate_credit.credited_closes, 0.0) as credited_closes,
        replicate_credit.credited_share
    from grid
    cross join {{ replicate_numbers() }} as replicates
    left join {{ ref('int_credit_replicates') }} as replicate_credit
        on
            {{ join_grid_cell('grid', 'replicate_credit') }}
            and replicates.replicate = replicate_credit.replicate
),

bounds as (
    {{ interval_bounds('draws', ['period_type', 'period_start', 'source_group', 'attribution_model'],
        ['credited_closes', 'credited_share']) | indent(4) }}
)

select
    filled.period_type,
    filled.period_start,
    filled.source_group,
    filled.attribution_model,
    filled.credited_closes,
    bounds.credited_closes_low,
    bounds.credited_closes_high,
    {{ safe_divide('filled.credited_closes', 'period_totals.period_credited_closes') }} as credited_share,
    bounds.credited_share_low,
    bounds.credited_share_high,
    filled.credited_revenue,
    filled.credited_closes - legacy.credited_closes as credit_shift,
    filled.credited_revenue - legacy.credited_revenue as revenue_shift,
    {{ as_of_date_literal() }} as as_of_date
from filled
{{ join_legacy_baseline('filled') }}
inner join period_totals
    on
        filled.period_type = period_totals.period_type
        and filled.period_start = period_totals.period_start
        and filled.attribution_model = period_totals.attribution_model
left join bounds
    on {{ join_grid_cell('filled', 'bounds') }}
