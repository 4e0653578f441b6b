{{ base_raw_object('referral', 'partner') }}
