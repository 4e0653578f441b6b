-- The product brief's decision rules (docs/costs-and-signals.md, "Investment signals"): per period
-- (month and fiscal quarter) under the signal model, only when at least var('signal_min_closes')
-- credited deals closed in the period. One row per signal that fires, with the numbers that fired
-- it and a sentence a manager can read:
--   community_high_share  community share of credited closes >= var('community_high_share');
--   community_low_share   community share of credited closes <  var('community_low_share');
--   under_funded          a group with the lowest cost per close and the smallest share of the
--                         allocated cost (among the groups a budget funds, seeds/costs/
--                         cost_resources.csv, that have credited closes; at least two of them);
--   credit_mismatch       marketing credited closes >= sales credited closes while sales holds more
--                         than var('mismatch_sales_cost_share') of the allocated cost.
-- Community share = community credited closes / all credited closes of the period (every group).
-- Allocated cost = the cost of every group but `unallocated`.
-- The signal model is var('signal_model') as the engine resolved it (`recommended` = the model-fit
-- rule's pick): fct_model_fit's is_signal_model row, the one place it is resolved.
{%- if execute and var('signal_model') not in attribution_models() + ['recommended'] %}
    {{ exceptions.raise_compiler_error(
        "var('signal_model') is " ~ var('signal_model') ~ ": choose recommended or one of "
        ~ attribution_models() | join(', ')) }}
{%- endif %}
with

signal_model as (
    select attribution_model from {{ ref('fct_model_fit') }}
    where is_signal_model
),

cost_per_close as (
    select * from {{ ref('fct_cost_per_close') }}
    where attribution_model in (select signal_model.attribution_model from signal_model)
),

resources as (
    select * from {{ cost_resource_rows() }} as cost_resources
),

periods as (
    select
        period_type,
        period_start,
        attribution_model,
        max(period_credited_deals) as credited_deals,
        sum(credited_closes) as total_credited_closes,
        sum(case when source_group = 'unallocated' then 0.0 else cost end) as allocated_cost,
        sum(case when source_group = 'community' then credited_closes else 0.0 end) as community_closes,
        sum(case when source_group = 'sales' then credited_closes else 0.0 end) as sales_closes,
        sum(case when source_group = 'marketing' then credited_closes else 0.0 end) as marketing_closes,
        sum(case when source_group = 'sales' then cost else 0.0 end) as sales_cost,
        max(reporting_currency) as reporting_currency,
        max(as_of_date) as as_of_date
    from cost_per_close
    group by
        period_type,
        period_start,
        attribution_model
),

eligible as (
    select
        *,
        {{ safe_divide('community_closes', 'total_credited_closes') }} as community_share,
        {{ safe_divide('sales_cost', 'allocated_cost') }} as sales_cost_share
    from periods
    where credited_deals >= {{ var('signal_min_closes') }}
),

candidates as (
    -- Groups a budget funds (not direct's `unattributed`, not `unallocated`) with credited closes.
    select
        cost_per_close.period_type,
        cost_per_close.period_start,
        cost_per_close.source_group,
        cost_per_close.cost,
        cost_per_close.credited_closes,
        cost_per_close.cost_per_close,
        {{ safe_divide('cost_per_close.cost', 'eligible.allocated_cost') }} as cost_share
    from cost_per_close
    inner join eligible
        on
            cost_per_close.period_type = eligible.period_type
            and cost_per_close.period_start = eligible.period_start
    inner join resources
        on cost_per_close.source_group = resources.source_group
    where
        resources.resource not in ('unattributed', 'unallocated')
        and cost_per_close.credited_closes > 0
),

candidate_extremes as (
    select
        period_type,
        period_start,
        count(*) as candidate_count,
        min(cost_per_close) as lowest_cost_per_close,
        min(cost) as smallest_cost
    from candidates
    group by
        period_type,
        period_start
),

signals as (
    select
        eligible.period_type,
        eligible.period_start,
        'community_high_share' as signal,
        'community' as source_group,
        'community_share' as metric,
        eligible.community_share as metric_value,
        cast({{ var('community_high_share') }} as double) as threshold,
        'word of mouth is carrying growth: invest in product' as advice,
        {{ dbt.concat([
            "'community earned '", percent_text('eligible.community_share'),
            "' of the credited closes of '", as_text('eligible.credited_deals'),
            "' deals under '", 'eligible.attribution_model',
            "' (at least '", percent_text(var('community_high_share')), "')'",
        ]) }} as finding,
        cast(null as double) as group_cost_per_close,
        cast(null as double) as group_cost_share
    from eligible
    where eligible.community_share >= {{ var('community_high_share') }}

    union all

    select
        eligible.period_type,
        eligible.period_start,
        'community_low_share' as signal,
        'community' as source_group,
        'community_share' as metric,
        eligible.community_share as metric_value,
        cast({{ var('community_low_share') }} as double) as threshold,
        'no community closes: the product may be weak' as advice,
        {{ dbt.concat([
            "'community earned '", percent_text('eligible.community_share'),
            "' of the credited closes of '", as_text('eligible.credited_deals'),
            "' deals under '", 'eligible.attribution_model',
            "' (below '", percent_text(var('community_low_share')), "')'",
        ]) }} as finding,
        cast(null as double) as group_cost_per_close,
        cast(null as double) as group_cost_share
    from eligible
    where eligible.community_share < {{ var('community_low_share') }}

    union all

    select
        candidates.period_type,
        candidates.period_start,
        'under_funded' as signal,
        candidates.source_group,
        'cost_share' as metric,
        candidates.cost_share as metric_value,
        cast(null as double) as threshold,
        'under-funded' as advice,
        {{ dbt.concat([
            'candidates.source_group',
            "' had the lowest cost per close ('", whole_text('candidates.cost_per_close'), "' '",
            'eligible.reporting_currency',
            "') but the smallest share of the allocated cost ('", percent_text('candidates.cost_share'),
            "') under '", 'eligible.attribution_model',
        ]) }} as finding,
        candidates.cost_per_close as group_cost_per_close,
        candidates.cost_share as group_cost_share
    from candidates
    inner join candidate_extremes
        on
            candidates.period_type = candidate_extremes.period_type
            and candidates.period_start = candidate_extremes.period_start
    inner join eligible
        on
            candidates.period_type = eligible.period_type
            and candidates.period_start = eligible.period_start
    where
        candidate_extremes.candidate_count >= 2
        and candidates.cost_per_close = candidate_extremes.lowest_cost_per_close
        and candidates.cost = candidate_extremes.smallest_cost

    union all

    select
        eligible.period_type,
        eligible.period_start,
        'credit_mismatch' as signal,
        'sales' as source_group,
        'sales_cost_share' as metric,
        eligible.sales_cost_share as metric_value,
        cast({{ var('mismatch_sales_cost_share') }} as double) as threshold,
        'credit mismatch' as advice,
        {{ dbt.concat([
            "'marketing earned '", decimal_text('eligible.marketing_closes'),
            "' credited closes against '", decimal_text('eligible.sales_closes'),
            "' for sales under '", 'eligible.attribution_model',
            "', while sales held '", percent_text('eligible.sales_cost_share'),
            "' of the allocated cost'",
        ]) }} as finding,
        cast(null as double) as group_cost_per_close,
        cast(null as double) as group_cost_share
    from eligible
    where
        eligible.marketing_closes >= eligible.sales_closes
        and eligible.sales_cost_share > {{ var('mismatch_sales_cost_share') }}
)

select
    signals.period_type,
    signals.period_start,
    signals.signal,
    eligible.attribution_model,
    signals.source_group,
    signals.metric,
    signals.metric_value,
    signals.threshold,
    signals.advice,
    {{ dbt.concat([
        "'In '", period_text('signals.period_type', 'signals.period_start'), "', '",
        'signals.finding', "': '", 'signals.advice', "'.'",
    ]) }} as message,
    eligible.credited_deals,
    cast({{ var('signal_min_closes') }} as {{ dbt.type_bigint() }}) as min_credited_deals,
    eligible.total_credited_closes,
    eligible.community_closes as community_credited_closes,
    eligible.community_share,
    eligible.marketing_closes as marketing_credited_closes,
    eligible.sales_closes as sales_credited_closes,
    eligible.allocated_cost,
    eligible.sales_cost,
    eligible.sales_cost_share,
    signals.group_cost_per_close,
    signals.group_cost_share,
    eligible.reporting_currency,
    eligible.as_of_date
from signals
inner join eligible
    on
        signals.period_type = eligible.period_type
        and signals.period_start = eligible.period_start
