{{ base_raw_object('hubspot', 'campaign_contact') }}
