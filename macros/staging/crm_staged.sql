{#- The one switch between CRM shapes: the staging model of a CRM entity that the intermediate
    and mart models read, chosen by var('crm_source'). Every shape's models give the columns of the
    Salesforce-shaped stg_crm__ models (docs/extending.md, "A new CRM shape"). -#}
{% macro crm_staged(entity) %}
    {%- set models = {
        'salesforce': {
            'accounts': 'stg_crm__accounts',
            'contacts': 'stg_crm__contacts',
            'leads': 'stg_crm__leads',
            'opportunities': 'stg_crm__opportunities',
            'opportunity_contact_roles': 'stg_crm__opportunity_contact_roles',
            'opportunity_histories': 'stg_crm__opportunity_histories',
            'campaigns': 'stg_crm__campaigns',
            'campaign_members': 'stg_crm__campaign_members',
            'tasks': 'stg_crm__tasks',
            'events': 'stg_crm__events',
            'users': 'stg_crm__users',
        },
        'hubspot': {
            'accounts': 'stg_hubspot__companies',
            'contacts': 'stg_hubspot__contacts',
            'leads': 'stg_hubspot__leads',
            'opportunities': 'stg_hubspot__deals',
            'opportunity_contact_roles': 'stg_hubspot__deal_contacts',
            'opportunity_histories': 'stg_hubspot__deal_stages',
            'campaigns': 'stg_hubspot__campaigns',
            'campaign_members': 'stg_hubspot__campaign_contacts',
            'tasks': 'stg_hubspot__engagements',
            'events': 'stg_hubspot__engagement_meetings',
            'users': 'stg_hubspot__owners',
        },
    } -%}
    {%- set source = var('crm_source') -%}
    {%- if source not in models -%}
        {{ exceptions.raise_compiler_error("var('crm_source') is " ~ source ~ ': choose one of '
            ~ (models.keys() | join(', '))) }}
    {%- endif -%}
    {%- if entity not in models[source] -%}
        {{ exceptions.raise_compiler_error('crm_staged: no CRM entity ' ~ entity) }}
    {%- endif -%}
    {{ return(ref(models[source][entity])) }}
{% endmacro %}
