{% test expression_is_true(model, expression) %}
    {#- Fails with every row for which the expression is not true. -#}
    select * from {{ model }}
    where not ({{ expression }})
{% endtest %}
