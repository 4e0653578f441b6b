{% test in_source_groups(model, column_name, touch_groups_only=false) %}
    {#- Every value is a group of seeds/mappings/source_groups.csv (a touch group where only those
        may stand). Fails with each other value and its rows. -#}
    select
        {{ column_name }} as source_group,
        count(*) as row_count
    from {{ model }}
    where
        {{ column_name }} is not null
        and lower(trim({{ column_name }})) not in (
            select source_group from {{ ref('source_groups') }}
            {%- if touch_groups_only %} where is_touch_group{% endif %}
        )
    group by {{ column_name }}
{% endtest %}
