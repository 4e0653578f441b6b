{{ staged_rows('crm', 'lead', ref('base_crm__leads')) }}
