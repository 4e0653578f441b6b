-- The bootstrap's replicates per period (month; fiscal quarter) x source group x attribution
-- model x replicate: credited closes and credited share (of the period's credited closes under
-- the model in that replicate), the draws the marts take their intervals from
-- (docs/costs-and-signals.md, "Uncertainty intervals").
with

replicates as (
    select * from {{ ref('stg_attribution__credit_replicates') }}
),

by_period as (
    select
        'month' as period_type,
        {{ month_start('close_month') }} as period_start,
        source_group,
        attribution_model,
        replicate,
        credited_closes
    from replicates
    union all
    select
        'quarter' as period_type,
        {{ fiscal_quarter_start('close_month') }} as period_start,
        source_group,
        attribution_model,
        replicate,
        credited_closes
    from replicates
),

cells as (
    select
        period_type,
        period_start,
        source_group,
        attribution_model,
        replicate,
        sum(credited_closes) as credited_closes
    from by_period
    group by
        period_type,
        period_start,
        source_group,
        attribution_model,
        replicate
),

totals as (
    select
        period_type,
        period_start,
        attribution_model,
        replicate,
        sum(credited_closes) as period_credited_closes
    from cells
    group by
        period_type,
        period_start,
        attribution_model,
        replicate
)

select
    cells.period_type,
    cells.period_start,
    cells.source_group,
    cells.attribution_model,
    cells.replicate,
    cells.credited_closes,
    totals.period_credited_closes,
    {{ safe_divide('cells.credited_closes', 'totals.period_credited_closes') }} as credited_share
from cells
inner join totals
    on
        cells.period_type = totals.period_type
        and cells.period_start = totals.period_start
        and cells.attribution_model = totals.attribution_model
        and cells.replicate = totals.replicate
