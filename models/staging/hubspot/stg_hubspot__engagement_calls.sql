-- The current HubSpot calls (contract columns); stg_hubspot__engagements maps them onto the CRM's tasks.
{{ staged_rows('hubspot', 'engagement_call', ref('base_hubspot__engagement_calls')) }}
