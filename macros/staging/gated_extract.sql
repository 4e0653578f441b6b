{% macro gated_extract(extract_date_column, is_latest_column) -%}
    {#- True for the extract nights the quarantine gate test checks: every night the run landed
        (CLOSECREDIT_GATE_FROM, its first night, up to the night built), so a bad earlier night of a
        catch-up run is not hidden by a clean later one. Without it (a dbt build by hand), each
        object's latest night. The environment is read only when executing, like as_of_date(). -#}
    {%- set gate_from = env_var('CLOSECREDIT_GATE_FROM', '') if execute else '' -%}
    {%- if gate_from -%}
        {{ extract_date_column }} >= {{ dbt.safe_cast("'" ~ gate_from ~ "'", api.Column.translate_type('date')) }}
    {%- else -%}
        {{ is_latest_column }}
    {%- endif -%}
{%- endmacro %}
