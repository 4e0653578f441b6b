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
-- Robustness (docs/costs-and-signals.md, "Robust signals"): every rule is evaluated once, over
-- every model and every draw -- draw 0 is tonight's credit, draws 1..B the bootstrap's replicates
-- (int_credit_replicates; costs fixed). A signal fires on draw 0 of the signal model; it
-- carries how many models agree on draw 0, the share of the replicates in which its rule holds
-- under the signal model, and is `confident` at var('signal_confidence') or more, else `tentative`.
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
),

resources as (
    select * from {{ cost_resource_rows() }} as cost_resources
),

replicates as (
    select replicate from {{ replicate_numbers() }} as numbers
),

draws as (
    select
        period_type,
        period_start,
        source_group,
        attribution_model,
        0 as draw,
        cost,
        credited_closes,
        cost_per_close,
        period_credited_deals,
        reporting_currency,
        as_of_date
    from cost_per_close
    union all
    select
        cost_per_close.period_type,
        cost_per_close.period_start,
        cost_per_close.source_group,
        cost_per_close.attribution_model,
        replicates.replicate as draw,
        cost_per_close.cost,
        coalesce(replicate_credit.credited_closes, 0.0) as credited_closes,
        {{ cost_per_close(
            'cost_per_close.cost', 'coalesce(replicate_credit.credited_closes, 0.0)',
            resource_of('cost_per_close.source_group', 'resources.resource')
        ) }} as cost_per_close,
        cost_per_close.period_credited_deals,
        cost_per_close.reporting_currency,
        cost_per_close.as_of_date
    from cost_per_close
    cross join replicates
    left join resources
        on cost_per_close.source_group = resources.source_group
    left join {{ ref('int_credit_replicates') }} as replicate_credit
        on
            {{ join_grid_cell('cost_per_close', 'replicate_credit') }}
            and replicates.replicate = replicate_credit.replicate
),

periods as (
    select
        period_type,
        period_start,
        attribution_model,
        draw,
        max(period_credited_deals) as credited_deals,
        sum(credited_closes) as total_credited_closes,
        sum(case when source_group = 'unallocated' then 0.0 else cost end) as allocated_cost,
        sum(case when source_group = 'community' then credited_closes else 0.0 end) as community_closes,
        sum(case when source_group = 'sales' then credited_closes else 0.0 end) as sales_closes,
        sum(case when source_group = 'marketing' then credited_closes else 0.0 end) as marketing_closes,
        sum(case when source_group = 'sales' then cost else 0.0 end) as sales_cost,
        max(reporting_currency) as reporting_currency,
        max(as_of_date) as as_of_date
    from draws
    group by
        period_type,
        period_start,
        attribution_model,
        draw
),

-- The community share without the self-reported answers (fct_dark_funnel, same model), shown
-- beside the community signals: how much of the community's credit only the answers reveal.
dark_funnel as (
    select
        period_type,
        period_start,
        max(community_share_without_self_reports) as community_share_without_self_reports
    from {{ ref('fct_dark_funnel') }}
    group by period_type, period_start
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
        draws.period_type,
        draws.period_start,
        draws.attribution_model,
        draws.draw,
        draws.source_group,
        draws.cost,
        draws.credited_closes,
        draws.cost_per_close,
        {{ safe_divide('draws.cost', 'eligible.allocated_cost') }} as cost_share
    from draws
    inner join eligible
        on
            draws.period_type = eligible.period_type
            and draws.period_start = eligible.period_start
            and draws.attribution_model = eligible.attribution_model
            and draws.draw = eligible.draw
    inner join resources
        on draws.source_group = resources.source_group
    where
        resources.resource not in ('unattributed', 'unallocated')
        and draws.credited_closes > 0
),

candidate_extremes as (
    select
        period_type,
        period_start,
        attribution_model,
        draw,
        count(*) as candidate_count,
        min(cost_per_close) as lowest_cost_per_close,
        min(cost) as smallest_cost
    from candidates
    group by
        period_type,
        period_start,
        attribution_model,
        draw
),

