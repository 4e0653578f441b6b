{{ staged_rows('crm', 'event', ref('base_crm__events')) }}
