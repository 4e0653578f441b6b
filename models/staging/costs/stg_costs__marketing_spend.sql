{{ staged_rows('costs', 'marketing_spend', ref('base_costs__marketing_spend')) }}
