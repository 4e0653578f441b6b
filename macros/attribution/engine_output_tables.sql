{% macro create_attribution_engine_tables() %}
    {#- on-run-start: the engine's output tables exist (empty) before it first runs, so sources
        resolve in any dbt invocation. The engine replaces their content each night. -#}
    {%- if execute -%}
        {%- set schema = 'attribution' -%}
        {% do run_query('create schema if not exists ' ~ schema) %}
        {% do run_query('create table if not exists ' ~ schema ~ '.data_driven_credits (opportunity_id '
            ~ dbt.type_string() ~ ', touch_id ' ~ dbt.type_string() ~ ', attribution_model ' ~ dbt.type_string()
            ~ ', credit_fraction double, as_of_date date, path_transform ' ~ dbt.type_string() ~ ')') %}
        {% do run_query('create table if not exists ' ~ schema ~ '.markov_removal_effects (channel '
            ~ dbt.type_string() ~ ', removal_effect double, attributed_conversions double, p_conv_without double,'
            ~ ' as_of_date date, path_transform ' ~ dbt.type_string() ~ ')') %}
    {%- endif -%}
{% endmacro %}
