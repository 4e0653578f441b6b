{{ base_raw_object('referral', 'payout') }}
