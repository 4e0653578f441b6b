-- Referral codes to partners: one row per code (lower-cased, trimmed), every staged partner
-- (inactive ones too: an old link still names its partner). A code two partners share goes to
-- the smaller partner_id.
with

partners as (
    select
        partner_id,
        lower(trim(referral_code)) as referral_code,
        {{ normalized_text('partner_type') }} as partner_type,
        row_number() over (partition by lower(trim(referral_code)) order by partner_id) as code_owner_number
    from {{ ref('stg_referral__partners') }}
    where nullif(trim(referral_code), '') is not null
)

select
    referral_code,
    partner_id,
    partner_type
from partners
where code_owner_number = 1
