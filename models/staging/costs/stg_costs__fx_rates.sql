{{ staged_rows('costs', 'fx_rate', ref('base_costs__fx_rates')) }}
