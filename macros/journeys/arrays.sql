{#- Ordered aggregation into an array, per engine (dbt has array_agg helpers but no ordered one). -#}

{% macro ordered_array_agg(expr, order_by) %}
    {{- return(adapter.dispatch('ordered_array_agg', 'closecredit')(expr, order_by)) -}}
{% endmacro %}

{% macro default__ordered_array_agg(expr, order_by) -%}
    array_agg({{ expr }} order by {{ order_by }})
{%- endmacro %}

{% macro spark__ordered_array_agg(expr, order_by) -%}
    {#- order_by: comma-separated expressions, ascending. -#}
    transform(
        array_sort(collect_list(struct({{ order_by }}, {{ expr }} as __value))),
        x -> x.__value
    )
{%- endmacro %}

{% macro string_array_type() %}
    {{- return(adapter.dispatch('string_array_type', 'closecredit')()) -}}
{% endmacro %}

{% macro default__string_array_type() %}{{ return('varchar[]') }}{% endmacro %}

{% macro spark__string_array_type() %}{{ return('array<string>') }}{% endmacro %}

{% macro empty_string_array() %}
    {{- return(adapter.dispatch('empty_string_array', 'closecredit')()) -}}
{% endmacro %}

{% macro default__empty_string_array() %}{{ return('cast([] as varchar[])') }}{% endmacro %}

{% macro spark__empty_string_array() %}{{ return('cast(array() as array<string>)') }}{% endmacro %}
