-- The self-report coverage per period (month; fiscal quarter) by close date: credited deals, those
-- whose journey holds at least one mapped "How did you hear about us?" answer (a `self_reported`
-- touch), and answered / credited. Stated once here; fct_credit_by_source, fct_cost_per_close (and
-- its resource view) and fct_dark_funnel read it (docs/models.md, "Self-reported source").
with

deals as (
    select
        opportunity_id,
        close_date
    from {{ ref('int_credited_deals') }}
),

answered as (
    select distinct opportunity_id
    from {{ ref('int_credit_touches') }}
    where touch_kind = 'self_reported'
),

deal_periods as (
    select
        period_types.period_type,
        {{ period_start_of('period_types.period_type', 'deals.close_date') }} as period_start,
        answered.opportunity_id is not null as is_answered
    from deals
    cross join {{ period_types() }} as period_types
    left join answered
        on deals.opportunity_id = answered.opportunity_id
),

counted as (
    select
        period_type,
        period_start,
        cast(count(*) as {{ dbt.type_bigint() }}) as credited_deals,
        cast(sum(case when is_answered then 1 else 0 end) as {{ dbt.type_bigint() }}) as answered_deals
    from deal_periods
    group by
        period_type,
        period_start
)

select
    period_type,
    period_start,
    credited_deals,
    answered_deals,
    {{ safe_divide('answered_deals', 'credited_deals') }} as self_report_coverage
from counted
