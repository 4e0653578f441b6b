{{ staged_rows('referral', 'click', ref('base_referral__clicks')) }}
