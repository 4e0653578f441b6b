{% macro dark_funnel_model() %}
    {#- The model the dark funnel (fct_dark_funnel) reports the community share under: the
        recommended model. Resolved here and nowhere else; today it is var('signal_model'), the
        model the investment signals read (docs/costs-and-signals.md). -#}
    {%- set model = var('signal_model') -%}
    {%- if execute and model not in attribution_models() -%}
        {{ exceptions.raise_compiler_error("the dark funnel's model " ~ model ~ " (var('signal_model')) is not in var('attribution_models'): "
            ~ attribution_models() | join(', ')) }}
    {%- endif -%}
    {{ return(model) }}
{% endmacro %}
