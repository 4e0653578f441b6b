-- The current HubSpot notes (contract columns); stg_hubspot__engagements maps them onto the CRM's tasks.
{{ staged_rows('hubspot', 'engagement_note', ref('base_hubspot__engagement_notes')) }}
