{{ base_raw_object('hubspot', 'contact') }}
