{#- Matching of seeds/mappings/channel_rules.csv. A rule cell is
      empty      matches anything (a wildcard);
      (none)     matches a missing value;
      (any)      matches any present value;
      else       matches the value case-insensitively (referrer_host also matches sub-domains:
                 a rule `google.com` matches `news.google.com`).
    The touch attributes are normalised (trimmed, lower-cased, empty = NULL) before matching. -#}

{% macro channel_rule_matches(rule_column, attribute, match_subdomains=false) -%}
    (
        {{ rule_column }} is null
        or ({{ rule_column }} = '(none)' and {{ attribute }} is null)
        or ({{ rule_column }} = '(any)' and {{ attribute }} is not null)
        or lower(trim({{ rule_column }})) = {{ attribute }}
        {%- if match_subdomains %}
        or {{ attribute }} like {{ dbt.concat(["'%.'", 'lower(trim(' ~ rule_column ~ '))']) }}
        {%- endif %}
    )
{%- endmacro %}

{% macro channel_rule_attributes() %}
    {#- The touch attributes a channel rule can match, in seed column order. -#}
    {{ return(['touch_kind', 'partner_type', 'utm_source', 'utm_medium', 'referrer_host',
               'lead_source', 'campaign_type', 'activity_type', 'owner_group']) }}
{% endmacro %}

{% macro normalized_text(expr) -%}
    nullif(lower(trim({{ expr }})), '')
{%- endmacro %}

{% macro channel_rule_best_matches(combinations, key_column) %}
    {#- A query: for each row of `combinations` (a CTE or relation with `key_column` and every
        attribute of channel_rule_attributes()), the first matching rule's channel and rule_order.
        Rows no rule matches are absent. -#}
    select
        {{ key_column }},
        channel,
        rule_order
    from (
        select
            combinations.{{ key_column }},
            rules.channel,
            rules.rule_order,
            row_number() over (
                partition by combinations.{{ key_column }} order by rules.rule_order, rules.channel
            ) as match_number
        from {{ combinations }} as combinations
        inner join {{ ref('channel_rules') }} as rules
            on
            {%- for attribute in channel_rule_attributes() %}
                {% if not loop.first %}and {% endif %}{{ channel_rule_matches('rules.' ~ attribute, 'combinations.' ~ attribute,
                    match_subdomains=(attribute == 'referrer_host')) }}
            {%- endfor %}
    ) as ranked_matches
    where match_number = 1
{% endmacro %}
