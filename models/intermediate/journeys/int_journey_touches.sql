-- Every opportunity's journey (docs/models.md, "Journey", "Milestones"): its touches, one
-- row per (opportunity, touch id), dated in the reporting time zone within the window (never
-- after the close), ordered by time, then touch_priority, then touch id, with milestone
-- positions:
--   FT = 1, CW = n;
--   OC = the last touch at or before the opportunity's creation; LC = the last touch at or before
--   the lead creation time (earliest creation among the journey's people); a missing one
--   coincides with FT; then LC = min(LC, OC).
-- A credited deal with no touch in its window gets one synthetic `direct` touch at its close.
-- A `self_reported` touch (docs/models.md, "Self-reported source") is never a milestone by
-- itself: FT / LC / OC / CW are positions of the observed touches (a deal with only self-reported
-- touches also gets the synthetic direct touch), and it is ordered after the touches of its
-- instant and kept inside the observed span (after FT; before CW when there are two or more
-- observed touches), so the position-based models give it only middle weight.
-- How a touch joins a journey: its person is one of the journey's people (person), its email is
-- one of theirs (email), it is linked to the opportunity (opportunity) or to its account
-- (account). A touch reached several ways is listed once (person first).
with

opportunities as (
    select * from {{ ref('int_journey_opportunities') }}
),

opportunity_people as (
    select * from {{ ref('int_opportunity_people') }}
),

people as (
    select
        person_id,
        identity
    from {{ ref('int_people') }}
),

people_emails as (
    select distinct
        opportunity_people.opportunity_id,
        records.person_id,
        records.email
    from opportunity_people
    inner join {{ ref('int_people_records') }} as records
        on opportunity_people.person_id = records.person_id
    where records.email is not null
),

touches as (
    select * from {{ ref('int_touches_classified') }}
),

linked as (
    select
        opportunity_people.opportunity_id,
        touches.touch_id,
        touches.person_id,
        'person' as link,
        1 as link_rank
    from opportunity_people
    inner join touches
        on opportunity_people.person_id = touches.person_id
    union all
    select
        people_emails.opportunity_id,
        touches.touch_id,
        people_emails.person_id,
        'email' as link,
        2 as link_rank
    from people_emails
    inner join touches
        on people_emails.email = touches.email
    where touches.person_id is null
    union all
    select
        touches.link_opportunity_id as opportunity_id,
        touches.touch_id,
        cast(null as {{ dbt.type_string() }}) as person_id,
        'opportunity' as link,
        3 as link_rank
    from touches
    where touches.link_opportunity_id is not null
    union all
    select
        opportunities.opportunity_id,
        touches.touch_id,
        cast(null as {{ dbt.type_string() }}) as person_id,
        'account' as link,
        4 as link_rank
    from touches
    inner join opportunities
        on touches.link_account_id = opportunities.account_id
),

deduplicated as (
    select
        linked.*,
        row_number() over (
            partition by linked.opportunity_id, linked.touch_id order by linked.link_rank, linked.person_id
        ) as link_number
    from linked
),

windowed as (
    select
        opportunities.opportunity_id,
        touches.touch_id,
        touches.touch_kind,
        touches.touched_at,
        {{ to_reporting_date('touches.touched_at') }} as touch_date,
        touches.channel,
        touches.source_group,
        touches.touch_priority,
        touches.is_unclassified,
        touches.campaign_id,
        touches.partner_id,
        deduplicated.link,
        deduplicated.person_id,
        false as is_synthetic,
        touches.touch_kind = 'self_reported' as is_self_reported
    from deduplicated
    inner join opportunities
        on deduplicated.opportunity_id = opportunities.opportunity_id
    inner join touches
        on deduplicated.touch_id = touches.touch_id
    where
        deduplicated.link_number = 1
        and {{ to_reporting_date('touches.touched_at') }} >= opportunities.window_start_date
        and {{ to_reporting_date('touches.touched_at') }} <= opportunities.window_end_date
),

journeys_with_touches as (
    select distinct opportunity_id from windowed
    where not is_self_reported
),

direct_channel as (
    select
        max(source_group) as source_group,
        max(touch_priority) as touch_priority
    from {{ ref('channels') }}
    where channel = 'direct'
),

synthetic as (
    select
        opportunities.opportunity_id,
        {{ dbt.concat(["'synthetic_direct:'", 'opportunities.opportunity_id']) }} as touch_id,
        'synthetic_direct' as touch_kind,
        {{ reporting_midnight_utc('opportunities.close_date') }} as touched_at,
        opportunities.close_date as touch_date,
        'direct' as channel,
        coalesce(direct_channel.source_group, 'direct') as source_group,
        coalesce(direct_channel.touch_priority, 999) as touch_priority,
        false as is_unclassified,
        cast(null as {{ dbt.type_string() }}) as campaign_id,
        cast(null as {{ dbt.type_string() }}) as partner_id,
        'synthetic' as link,
        cast(null as {{ dbt.type_string() }}) as person_id,
        true as is_synthetic,
        false as is_self_reported
    from opportunities
    left join journeys_with_touches
        on opportunities.opportunity_id = journeys_with_touches.opportunity_id
    left join direct_channel
        on 1 = 1
    where opportunities.is_credited_deal and journeys_with_touches.opportunity_id is null
),

journey_touches as (
    select * from windowed
    union all
    select * from synthetic
),

observed_span as (
    select
        journey_touches.*,
        min(case when not journey_touches.is_self_reported then journey_touches.touched_at end) over (
            partition by journey_touches.opportunity_id
        ) as first_observed_at,
        max(case when not journey_touches.is_self_reported then journey_touches.touched_at end) over (
            partition by journey_touches.opportunity_id
        ) as last_observed_at,
        sum(case when journey_touches.is_self_reported then 0 else 1 end) over (
            partition by journey_touches.opportunity_id
        ) as observed_count
    from journey_touches
),

sort_keys as (
    select
        observed_span.*,
        case
            when not observed_span.is_self_reported then observed_span.touched_at
            when observed_span.observed_count >= 2 and observed_span.touched_at >= observed_span.last_observed_at
                then observed_span.last_observed_at
            when observed_span.touched_at < observed_span.first_observed_at then observed_span.first_observed_at
            else observed_span.touched_at
        end as sort_at,
        case
            when not observed_span.is_self_reported then 0
            when observed_span.observed_count >= 2 and observed_span.touched_at >= observed_span.last_observed_at
                then -1
            else 1
        end as sort_rank
    from observed_span
),

ordered as (
    select
        sort_keys.*,
        row_number() over (
            partition by sort_keys.opportunity_id
            order by sort_keys.sort_at, sort_keys.sort_rank, sort_keys.touch_priority, sort_keys.touch_id
        ) as touch_position,
        count(*) over (partition by sort_keys.opportunity_id) as touch_count
    from sort_keys
),

milestones as (
    select
        ordered.*,
        min(case when not ordered.is_self_reported then ordered.touch_position end) over (
            partition by ordered.opportunity_id
        ) as ft_position,
        max(case when not ordered.is_self_reported then ordered.touch_position end) over (
            partition by ordered.opportunity_id
        ) as cw_position,
        max(
            case
                when not ordered.is_self_reported and ordered.touched_at <= opportunities.lead_created_at
                    then ordered.touch_position
            end
        ) over (partition by ordered.opportunity_id) as last_position_before_lead_creation,
        max(
            case
                when not ordered.is_self_reported and ordered.touched_at <= opportunities.created_at
                    then ordered.touch_position
            end
        ) over (partition by ordered.opportunity_id) as last_position_before_opportunity_creation
    from ordered
    inner join opportunities
        on ordered.opportunity_id = opportunities.opportunity_id
),

positions as (
    select
        milestones.*,
        coalesce(milestones.last_position_before_opportunity_creation, milestones.ft_position, 1) as oc_position,
        case
            when
                coalesce(milestones.last_position_before_lead_creation, milestones.ft_position, 1)
                < coalesce(milestones.last_position_before_opportunity_creation, milestones.ft_position, 1)
                then coalesce(milestones.last_position_before_lead_creation, milestones.ft_position, 1)
            else coalesce(milestones.last_position_before_opportunity_creation, milestones.ft_position, 1)
        end as lc_position
    from milestones
)

select
    positions.opportunity_id,
    positions.touch_id,
    opportunities.account_id,
    positions.touch_kind,
    positions.touched_at,
    positions.touch_date,
    positions.channel,
    positions.source_group,
    positions.touch_priority,
    positions.is_unclassified,
    positions.is_synthetic,
    positions.campaign_id,
    positions.partner_id,
    positions.link,
    positions.person_id,
    people.identity as person_identity,
    {{ as_bigint('positions.touch_position') }} as touch_position,
    positions.touch_count,
    {{ as_bigint('positions.lc_position') }} as lc_position,
    {{ as_bigint('positions.oc_position') }} as oc_position,
    {{ as_bigint('positions.cw_position') }} as cw_position,
    coalesce(positions.touch_position = positions.ft_position, false) as is_first_touch,
    not positions.is_self_reported and positions.touch_position = positions.lc_position as is_lead_creation_touch,
    not positions.is_self_reported and positions.touch_position = positions.oc_position
        as is_opportunity_creation_touch,
    coalesce(positions.touch_position = positions.cw_position, false) as is_closed_won_touch,
    {{ as_bigint(dbt.datediff('positions.touch_date', 'opportunities.close_date', 'day')) }}
        as days_before_close
from positions
inner join opportunities
    on positions.opportunity_id = opportunities.opportunity_id
left join people
    on positions.person_id = people.person_id
