{{ staged_rows('crm', 'opportunity_history', ref('base_crm__opportunity_histories')) }}
