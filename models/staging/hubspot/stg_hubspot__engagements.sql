-- HubSpot calls, emails, tasks and notes as the CRM's tasks (the columns of stg_crm__tasks): the
-- associated deal, else the associated company, is what the activity is about (what_id), the
-- associated contact who it was with (who_id). Notes carry no title or status, so they are never
-- a completed activity (seeds/mappings/completed_task_statuses.csv) and give no touch.
{%- set columns = [
    'associated_contact_id', 'associated_deal_id', 'associated_company_id', 'property_hubspot_owner_id',
    'property_hs_activity_type', 'property_hs_title', 'property_hs_status', 'property_hs_timestamp',
    'property_createdate', 'property_hs_lastmodifieddate', '_extract_date', '_source_file', '_row_number'
] %}
{%- set missing = {'note': ['property_hs_title', 'property_hs_status']} %}
{%- set string_type = dbt.type_string() %}

with

engagements as (
    {%- for type in ['call', 'email', 'task', 'note'] %}
        select
            engagement_{{ type }}_id as engagement_id,
            {%- for column in columns %}
                {%- set value = 'cast(null as ' ~ string_type ~ ')' if column in missing.get(type, []) else column %}
                {{ value }} as {{ column }}
                {%- if not loop.last %},{% endif %}
            {%- endfor %}
        from {{ ref('stg_hubspot__engagement_' ~ type ~ 's') }}
        {%- if not loop.last %}
            union all
        {%- endif %}
    {%- endfor %}
)

select
    engagement_id as task_id,
    associated_contact_id as who_id,
    coalesce(associated_deal_id, associated_company_id) as what_id,
    associated_company_id as account_id,
    property_hubspot_owner_id as owner_id,
    property_hs_activity_type as type,
    property_hs_title as subject,
    property_hs_status as status,
    property_hs_timestamp as activity_date,
    property_createdate as created_date,
    property_hs_lastmodifieddate as system_modstamp,
    _extract_date,
    _source_file,
    _row_number
from engagements
