{% macro visible_as_of(extract_date_column) %}
    {#- True for rows of extracts up to var('as_of_date'): a past night rebuilds as it was. -#}
    {%- if as_of_date() -%}
        {{ extract_date_column }} <= {{ dbt.safe_cast("'" ~ as_of_date() ~ "'", api.Column.translate_type('date')) }}
    {%- else -%}
        1 = 1
    {%- endif -%}
{% endmacro %}
