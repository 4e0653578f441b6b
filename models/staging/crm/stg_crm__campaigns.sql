{{ staged_rows('crm', 'campaign', ref('base_crm__campaigns')) }}
