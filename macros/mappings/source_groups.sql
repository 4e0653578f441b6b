{% macro source_groups(touch_groups_only=true) %}
    {#- The groups of seeds/mappings/source_groups.csv in display order, as a list (for SQL built
        per group). The seed is read when the model runs; at parse time the list is empty. A unit
        test of the model reads the built seed itself: the list shapes the columns, not the rows. -#}
    {%- if model.resource_type == 'unit_test' -%}
        {%- set seed = api.Relation.create(database=target.database, schema=target.schema, identifier='source_groups') -%}
    {%- else -%}
        {%- set seed = ref('source_groups') -%}
    {%- endif -%}
    {%- if not execute -%}
        {{ return([]) }}
    {%- endif -%}
    {%- set rows = run_query('select source_group from ' ~ seed
        ~ (' where is_touch_group' if touch_groups_only else '') ~ ' order by display_order') -%}
    {{ return(rows.columns[0].values() | list) }}
{% endmacro %}
