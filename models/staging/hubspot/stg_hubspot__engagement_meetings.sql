-- HubSpot meetings as the CRM's events (the columns of stg_crm__events).
with

staged as (
    {{ staged_rows('hubspot', 'engagement_meeting', ref('base_hubspot__engagement_meetings')) }}
)

select
    engagement_meeting_id as event_id,
    associated_contact_id as who_id,
    coalesce(associated_deal_id, associated_company_id) as what_id,
    associated_company_id as account_id,
    property_hubspot_owner_id as owner_id,
    property_hs_activity_type as type,
    property_hs_meeting_title as subject,
    property_hs_meeting_start_time as start_date_time,
    property_hs_meeting_end_time as end_date_time,
    property_createdate as created_date,
    property_hs_lastmodifieddate as system_modstamp,
    _extract_date,
    _source_file,
    _row_number
from staged
