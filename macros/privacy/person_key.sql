{#- Person keys: HMAC-SHA256 of a person's identity (normalised email, or a CRM id) with a secret,
    so a key cannot be reversed by hashing guessed emails (DESIGN.md, "Marts").

    The secret never reaches dbt. orchestration/core/privacy.py derives the two HMAC key blocks
    (key XOR ipad, key XOR opad, 64 bytes each, RFC 2104) and exports them as hex in the
    environment variables below; the SQL computes sha256(opad || sha256(ipad || message)) on bytes.
    Without them a model that computes person keys fails at run time with a message saying how to
    set them (never a silent, unkeyed hash). -#}

{% macro person_key_env_names() %}
    {{ return({'ipad': 'CLOSECREDIT_HMAC_IPAD', 'opad': 'CLOSECREDIT_HMAC_OPAD'}) }}
{% endmacro %}

{% macro person_key(expr) %}
    {#- NULL in, NULL out. -#}
    {%- set names = person_key_env_names() -%}
    {%- set ipad = env_var(names.ipad, '') | trim | lower -%}
    {%- set opad = env_var(names.opad, '') | trim | lower -%}
    {%- if ipad == '' or opad == '' -%}
        {{ adapter.dispatch('raise_sql_error', 'closecredit')(
            names.ipad ~ ' / ' ~ names.opad ~ ' are not set: run dbt through closecredit, or export them with '
            ~ '`eval $(python -m orchestration.core.privacy --export)`') }}
    {%- elif ipad | length != 128 or opad | length != 128 -%}
        {{ exceptions.raise_compiler_error(names.ipad ~ ' and ' ~ names.opad ~ ' must be 64 bytes of hex each') }}
    {%- else -%}
        {{ adapter.dispatch('hmac_sha256_hex', 'closecredit')(expr, ipad, opad) }}
    {%- endif -%}
{% endmacro %}

{% macro default__hmac_sha256_hex(expr, ipad_hex, opad_hex) -%}
    case when {{ expr }} is not null then
        lower(sha256(
            unhex('{{ opad_hex }}')
            || unhex(sha256(unhex('{{ ipad_hex }}') || encode(cast({{ expr }} as varchar))))
        ))
    end
{%- endmacro %}

{% macro spark__hmac_sha256_hex(expr, ipad_hex, opad_hex) -%}
    case when {{ expr }} is not null then
        lower(sha2(
            concat(
                unhex('{{ opad_hex }}'),
                unhex(sha2(concat(unhex('{{ ipad_hex }}'), encode(cast({{ expr }} as string), 'UTF-8')), 256))
            ),
            256
        ))
    end
{%- endmacro %}

{% macro default__raise_sql_error(message) -%}
    cast(error('{{ message | replace("'", "''") }}') as varchar)
{%- endmacro %}

{% macro spark__raise_sql_error(message) -%}
    cast(raise_error('{{ message | replace("'", "''") }}') as string)
{%- endmacro %}
