{{ base_raw_object('crm', 'opportunity_contact_role') }}
