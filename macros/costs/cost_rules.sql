{#- Cost allocation rules (seeds/costs/cost_allocation_rules.csv), matched by the one rule
    matcher (macros/mappings/rule_matcher.sql, where the cell grammar is). -#}

{% macro cost_rule_attributes() %}
    {#- The cost line attributes an allocation rule can match, in seed column order. -#}
    {{ return(['cost_source', 'cost_item', 'owner_group']) }}
{% endmacro %}

{% macro cost_rule_ctes(rows, relation, key_column) %}
    {#- rule_matching_ctes() for the allocation rules: `rows`, `combinations`, `best_matches`. -#}
    {{- rule_matching_ctes(rows, relation, key_column, 'cost_allocation_rules', cost_rule_attributes(), ['source_group']) -}}
{% endmacro %}

{% macro cost_resource_rows() %}
    {#- seeds/costs/cost_resources.csv as the rules compare it: source_group -> resource. -#}
    (
        select
            {{ rule_text('source_group') }} as source_group,
            {{ rule_text('resource') }} as resource
        from {{ ref('cost_resources') }}
    )
{% endmacro %}

{% macro resource_of(source_group_expr, resource_expr) -%}
    {#- A source group's resource (seeds/costs/cost_resources.csv); a group the seed lacks is
        `unallocated` for cost no rule takes, else `unattributed`. -#}
    coalesce(
        {{ resource_expr }},
        case when {{ source_group_expr }} = 'unallocated' then 'unallocated' else 'unattributed' end
    )
{%- endmacro %}

{% macro cost_per_close(cost_expr, closes_expr, resource_expr) -%}
    {#- cost / credited closes: NULL without credited closes, and NULL for the `unattributed`
        resource (direct credit: no budget pays for it, so there is no cost to divide, never 0). -#}
    case when {{ resource_expr }} <> 'unattributed' then {{ safe_divide(cost_expr, closes_expr) }} end
{%- endmacro %}

{% macro payout_cost_date(earned_at, extract_date) -%}
    {#- A partner payout is a cost of the day it was earned (reporting time zone); one without
        earned_at is dated by the extract that brought it. -#}
    coalesce({{ to_reporting_date(earned_at) }}, {{ extract_date }})
{%- endmacro %}
