-- The current HubSpot tasks (contract columns); stg_hubspot__engagements maps them onto the CRM's tasks.
{{ staged_rows('hubspot', 'engagement_task', ref('base_hubspot__engagement_tasks')) }}
