{% macro identity_in_force(identities, anonymous_id, at) -%}
    {#- Join condition: the row of int_identity_anonymous_emails (alias `identities`) in force for
        an anonymous id at a time (valid_from <= at < valid_to; open ends are NULL). -#}
    {{ identities }}.anonymous_id = {{ anonymous_id }}
    and ({{ identities }}.valid_from is null or {{ identities }}.valid_from <= {{ at }})
    and ({{ identities }}.valid_to is null or {{ at }} < {{ identities }}.valid_to)
{%- endmacro %}
