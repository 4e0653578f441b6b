{{ base_raw_object('referral', 'referral') }}
