{% macro source_groups(touch_groups_only=true) %}
    {#- The groups of seeds/mappings/source_groups.csv in display order, as a list (for SQL built
        per group, such as fct_journeys' columns). The seed is read when the model runs; at parse
        time, or where the seed is not built (sqlfluff's compile), the list is empty and a
        contracted model then fails on its missing columns. A unit test of the model reads the
        built seed itself: the list shapes the columns, not the rows. -#}
    {%- if model.resource_type == 'unit_test' -%}
        {%- set seed = api.Relation.create(database=target.database, schema=target.schema, identifier='source_groups') -%}
    {%- else -%}
        {%- set seed = ref('source_groups') -%}
        {%- if execute -%}
            {%- set seed = load_relation(seed) -%}
        {%- endif -%}
    {%- endif -%}
    {%- if not execute or seed is none -%}
        {{ return([]) }}
    {%- endif -%}
    {%- set rows = run_query('select source_group from ' ~ seed
        ~ (' where is_touch_group' if touch_groups_only else '') ~ ' order by display_order') -%}
    {{ return(rows.columns[0].values() | list) }}
{% endmacro %}
