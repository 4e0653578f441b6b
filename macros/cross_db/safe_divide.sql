{% macro safe_divide(numerator, denominator) -%}
    {#- numerator / denominator as a double; NULL when the denominator is 0 or NULL (never an error
        or an infinity, on engines in ANSI mode too). Both sides are parenthesised, so expressions
        can be passed as they are. -#}
    cast(({{ numerator }}) as double) / nullif(({{ denominator }}), 0)
{%- endmacro %}
