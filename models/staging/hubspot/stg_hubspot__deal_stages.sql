-- HubSpot deal stage history as the CRM's opportunity history (the columns of
-- stg_crm__opportunity_histories).
with

staged as (
    {{ staged_rows('hubspot', 'deal_stage', ref('base_hubspot__deal_stages')) }}
)

select
    deal_stage_id as opportunity_history_id,
    deal_id as opportunity_id,
    value as stage_name,
    property_amount as amount,
    property_closedate as close_date,
    property_hs_deal_stage_probability as probability,
    date_entered as created_date,
    property_hs_lastmodifieddate as system_modstamp,
    _extract_date,
    _source_file,
    _row_number
from staged
