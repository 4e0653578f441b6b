-- The people of each opportunity's journey (docs/models.md, "Journey"): the contacts linked
-- by opportunity_contact_role; where an opportunity has none, every contact of its account; plus
-- the leads that converted into those contacts (already the same person) or into the opportunity.
-- One row per opportunity and person; link says how the person got in (first that applies).
with

opportunities as (
    select
        opportunity_id,
        account_id
    from {{ crm_staged('opportunities') }}
),

records as (
    select * from {{ ref('int_people_records') }}
),

contact_records as (
    select
        record_id as contact_id,
        person_id,
        account_id
    from records
    where record_kind = 'contact'
),

role_people as (
    select distinct
        roles.opportunity_id,
        contact_records.person_id
    from {{ crm_staged('opportunity_contact_roles') }} as roles
    inner join contact_records
        on roles.contact_id = contact_records.contact_id
),

opportunities_with_roles as (
    select distinct opportunity_id from role_people
),

account_people as (
    select distinct
        opportunities.opportunity_id,
        contact_records.person_id
    from opportunities
    inner join contact_records
        on opportunities.account_id = contact_records.account_id
    left join opportunities_with_roles
        on opportunities.opportunity_id = opportunities_with_roles.opportunity_id
    where opportunities_with_roles.opportunity_id is null
),

converted_lead_people as (
    select distinct
        records.converted_opportunity_id as opportunity_id,
        records.person_id
    from records
    inner join opportunities
        on records.converted_opportunity_id = opportunities.opportunity_id
    where records.record_kind = 'lead'
),

linked as (
    select
        opportunity_id,
        person_id,
        'contact_role' as link,
        1 as link_rank
    from role_people
    union all
    select
        opportunity_id,
        person_id,
        'account_contact' as link,
        2 as link_rank
    from account_people
    union all
    select
        opportunity_id,
        person_id,
        'converted_lead' as link,
        3 as link_rank
    from converted_lead_people
),

ranked as (
    select
        linked.*,
        row_number()
            over (partition by linked.opportunity_id, linked.person_id order by linked.link_rank)
            as link_number
    from linked
)

select
    ranked.opportunity_id,
    ranked.person_id,
    ranked.link,
    people.created_at as person_created_at
from ranked
inner join {{ ref('int_people') }} as people
    on ranked.person_id = people.person_id
where ranked.link_number = 1
