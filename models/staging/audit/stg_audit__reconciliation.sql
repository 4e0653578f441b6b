-- Per object and extract night: the rows landed, and what became of each of them. Every landed
-- row has exactly one outcome, so landed_rows = accounted_rows, and the quarantined share of the
-- night are what the quarantine gate (macro quarantine_gate_blocks) reads.
with

landed as (
    select
        {{ dbt.concat(['system', "'.'", 'object']) }} as object_name,
        extract_date,
        sum(row_count) as landed_rows
    from {{ source('landing', 'landing_log') }}
    where status = 'landed' and {{ visible_as_of('extract_date') }}
    group by 1, 2
),

outcomes as (
    select
        object_name,
        extract_date,
        count(*) as accounted_rows,
        {%- for status in row_statuses() %}
            sum(case when row_status = '{{ status }}' then 1 else 0 end) as {{ status }}_rows
            {%- if not loop.last %},{% endif %}
        {%- endfor %}
    from {{ ref('stg_audit__raw_row_statuses') }}
    group by 1, 2
),

reconciled as (
    select
        coalesce(landed.object_name, outcomes.object_name) as object_name,
        coalesce(landed.extract_date, outcomes.extract_date) as extract_date,
        coalesce(landed.landed_rows, 0) as landed_rows,
        coalesce(outcomes.accounted_rows, 0) as accounted_rows,
        {%- for status in row_statuses() %}
            coalesce(outcomes.{{ status }}_rows, 0) as {{ status }}_rows,
        {%- endfor %}
        max(coalesce(landed.extract_date, outcomes.extract_date)) over (
            partition by coalesce(landed.object_name, outcomes.object_name)
        ) as latest_extract_date
    from landed
    full outer join outcomes
        on
            landed.object_name = outcomes.object_name
            and landed.extract_date = outcomes.extract_date
)

select
    object_name,
    extract_date,
    landed_rows,
    accounted_rows,
    staged_rows,
    superseded_rows,
    soft_deleted_rows,
    duplicate_rows,
    quarantined_rows,
    erased_rows,
    landed_rows = staged_rows + superseded_rows + soft_deleted_rows + duplicate_rows + quarantined_rows
    + erased_rows as is_reconciled,
    case when landed_rows > 0 then 1.0 * quarantined_rows / landed_rows end as quarantined_share,
    extract_date = latest_extract_date as is_latest_extract
from reconciled
