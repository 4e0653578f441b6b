-- HubSpot calls, emails, tasks and notes as the CRM's tasks (the columns of stg_crm__tasks): the
-- associated deal, else the associated company, is what the activity is about (what_id), the
-- associated contact who it was with (who_id). Notes carry no title or status, so they are never
-- a completed activity (seeds/mappings/completed_task_statuses.csv) and give no touch.
with

engagements as (
    select
        engagement_call_id as engagement_id,
        associated_contact_id,
        associated_deal_id,
        associated_company_id,
        property_hubspot_owner_id,
        property_hs_activity_type,
        property_hs_title,
        property_hs_status,
        property_hs_timestamp,
        property_createdate,
        property_hs_lastmodifieddate,
        _extract_date,
        _source_file,
        _row_number
    from {{ ref('stg_hubspot__engagement_calls') }}
    union all
    select
        engagement_email_id as engagement_id,
        associated_contact_id,
        associated_deal_id,
        associated_company_id,
        property_hubspot_owner_id,
        property_hs_activity_type,
        property_hs_title,
        property_hs_status,
        property_hs_timestamp,
        property_createdate,
        property_hs_lastmodifieddate,
        _extract_date,
        _source_file,
        _row_number
    from {{ ref('stg_hubspot__engagement_emails') }}
    union all
    select
        engagement_task_id as engagement_id,
        associated_contact_id,
        associated_deal_id,
        associated_company_id,
        property_hubspot_owner_id,
        property_hs_activity_type,
        property_hs_title,
        property_hs_status,
        property_hs_timestamp,
        property_createdate,
        property_hs_lastmodifieddate,
        _extract_date,
        _source_file,
        _row_number
    from {{ ref('stg_hubspot__engagement_tasks') }}
    union all
    select
        engagement_note_id as engagement_id,
        associated_contact_id,
        associated_deal_id,
        associated_company_id,
        property_hubspot_owner_id,
        property_hs_activity_type,
        cast(null as {{ dbt.type_string() }}) as property_hs_title,
        cast(null as {{ dbt.type_string() }}) as property_hs_status,
        property_hs_timestamp,
        property_createdate,
        property_hs_lastmodifieddate,
        _extract_date,
        _source_file,
        _row_number
    from {{ ref('stg_hubspot__engagement_notes') }}
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
