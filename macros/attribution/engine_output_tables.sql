{% macro create_attribution_engine_tables() %}
    {#- on-run-start: the engine's output tables exist (empty) before it first runs, so sources
        resolve in any dbt invocation. The engine replaces their content each night. Their
        columns are the `attribution` source's (models/staging/attribution/_attribution__sources.yml),
        the one place the schema is declared. -#}
    {%- if execute -%}
        {%- set tables = graph.sources.values() | selectattr('source_name', 'equalto', 'attribution') | list -%}
        {%- if not tables -%}
            {{ exceptions.raise_compiler_error('the attribution source (_attribution__sources.yml) declares no tables') }}
        {%- endif -%}
        {% do run_query('create schema if not exists ' ~ tables[0].schema) %}
        {%- for table in tables %}
            {%- set columns = [] -%}
            {%- for column in table.columns.values() -%}
                {%- if not column.data_type -%}
                    {{ exceptions.raise_compiler_error('source attribution.' ~ table.name ~ ' column ' ~ column.name ~ ' has no data_type') }}
                {%- endif -%}
                {%- do columns.append(column.name ~ ' ' ~ engine_column_type(column.data_type)) -%}
            {%- endfor %}
            {% do run_query('create table if not exists ' ~ table.schema ~ '.' ~ table.identifier
                ~ ' (' ~ columns | join(', ') ~ ')') %}
        {%- endfor %}
    {%- endif -%}
{% endmacro %}

{% macro engine_column_type(data_type) -%}
    {#- `string` is the adapter's string type; other declared types are portable as written. -#}
    {{- dbt.type_string() if data_type == 'string' else data_type -}}
{%- endmacro %}
