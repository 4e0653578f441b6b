{#- Window helpers dbt has no cross-database macro for. -#}

{% macro last_value_ignoring_nulls(expr) %}
    {#- The head of a window function: the caller appends `over (...)`. -#}
    {{- return(adapter.dispatch('last_value_ignoring_nulls', 'closecredit')(expr)) -}}
{% endmacro %}

{% macro default__last_value_ignoring_nulls(expr) -%}
    last_value({{ expr }} ignore nulls)
{%- endmacro %}

{% macro spark__last_value_ignoring_nulls(expr) -%}
    last_value({{ expr }}, true)
{%- endmacro %}

{% macro percentile_cont(expr, fraction) %}
    {#- Continuous percentile of an aggregate (0.5 = median). -#}
    {{- return(adapter.dispatch('percentile_cont', 'closecredit')(expr, fraction)) -}}
{% endmacro %}

{% macro default__percentile_cont(expr, fraction) -%}
    quantile_cont({{ expr }}, {{ fraction }})
{%- endmacro %}

{% macro spark__percentile_cont(expr, fraction) -%}
    percentile({{ expr }}, {{ fraction }})
{%- endmacro %}

