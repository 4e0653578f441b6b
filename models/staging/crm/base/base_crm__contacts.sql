{{ base_raw_object('crm', 'contact') }}