holds as (
    -- Each rule, once: the (period, model, draw)s where it holds.
    select
        period_type,
        period_start,
        attribution_model,
        draw,
        'community_high_share' as signal,
        'community' as source_group,
        community_share as metric_value,
        cast(null as double) as group_cost_per_close,
        cast(null as double) as group_cost_share
    from eligible
    where community_share >= {{ var('community_high_share') }}

    union all

    select
        period_type,
        period_start,
        attribution_model,
        draw,
        'community_low_share' as signal,
        'community' as source_group,
        community_share as metric_value,
        cast(null as double) as group_cost_per_close,
        cast(null as double) as group_cost_share
    from eligible
    where community_share < {{ var('community_low_share') }}

    union all

    select
        candidates.period_type,
        candidates.period_start,
        candidates.attribution_model,
        candidates.draw,
        'under_funded' as signal,
        candidates.source_group,
        candidates.cost_share as metric_value,
        candidates.cost_per_close as group_cost_per_close,
        candidates.cost_share as group_cost_share
    from candidates
    inner join candidate_extremes
        on
            candidates.period_type = candidate_extremes.period_type
            and candidates.period_start = candidate_extremes.period_start
            and candidates.attribution_model = candidate_extremes.attribution_model
            and candidates.draw = candidate_extremes.draw
    where
        candidate_extremes.candidate_count >= 2
        and candidates.cost_per_close = candidate_extremes.lowest_cost_per_close
        and candidates.cost = candidate_extremes.smallest_cost

    union all

    select
        period_type,
        period_start,
        attribution_model,
        draw,
        'credit_mismatch' as signal,
        'sales' as source_group,
        sales_cost_share as metric_value,
        cast(null as double) as group_cost_per_close,
        cast(null as double) as group_cost_share
    from eligible
    where
        marketing_closes >= sales_closes
        and sales_cost_share > {{ var('mismatch_sales_cost_share') }}
),

fired as (
    select * from holds
    where draw = 0 and attribution_model in (select signal_model.attribution_model from signal_model)
),

agreement as (
    select
        period_type,
        period_start,
        signal,
        source_group,
        count(*) as agreeing_models
    from holds
    where draw = 0
    group by
        period_type,
        period_start,
        signal,
        source_group
),

support as (
    select
        period_type,
        period_start,
        signal,
        source_group,
        count(*) as holding_replicates
    from holds
    where draw > 0 and attribution_model in (select signal_model.attribution_model from signal_model)
    group by
        period_type,
        period_start,
        signal,
        source_group
),

counts as (
    select
        (select count(distinct attribution_model) from cost_per_close) as credited_models,
        (select count(*) from replicates) as replicate_count
),

interval_draws as (
    -- The number each sentence gives an interval for, in every replicate of the signal model:
    -- the community share; the under-funded group's cost per close.
    select
        fired.period_type,
        fired.period_start,
        fired.signal,
        fired.source_group,
        eligible.draw,
        eligible.community_share as interval_value
    from fired
    inner join eligible
        on
            fired.period_type = eligible.period_type
            and fired.period_start = eligible.period_start
            and fired.attribution_model = eligible.attribution_model
    where fired.signal in ('community_high_share', 'community_low_share') and eligible.draw > 0
    union all
    select
        fired.period_type,
        fired.period_start,
        fired.signal,
        fired.source_group,
        draws.draw,
        draws.cost_per_close as interval_value
    from fired
    inner join draws
        on
            fired.period_type = draws.period_type
            and fired.period_start = draws.period_start
            and fired.attribution_model = draws.attribution_model
            and fired.source_group = draws.source_group
    where fired.signal = 'under_funded' and draws.draw > 0
),

intervals as (
    {{ interval_bounds('interval_draws', ['period_type', 'period_start', 'signal', 'source_group'],
        ['interval_value']) | indent(4) }}
),

robust as (
    select
        fired.*,
        coalesce(agreement.agreeing_models, 0) as agreeing_models,
        counts.credited_models,
        counts.replicate_count,
        coalesce(support.holding_replicates, 0) as holding_replicates,
        {{ safe_divide('coalesce(support.holding_replicates, 0)', 'counts.replicate_count') }} as replicate_support,
        intervals.interval_value_low as interval_low,
        intervals.interval_value_high as interval_high
    from fired
    cross join counts
    left join agreement
        on
            fired.period_type = agreement.period_type
            and fired.period_start = agreement.period_start
            and fired.signal = agreement.signal
            and fired.source_group = agreement.source_group
    left join support
        on
            fired.period_type = support.period_type
            and fired.period_start = support.period_start
            and fired.signal = support.signal
            and fired.source_group = support.source_group
    left join intervals
        on
            fired.period_type = intervals.period_type
            and fired.period_start = intervals.period_start
            and fired.signal = intervals.signal
            and fired.source_group = intervals.source_group
),

{%- set level_text = ((100.0 * var('interval_level')) | round(0) | int) | string %}

