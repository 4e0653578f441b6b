{#- Reporting periods (docs/costs-and-signals.md, "Cost per close"): months, and quarters whose year
    starts in var('fiscal_year_start_month'). -#}

{% macro month_start(date_expr) %}
    cast({{ dbt.date_trunc('month', date_expr) }} as date)
{% endmacro %}

{% macro fiscal_quarter_start(date_expr) %}
    {#- The first day of the fiscal quarter holding the date: shift so the fiscal year starts in
        January, take the calendar quarter, shift back. -#}
    {%- set shift = var('fiscal_year_start_month') - 1 -%}
    {%- if shift == 0 -%}
        cast({{ dbt.date_trunc('quarter', date_expr) }} as date)
    {%- else -%}
        cast({{ dbt.dateadd('month', shift, dbt.date_trunc('quarter', dbt.dateadd('month', -shift, date_expr))) }} as date)
    {%- endif -%}
{% endmacro %}
