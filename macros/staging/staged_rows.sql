{% macro staged_rows(system, object, base_relation) %}
    {#- The current rows of one contract object: its base model's staged rows with the contract
        columns. A CRM `id` becomes `<object>_id`; `is_deleted` is dropped (always false here, the
        deleted rows stay in raw and in the base model). -#}
    {%- if not execute -%}
        select * from {{ base_relation }}
    {%- else -%}
    {%- set node = contract_object(system, object) -%}
    select
        {%- for col in node.columns.values() if col.name != 'is_deleted' %}
        {{ col.name }}{% if col.name == 'id' %} as {{ object }}_id{% endif %},
        {%- endfor %}
        {%- if node.meta.semantics == 'snapshot' %}
        _is_in_latest_extract as is_in_latest_extract,
        {%- endif %}
        _extract_date,
        _source_file,
        _row_number
    from {{ base_relation }}
    where _row_status = 'staged'
    {%- endif -%}
{% endmacro %}
