{{ staged_rows('referral', 'referral', ref('base_referral__referrals')) }}
