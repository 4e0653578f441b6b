{{ base_raw_object('hubspot', 'company') }}
