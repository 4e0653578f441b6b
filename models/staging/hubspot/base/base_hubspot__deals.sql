{{ base_raw_object('hubspot', 'deal') }}
