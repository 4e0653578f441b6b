{{ base_raw_object('crm', 'campaign') }}
