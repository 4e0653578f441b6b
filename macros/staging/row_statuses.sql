{% macro row_statuses() %}
    {#- The one status each raw row gets (docs/contract.md, "Required values and quarantine"):
        the base models give the first five, raw.erased_rows the last (closecredit forget). -#}
    {{- return(['staged', 'superseded', 'soft_deleted', 'duplicate', 'quarantined', 'erased']) -}}
{% endmacro %}
