-- Raw rows that staging refused, each with the first failing column and why. Staging is the only
-- place rows are quarantined; the rows themselves stay in raw.
select
    object_name,
    extract_date,
    source_file,
    row_number,
    quarantine_column as column_name,
    quarantine_reason as reason
from {{ ref('stg_audit__raw_row_statuses') }}
where row_status = 'quarantined'
