-- Each person's answer to "How did you hear about us?" (docs/models.md, "Self-reported source"):
-- the non-empty self_reported_source with the latest system_modstamp across the person's leads and
-- contacts, dated at that record's creation, folded (case, accents, punctuation) and mapped by the
-- seed users edit, seeds/mappings/self_reported_rules.csv (whole-word rules through the one rule
-- matcher; the lowest rule_order wins). An answer no rule maps is kept with is_unclassified: it
-- makes no touch and is counted for the night summary, so users can extend the seed.
with

records as (
    select
        record_id,
        record_kind,
        person_id,
        created_at,
        system_modstamp,
        self_reported_source as self_reported_answer,
        {{ folded_words('self_reported_source') }} as self_reported_source
    from {{ ref('int_people_records') }}
),

ranked as (
    select
        records.*,
        row_number() over (
            partition by records.person_id
            order by records.system_modstamp desc, records.created_at desc, records.record_id asc
        ) as answer_number
    from records
    where records.self_reported_source is not null
),

latest as (
    select * from ranked
    where answer_number = 1
),

{{ rule_matching_ctes('answers', 'latest', 'answer_key', 'self_reported_rules', ['self_reported_source'],
    ['channel'], word_attributes=['self_reported_source']) }},

channels as (
    select * from {{ ref('channels') }}
)

select
    answers.person_id,
    answers.record_id as source_record_id,
    answers.record_kind,
    answers.created_at as answered_at,
    answers.self_reported_answer,
    answers.self_reported_source as folded_answer,
    best_matches.channel,
    channels.source_group,
    channels.touch_priority,
    best_matches.rule_order as self_reported_rule_order,
    best_matches.channel is null as is_unclassified
from answers
left join best_matches
    on answers.answer_key = best_matches.answer_key
left join channels
    on best_matches.channel = channels.channel
