-- One row per staged CRM campaign: its name, type, the channel and source group the channel rules
-- give its responses, status, dates and response count. Campaign names name programs, not people;
-- no member, owner or email is carried.
{%- set string_type = dbt.type_string() %}
with

campaigns as (
    select * from {{ crm_staged('campaigns') }}
),

combinations as (
    select distinct
        coalesce({{ normalized_text('type') }}, '~') as classification_key,
        'campaign_response' as touch_kind,
        {%- for attribute in channel_rule_attributes()[1:] %}
            {% if attribute == 'campaign_type' %}{{ normalized_text('type') }}
            {%- else %}cast(null as {{ string_type }}){% endif %} as {{ attribute }}
            {%- if not loop.last %},{% endif %}
        {%- endfor %}
    from campaigns
),

best_matches as (
    {{ channel_rule_best_matches('combinations', 'classification_key') | indent(4) }}
),

channels as (
    select * from {{ ref('channels') }}
),

responses as (
    select
        campaign_id,
        count(*) as response_count
    from {{ ref('int_campaign_responses') }}
    group by campaign_id
),

typed as (
    select
        campaigns.*,
        coalesce(best_matches.channel, 'unclassified') as channel
    from campaigns
    left join best_matches
        on coalesce({{ normalized_text('campaigns.type') }}, '~') = best_matches.classification_key
)

select
    cast(typed.campaign_id as {{ string_type }}) as campaign_id,
    cast(typed.name as {{ string_type }}) as campaign_name,
    cast(typed.type as {{ string_type }}) as campaign_type,
    cast(typed.channel as {{ string_type }}) as channel,
    cast(coalesce(channels.source_group, 'direct') as {{ string_type }}) as source_group,
    cast(typed.status as {{ string_type }}) as status,
    cast(typed.start_date as date) as start_date,
    cast(typed.end_date as date) as end_date,
    cast(coalesce(responses.response_count, 0) as {{ dbt.type_bigint() }}) as response_count
from typed
left join channels
    on typed.channel = channels.channel
left join responses
    on typed.campaign_id = responses.campaign_id
