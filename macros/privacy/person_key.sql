{#- Person keys: HMAC-SHA256 of a person's identity (normalised email, or a CRM id) with a secret,
    so a key cannot be reversed by hashing guessed emails (docs/decisions.md, "Privacy").

    The SQL holds no key material: it calls a function the engine's session registers from Python
    with the secret (DuckDB: the dbt-duckdb plugin orchestration/core/privacy_plugin.py, loaded by
    profiles.yml; Spark: a Python UDF of the same name, planned). NULL in, NULL out. A session
    without the function fails with "closecredit_person_key does not exist", never an unkeyed hash.
    The name is orchestration.core.privacy.SQL_FUNCTION. -#}

{% macro person_key(expr) %}
    {{- return(adapter.dispatch('person_key', 'closecredit')(expr)) -}}
{% endmacro %}

{% macro duckdb__person_key(expr) -%}
    closecredit_person_key(cast({{ expr }} as varchar))
{%- endmacro %}

{% macro spark__person_key(expr) -%}
    closecredit_person_key(cast({{ expr }} as string))
{%- endmacro %}

{% macro default__person_key(expr) -%}
    {{ exceptions.raise_compiler_error(
        'person_key() needs the closecredit_person_key function, registered by the session from '
        ~ 'Python: there is one for duckdb (a dbt-duckdb plugin) and one planned for spark, none for '
        ~ adapter.type()) }}
{%- endmacro %}
