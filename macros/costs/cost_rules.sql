{#- Matching of seeds/costs/cost_allocation_rules.csv. A rule cell is
      empty      matches anything (a wildcard);
      (none)     matches a missing value;
      (any)      matches any present value;
      else       matches the value case-insensitively.
    The cost line's attributes are normalised (trimmed, lower-cased, empty = NULL) before
    matching. -#}

{% macro cost_rule_attributes() %}
    {#- The cost line attributes an allocation rule can match, in seed column order. -#}
    {{ return(['cost_source', 'cost_item', 'owner_group']) }}
{% endmacro %}

{% macro cost_rule_matches(rule_column, attribute) -%}
    (
        nullif(trim({{ rule_column }}), '') is null
        or (trim({{ rule_column }}) = '(none)' and {{ attribute }} is null)
        or (trim({{ rule_column }}) = '(any)' and {{ attribute }} is not null)
        or lower(trim({{ rule_column }})) = {{ attribute }}
    )
{%- endmacro %}

{% macro cost_text(expr) -%}
    {#- A cost line attribute as the rules compare it. -#}
    nullif(lower(trim({{ expr }})), '')
{%- endmacro %}

{% macro resource_of(source_group_expr, resource_expr) -%}
    {#- A source group's resource (seeds/costs/cost_resources.csv); a group the seed lacks is
        `unallocated` for cost no rule takes, else `unattributed`. -#}
    coalesce(
        {{ resource_expr }},
        case when {{ source_group_expr }} = 'unallocated' then 'unallocated' else 'unattributed' end
    )
{%- endmacro %}

{% macro payout_cost_date(earned_at, extract_date) -%}
    {#- A partner payout is a cost of the day it was earned (reporting time zone); one without
        earned_at is dated by the extract that brought it. -#}
    coalesce({{ to_reporting_date(earned_at) }}, {{ extract_date }})
{%- endmacro %}
