-- HubSpot contacts in a lead stage (var('hubspot_lead_lifecycle_stages')) as the CRM's leads
-- (the columns of stg_crm__leads); a converted one names the contact, company and deal it became.
with

staged as (
    {{ staged_rows('hubspot', 'contact', ref('base_hubspot__contacts')) }}
)

select
    contact_id as lead_id,
    property_email as email,
    property_firstname as first_name,
    property_lastname as last_name,
    property_company as company,
    property_lead_source as lead_source,
    property_hs_lead_status as status,
    property_hs_lead_converted as is_converted,
    property_hs_lead_converted_date as converted_date,
    property_hs_lead_converted_company_id as converted_account_id,
    property_hs_lead_converted_contact_id as converted_contact_id,
    property_hs_lead_converted_deal_id as converted_opportunity_id,
    property_self_reported_source as self_reported_source,
    property_createdate as created_date,
    property_hs_lastmodifieddate as system_modstamp,
    _extract_date,
    _source_file,
    _row_number
from staged
where {{ hubspot_is_lead('property_lifecyclestage') }}
