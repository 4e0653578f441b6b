{{ config(**incremental_by('anonymous_id')) }}
-- Every touch with its channel, source group and touch priority, from the mapping seeds users
-- edit: seeds/mappings/channel_rules.csv (the first matching rule by rule_order wins; see
-- macros/mappings/rule_matcher.sql for the cell grammar) and seeds/mappings/channels.csv
-- (channel -> source group, touch priority). A touch no rule matches gets channel `unclassified`
-- (group direct) and is_unclassified: counted, never dropped. Rules are matched once per distinct
-- combination of attributes, then joined back by a key.
-- The self-reported touches (int_self_reported_touches) are unioned in at the end, classified.
-- Incremental by anonymous id: a night classifies the partitions int_touches_unioned replaced
-- (a touch is classified by its own row; changed rules or channels need --full-refresh). The
-- self-reported and lead-source touches have no anonymous id: that partition is rebuilt nightly.
{%- set attributes = channel_rule_attributes() %}
{%- set unioned = ref('int_touches_unioned') %}
{%- if is_incremental_night() %}
    {%- set unioned = '(select * from ' ~ unioned ~ ' where ' ~ null_safe_key('anonymous_id')
        ~ ' in (' ~ changed_partitions(unioned) ~ ')) as changed_touches' %}
{%- endif %}
with

{{ channel_rule_ctes('touches', unioned, 'classification_key') }},

channels as (
    select * from {{ ref('channels') }}
),

fallback as (
    select
        source_group,
        touch_priority
    from channels
    where channel = 'unclassified'
),

self_reported as (
    select * from {{ ref('int_self_reported_touches') }}
)

{%- set identity_columns = ['touch_id', 'touch_kind', 'source_record_id', 'touched_at', 'person_id', 'email',
    'anonymous_id', 'link_opportunity_id', 'link_account_id', 'campaign_id', 'partner_id'] %}

select
    {%- for column in identity_columns + attributes[1:] %}
        touches.{{ column }},
    {%- endfor %}
    coalesce(best_matches.channel, 'unclassified') as channel,
    coalesce(channels.source_group, fallback.source_group, 'direct') as source_group,
    coalesce(channels.touch_priority, fallback.touch_priority, 999) as touch_priority,
    best_matches.rule_order as channel_rule_order,
    best_matches.channel is null as is_unclassified
from touches
left join best_matches
    on touches.classification_key = best_matches.classification_key
left join channels
    on coalesce(best_matches.channel, 'unclassified') = channels.channel
left join fallback
    on 1 = 1
-- A person's self-reported touch replaces their lead-source touch of the same channel (no double
-- count); the self-reported touches themselves come classified (docs/models.md, "Self-reported
-- source").
left join self_reported as replacing
    on
        touches.touch_kind = 'lead_source'
        and touches.person_id = replacing.person_id
        and coalesce(best_matches.channel, 'unclassified') = replacing.channel
where replacing.touch_id is null
union all
select
    {%- for column in identity_columns + attributes[1:] %}
        {% if column in ['touch_id', 'touch_kind', 'source_record_id', 'touched_at', 'person_id'] -%}
            self_reported.{{ column }},
        {%- else -%}
            cast(null as {{ dbt.type_string() }}),
        {%- endif %}
    {%- endfor %}
    self_reported.channel,
    self_reported.source_group,
    self_reported.touch_priority,
    cast(null as {{ dbt.type_int() }}) as channel_rule_order,
    false as is_unclassified
from self_reported
