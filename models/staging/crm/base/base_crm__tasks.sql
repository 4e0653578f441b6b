{{ base_raw_object('crm', 'task') }}
