{{ staged_rows('referral', 'payout', ref('base_referral__payouts')) }}
