{{ staged_rows('crm', 'task', ref('base_crm__tasks')) }}
