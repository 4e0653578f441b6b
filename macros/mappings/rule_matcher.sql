{#- The one rule matcher of the mapping seeds: seeds/mappings/channel_rules.csv (touch -> channel)
    and seeds/costs/cost_allocation_rules.csv (cost line -> source group). The first rule (lowest
    rule_order) whose every cell matches wins. One cell grammar for both (docs/decisions.md,
    "One rule grammar"):
      empty or blank  matches anything (a wildcard);
      (none)          matches a missing attribute;
      (any)           matches any present attribute;
      anything else   matches the attribute's value; an attribute in `subdomain_attributes` also
                      matches its sub-domains (a cell `google.com` matches `news.google.com`); an
                      attribute in `word_attributes` (free text, as folded_words()) matches when
                      the cell's words occur in it as whole words (`ad` matches "an ad", not "read").
    Cells and attributes are compared as rule_text(): trimmed, lower-cased, empty = missing, so
    `(NONE)`, ` Salary ` and `salary` mean what they look like. -#}

{% macro rule_text(expr) -%}
    {#- A rule cell or an attribute as the matcher compares it. -#}
    nullif(lower(trim({{ expr }})), '')
{%- endmacro %}

{% macro folded_words(expr) -%}
    {#- Free text as whole-word rules compare it: lower-cased, accents removed (é -> e, å -> a),
        every run of characters that are not letters or digits one space, trimmed; empty = NULL. -#}
    {{ return(adapter.dispatch('folded_words', 'closecredit')(expr)) }}
{%- endmacro %}

{% macro default__folded_words(expr) -%}
    nullif(trim(regexp_replace(lower(translate({{ expr }}, 'ÁÀÂÄÃÅÉÈÊËÍÌÎÏÓÒÔÖÕÚÙÛÜÝÇÑáàâäãåéèêëíìîïóòôöõúùûüýÿçñ',
        'AAAAAAEEEEIIIIOOOOOUUUUYCNaaaaaaeeeeiiiiooooouuuuyycn')), '[^\\p{L}\\p{N}]+', ' ')), '')
{%- endmacro %}

{% macro duckdb__folded_words(expr) -%}
    nullif(trim(regexp_replace(lower(strip_accents({{ expr }})), '[^\p{L}\p{N}]+', ' ', 'g')), '')
{%- endmacro %}

{% macro rule_cell_matches(cell, attribute, match_subdomains=false, match_words=false) -%}
    (
        {{ rule_text(cell) }} is null
        or ({{ rule_text(cell) }} = '(none)' and {{ attribute }} is null)
        or ({{ rule_text(cell) }} = '(any)' and {{ attribute }} is not null)
        {%- if match_words %}
        or {{ dbt.concat(["' '", attribute, "' '"]) }} like {{ dbt.concat(["'% '", folded_words(cell), "' %'"]) }}
        {%- else %}
        or {{ rule_text(cell) }} = {{ attribute }}
        {%- endif %}
        {%- if match_subdomains %}
        or {{ attribute }} like {{ dbt.concat(["'%.'", rule_text(cell)]) }}
        {%- endif %}
    )
{%- endmacro %}

{% macro rule_match_key(attributes) %}
    {#- One text key per distinct combination of the attributes rules match on (NULL kept apart
        from any value), so rules are matched once per combination and joined back. -#}
    {%- set parts = [] -%}
    {%- for attribute in attributes -%}
        {%- do parts.append("coalesce(" ~ attribute ~ ", '~')") -%}
        {%- if not loop.last %}{% do parts.append("'|'") %}{% endif -%}
    {%- endfor -%}
    {{ dbt.concat(parts) }}
{% endmacro %}

{% macro check_rule_columns(seed_name, attributes, outputs) %}
    {#- Every column of the rule seed (as its YAML lists them) is matched, an output, rule_order
        or note: a cell the matcher never compared would be ignored silently. -#}
    {%- if execute -%}
        {#- (unit tests compile without the graph: nothing to check there) -#}
        {%- for node in (graph.get('nodes') or {}).values() if node.resource_type == 'seed' and node.name == seed_name -%}
            {%- for column in node.columns -%}
                {%- if column not in attributes + outputs + ['rule_order', 'note'] -%}
                    {{ exceptions.raise_compiler_error('seed ' ~ seed_name ~ ': column ' ~ column
                        ~ ' is neither matched (' ~ attributes | join(', ') ~ ') nor an output') }}
                {%- endif -%}
            {%- endfor -%}
        {%- endfor -%}
    {%- endif -%}
{% endmacro %}

{% macro first_matching_rules(rules, combinations, key_column, attributes, outputs, subdomain_attributes=[],
    word_attributes=[]) %}
    {#- A query: for each row of `combinations` (a CTE with `key_column` and every attribute,
        already as rule_text(), or folded_words() for `word_attributes`), the output columns (as rule_text()) and rule_order of the first
        rule of `rules` (a seed name) that matches. Rows no rule matches are absent. -#}
    {{- check_rule_columns(rules, attributes, outputs) -}}
    select
        {{ key_column }},
        {%- for output in outputs %}
        {{ output }},
        {%- endfor %}
        rule_order
    from (
        select
            combinations.{{ key_column }},
            {%- for output in outputs %}
            {{ rule_text('rules.' ~ output) }} as {{ output }},
            {%- endfor %}
            rules.rule_order,
            row_number() over (
                partition by combinations.{{ key_column }}
                order by rules.rule_order{% for output in outputs %}, rules.{{ output }}{% endfor %}
            ) as match_number
        from {{ combinations }} as combinations
        inner join {{ ref(rules) }} as rules
            on
            {%- for attribute in attributes %}
                {% if not loop.first %}and {% endif %}{{ rule_cell_matches('rules.' ~ attribute, 'combinations.' ~ attribute,
                    match_subdomains=(attribute in subdomain_attributes), match_words=(attribute in word_attributes)) }}
            {%- endfor %}
    ) as ranked_matches
    where match_number = 1
{% endmacro %}

{% macro rule_matching_ctes(rows, relation, key_column, rules, attributes, outputs, subdomain_attributes=[],
    word_attributes=[]) %}
    {#- Three CTEs: `rows` (every row of `relation` with `key_column`, the key of its attribute
        combination), `combinations` (each distinct combination once) and `best_matches` (the
        first matching rule of each combination); join `best_matches` back on `key_column`. -#}
{{ rows }} as (
    select
        *,
        {{ rule_match_key(attributes) }} as {{ key_column }}
    from {{ relation }}
),

combinations as (
    select distinct
        {{ key_column }},
        {{ attributes | join(', ') }}
    from {{ rows }}
),

best_matches as (
    {{ first_matching_rules(rules, 'combinations', key_column, attributes, outputs, subdomain_attributes,
        word_attributes) | indent(4) }}
)
{%- endmacro %}
