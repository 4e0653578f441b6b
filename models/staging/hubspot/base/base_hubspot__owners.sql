{{ base_raw_object('hubspot', 'owner') }}
