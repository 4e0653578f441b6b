{{ config(**incremental_by('anonymous_id')) }}
-- Every touch of every kind, one row per touch id (docs/models.md, "Touches"), with how it
-- links to journeys and the attributes the channel rules match:
--   person_id            CRM-linked touches (campaign responses, sales activities with a who_id,
--                        lead-source touches)
--   email                web sessions, referral clicks (stitched at their time), referral records
--   link_opportunity_id  sales activities linked only to an opportunity (what_id)
--   link_account_id      sales activities linked only to an account (what_id): every journey of it
-- and what the top-campaign and top-partner rankings need: campaign_id (campaign responses; a web
-- touch's utm_campaign names no CRM campaign, so NULL) and partner_id (referral clicks, records and
-- sessions with a referral code).
-- Touches without a time cannot be placed in a journey and are left out (counted in
-- int_journey_quality); sales activities count only when their owner's role maps to a group.
-- Incremental by anonymous id: a night replaces the web touches of the devices int_web_touches
-- replaced and the NULL partition, i.e. every CRM and referral-record touch (small; their deltas,
-- owners' roles and people can change any of them) and the web touches without a device.
{%- set string_type = dbt.type_string() %}
{%- set columns = [
    'touch_id', 'touch_kind', 'source_record_id', 'touched_at', 'person_id', 'email', 'anonymous_id',
    'link_opportunity_id', 'link_account_id', 'campaign_id', 'partner_id', 'partner_type', 'utm_source', 'utm_medium',
    'utm_campaign', 'referrer_host', 'lead_source', 'campaign_type', 'activity_type', 'owner_group'
] %}
{%- set sources = {
    'int_web_touches': {'person_id': none, 'link_opportunity_id': none, 'link_account_id': none, 'campaign_id': none,
        'lead_source': none, 'campaign_type': none, 'activity_type': none, 'owner_group': none},
    'int_campaign_responses': {'email': none, 'anonymous_id': none, 'link_opportunity_id': none,
        'link_account_id': none, 'partner_id': none, 'partner_type': none, 'utm_source': none, 'utm_medium': none,
        'utm_campaign': none, 'referrer_host': none, 'lead_source': none, 'activity_type': none,
        'owner_group': none},
    'int_sales_activities': {'email': none, 'anonymous_id': none, 'campaign_id': none, 'partner_id': none, 'partner_type': none,
        'utm_source': none, 'utm_medium': none, 'utm_campaign': none, 'referrer_host': none, 'lead_source': none,
        'campaign_type': none},
    'int_referral_records': {'person_id': none, 'anonymous_id': none, 'link_opportunity_id': none,
        'link_account_id': none, 'campaign_id': none, 'utm_source': none, 'utm_medium': none, 'utm_campaign': none,
        'referrer_host': none, 'lead_source': none, 'campaign_type': none, 'activity_type': none,
        'owner_group': none},
    'int_lead_source_touches': {'email': none, 'anonymous_id': none, 'link_opportunity_id': none,
        'link_account_id': none, 'campaign_id': none, 'partner_id': none, 'partner_type': none, 'utm_source': none, 'utm_medium': none,
        'utm_campaign': none, 'referrer_host': none, 'campaign_type': none, 'activity_type': none,
        'owner_group': none},
} %}
{%- set filters = {'int_sales_activities': 'owner_group is not null'} %}
{%- if is_incremental_night() %}
    {%- do filters.update({'int_web_touches': '(anonymous_id is null or ' ~ null_safe_key('anonymous_id')
        ~ ' in (' ~ changed_partitions(ref('int_web_touches')) ~ '))'}) %}
{%- endif %}

{%- for model_name, missing in sources.items() %}
    select
        {%- for column in columns %}
            {% if column in missing %}cast(null as {{ string_type }}){% else %}{{ column }}{% endif %} as {{ column }}
            {%- if not loop.last %},{% endif %}
        {%- endfor %}
    from {{ ref(model_name) }}
    where touched_at is not null{% if model_name in filters %} and {{ filters[model_name] }}{% endif %}
    {%- if not loop.last %}
        union all
    {%- endif %}
{%- endfor %}
