-- HubSpot campaigns as the CRM's campaigns (the columns of stg_crm__campaigns).
with

staged as (
    {{ staged_rows('hubspot', 'campaign', ref('base_hubspot__campaigns')) }}
)

select
    campaign_id,
    property_hs_name as name,
    property_hs_campaign_type as type,
    property_hs_campaign_status as status,
    property_hs_start_date as start_date,
    property_hs_end_date as end_date,
    property_hs_budget_items_sum_amount as budgeted_cost,
    property_hs_spend_items_sum_amount as actual_cost,
    property_hs_currency_code as currency_iso_code,
    property_hs_lastmodifieddate as system_modstamp,
    _extract_date,
    _source_file,
    _row_number
from staged