signals as (
    select
        robust.*,
        eligible.credited_deals,
        eligible.total_credited_closes,
        eligible.community_closes,
        eligible.community_share,
        eligible.marketing_closes,
        eligible.sales_closes,
        eligible.allocated_cost,
        eligible.sales_cost,
        eligible.sales_cost_share,
        eligible.reporting_currency,
        eligible.as_of_date,
        dark_funnel.community_share_without_self_reports,
        coalesce(
            {{ dbt.concat(["' ('", percent_text('dark_funnel.community_share_without_self_reports'),
                "' without the self-reported answers)'"]) }},
            ''
        ) as without_self_reports_text,
        case
            when robust.signal = 'community_high_share'
                then 'word of mouth is carrying growth: invest in product'
            when robust.signal = 'community_low_share' then 'no community closes: the product may be weak'
            when robust.signal = 'under_funded' then 'under-funded'
            else 'credit mismatch'
        end as advice,
        case
            when robust.signal = 'community_high_share' then cast({{ var('community_high_share') }} as double)
            when robust.signal = 'community_low_share' then cast({{ var('community_low_share') }} as double)
            when robust.signal = 'credit_mismatch' then cast({{ var('mismatch_sales_cost_share') }} as double)
        end as threshold,
        case
            when robust.signal in ('community_high_share', 'community_low_share') then 'community_share'
            when robust.signal = 'under_funded' then 'cost_per_close'
        end as interval_measure,
        case
            when robust.replicate_support >= {{ var('signal_confidence') }} then 'confident'
            else 'tentative'
        end as confidence
    from robust
    inner join eligible
        on
            robust.period_type = eligible.period_type
            and robust.period_start = eligible.period_start
            and robust.attribution_model = eligible.attribution_model
            and robust.draw = eligible.draw
    left join dark_funnel
        on
            robust.period_type = dark_funnel.period_type
            and robust.period_start = dark_funnel.period_start
),

worded as (
    select
        *,
        case
            when interval_measure = 'community_share' and interval_low is not null and interval_high is not null
                then {{ dbt.concat([
                    "'" ~ level_text ~ "% interval '", percent_text('interval_low'),
                    "' to '", percent_text('interval_high'), "'; '"]) }}
            when interval_measure = 'cost_per_close' and interval_low is not null
                then {{ dbt.concat([
                    "'; " ~ level_text ~ "% interval '", whole_text('interval_low'), "' to '",
                    "coalesce(" ~ whole_text('interval_high') ~ ", 'unbounded')"]) }}
            else ''
        end as interval_text,
        {{ dbt.concat([
            as_text('agreeing_models'), "' of '", as_text('credited_models'), "' models agree, '",
            "case when replicate_count > 0 then " ~ dbt.concat([
                "'the rule holds in '", percent_text('replicate_support'), "' of '", as_text('replicate_count'),
                "' replicates'"]) ~ " else 'no bootstrap replicates' end",
            "' ('", 'confidence', "')'",
        ]) }} as robustness_text
    from signals
),

findings as (
    select
        *,
        case
            when signal = 'community_high_share'
                then {{ dbt.concat([
                    "'community earned '", percent_text('community_share'),
                    "' of the credited closes of '", as_text('credited_deals'),
                    "' deals under '", 'attribution_model', 'without_self_reports_text',
                    "' ('", 'interval_text', "'at least '", percent_text(var('community_high_share')), "')'",
                ]) }}
            when signal = 'community_low_share'
                then {{ dbt.concat([
                    "'community earned '", percent_text('community_share'),
                    "' of the credited closes of '", as_text('credited_deals'),
                    "' deals under '", 'attribution_model', 'without_self_reports_text',
                    "' ('", 'interval_text', "'below '", percent_text(var('community_low_share')), "')'",
                ]) }}
            when signal = 'under_funded'
                then {{ dbt.concat([
                    'source_group',
                    "' had the lowest cost per close ('", whole_text('group_cost_per_close'), "' '",
                    'reporting_currency', 'interval_text',
                    "') but the smallest share of the allocated cost ('", percent_text('group_cost_share'),
                    "') under '", 'attribution_model',
                ]) }}
            else {{ dbt.concat([
                "'marketing earned '", decimal_text('marketing_closes'),
                "' credited closes against '", decimal_text('sales_closes'),
                "' for sales under '", 'attribution_model',
                "', while sales held '", percent_text('sales_cost_share'),
                "' of the allocated cost'",
            ]) }}
        end as finding
    from worded
)

select
    period_type,
    period_start,
    signal,
    attribution_model,
    source_group,
    case
        when signal in ('community_high_share', 'community_low_share') then 'community_share'
        when signal = 'under_funded' then 'cost_share'
        else 'sales_cost_share'
    end as metric,
    metric_value,
    threshold,
    advice,
    {{ dbt.concat([
        "'In '", period_text('period_type', 'period_start'), "', '",
        'finding', "'; '", 'robustness_text', "': '", 'advice', "'.'",
    ]) }} as message,
    confidence,
    cast(agreeing_models as {{ dbt.type_bigint() }}) as agreeing_models,
    cast(credited_models as {{ dbt.type_bigint() }}) as credited_models,
    replicate_support,
    cast(replicate_count as {{ dbt.type_bigint() }}) as replicate_count,
    interval_measure,
    interval_low,
    interval_high,
    credited_deals,
    cast({{ var('signal_min_closes') }} as {{ dbt.type_bigint() }}) as min_credited_deals,
    total_credited_closes,
    community_closes as community_credited_closes,
    community_share,
    community_share_without_self_reports,
    marketing_closes as marketing_credited_closes,
    sales_closes as sales_credited_closes,
    allocated_cost,
    sales_cost,
    sales_cost_share,
    group_cost_per_close,
    group_cost_share,
    reporting_currency,
    as_of_date
from findings
