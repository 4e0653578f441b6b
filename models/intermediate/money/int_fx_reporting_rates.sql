-- Per month and currency, the factor that turns an amount into var('reporting_currency')
-- (docs/costs-and-signals.md, "Money"): rate_to_usd(currency) / rate_to_usd(reporting currency), with
-- the rates of that month. A currency-month with no rate has no row: amounts stay unconverted.
with

rates as (
    select
        month,
        currency_iso_code,
        rate_to_usd
    from {{ ref('stg_costs__fx_rates') }}
    where currency_iso_code <> 'USD'
    union all
    -- Rates are US dollars per unit: the dollar is 1 every month, whether the file says so or not.
    select distinct
        month,
        'USD' as currency_iso_code,
        1.0 as rate_to_usd
    from {{ ref('stg_costs__fx_rates') }}
)

select
    rates.month,
    rates.currency_iso_code,
    rates.rate_to_usd / reporting.rate_to_usd as to_reporting_factor
from rates
inner join rates as reporting
    on
        rates.month = reporting.month
        and reporting.currency_iso_code = '{{ var("reporting_currency") }}'
where reporting.rate_to_usd > 0
