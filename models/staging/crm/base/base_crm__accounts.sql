{{ base_raw_object('crm', 'account') }}
