-- HubSpot campaign memberships as the CRM's campaign members (the columns of
-- stg_crm__campaign_members): a member in a lead stage is a lead member, any other a contact
-- member (whatever the status of that contact's rows: a membership keeps its kind when the
-- person's record is deleted or quarantined).
with

staged as (
    {{ staged_rows('hubspot', 'campaign_contact', ref('base_hubspot__campaign_contacts')) }}
),

leads as (
    select distinct id as lead_id
    from {{ ref('base_hubspot__contacts') }}
    where {{ hubspot_is_lead('property_lifecyclestage') }}
)

select
    staged.campaign_contact_id as campaign_member_id,
    staged.campaign_id,
    leads.lead_id,
    case when leads.lead_id is null then staged.contact_id end as contact_id,
    staged.property_status as status,
    staged.property_has_responded as has_responded,
    staged.property_first_responded_date as first_responded_date,
    staged.property_createdate as created_date,
    staged.property_hs_lastmodifieddate as system_modstamp,
    staged._extract_date,
    staged._source_file,
    staged._row_number
from staged
left join leads
    on staged.contact_id = leads.lead_id
