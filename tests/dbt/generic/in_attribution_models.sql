{% test in_attribution_models(model, column_name) %}
    {#- The column holds exactly the models of var('attribution_models'): no other value, and (when
        the table has rows) every listed model. Fails with each stray or missing model. -#}
    with present as (
        select distinct {{ column_name }} as attribution_model from {{ model }}
    ),

    listed as (
        select attribution_model from {{ attribution_model_rows() }} as models
    )

    select
        present.attribution_model,
        'not in var attribution_models' as problem
    from present
    where present.attribution_model not in (select listed.attribution_model from listed)
    union all
    select
        listed.attribution_model,
        'listed but absent' as problem
    from listed
    where
        exists (select 1 from present)
        and listed.attribution_model not in (select present.attribution_model from present where present.attribution_model is not null)
{% endtest %}
