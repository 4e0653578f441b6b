{#- URL helpers. A host is lower-cased with a leading `www.` removed (docs/models.md,
    "Sessions"); no host (empty, not a URL) is NULL. -#}

{% macro url_host(url) %}
    {{- return(adapter.dispatch('url_host', 'closecredit')(url)) -}}
{% endmacro %}

{% macro default__url_host(url) -%}
    nullif(
        regexp_replace(
            lower(regexp_extract(trim({{ url }}), '^[A-Za-z][A-Za-z0-9+.-]*://([^/:?#@]+)', 1)),
            '^www[.]', ''
        ),
        ''
    )
{%- endmacro %}
