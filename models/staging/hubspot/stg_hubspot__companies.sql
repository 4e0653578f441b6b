-- HubSpot companies as the CRM's accounts (the columns of stg_crm__accounts).
with

staged as (
    {{ staged_rows('hubspot', 'company', ref('base_hubspot__companies')) }}
)

select
    company_id as account_id,
    property_name as name,
    property_website as website,
    property_industry as industry,
    property_numberofemployees as number_of_employees,
    property_country as billing_country,
    property_hubspot_owner_id as owner_id,
    property_createdate as created_date,
    property_hs_lastmodifieddate as system_modstamp,
    _extract_date,
    _source_file,
    _row_number
from staged
