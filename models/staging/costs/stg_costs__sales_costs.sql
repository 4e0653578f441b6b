{{ staged_rows('costs', 'sales_cost', ref('base_costs__sales_costs')) }}
