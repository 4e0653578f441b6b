{{ base_raw_object('hubspot', 'engagement_call') }}
