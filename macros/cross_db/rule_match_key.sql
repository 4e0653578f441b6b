{% macro rule_match_key(attributes) %}
    {#- One text key per distinct combination of the attributes rules match on (NULL kept apart
        from any value), so rules are matched once per combination and joined back. -#}
    {%- set parts = [] -%}
    {%- for attribute in attributes -%}
        {%- do parts.append("coalesce(" ~ attribute ~ ", '~')") -%}
        {%- if not loop.last %}{% do parts.append("'|'") %}{% endif -%}
    {%- endfor -%}
    {{ dbt.concat(parts) }}
{% endmacro %}
