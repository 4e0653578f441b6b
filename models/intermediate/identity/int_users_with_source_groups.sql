-- Every CRM user with the source group its role maps to (seeds/mappings/user_role_groups.csv,
-- case-insensitive); NULL when the role maps to nothing (e.g. Other: no touch).
select
    users.user_id,
    users.user_role,
    nullif(trim(role_groups.source_group), '') as source_group
from {{ crm_staged('users') }} as users
left join {{ ref('user_role_groups') }} as role_groups
    on lower(trim(users.user_role)) = lower(trim(role_groups.user_role))
