{#- The attribution model list: var('attribution_models') is the one place it is stated. Every
    mart, test and check reads it through these macros (Python: orchestration.attribution.models). -#}

{% macro known_rule_based_models() %}
    {#- Every rule-based model rule_based_fraction() can compute. -#}
    {{ return(['first_touch', 'last_touch', 'last_non_direct', 'linear', 'time_decay', 'position_based',
               'u_shaped', 'w_shaped', 'full_path', 'custom', 'self_reported']) }}
{% endmacro %}

{% macro known_data_driven_models() %}
    {#- The models the Python engine (orchestration/attribution) computes. -#}
    {{ return(['markov', 'shapley']) }}
{% endmacro %}

{% macro attribution_models() %}
    {#- var('attribution_models'), checked: known names, no repeats, legacy_handoff (the baseline
        of credit_shift) listed. -#}
    {%- set models = var('attribution_models') -%}
    {%- set known = ['legacy_handoff'] + known_rule_based_models() + known_data_driven_models() -%}
    {%- if models is string or models | length == 0 -%}
        {{ exceptions.raise_compiler_error("var('attribution_models') must be a non-empty list of models, got " ~ models) }}
    {%- endif -%}
    {%- for model in models -%}
        {%- if model not in known -%}
            {{ exceptions.raise_compiler_error("var('attribution_models') lists unknown model " ~ model
                ~ "; known: " ~ known | join(', ')) }}
        {%- endif -%}
    {%- endfor -%}
    {%- if models | unique | list | length != models | length -%}
        {{ exceptions.raise_compiler_error("var('attribution_models') lists a model twice: " ~ models | join(', ')) }}
    {%- endif -%}
    {%- if 'legacy_handoff' not in models -%}
        {{ exceptions.raise_compiler_error("var('attribution_models') must list legacy_handoff: credit_shift compares every model with it") }}
    {%- endif -%}
    {{ return(models | list) }}
{% endmacro %}

{% macro rule_based_models() %}
    {#- The listed rule-based models, in the var's order. -#}
    {{ return(attribution_models() | select('in', known_rule_based_models()) | list) }}
{% endmacro %}

{% macro data_driven_models() %}
    {#- The listed data-driven models (the engine computes only these). -#}
    {{ return(attribution_models() | select('in', known_data_driven_models()) | list) }}
{% endmacro %}

{% macro attribution_model_rows(models=none) %}
    {#- A relation of the listed attribution models (or of `models`; no rows for an empty list),
        to cross join with: marts and tests list every model even where a period or deal has no
        credit. -#}
    {%- set models = models if models is not none else attribution_models() %}
    (
        {%- for model_name in models %}
        select '{{ model_name }}' as attribution_model{% if not loop.last %} union all{% endif %}
        {%- else %}
        select cast(null as {{ dbt.type_string() }}) as attribution_model where 1 = 0
        {%- endfor %}
    )
{% endmacro %}
