{{ staged_rows('crm', 'opportunity_contact_role', ref('base_crm__opportunity_contact_roles')) }}
