{#- Central intervals over the bootstrap replicates (docs/costs-and-signals.md, "Uncertainty
    intervals"). With B replicates of a cell sorted ascending, the bounds of the
    var('interval_level') interval are the replicates of rank low = max(1, ceil(B (1 - level) / 2))
    and high = B + 1 - low (nearest rank: no interpolation, so a bound is always a replicate's
    value). A NULL measure is an infinite one (a cost per close of a replicate without a credited
    close): it sorts last, so a bound landing on it is NULL, unbounded, never a number. -#}

{% macro replicate_numbers() %}
    {#- The replicates tonight's bootstrap drew (none before the engine first runs: NULL bounds). -#}
    (select distinct replicate from {{ ref('int_credit_replicates') }})
{% endmacro %}

{% macro interval_bounds(draws, keys, measures) %}
    {#- `draws`: one row per key x replicate; one row per key with <measure>_low, <measure>_high. -#}
    {%- set level = var('interval_level') | float %}
    {%- if not (0 < level < 1) %}
        {{ exceptions.raise_compiler_error("var('interval_level') must be between 0 and 1, got " ~ level) }}
    {%- endif %}
    select
        {{ keys | join(',\n        ') }},
        {%- for measure in measures %}
        max(case when {{ measure }}_rank = {{ measure }}_low_rank then {{ measure }} end) as {{ measure }}_low,
        max(case when {{ measure }}_rank = draws_count + 1 - {{ measure }}_low_rank then {{ measure }} end)
            as {{ measure }}_high{{ ',' if not loop.last }}
        {%- endfor %}
    from (
        select
            {{ keys | join(',\n            ') }},
            count(*) over (partition by {{ keys | join(', ') }}) as draws_count,
            {%- for measure in measures %}
            {{ measure }},
            row_number() over (
                partition by {{ keys | join(', ') }}
                order by case when {{ measure }} is null then 1 else 0 end, {{ measure }}
            ) as {{ measure }}_rank,
            greatest(1, cast(ceil(round(count(*) over (partition by {{ keys | join(', ') }})
                * {{ (1 - level) / 2 }}, 6)) as {{ dbt.type_int() }})) as {{ measure }}_low_rank
            {{- ',' if not loop.last }}
            {%- endfor %}
        from {{ draws }}
    ) as ranked
    group by
        {{ keys | join(',\n        ') }}
{% endmacro %}
