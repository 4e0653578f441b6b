{% macro generate_schema_name(custom_schema_name, node) %}
    {#- A folder's +schema is used as is (`marts`, not `main_marts`): analysts and the publish
        step name schemas, not targets. -#}
    {{ return((custom_schema_name or target.schema) | trim) }}
{% endmacro %}
