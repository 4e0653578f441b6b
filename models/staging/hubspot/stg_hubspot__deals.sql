-- HubSpot deals as the CRM's opportunities (the columns of stg_crm__opportunities).
with

staged as (
    {{ staged_rows('hubspot', 'deal', ref('base_hubspot__deals')) }}
)

select
    deal_id as opportunity_id,
    associated_company_id as account_id,
    owner_id,
    property_dealname as name,
    property_dealtype as type,
    property_amount as amount,
    property_deal_currency_code as currency_iso_code,
    property_dealstage as stage_name,
    property_hs_deal_stage_probability as probability,
    property_hs_is_closed as is_closed,
    property_hs_is_closed_won as is_won,
    property_closedate as close_date,
    property_createdate as created_date,
    property_lead_source as lead_source,
    property_hs_campaign as campaign_id,
    property_hs_lastmodifieddate as system_modstamp,
    _extract_date,
    _source_file,
    _row_number
from staged
