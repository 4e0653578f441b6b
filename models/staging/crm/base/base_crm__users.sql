{{ base_raw_object('crm', 'user') }}
