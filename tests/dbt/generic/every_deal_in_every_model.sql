{% test every_deal_in_every_model(model, column_name, deals_model) %}
    {#- Every credited deal appears under every model of var('attribution_models') (docs/models.md,
        "Invariants"). Fails with each missing (deal, model). -#}
    with expected as (
        select
            deals.opportunity_id,
            models.attribution_model
        from {{ deals_model }} as deals
        cross join {{ attribution_model_rows() }} as models
    ),

    present as (
        select distinct
            {{ column_name }} as opportunity_id,
            attribution_model
        from {{ model }}
    )

    select expected.*
    from expected
    left join present
        on
            expected.opportunity_id = present.opportunity_id
            and expected.attribution_model = present.attribution_model
    where present.opportunity_id is null
{% endtest %}
