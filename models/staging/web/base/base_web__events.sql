{{ config(**incremental_by('_extract_date', post_hook=["{{ closecredit.refresh_latest_extract_flags() }}"])) }}
{{ base_raw_object('web', 'event') }}
