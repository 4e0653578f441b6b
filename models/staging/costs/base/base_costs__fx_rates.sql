{{ base_raw_object('costs', 'fx_rate') }}
