{{ base_raw_object('crm', 'campaign_member') }}
