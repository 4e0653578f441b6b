{#- Channel rules (seeds/mappings/channel_rules.csv), matched by the one rule matcher
    (macros/mappings/rule_matcher.sql, where the cell grammar is). -#}

{% macro channel_rule_attributes() %}
    {#- The touch attributes a channel rule can match, in seed column order. -#}
    {{ return(['touch_kind', 'partner_type', 'utm_source', 'utm_medium', 'utm_campaign', 'referrer_host',
               'lead_source', 'campaign_type', 'activity_type', 'owner_group']) }}
{% endmacro %}

{% macro normalized_text(expr) -%}
    {{ rule_text(expr) }}
{%- endmacro %}

{% macro channel_rule_best_matches(combinations, key_column) %}
    {#- For each row of `combinations` (`key_column` and every channel_rule_attributes()), the
        first matching rule's channel and rule_order; referrer_host also matches sub-domains. -#}
    {{ first_matching_rules('channel_rules', combinations, key_column, channel_rule_attributes(), ['channel'],
        subdomain_attributes=['referrer_host']) }}
{% endmacro %}

{% macro channel_rule_ctes(rows, relation, key_column) %}
    {#- rule_matching_ctes() for the channel rules: `rows`, `combinations`, `best_matches`. -#}
    {{- rule_matching_ctes(rows, relation, key_column, 'channel_rules', channel_rule_attributes(), ['channel'],
        subdomain_attributes=['referrer_host']) -}}
{% endmacro %}
