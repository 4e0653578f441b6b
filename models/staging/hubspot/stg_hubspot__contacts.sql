-- HubSpot contacts past the lead stages (var('hubspot_lead_lifecycle_stages')) as the CRM's
-- contacts (the columns of stg_crm__contacts).
with

staged as (
    {{ staged_rows('hubspot', 'contact', ref('base_hubspot__contacts')) }}
)

select
    contact_id,
    property_associatedcompanyid as account_id,
    property_email as email,
    property_firstname as first_name,
    property_lastname as last_name,
    property_jobtitle as title,
    property_lead_source as lead_source,
    property_self_reported_source as self_reported_source,
    property_createdate as created_date,
    property_hs_lastmodifieddate as system_modstamp,
    _extract_date,
    _source_file,
    _row_number
from staged
where not {{ hubspot_is_lead('property_lifecyclestage') }}
