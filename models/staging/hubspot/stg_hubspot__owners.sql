-- HubSpot owners as the CRM's users (the columns of stg_crm__users): the role on the team is the
-- user role the source-group mapping reads (seeds/mappings/user_role_groups.csv).
with

staged as (
    {{ staged_rows('hubspot', 'owner', ref('base_hubspot__owners')) }}
)

select
    owner_id as user_id,
    nullif(trim({{ dbt.concat(["coalesce(first_name, '')", "' '", "coalesce(last_name, '')"]) }}), '') as name,
    email,
    role_name as user_role,
    is_active,
    created_at as created_date,
    updated_at as system_modstamp,
    _extract_date,
    _source_file,
    _row_number
from staged
