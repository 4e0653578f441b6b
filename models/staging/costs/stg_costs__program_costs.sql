{{ staged_rows('costs', 'program_cost', ref('base_costs__program_costs')) }}
