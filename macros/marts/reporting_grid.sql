{#- The reporting grid the credit and cost marts share: every period x source group x listed
    attribution model has a row (0 where nothing happened), and each row is compared with the
    legacy_handoff row of its period and group (the credit shift). -#}

{% macro source_group_rows(touch_groups_only, also_in=[]) %}
    {#- A relation of the groups of seeds/mappings/source_groups.csv (touch groups only, or all),
        plus any other group the relations in `also_in` carry, so no row is dropped. -#}
    (
        select source_group from {{ ref('source_groups') }}
        {%- if touch_groups_only %} where is_touch_group{% endif %}
        {%- for relation in also_in %}
        union
        select source_group from {{ relation }}
        {%- endfor %}
    )
{% endmacro %}

{% macro reporting_grid(periods, source_groups) %}
    {#- periods (period_type, period_start) x source_groups (source_group) x attribution_models(). -#}
    select
        periods.period_type,
        periods.period_start,
        source_groups.source_group,
        models.attribution_model
    from {{ periods }} as periods
    cross join {{ source_groups }} as source_groups
    cross join {{ attribution_model_rows() }} as models
{% endmacro %}

{% macro grid_cell_columns(relation) -%}
    {#- The grid's key columns of `relation`: period_type, period_start, source_group, attribution_model. -#}
    {{ relation }}.period_type,
        {{ relation }}.period_start,
        {{ relation }}.source_group,
        {{ relation }}.attribution_model
{%- endmacro %}

{% macro join_grid_cell(left, right, with_model=true) -%}
    {#- The join condition of two grid relations on period, group (and model). -#}
    {{ left }}.period_type = {{ right }}.period_type
        and {{ left }}.period_start = {{ right }}.period_start
        and {{ left }}.source_group = {{ right }}.source_group
        {%- if with_model %}
        and {{ left }}.attribution_model = {{ right }}.attribution_model
        {%- endif %}
{%- endmacro %}

{% macro join_legacy_baseline(filled) -%}
    {#- Joins each grid row to the legacy_handoff row of its period and group, as `legacy`. -#}
    inner join {{ filled }} as legacy
        on
            {{ join_grid_cell(filled, 'legacy', with_model=false) }}
            and legacy.attribution_model = 'legacy_handoff'
{%- endmacro %}
