-- One row per opportunity: its journey as a path of channels, touch counts per source group,
-- first and last touch, cycle length and outcome. Every opportunity has a row (a journey with no
-- touch has touch_count 0 and an empty path; credited won deals always have at least the
-- synthetic direct touch).
{%- set string_type = dbt.type_string() %}
{%- set bigint_type = dbt.type_bigint() %}
{#- One touch-count column per touch group of seeds/mappings/source_groups.csv. #}
{%- set touch_groups = source_groups(touch_groups_only=true) %}
with

opportunities as (
    select * from {{ ref('int_journey_opportunities') }}
),

touches as (
    select * from {{ ref('int_journey_touches') }}
),

paths as (
    select
        opportunity_id,
        {{ ordered_array_agg('channel', 'touch_position') }} as channel_path
    from touches
    group by opportunity_id
),

counts as (
    select
        opportunity_id,
        count(*) as touch_count,
        {%- for group_name in touch_groups %}
            sum(case when source_group = '{{ group_name }}' then 1 else 0 end) as {{ group_name }}_touch_count,
        {%- endfor %}
        sum(case when is_unclassified then 1 else 0 end) as unclassified_touch_count,
        max(case when is_synthetic then 1 else 0 end) as has_synthetic_touch,
        min(touched_at) as first_touch_at,
        max(touched_at) as last_touch_at,
        max(case when touch_position = 1 then channel end) as first_touch_channel,
        max(case when touch_position = touch_count then channel end) as last_touch_channel,
        max(lc_position) as lc_position,
        max(oc_position) as oc_position
    from touches
    group by opportunity_id
)

select
    cast(opportunities.opportunity_id as {{ string_type }}) as opportunity_id,
    cast(opportunities.account_id as {{ string_type }}) as account_id,
    cast(opportunities.opportunity_type as {{ string_type }}) as opportunity_type,
    cast(opportunities.outcome as {{ string_type }}) as outcome,
    opportunities.is_credited_deal,
    cast(opportunities.created_date as date) as created_date,
    cast(opportunities.close_date as date) as close_date,
    cast(case
        when opportunities.outcome <> 'open'
            then {{ dbt.datediff('opportunities.created_date', 'opportunities.close_date', 'day') }}
    end as {{ bigint_type }}) as cycle_length_days,
    cast(opportunities.window_start_date as date) as window_start_date,
    cast(opportunities.window_end_date as date) as window_end_date,
    cast(opportunities.people_count as {{ bigint_type }}) as people_count,
    cast(coalesce(counts.touch_count, 0) as {{ bigint_type }}) as touch_count,
    {%- for group_name in touch_groups %}
        cast(coalesce(counts.{{ group_name }}_touch_count, 0) as {{ bigint_type }}) as {{ group_name }}_touch_count,
    {%- endfor %}
    cast(coalesce(counts.unclassified_touch_count, 0) as {{ bigint_type }}) as unclassified_touch_count,
    cast(coalesce(paths.channel_path, {{ empty_string_array() }}) as {{ string_array_type() }}) as channel_path,
    cast(counts.first_touch_channel as {{ string_type }}) as first_touch_channel,
    cast(counts.last_touch_channel as {{ string_type }}) as last_touch_channel,
    cast(counts.first_touch_at as {{ dbt.type_timestamp() }}) as first_touch_at,
    cast(counts.last_touch_at as {{ dbt.type_timestamp() }}) as last_touch_at,
    cast(counts.lc_position as {{ bigint_type }}) as lc_position,
    cast(counts.oc_position as {{ bigint_type }}) as oc_position,
    coalesce(counts.has_synthetic_touch = 1, false) as has_synthetic_touch,
    cast(opportunities.as_of_date as date) as as_of_date
from opportunities
left join counts
    on opportunities.opportunity_id = counts.opportunity_id
left join paths
    on opportunities.opportunity_id = paths.opportunity_id
