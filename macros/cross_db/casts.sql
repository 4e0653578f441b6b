{#- Casting raw text to the contract's logical types. Each returns NULL when the text does not
    parse, so staging can tell "empty" from "unparseable". Engine differences live here. -#}

{% macro cast_logical(column, logical_type) %}
    {%- if logical_type == 'timestamp' -%} {{ text_to_utc_timestamp(column) }}
    {%- elif logical_type == 'date' -%} {{ dbt.safe_cast(column, api.Column.translate_type('date')) }}
    {%- elif logical_type == 'month' -%} {{ text_to_month(column) }}
    {%- elif logical_type == 'number' -%} {{ dbt.safe_cast(column, dbt.type_float()) }}
    {%- elif logical_type == 'boolean' -%} {{ text_to_boolean(column) }}
    {%- elif logical_type == 'currency' -%} upper(trim({{ column }}))
    {%- elif logical_type == 'text' -%} {{ column }}
    {%- else -%} {{ exceptions.raise_compiler_error('unknown logical type ' ~ logical_type) }}
    {%- endif -%}
{% endmacro %}

{% macro text_to_utc_timestamp(column) %}
    {{ return(adapter.dispatch('text_to_utc_timestamp', 'closecredit')(column)) }}
{% endmacro %}

{% macro default__text_to_utc_timestamp(column) %}
    {#- ISO-8601 with an offset is converted to UTC; without one it already is UTC. The result is
        a timestamp without time zone holding UTC. -#}
    timezone('UTC', try_cast({{ column }} as timestamptz))
{% endmacro %}

{% macro spark__text_to_utc_timestamp(column) %}
    to_utc_timestamp(try_cast({{ column }} as timestamp), 'UTC')
{% endmacro %}

{% macro text_to_month(column) %}
    {#- A month arrives as YYYY-MM and is kept as the first day of that month. -#}
    case
        when length(trim({{ column }})) = 7
            then {{ dbt.safe_cast(dbt.concat(['trim(' ~ column ~ ')', "'-01'"]), api.Column.translate_type('date')) }}
    end
{% endmacro %}

{% macro text_to_boolean(column) %}
    case lower(trim({{ column }}))
        when 'true' then true
        when '1' then true
        when 'false' then false
        when '0' then false
    end
{% endmacro %}
