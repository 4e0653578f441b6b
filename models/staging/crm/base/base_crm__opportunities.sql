{{ base_raw_object('crm', 'opportunity') }}
