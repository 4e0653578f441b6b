{#- Engine-neutral helpers of the cost marts: the median, a division that gives NULL on zero, the
    period buckets, and the numbers in the signal sentences. -#}

{% macro median(expr) %}
    {#- The median of an aggregate (continuous: the mean of the two middle values). -#}
    {{- return(adapter.dispatch('median', 'closecredit')(expr)) -}}
{% endmacro %}

{% macro default__median(expr) -%}
    percentile_cont(0.5) within group (order by {{ expr }})
{%- endmacro %}

{% macro duckdb__median(expr) -%}
    median({{ expr }})
{%- endmacro %}

{% macro spark__median(expr) -%}
    percentile({{ expr }}, 0.5)
{%- endmacro %}

{% macro period_types() %}
    {#- A relation of the two reporting period types, to cross join with dated rows. -#}
    (
        select 'month' as period_type
        union all
        select 'quarter' as period_type
    )
{% endmacro %}

{% macro period_start_of(period_type, date_expr) %}
    {#- The first day of the month, or of the fiscal quarter (var fiscal_year_start_month). -#}
    case
        when {{ period_type }} = 'month' then {{ month_start(date_expr) }}
        else {{ fiscal_quarter_start(date_expr) }}
    end
{% endmacro %}

{% macro as_text(expr) -%}
    cast({{ expr }} as {{ dbt.type_string() }})
{%- endmacro %}

{% macro percent_text(share_expr) -%}
    {#- 0.3125 -> '31.3%'. -#}
    {{ dbt.concat([as_text('round(100.0 * cast(' ~ share_expr ~ ' as double), 1)'), "'%'"]) }}
{%- endmacro %}

{% macro decimal_text(expr) -%}
    {#- One decimal: 12.345 -> '12.3'. -#}
    {{ as_text('round(cast(' ~ expr ~ ' as double), 1)') }}
{%- endmacro %}

{% macro whole_text(expr) -%}
    {#- Rounded to a whole number: 1234.5 -> '1235'. -#}
    {{ as_text('cast(round(cast(' ~ expr ~ ' as double), 0) as ' ~ dbt.type_bigint() ~ ')') }}
{%- endmacro %}

{% macro period_text(period_type, period_start) -%}
    {#- 'the month 2026-07' or 'the quarter starting 2026-07-01'. -#}
    case
        when {{ period_type }} = 'month'
            then {{ dbt.concat(["'the month '", 'substring(' ~ as_text(period_start) ~ ', 1, 7)']) }}
        else {{ dbt.concat(["'the quarter starting '", as_text(period_start)]) }}
    end
{%- endmacro %}
