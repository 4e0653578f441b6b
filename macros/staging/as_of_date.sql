{% macro as_of_date() %}
    {#- The night being built (an ISO date string), or none for "every landed extract":
        var('as_of_date') when a run passes it, else the CLOSECREDIT_AS_OF_DATE environment
        variable the night sets. The environment is read only when executing: dbt does not record
        it at parse time, so a new night keeps the saved parse (a changed --vars does not). -#}
    {%- if var('as_of_date') -%}
        {{ return(var('as_of_date')) }}
    {%- elif execute -%}
        {{ return(env_var('CLOSECREDIT_AS_OF_DATE', '') or none) }}
    {%- endif -%}
    {{ return(none) }}
{% endmacro %}
