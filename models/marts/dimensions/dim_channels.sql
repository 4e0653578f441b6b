-- One row per channel of seeds/mappings/channels.csv (plus `unclassified` if the seed lacks it):
-- its source group, touch priority and how many channel rules lead to it.
{%- set string_type = dbt.type_string() %}
with

channels as (
    select
        channel,
        source_group,
        touch_priority,
        description
    from {{ ref('channels') }}
),

existing_unclassified as (
    select count(*) as channel_count
    from channels
    where channel = 'unclassified'
),

fallback as (
    select
        'unclassified' as channel,
        'direct' as source_group,
        999 as touch_priority,
        'Anything the channel rules cannot place (counted as unmapped)' as description
    from existing_unclassified
    where channel_count = 0
),

all_channels as (
    select * from channels
    union all
    select * from fallback
),

rules as (
    select
        channel,
        count(*) as rule_count
    from {{ ref('channel_rules') }}
    group by channel
)

select
    cast(all_channels.channel as {{ string_type }}) as channel,
    cast(all_channels.source_group as {{ string_type }}) as source_group,
    cast(all_channels.touch_priority as {{ dbt.type_bigint() }}) as touch_priority,
    cast(all_channels.description as {{ string_type }}) as description,
    all_channels.channel = 'unclassified' as is_unclassified,
    cast(coalesce(rules.rule_count, 0) as {{ dbt.type_bigint() }}) as rule_count
from all_channels
left join rules
    on all_channels.channel = rules.channel
