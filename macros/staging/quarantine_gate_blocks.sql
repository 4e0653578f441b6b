{% macro quarantine_gate_blocks(quarantined, total) -%}
    {#- THE quarantine gate, for dbt and GX alike: true when a night's file blocks the night.
        It blocks when its quarantined share exceeds var('max_quarantine_rate') and at least
        var('quarantine_gate_min_rows') rows are quarantined, or when every row of a non-empty
        file is; below that the rows are quarantined and the night warns. `quarantined` and `total`
        are SQL expressions (row counts). The dbt test on stg_audit__reconciliation calls it, and
        the raw GX suites evaluate this very text (orchestration/quality/gate.py renders it with
        the run's vars), so keep it plain SQL with var() only. -#}
    (
        ({{ total }}) > 0
        and (
            ({{ quarantined }}) >= ({{ total }})
            or (
                ({{ quarantined }}) >= {{ var('quarantine_gate_min_rows') }}
                and cast(({{ quarantined }}) as double) / nullif(({{ total }}), 0)
                > {{ var('max_quarantine_rate') }}
            )
        )
    )
{%- endmacro %}
