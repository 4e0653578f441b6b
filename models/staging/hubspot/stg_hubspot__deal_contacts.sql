-- HubSpot deal-contact associations as the CRM's opportunity contact roles (the columns of
-- stg_crm__opportunity_contact_roles).
with

staged as (
    {{ staged_rows('hubspot', 'deal_contact', ref('base_hubspot__deal_contacts')) }}
)

select
    deal_contact_id as opportunity_contact_role_id,
    deal_id as opportunity_id,
    contact_id,
    property_role as role,
    property_is_primary as is_primary,
    property_createdate as created_date,
    property_hs_lastmodifieddate as system_modstamp,
    _extract_date,
    _source_file,
    _row_number
from staged
