{{ staged_rows('crm', 'user', ref('base_crm__users')) }}
