{{ staged_rows('crm', 'account', ref('base_crm__accounts')) }}
