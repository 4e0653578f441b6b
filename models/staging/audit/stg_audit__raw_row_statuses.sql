-- Every contract object's base model (tests/unit/test_contract.py keeps this list complete), and
-- the rows of forgotten people, whose place alone is kept (status erased; docs/privacy.md).
{{ union_row_statuses([
    ref('base_crm__accounts'),
    ref('base_crm__contacts'),
    ref('base_crm__leads'),
    ref('base_crm__opportunities'),
    ref('base_crm__opportunity_contact_roles'),
    ref('base_crm__opportunity_histories'),
    ref('base_crm__campaigns'),
    ref('base_crm__campaign_members'),
    ref('base_crm__tasks'),
    ref('base_crm__events'),
    ref('base_crm__users'),
    ref('base_hubspot__companies'),
    ref('base_hubspot__contacts'),
    ref('base_hubspot__deals'),
    ref('base_hubspot__deal_contacts'),
    ref('base_hubspot__deal_stages'),
    ref('base_hubspot__campaigns'),
    ref('base_hubspot__campaign_contacts'),
    ref('base_hubspot__engagement_calls'),
    ref('base_hubspot__engagement_emails'),
    ref('base_hubspot__engagement_tasks'),
    ref('base_hubspot__engagement_notes'),
    ref('base_hubspot__engagement_meetings'),
    ref('base_hubspot__owners'),
    ref('base_hubspot__contact_form_submissions'),
    ref('base_web__events'),
    ref('base_referral__partners'),
    ref('base_referral__clicks'),
    ref('base_referral__referrals'),
    ref('base_referral__payouts'),
    ref('base_costs__marketing_spend'),
    ref('base_costs__sales_costs'),
    ref('base_costs__program_costs'),
    ref('base_costs__fx_rates')
]) }}

union all

select
    {{ dbt.concat(['system', "'.'", 'object']) }} as object_name,
    extract_date,
    source_file,
    row_number,
    'erased' as row_status,
    cast(null as {{ dbt.type_string() }}) as quarantine_column,
    cast(null as {{ dbt.type_string() }}) as quarantine_reason
from {{ source('landing', 'erased_rows') }}
where {{ visible_as_of('extract_date') }}
