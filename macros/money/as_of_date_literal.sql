{% macro as_of_date_literal() %}
    {#- var('as_of_date') as a date (NULL when every extract is visible): marts say which night
        they answer for. -#}
    {%- if as_of_date() -%}
        cast('{{ as_of_date() }}' as date)
    {%- else -%}
        cast(null as date)
    {%- endif -%}
{% endmacro %}
