{{ base_raw_object('costs', 'marketing_spend') }}
