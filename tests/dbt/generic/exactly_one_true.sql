{% test exactly_one_true(model, column_name) %}
    {#- Fails when the model has rows and not exactly one of them has the flag set. -#}
    select count(*) as total_rows, sum(case when {{ column_name }} then 1 else 0 end) as flagged_rows
    from {{ model }}
    having count(*) > 0 and sum(case when {{ column_name }} then 1 else 0 end) <> 1
{% endtest %}
