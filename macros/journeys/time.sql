{#- Time rules of docs/models.md ("Time"): timestamps are stored as UTC `timestamp`; every
    date the marts use is taken in var('reporting_timezone'). Engine specifics are dispatched. -#}

{% macro reporting_timezone() %}
    {{- return(var('reporting_timezone', 'UTC')) -}}
{% endmacro %}

{% macro to_reporting_date(utc_timestamp) %}
    {#- The date, in the reporting time zone, of a UTC timestamp. -#}
    {%- if reporting_timezone() | upper == 'UTC' -%}
        cast({{ utc_timestamp }} as date)
    {%- else -%}
        cast({{ adapter.dispatch('utc_to_local', 'closecredit')(utc_timestamp, reporting_timezone()) }} as date)
    {%- endif -%}
{% endmacro %}

{% macro reporting_midnight_utc(date_expr) %}
    {#- 00:00 of a date in the reporting time zone, as a UTC timestamp. -#}
    {%- set midnight = 'cast(' ~ date_expr ~ ' as ' ~ dbt.type_timestamp() ~ ')' -%}
    {%- if reporting_timezone() | upper == 'UTC' -%}
        {{ midnight }}
    {%- else -%}
        {{ adapter.dispatch('local_to_utc', 'closecredit')(midnight, reporting_timezone()) }}
    {%- endif -%}
{% endmacro %}

{% macro default__utc_to_local(utc_timestamp, tz) -%}
    timezone('{{ tz }}', timezone('UTC', {{ utc_timestamp }}))
{%- endmacro %}

{% macro spark__utc_to_local(utc_timestamp, tz) -%}
    from_utc_timestamp({{ utc_timestamp }}, '{{ tz }}')
{%- endmacro %}

{% macro default__local_to_utc(local_timestamp, tz) -%}
    timezone('UTC', timezone('{{ tz }}', {{ local_timestamp }}))
{%- endmacro %}

{% macro spark__local_to_utc(local_timestamp, tz) -%}
    to_utc_timestamp({{ local_timestamp }}, '{{ tz }}')
{%- endmacro %}

{% macro date_or_same_day_timestamp(date_expr, timestamp_expr) %}
    {#- A date-only CRM value as a touch time: 00:00 of the date in the reporting time zone, or the
        row's own timestamp when that falls on the same (reporting) day. A missing date falls back
        to the timestamp. -#}
    case
        when {{ date_expr }} is null then {{ timestamp_expr }}
        when {{ timestamp_expr }} is not null
            and {{ to_reporting_date(timestamp_expr) }} = {{ date_expr }} then {{ timestamp_expr }}
        else {{ reporting_midnight_utc(date_expr) }}
    end
{% endmacro %}

{% macro journey_as_of_date() %}
    {#- "Today" for the journey rules: var('as_of_date'), else the latest extract date landed for
        opportunities (never the wall clock, so a rebuild of past data gives the same answer). -#}
    {%- if as_of_date() -%}
        {{ dbt.safe_cast("'" ~ as_of_date() ~ "'", api.Column.translate_type('date')) }}
    {%- else -%}
        (select max(_extract_date) from {{ crm_staged('opportunities') }})
    {%- endif -%}
{% endmacro %}

{% macro sql_string_list(values) %}
    {#- A Jinja list (or a single string) as a SQL list of string literals, lower-cased. -#}
    {%- if values is string -%}{%- set values = [values] -%}{%- endif -%}
    {%- for value in values -%}
        '{{ value | lower | replace("'", "''") }}'{% if not loop.last %}, {% endif %}
    {%- endfor -%}
{% endmacro %}
