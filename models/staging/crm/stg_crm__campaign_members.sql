{{ staged_rows('crm', 'campaign_member', ref('base_crm__campaign_members')) }}
