{{ base_raw_object('costs', 'sales_cost') }}
