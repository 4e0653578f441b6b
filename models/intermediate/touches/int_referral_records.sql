-- Referral records (a partner submitted the person) as touches at referred_at, stitched on the
-- email (lower-cased, trimmed). The partner is the record's partner_id, else its referral code's.
with

referrals as (
    select * from {{ ref('stg_referral__referrals') }}
    where referred_at is not null
),

partners as (
    select
        partner_id,
        {{ normalized_text('partner_type') }} as partner_type
    from {{ ref('stg_referral__partners') }}
),

codes as (
    select * from {{ ref('int_partner_referral_codes') }}
)

select
    {{ dbt.concat(["'referral:'", 'referrals.referral_id']) }} as touch_id,
    'referral_record' as touch_kind,
    referrals.referral_id as source_record_id,
    referrals.referred_at as touched_at,
    {{ normalized_text('referrals.email') }} as email,
    lower(nullif(trim(referrals.referral_code), '')) as referral_code,
    coalesce(partners.partner_id, codes.partner_id) as partner_id,
    coalesce(partners.partner_type, codes.partner_type, 'unknown') as partner_type,
    referrals.status as referral_status
from referrals
left join partners
    on referrals.partner_id = partners.partner_id
left join codes
    on lower(trim(referrals.referral_code)) = codes.referral_code
