-- One `self_reported` touch per person whose answer the seed maps (int_self_reported_answers),
-- stitched by person like a lead-source touch and dated at the answering record's creation. It
-- is unioned into int_touches_classified already classified: its channel comes from
-- seeds/mappings/self_reported_rules.csv, not from the channel rules.
select
    {{ dbt.concat(["'self_reported:'", 'person_id']) }} as touch_id,
    'self_reported' as touch_kind,
    source_record_id,
    answered_at as touched_at,
    person_id,
    channel,
    source_group,
    touch_priority
from {{ ref('int_self_reported_answers') }}
where not is_unclassified and answered_at is not null
