{{ staged_rows('referral', 'partner', ref('base_referral__partners')) }}
