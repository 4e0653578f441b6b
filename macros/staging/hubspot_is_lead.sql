{#- A HubSpot contact is what Salesforce calls a lead while its lifecycle stage is one of
    var('hubspot_lead_lifecycle_stages') (case-insensitive). -#}
{% macro hubspot_is_lead(stage_column) %}
    coalesce(lower(trim({{ stage_column }})) in (
        {%- for stage in var('hubspot_lead_lifecycle_stages') %}'{{ stage | lower }}'{% if not loop.last %}, {% endif %}{% endfor -%}
    ), false)
{%- endmacro %}
