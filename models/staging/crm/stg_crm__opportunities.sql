{{ staged_rows('crm', 'opportunity', ref('base_crm__opportunities')) }}
