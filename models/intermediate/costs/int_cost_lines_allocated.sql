-- Every cost line with the source group its first matching allocation rule gives
-- (seeds/costs/cost_allocation_rules.csv, lowest rule_order wins; cell grammar in
-- macros/mappings/rule_matcher.sql) and that group's resource (seeds/costs/cost_resources.csv). A
-- line no rule takes is source group `unallocated`: reported, never dropped. Rules are matched once per
-- distinct combination of attributes, then joined back.
with

{{ cost_rule_ctes('lines', ref('int_cost_lines'), 'allocation_key') }},

resources as (
    select * from {{ cost_resource_rows() }} as cost_resources
)

select
    lines.cost_source,
    lines.cost_line_id,
    lines.cost_date,
    lines.cost_month,
    lines.is_date_imputed,
    lines.cost_item,
    lines.user_id,
    lines.owner_group,
    lines.partner_id,
    lines.amount,
    lines.currency_iso_code,
    lines.to_reporting_factor,
    lines.amount_reporting,
    lines.is_converted,
    lines.extract_date,
    coalesce(best_matches.source_group, 'unallocated') as source_group,
    best_matches.rule_order as allocation_rule_order,
    best_matches.source_group is null as is_unallocated,
    {{ resource_of("coalesce(best_matches.source_group, 'unallocated')", 'resources.resource') }} as resource
from lines
left join best_matches
    on lines.allocation_key = best_matches.allocation_key
left join resources
    on coalesce(best_matches.source_group, 'unallocated') = resources.source_group
