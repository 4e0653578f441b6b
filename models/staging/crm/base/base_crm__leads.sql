{{ base_raw_object('crm', 'lead') }}
