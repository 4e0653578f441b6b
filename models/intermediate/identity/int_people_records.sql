-- Every CRM record of a person, lead or contact, with the person it belongs to
-- (docs/models.md, "Journey": a contact converted from a lead is the same person).
--   person_id  the contact's id for a contact and for a lead converted into a staged contact;
--              the lead's own id for any other lead.
-- Emails are lower-cased and trimmed (the stitching key). self_reported_source is the free-text
-- answer as exported (int_self_reported_answers folds and maps it).
with

contacts as (
    select * from {{ crm_staged('contacts') }}
),

leads as (
    select * from {{ crm_staged('leads') }}
),

contact_records as (
    select
        contact_id as record_id,
        'contact' as record_kind,
        contact_id as person_id,
        {{ normalized_text('email') }} as email,
        account_id,
        created_date as created_at,
        {{ normalized_text('lead_source') }} as lead_source,
        cast(null as {{ dbt.type_string() }}) as converted_opportunity_id,
        self_reported_source,
        system_modstamp
    from contacts
),

lead_records as (
    select
        leads.lead_id as record_id,
        'lead' as record_kind,
        coalesce(contacts.contact_id, leads.lead_id) as person_id,
        {{ normalized_text('leads.email') }} as email,
        coalesce(contacts.account_id, leads.converted_account_id) as account_id,
        leads.created_date as created_at,
        {{ normalized_text('leads.lead_source') }} as lead_source,
        leads.converted_opportunity_id,
        leads.self_reported_source,
        leads.system_modstamp
    from leads
    left join contacts
        on leads.converted_contact_id = contacts.contact_id
)

select * from contact_records
union all
select * from lead_records
