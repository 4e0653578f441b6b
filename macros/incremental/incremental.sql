{#- Incremental models (docs/decisions.md, "Incremental nights"). A model built incrementally
    recomputes whole *partitions*: every row whose partition key is one of the affected values is
    replaced by the model's output for that value. The model decides which values a night affects
    (new extract dates, and whatever late data and deltas re-open); these macros decide how the
    rows are replaced, once per engine:
      DuckDB  `replace_partitions` below: null-safe delete of the affected keys, then insert;
      Spark   insert_overwrite on the partition column.
    A model's watermark (the newest extract date it has processed) is kept in
    `_incremental_state`, written in the same transaction as the model. A model rebuilds in full
    (through the same strategy: every row deleted, every row inserted) when it has no watermark
    (first build, or a table built before it became incremental) or the night is not later than
    its watermark (a re-run or an earlier night). Changed vars, seeds or models need --full-refresh
    (orchestration.core.dbt_args.night_build_args(full_refresh=True)). -#}

{% macro incremental_by(partition_key, post_hook=[]) %}
    {#- The config of a model built incrementally by `partition_key`:
        `{{ config(**incremental_by('anonymous_id')) }}`; `post_hook` runs after the watermark. -#}
    {{ return(adapter.dispatch('incremental_by', 'closecredit')(partition_key, post_hook)) }}
{% endmacro %}

{% macro default__incremental_by(partition_key, post_hook) %}
    {{ return({
        'materialized': 'incremental',
        'incremental_strategy': 'replace_partitions',
        'unique_key': partition_key,
        'on_schema_change': 'fail',
        'post_hook': [
            "{{ closecredit.record_full_build_partitions() }}",
            "{{ closecredit.record_incremental_watermark() }}",
        ] + post_hook,
    }) }}
{% endmacro %}

{% macro spark__incremental_by(partition_key, post_hook) %}
    {#- Spark (Parquet, no MERGE/DELETE/UPDATE): insert_overwrite replaces whole partitions, so a
        model is incremental only when its key can be the table's partition column
        (`incremental_partition_by`); then an incremental night overwrites exactly the partitions
        its output holds, the keys DuckDB's delete+insert replaces. Any other model is a table
        rebuilt in full every night (correct, not incremental; docs/decisions.md, "Spark target").
        `post_hook`s that UPDATE earlier rows (refresh_latest_extract_flags) are no-ops after a
        full build and are left out: Parquet tables cannot be updated. -#}
    {%- set partition_by = incremental_partition_by(partition_key) -%}
    {%- set config = {
        'file_format': 'parquet',
        'post_hook': ["{{ closecredit.record_incremental_watermark() }}"],
    } -%}
    {%- if partition_by and not post_hook -%}
        {%- do config.update({
            'materialized': 'incremental',
            'incremental_strategy': 'insert_overwrite',
            'partition_by': partition_by,
            'on_schema_change': 'fail',
        }) -%}
    {%- else -%}
        {%- do config.update({'materialized': 'table', 'partition_by': partition_by}) -%}
    {%- endif -%}
    {{ return(config) }}
{% endmacro %}

{% macro incremental_partition_by(partition_key) %}
    {#- The partition column a Spark table of a model incremental by `partition_key` gets, or none.
        A date-grained key (an extract date: a few hundred partitions in a year) is one; a key with
        one value per device or event (anonymous_id, event_id) is not: a directory and a metastore
        entry per device is the small-files problem, and Hive caps dynamic partitions per insert. -#}
    {{ return([partition_key] if partition_key in ('_extract_date', 'extract_date') else none) }}
{% endmacro %}

{% macro get_incremental_replace_partitions_sql(arg_dict) %}
    {#- delete+insert by the partition key, null-safe (a NULL key is a partition too), and the whole
        table when the model has no watermark yet (its output then holds every partition). -#}
    {%- set target = arg_dict['target_relation'] -%}
    {%- set source = arg_dict['temp_relation'] -%}
    {%- set key = arg_dict['unique_key'] -%}
    {%- set columns = get_quoted_csv(arg_dict['dest_columns'] | map(attribute='name')) -%}
    {%- if incremental_watermark() is none %}
    delete from {{ target }};
    {%- else %}
    delete from {{ target }}
    where coalesce(cast({{ key }} as {{ dbt.type_string() }}), '{{ null_partition() }}') in (
        select distinct coalesce(cast({{ key }} as {{ dbt.type_string() }}), '{{ null_partition() }}')
        from {{ source }}
    );
    {%- endif %}
    insert into {{ target }} ({{ columns }})
    select {{ columns }} from {{ source }};
    {{ record_changed_partitions(source, key) }}
{% endmacro %}

{% macro incremental_changes_relation() %}
    {{ return(build_state_relation('_incremental_changes')) }}
{% endmacro %}

{% macro build_state_relation(identifier) %}
    {#- A table of the build's own state in the target schema. Spark has no database above the
        schema (target.database is undefined there). -#}
    {%- set database = target.database if target.database is defined else none -%}
    {{ return(api.Relation.create(database=database, schema=target.schema, identifier=identifier)) }}
{% endmacro %}

{% macro record_changed_partitions(source, key) %}
    {#- Inside the strategy on an incremental night: the partitions replaced tonight, for the
        models built on this one (changed_partitions). -#}
    {%- if incremental_watermark() is not none %}
    insert into {{ incremental_changes_relation() }}
    select distinct
        '{{ this.identifier }}',
        ({{ landed_through() }}),
        {{ null_safe_key(key) }}
    from {{ source }};
    {%- endif %}
{% endmacro %}

{% macro record_full_build_partitions() %}
    {#- Post-hook (before the watermark's): after a full build (first build, a re-run night,
        --full-refresh) every partition changed; the model's older rows are forgotten. -#}
    {%- if incremental_watermark() is none %}
    delete from {{ incremental_changes_relation() }} where model_name = '{{ this.identifier }}';
    insert into {{ incremental_changes_relation() }}
    select distinct
        '{{ this.identifier }}',
        ({{ landed_through() }}),
        {{ null_safe_key(config.get('unique_key')) }}
    from {{ this }};
    {%- else %}
    select 1
    {%- endif %}
{% endmacro %}

{% macro changed_partitions(upstream) -%}
    {#- A subquery: the (null-safe) partition keys the incremental model `upstream` replaced after
        this model's watermark, i.e. every partition of it that may differ from what this model
        last read. Only on an incremental night of this model. -#}
    select partition_key from {{ incremental_changes_relation() }}
    where model_name = '{{ upstream.identifier }}' and processed_through > {{ incremental_watermark() }}
{%- endmacro %}

{% macro landed_through() -%}
    {#- The newest landed extract visible tonight: what a model built tonight has processed. -#}
    select max(extract_date)
    from {{ source('landing', 'landing_log') }}
    where status = 'landed' and {{ visible_as_of('extract_date') }}
{%- endmacro %}

{% macro null_partition() -%}
    {#- Stands for a NULL partition key in key comparisons (no real key looks like it). -#}
    {{- return('<null partition>') -}}
{%- endmacro %}

{% macro null_safe_key(expression) -%}
    coalesce(cast({{ expression }} as {{ dbt.type_string() }}), '{{ null_partition() }}')
{%- endmacro %}

{% macro incremental_state_relation() %}
    {{ return(build_state_relation('_incremental_state')) }}
{% endmacro %}

{% macro incremental_watermark() %}
    {#- The newest extract date this model has processed (a date literal), or none when the model
        builds in full tonight (not incremental, or no watermark recorded). -#}
    {#- A dbt unit test has no `this` to read a watermark from: it builds in full. -#}
    {%- if not execute or this is none or not is_incremental() -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set state = incremental_state_relation() -%}
    {%- if load_relation(state) is none -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set result = run_query(
        "select cast(processed_through as " ~ dbt.type_string() ~ ") from " ~ state
        ~ " where model_name = '" ~ this.identifier ~ "' order by recorded_at desc limit 1") -%}
    {%- set value = result.columns[0].values()[0] if result and result.rows | length > 0 else none -%}
    {%- if value is none -%}
        {{ return(none) }}
    {%- endif -%}
    {#- Only a later night builds on the stored rows: re-running tonight's or an earlier night
        (rows past it must vanish, a re-landed file may have changed) rebuilds in full. -#}
    {%- set night = as_of_date() -%}
    {%- if not night -%}
        {%- set landed = run_query("select cast(max(extract_date) as " ~ dbt.type_string() ~ ") from "
            ~ source('landing', 'landing_log') ~ " where status = 'landed'") -%}
        {%- set night = landed.columns[0].values()[0] -%}
    {%- endif -%}
    {%- if not night or night | string <= value | string -%}
        {{ return(none) }}
    {%- endif -%}
    {{ return("cast('" ~ value ~ "' as " ~ api.Column.translate_type('date') ~ ")") }}
{% endmacro %}

{% macro is_incremental_night() %}
    {#- True when tonight's build of this model reads only what the watermark says is new. -#}
    {{ return(incremental_watermark() is not none) }}
{% endmacro %}

{% macro when_incremental(condition) -%}
    {#- `condition` on an incremental night, else true (every row on a full build). -#}
    {%- if is_incremental_night() -%}{{ condition }}{%- else -%}1 = 1{%- endif -%}
{%- endmacro %}

{% macro is_new_extract(extract_date_column) -%}
    {#- True for rows of extracts this model has not processed yet (every row on a full build). -#}
    {%- set watermark = incremental_watermark() -%}
    {%- if watermark is none -%}
        1 = 1
    {%- else -%}
        {{ extract_date_column }} > {{ watermark }}
    {%- endif -%}
{%- endmacro %}

{% macro record_incremental_watermark() %}
    {#- Post-hook: this model has processed every landed extract visible tonight. Append-only (the
        newest row wins), so parallel models never update the same row. -#}
    insert into {{ incremental_state_relation() }}
    select
        '{{ this.identifier }}',
        ({{ landed_through() }}),
        {{ dbt.current_timestamp() }};
{% endmacro %}

{% macro create_incremental_state() %}
    {#- on-run-start: the watermark table and the replaced partitions (created once, before
        models run in parallel). One statement per call: Spark runs one per query. -#}
    {%- if execute -%}
        {% do run_query('create table if not exists ' ~ incremental_state_relation() ~ ' (model_name '
            ~ dbt.type_string() ~ ', processed_through date, recorded_at ' ~ dbt.type_timestamp() ~ ')') %}
        {% do run_query('create table if not exists ' ~ incremental_changes_relation() ~ ' (model_name '
            ~ dbt.type_string() ~ ', processed_through date, partition_key ' ~ dbt.type_string() ~ ')') %}
    {%- endif -%}
{% endmacro %}

{% macro refresh_latest_extract_flags() %}
    {#- Post-hook of an incremental base model: `_is_in_latest_extract` of the rows an earlier night
        typed follows tonight's newest extract of the object, as a full build computes it (a
        no-op after a full build). -#}
    update {{ this }}
    set _is_in_latest_extract = coalesce(_extract_date = latest.extract_date, false)
    from (
        select max(extract_date) as extract_date
        from {{ source('landing', 'landing_log') }}
        where
            system || '.' || object = (select max(_object) from {{ this }})
            and status = 'landed' and {{ visible_as_of('extract_date') }}
    ) as latest
    where _is_in_latest_extract <> coalesce(_extract_date = latest.extract_date, false)
{% endmacro %}
