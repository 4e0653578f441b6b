{{ base_raw_object('hubspot', 'deal_contact') }}
