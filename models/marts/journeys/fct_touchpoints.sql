-- One row per opportunity x touch: the ordered journey with channel, source group, milestone
-- flags and days before close. No emails or names: the person is a keyed hash (person_key).
{%- set string_type = dbt.type_string() %}
select
    cast({{ dbt.concat(['opportunity_id', "'|'", 'touch_id']) }} as {{ string_type }}) as touchpoint_id,
    cast(opportunity_id as {{ string_type }}) as opportunity_id,
    cast(touch_id as {{ string_type }}) as touch_id,
    cast(account_id as {{ string_type }}) as account_id,
    cast(touch_kind as {{ string_type }}) as touch_kind,
    cast(touched_at as {{ dbt.type_timestamp() }}) as touched_at,
    cast(touch_date as date) as touch_date,
    cast(channel as {{ string_type }}) as channel,
    cast(source_group as {{ string_type }}) as source_group,
    cast(campaign_id as {{ string_type }}) as campaign_id,
    cast(partner_id as {{ string_type }}) as partner_id,
    cast(touch_priority as {{ dbt.type_bigint() }}) as touch_priority,
    cast(touch_position as {{ dbt.type_bigint() }}) as touch_position,
    cast(touch_count as {{ dbt.type_bigint() }}) as touch_count,
    cast(lc_position as {{ dbt.type_bigint() }}) as lc_position,
    cast(oc_position as {{ dbt.type_bigint() }}) as oc_position,
    is_first_touch,
    is_lead_creation_touch,
    is_opportunity_creation_touch,
    is_closed_won_touch,
    cast(days_before_close as {{ dbt.type_bigint() }}) as days_before_close,
    is_synthetic,
    is_unclassified,
    cast(link as {{ string_type }}) as link,
    cast({{ person_key('person_identity') }} as {{ string_type }}) as person_key
from {{ ref('int_journey_touches') }}
