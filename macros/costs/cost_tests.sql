{#- Data tests of the cost marts (generic tests may live in macro-paths). -#}

{% test costs_reconcile_with_staging(model, cost_column='cost', lines_column='cost_lines',
        unconverted_column='unconverted_cost_lines', by='attribution_model', relative_tolerance=1e-9) %}
    {#- Totals reconcile (issue 5): per period (month and fiscal quarter) and per `by` value (each
        model), the mart's cost equals the staged cost lines converted to the reporting currency,
        recomputed here from staging and the FX rates (allocated + unallocated: every group), and
        the mart counts every staged line, the unconverted ones apart. Fails with each period whose
        totals differ. -#}
    with

    staged as (
        select date as cost_date, spend as amount, currency_iso_code
        from {{ ref('stg_costs__marketing_spend') }}
        union all
        select month as cost_date, amount, currency_iso_code
        from {{ ref('stg_costs__sales_costs') }}
        union all
        select month as cost_date, amount, currency_iso_code
        from {{ ref('stg_costs__program_costs') }}
        union all
        select {{ payout_cost_date('earned_at', '_extract_date') }} as cost_date, amount, currency_iso_code
        from {{ ref('stg_referral__payouts') }}
    ),

    converted as (
        select
            staged.cost_date,
            staged.amount * rates.to_reporting_factor as amount_reporting,
            case when rates.to_reporting_factor is null then 1 else 0 end as is_unconverted
        from staged
        left join {{ ref('int_fx_reporting_rates') }} as rates
            on
                {{ month_start('staged.cost_date') }} = rates.month
                and staged.currency_iso_code = rates.currency_iso_code
    ),

    expected_by_period as (
        select
            period_types.period_type,
            {{ period_start_of('period_types.period_type', 'converted.cost_date') }} as period_start,
            coalesce(sum(converted.amount_reporting), 0.0) as expected_cost,
            count(*) as expected_lines,
            sum(converted.is_unconverted) as expected_unconverted
        from converted
        cross join {{ period_types() }} as period_types
        group by 1, 2
    ),

    actual as (
        select
            {{ by }} as reconciled_by,
            period_type,
            period_start,
            sum({{ cost_column }}) as actual_cost,
            sum({{ lines_column }}) as actual_lines,
            sum({{ unconverted_column }}) as actual_unconverted
        from {{ model }}
        group by 1, 2, 3
    ),

    expected as (
        select
            values_by.reconciled_by,
            expected_by_period.*
        from expected_by_period
        cross join (select distinct {{ by }} as reconciled_by from {{ model }}) as values_by
    ),

    compared as (
        select
            coalesce(actual.reconciled_by, expected.reconciled_by) as reconciled_by,
            coalesce(actual.period_type, expected.period_type) as period_type,
            coalesce(actual.period_start, expected.period_start) as period_start,
            coalesce(actual.actual_cost, 0.0) as actual_cost,
            coalesce(expected.expected_cost, 0.0) as expected_cost,
            coalesce(actual.actual_lines, 0) as actual_lines,
            coalesce(expected.expected_lines, 0) as expected_lines,
            coalesce(actual.actual_unconverted, 0) as actual_unconverted,
            coalesce(expected.expected_unconverted, 0) as expected_unconverted
        from actual
        full outer join expected
            on
                actual.reconciled_by = expected.reconciled_by
                and actual.period_type = expected.period_type
                and actual.period_start = expected.period_start
    )

    select *
    from compared
    where
        abs(actual_cost - expected_cost) > {{ relative_tolerance }} * (case when abs(expected_cost) > 1.0 then abs(expected_cost) else 1.0 end)
        or actual_lines <> expected_lines
        or actual_unconverted <> expected_unconverted
{% endtest %}

{% test costs_unique_combination(model, columns) %}
    {#- No two rows share the values of `columns` (the model's grain). -#}
    select
        {{ columns | join(', ') }},
        count(*) as row_count
    from {{ model }}
    group by {{ columns | join(', ') }}
    having count(*) > 1
{% endtest %}
