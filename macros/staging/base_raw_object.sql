{% macro base_raw_object(system, object) %}
    {#- Every raw row of one contract object, cast to its contract type and given exactly one
        status, so that raw = staged + superseded + soft_deleted + duplicate + quarantined (+ the
        erased rows, which raw no longer holds: stg_audit__raw_row_statuses):
          quarantined  a required value is missing, a value does not parse, a number is out of
                       bounds or a currency is not ISO 4217 (checked first, reason recorded);
          superseded   a newer version of the same key won (semantics decide what "newer" is);
          soft_deleted the winning version of a CRM row says is_deleted = true;
          duplicate    an append object's key arrived again (the first arrival is kept);
          staged       everything else: the current rows.
        Rows beyond var('as_of_date') are not yet visible, so a past night rebuilds as it was. -#}
    {%- set raw_relation = source(system, object) -%}
    {%- set currencies = ref('iso_currencies') -%}
    {%- set landing_log = source('landing', 'landing_log') -%}
    {%- if not execute -%}
        select * from {{ raw_relation }}
    {%- else -%}
    {%- set node = contract_object(system, object) -%}
    {#- Built incrementally, only an append object's new extracts are typed: an earlier row never
        changes status (the first arrival of a key stays), a new row is a duplicate of any earlier
        one. Other semantics re-rank old rows, so they stay tables. -#}
    {%- set incremental = is_incremental_night() -%}
    {%- if incremental and node.meta.semantics != 'append' -%}
        {{ exceptions.raise_compiler_error(system ~ '.' ~ object ~ ' is a ' ~ node.meta.semantics
            ~ ' object: its base model cannot be built incrementally') }}
    {%- endif -%}
    {%- set columns = node.columns.values() | list -%}
    {%- set semantics = node.meta.semantics -%}
    {%- set key = node.meta.key -%}
    {#- A delta object's last-modified column: Salesforce's system_modstamp unless the contract
        names another (meta.modified_column, as a HubSpot export's property_hs_lastmodifieddate). -#}
    {%- set modified = node.meta.get('modified_column', 'system_modstamp') -%}
    {%- set currency_columns = columns | selectattr('data_type', 'equalto', 'currency') | list -%}
    {%- set checks = [] -%}
    {%- for col in columns -%}
        {%- set raw = 'raw__' ~ col.name -%}
        {%- if col.meta.get('required') -%}
            {%- do checks.append((col.name, raw ~ ' is null', "'missing required value'")) -%}
        {%- endif -%}
        {%- if col.meta.get('required_if') -%}
            {%- do checks.append((col.name, col.meta.required_if ~ ' and ' ~ raw ~ ' is null',
                "'missing value required when " ~ col.meta.required_if ~ " is true'")) -%}
        {%- endif -%}
        {%- if col.data_type == 'currency' -%}
            {%- do checks.append((col.name, raw ~ ' is not null and not ' ~ col.name ~ '__is_known',
                dbt.concat(["'unknown currency (not ISO 4217): '", 'substring(' ~ raw ~ ', 1, 40)']))) -%}
        {%- elif col.data_type != 'text' -%}
            {%- do checks.append((col.name, raw ~ ' is not null and ' ~ col.name ~ ' is null',
                dbt.concat(["'not a " ~ col.data_type ~ ": '", 'substring(' ~ raw ~ ', 1, 40)']))) -%}
        {%- endif -%}
        {%- if col.meta.get('min') is not none -%}
            {%- do checks.append((col.name, col.name ~ ' < ' ~ col.meta.min, "'below minimum " ~ col.meta.min ~ "'")) -%}
        {%- endif -%}
        {%- if col.meta.get('max') is not none -%}
            {%- do checks.append((col.name, col.name ~ ' > ' ~ col.meta.max, "'above maximum " ~ col.meta.max ~ "'")) -%}
        {%- endif -%}
    {%- endfor -%}
    {%- if semantics == 'delta' -%}
        {%- set newest_first = modified ~ ' desc, _extract_date desc, _row_number desc' -%}
    {%- elif semantics == 'append' -%}
        {%- set newest_first = '_extract_date asc, _row_number asc' -%}
    {%- else -%}
        {%- set newest_first = '_extract_date desc, _row_number desc' -%}
    {%- endif %}

with

raw_rows as (
    select * from {{ raw_relation }}
    where {{ visible_as_of('_extract_date') }} and {{ is_new_extract('_extract_date') }}
),

typed as (
    select
        raw_rows._extract_date,
        raw_rows._source_file,
        raw_rows._row_number,
        {%- for col in columns %}
        raw_rows.{{ col.name }} as raw__{{ col.name }},
        {{ cast_logical('raw_rows.' ~ col.name, col.data_type) }} as {{ col.name }},
        {%- endfor %}
        {%- for col in currency_columns %}
        known_{{ col.name }}.currency_code is not null as {{ col.name }}__is_known,
        {%- endfor %}
        raw_rows._loaded_at
    from raw_rows
    {%- for col in currency_columns %}
    left join {{ currencies }} as known_{{ col.name }}
        on upper(trim(raw_rows.{{ col.name }})) = known_{{ col.name }}.currency_code
    {%- endfor %}
),

checked as (
    select
        typed.*,
        case
            {%- for column_name, failed, reason in checks %}
            when {{ failed }} then '{{ column_name }}'
            {%- endfor %}
        end as _quarantine_column,
        case
            {%- for column_name, failed, reason in checks %}
            when {{ failed }} then {{ reason }}
            {%- endfor %}
        end as _quarantine_reason
    from typed
),

latest_extract as (
    -- The object's newest landed night, even an empty one: a snapshot partner missing from it is
    -- no longer listed.
    select max(extract_date) as extract_date
    from {{ landing_log }}
    where
        system = '{{ system }}' and object = '{{ object }}' and status = 'landed'
        and {{ visible_as_of('extract_date') }}
),

{%- if incremental %}

earlier_keys as (
    -- keys that already arrived (quarantined rows never count as an arrival)
    select distinct
        {%- for column in key %}
        {{ column }} as _earlier__{{ column }}{% if not loop.last %},{% endif %}
        {%- endfor %}
    from {{ this }}
    where _row_status <> 'quarantined'
),
{%- endif %}

versioned as (
    select
        checked.*,
        {%- if incremental %}
        earlier_keys._earlier__{{ key[0] }} is not null as _arrived_before,
        {%- endif %}
        row_number() over (
            partition by _quarantine_reason is null, {{ key | join(', ') }}
            order by {{ newest_first }}
        ) as _version_rank,
        latest_extract.extract_date as _latest_extract_date
    from checked
    cross join latest_extract
    {%- if incremental %}
    left join earlier_keys
        on
            {%- for column in key %}
            {% if not loop.first %}and {% endif %}checked.{{ column }} = earlier_keys._earlier__{{ column }}
            {%- endfor %}
    {%- endif %}
)

select
    {%- for col in columns %}
    {{ col.name }},
    {%- endfor %}
    _extract_date,
    _source_file,
    _row_number,
    _loaded_at,
    case
        when _quarantine_reason is not null then 'quarantined'
        {%- if semantics == 'append' %}
        when _version_rank > 1{% if incremental %} or _arrived_before{% endif %} then 'duplicate'
        {%- else %}
        when _version_rank > 1 then 'superseded'
        {%- endif %}
        {%- if semantics == 'delta' %}
        when coalesce(is_deleted, false) then 'soft_deleted'
        {%- endif %}
        else 'staged'
    end as _row_status,
    _quarantine_column,
    _quarantine_reason,
    coalesce(_extract_date = _latest_extract_date, false) as _is_in_latest_extract,
    '{{ system }}.{{ object }}' as _object
from versioned
    {%- endif -%}
{% endmacro %}
