-- Campaign responses: campaign members with has_responded = true, at their first_responded_date
-- (00:00 in the reporting time zone, or the member's created_date when that falls on the same
-- day; a missing date falls back to created_date), linked to the person of the member's contact,
-- else of its lead.
with

members as (
    select * from {{ crm_staged('campaign_members') }}
    where has_responded
),

campaigns as (
    select * from {{ crm_staged('campaigns') }}
),

records as (
    select * from {{ ref('int_people_records') }}
)

select
    {{ dbt.concat(["'campaign_member:'", 'members.campaign_member_id']) }} as touch_id,
    'campaign_response' as touch_kind,
    members.campaign_member_id as source_record_id,
    members.campaign_id,
    {{ normalized_text('campaigns.type') }} as campaign_type,
    {{ date_or_same_day_timestamp('members.first_responded_date', 'members.created_date') }} as touched_at,
    coalesce(contact_records.person_id, lead_records.person_id) as person_id
from members
left join campaigns
    on members.campaign_id = campaigns.campaign_id
left join records as contact_records
    on
        members.contact_id = contact_records.record_id
        and contact_records.record_kind = 'contact'
left join records as lead_records
    on
        members.lead_id = lead_records.record_id
        and lead_records.record_kind = 'lead'
