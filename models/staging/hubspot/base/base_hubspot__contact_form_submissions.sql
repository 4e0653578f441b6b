{{ base_raw_object('hubspot', 'contact_form_submission') }}
