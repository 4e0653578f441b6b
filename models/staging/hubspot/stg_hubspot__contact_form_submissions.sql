-- The current HubSpot form submissions. Not read by the intermediate models: the web events
-- carry the same submits (event_type form_submit), which is what identity stitching reads.
{{ staged_rows('hubspot', 'contact_form_submission', ref('base_hubspot__contact_form_submissions')) }}
