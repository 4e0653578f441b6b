{% macro custom_weights_row() %}
    {#- The custom model's stage weights (seeds/attribution/attribution_custom_weights.csv) as one
        row, custom_<stage>_weight per stage, for every model that weights by stage. -#}
    (
        select
            {%- for stage in ['ft', 'lc', 'oc', 'cw', 'middle'] %}
                max(case when stage = '{{ stage }}' then weight end) as custom_{{ stage }}_weight
                {%- if not loop.last %},{% endif %}
            {%- endfor %}
        from {{ ref('attribution_custom_weights') }}
    )
{% endmacro %}
