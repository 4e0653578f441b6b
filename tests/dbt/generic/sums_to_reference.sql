{% test sums_to_reference(model, column_name, group_by, reference_model, reference_column, key, where=none, relative_tolerance=1e-9) %}
    {#- Per group, the column's sum equals the reference value of the group's key (relative error
        within the tolerance). E.g. credited revenue per deal and model = the deal's amount. -#}
    with totals as (
        select
            {{ group_by | join(', ') }},
            sum({{ column_name }}) as total
        from {{ model }}
        {%- if where %} where {{ where }}{% endif %}
        group by {{ group_by | join(', ') }}
    )
    select
        totals.*,
        reference.{{ reference_column }} as expected
    from totals
    inner join {{ reference_model }} as reference
        on totals.{{ key }} = reference.{{ key }}
    where
        abs(totals.total - reference.{{ reference_column }})
        > {{ relative_tolerance }} * greatest(abs(reference.{{ reference_column }}), 1e-12)
{% endtest %}
