{{ base_raw_object('crm', 'event') }}
