-- One row per person: a contact (with the leads converted into it) or a lead no staged contact
-- came from. A person's creation time is the earliest creation of its leads, or the contact's own
-- when no lead converted into it (docs/models.md, "People").
-- identity is what person keys hash: the person's email (normalised), else `crm:<person_id>`.
with

records as (
    select * from {{ ref('int_people_records') }}
),

people as (
    select
        person_id,
        max(case when record_kind = 'contact' then 1 else 0 end) as has_contact,
        sum(case when record_kind = 'lead' then 1 else 0 end) as lead_count,
        min(case when record_kind = 'lead' then created_at end) as first_lead_created_at,
        min(case when record_kind = 'contact' then created_at end) as contact_created_at,
        max(case when record_kind = 'contact' then email end) as contact_email,
        min(case when record_kind = 'lead' then email end) as lead_email,
        max(case when record_kind = 'contact' then account_id end) as contact_account_id,
        max(case when record_kind = 'lead' then account_id end) as lead_account_id
    from records
    group by person_id
)

select
    person_id,
    case when has_contact = 1 then 'contact' else 'lead' end as person_kind,
    lead_count,
    case when lead_count > 0 then first_lead_created_at else contact_created_at end as created_at,
    coalesce(contact_email, lead_email) as email,
    coalesce(contact_email, lead_email, {{ dbt.concat(["'crm:'", 'person_id']) }}) as identity,
    coalesce(contact_account_id, lead_account_id) as account_id,
    coalesce(contact_account_id, lead_account_id) is not null as is_linked_to_account
from people
