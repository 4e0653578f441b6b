{{ base_raw_object('web', 'event') }}
