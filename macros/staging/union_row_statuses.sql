{% macro union_row_statuses(base_relations) %}
    {#- One row per raw row of every contract object with the status its base model gave it. -#}
    {%- for relation in base_relations %}
    select
        _object as object_name,
        _extract_date as extract_date,
        _source_file as source_file,
        _row_number as row_number,
        _row_status as row_status,
        _quarantine_column as quarantine_column,
        _quarantine_reason as quarantine_reason
    from {{ relation }}
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
{% endmacro %}
