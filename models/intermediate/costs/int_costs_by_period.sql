-- Period (month; fiscal quarter from var('fiscal_year_start_month')) x source group: the cost in
-- the reporting currency (allocated groups and `unallocated`), the number of cost lines, and how
-- many of them had no FX rate (unconverted: counted here, not in the cost).
with

lines as (
    select * from {{ ref('int_cost_lines_allocated') }}
),

bucketed as (
    select
        period_types.period_type,
        {{ period_start_of('period_types.period_type', 'lines.cost_date') }} as period_start,
        lines.source_group,
        lines.amount_reporting,
        lines.is_converted
    from lines
    cross join {{ period_types() }} as period_types
)

select
    period_type,
    period_start,
    source_group,
    coalesce(sum(amount_reporting), 0.0) as cost,
    cast(count(*) as {{ dbt.type_bigint() }}) as cost_lines,
    cast(sum(case when is_converted then 0 else 1 end) as {{ dbt.type_bigint() }}) as unconverted_cost_lines
from bucketed
group by
    period_type,
    period_start,
    source_group
