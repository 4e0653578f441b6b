{{ staged_rows('crm', 'contact', ref('base_crm__contacts')) }}
