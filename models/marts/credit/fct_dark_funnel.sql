-- The dark funnel (docs/models.md, "Self-reported source"): per period (month and fiscal quarter)
-- and touch group, how much of what people say brought them tracking never saw.
--   declared_deals     credited deals closed in the period with an answer naming the group
--   untracked_deals    those whose journey holds no tracked touch of that group (a lead source
--                      is declared, not tracked)
--   untracked_share    untracked_deals / declared_deals
-- and, the same on every group row of the period, the self-report coverage (credited deals with an
-- answer / credited deals) and the community share of credited closes under the signal model
-- (var('signal_model') as the engine resolved it, by default the recommended model:
-- fct_model_fit's is_signal_model row, as fct_investment_signals reads it) with the self-reported
-- touches and without them (int_credit_without_self_reports; NULL for a data-driven model, which
-- has no counterfactual fit).
with

signal_model as (
    select attribution_model from {{ ref('fct_model_fit') }}
    where is_signal_model
),

deals as (
    select
        opportunity_id,
        close_date
    from {{ ref('int_credited_deals') }}
),

deal_periods as (
    select
        'month' as period_type,
        {{ month_start('close_date') }} as period_start,
        opportunity_id
    from deals
    union all
    select
        'quarter' as period_type,
        {{ fiscal_quarter_start('close_date') }} as period_start,
        opportunity_id
    from deals
),

touches as (
    select * from {{ ref('int_credit_touches') }}
),

declared as (
    select distinct
        opportunity_id,
        source_group
    from touches
    where touch_kind = 'self_reported'
),

-- Tracked: what the web, referral and CRM activity data saw. A lead source is declared (typed in
-- by a person), like the answer, so it does not count as tracking.
tracked as (
    select distinct
        opportunity_id,
        source_group
    from touches
    where not is_synthetic and touch_kind not in ('self_reported', 'lead_source')
),

declared_by_period as (
    select
        deal_periods.period_type,
        deal_periods.period_start,
        declared.source_group,
        count(*) as declared_deals,
        cast(sum(case when tracked.opportunity_id is null then 1 else 0 end) as {{ dbt.type_bigint() }})
            as untracked_deals
    from declared
    inner join deal_periods
        on declared.opportunity_id = deal_periods.opportunity_id
    left join tracked
        on
            declared.opportunity_id = tracked.opportunity_id
            and declared.source_group = tracked.source_group
    group by deal_periods.period_type, deal_periods.period_start, declared.source_group
),

answered as (
    select distinct opportunity_id from declared
),

periods as (
    select
        deal_periods.period_type,
        deal_periods.period_start,
        count(*) as credited_deals,
        cast(sum(case when answered.opportunity_id is not null then 1 else 0 end) as {{ dbt.type_bigint() }})
            as answered_deals
    from deal_periods
    left join answered
        on deal_periods.opportunity_id = answered.opportunity_id
    group by deal_periods.period_type, deal_periods.period_start
),

with_self_reports as (
    select
        period_type,
        period_start,
        {{ safe_divide("sum(case when source_group = 'community' then credited_closes else 0.0 end)",
            'sum(credited_closes)') }} as community_share
    from {{ ref('fct_credit_by_source') }}
    where attribution_model in (select signal_model.attribution_model from signal_model)
    group by period_type, period_start
),

without_self_reports as (
    select
        deal_periods.period_type,
        deal_periods.period_start,
        {{ safe_divide("sum(case when credit.source_group = 'community' then credit.credit_fraction else 0.0 end)",
            'count(distinct credit.opportunity_id)') }} as community_share
    from {{ ref('int_credit_without_self_reports') }} as credit
    inner join deal_periods
        on credit.opportunity_id = deal_periods.opportunity_id
    where credit.attribution_model in (select signal_model.attribution_model from signal_model)
    group by deal_periods.period_type, deal_periods.period_start
),

groups as {{ source_group_rows(touch_groups_only=true) }}

select
    periods.period_type,
    periods.period_start,
    groups.source_group,
    signal_model.attribution_model,
    periods.credited_deals,
    periods.answered_deals,
    {{ safe_divide('periods.answered_deals', 'periods.credited_deals') }} as self_report_coverage,
    cast(coalesce(declared_by_period.declared_deals, 0) as {{ dbt.type_bigint() }}) as declared_deals,
    cast(coalesce(declared_by_period.untracked_deals, 0) as {{ dbt.type_bigint() }}) as untracked_deals,
    {{ safe_divide('declared_by_period.untracked_deals', 'declared_by_period.declared_deals') }} as untracked_share,
    with_self_reports.community_share as community_share_with_self_reports,
    -- A data-driven model has no counterfactual fit: NULL, not 0.
    case
        when signal_model.attribution_model not in ({{ sql_string_list(known_data_driven_models()) }})
            then coalesce(without_self_reports.community_share, 0.0)
    end as community_share_without_self_reports,
    {{ as_of_date_literal() }} as as_of_date
from periods
cross join groups
cross join signal_model
left join declared_by_period
    on
        periods.period_type = declared_by_period.period_type
        and periods.period_start = declared_by_period.period_start
        and groups.source_group = declared_by_period.source_group
left join with_self_reports
    on
        periods.period_type = with_self_reports.period_type
        and periods.period_start = with_self_reports.period_start
left join without_self_reports
    on
        periods.period_type = without_self_reports.period_type
        and periods.period_start = without_self_reports.period_start
