-- The current HubSpot emails (contract columns); stg_hubspot__engagements maps them onto the CRM's tasks.
{{ staged_rows('hubspot', 'engagement_email', ref('base_hubspot__engagement_emails')) }}
