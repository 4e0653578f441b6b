{{ base_raw_object('referral', 'click') }}
