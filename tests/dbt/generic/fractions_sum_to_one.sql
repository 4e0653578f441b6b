{% test fractions_sum_to_one(model, column_name, group_by, tolerance=1e-9) %}
    {#- Fails with every group whose fractions do not add up to 1 within the tolerance. -#}
    select
        {{ group_by | join(', ') }},
        sum({{ column_name }}) as fraction_total
    from {{ model }}
    group by {{ group_by | join(', ') }}
    having abs(sum({{ column_name }}) - 1.0) > {{ tolerance }}
{% endtest %}
