{#- Casting raw text to the contract's logical types. Each returns NULL when the text does not
    parse, so staging can tell "empty" from "unparseable". The text must look like ISO-8601 (or a
    plain decimal number) first: engines also accept 'epoch', 'infinity' or 'NaN', which no
    export means. Engine differences live in the dispatched macros at the bottom. -#}

{% macro cast_logical(column, logical_type) %}
    {%- set text = 'trim(' ~ column ~ ')' -%}
    {%- if logical_type == 'timestamp' -%}
        case when {{ matches_regex(text, '\\d{4}-\\d{2}-\\d{2}([T ]\\d{2}:\\d{2}(:\\d{2}(\\.\\d+)?)?)?(Z|[+-]\\d{2}(:?\\d{2})?)?') }}
            then {{ text_to_utc_timestamp(text) }} end
    {%- elif logical_type == 'date' -%}
        case when {{ matches_regex(text, '\\d{4}-\\d{2}-\\d{2}') }}
            then {{ try_cast_to(text, api.Column.translate_type('date')) }} end
    {%- elif logical_type == 'month' -%}
        case when {{ matches_regex(text, '\\d{4}-\\d{2}') }}
            then {{ try_cast_to(dbt.concat([text, "'-01'"]), api.Column.translate_type('date')) }} end
    {%- elif logical_type == 'number' -%}
        case when {{ matches_regex(text, '[+-]?(\\d+(\\.\\d*)?|\\.\\d+)([eE][+-]?\\d+)?') }}
            then {{ try_cast_to(text, 'double') }} end
    {%- elif logical_type == 'boolean' -%}
        case lower({{ text }})
            when 'true' then true
            when '1' then true
            when 'false' then false
            when '0' then false
        end
    {%- elif logical_type == 'currency' -%} upper({{ text }})
    {%- elif logical_type == 'text' -%} {{ column }}
    {%- else -%} {{ exceptions.raise_compiler_error('unknown logical type ' ~ logical_type) }}
    {%- endif -%}
{% endmacro %}

{% macro text_to_utc_timestamp(column) %}
    {{ return(adapter.dispatch('text_to_utc_timestamp', 'closecredit')(column)) }}
{% endmacro %}

{% macro default__text_to_utc_timestamp(column) %}
    {#- With an offset the instant is converted to UTC; without one it already is UTC. The result
        is a timestamp without time zone holding UTC. -#}
    timezone('UTC', try_cast({{ column }} as timestamptz))
{% endmacro %}

{% macro spark__text_to_utc_timestamp(column) %}
    to_utc_timestamp(try_cast({{ column }} as timestamp), 'UTC')
{% endmacro %}

{% macro try_cast_to(expression, data_type) %}
    {{ return(adapter.dispatch('try_cast_to', 'closecredit')(expression, data_type)) }}
{% endmacro %}

{% macro default__try_cast_to(expression, data_type) %}
    {#- NULL when the text does not parse (dbt.safe_cast is a plain, failing cast on DuckDB). -#}
    try_cast({{ expression }} as {{ data_type }})
{% endmacro %}

{% macro matches_regex(expression, pattern) %}
    {{ return(adapter.dispatch('matches_regex', 'closecredit')(expression, pattern)) }}
{% endmacro %}

{% macro default__matches_regex(expression, pattern) %}
    {#- The whole text matches the pattern. -#}
    regexp_full_match({{ expression }}, '{{ pattern }}')
{% endmacro %}

{% macro spark__matches_regex(expression, pattern) %}
    {#- Spark string literals unescape backslashes. -#}
    {{ expression }} rlike '^({{ pattern | replace('\\', '\\\\') }})$'
{% endmacro %}

{% macro as_bigint(expression) %}
    {{ return(adapter.dispatch('as_bigint', 'closecredit')(expression)) }}
{% endmacro %}

{% macro default__as_bigint(expression) %}
    {#- DuckDB's row_number(), count() and date_diff() are already bigint, the marts' contract type. -#}
    {{ expression }}
{% endmacro %}

{% macro spark__as_bigint(expression) %}
    {#- Spark's row_number() and datediff() are int; the contracts say bigint. -#}
    cast({{ expression }} as bigint)
{% endmacro %}
