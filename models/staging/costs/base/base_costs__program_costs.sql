{{ base_raw_object('costs', 'program_cost') }}
