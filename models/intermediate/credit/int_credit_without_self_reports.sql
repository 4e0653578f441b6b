-- The dark funnel's counterfactual (docs/models.md, "Self-reported source"): every credited deal's
-- credit under each listed model (fct_dark_funnel reads the signal model's) as if no one had answered "How
-- did you hear about us?": the self-reported touches (and the no_self_report touch) are left out
-- and the observed touches renumbered 1..n. Milestones are observed touches, so LC and OC keep
-- their touches. A data-driven model (markov, shapley) is fitted by the engine on the journeys as
-- they are; it has no counterfactual here: no rows (the mart says NULL). self_reported without
-- answers gives every close to its no_self_report touch (direct): 0 for every listed touch.
with

observed as (
    select * from {{ ref('int_credit_touches') }}
    where touch_kind not in ('self_reported', 'no_self_report')
),

renumbered as (
    select
        observed.opportunity_id,
        observed.touch_id,
        observed.source_group,
        observed.is_owner_touch,
        observed.days_before_close,
        observed.touch_position as original_position,
        observed.lc_position as original_lc_position,
        observed.oc_position as original_oc_position,
        case
            when not observed.is_owner_touch
                then row_number() over (
                    partition by observed.opportunity_id, observed.is_owner_touch order by observed.touch_position
                )
        end as touch_position,
        case
            when not observed.is_owner_touch
                then count(*) over (partition by observed.opportunity_id, observed.is_owner_touch)
        end as touch_count
    from observed
),

milestones as (
    select
        renumbered.*,
        max(
            case when renumbered.original_position <= renumbered.original_lc_position then renumbered.touch_position end
        ) over (partition by renumbered.opportunity_id) as lc_position,
        max(
            case when renumbered.original_position <= renumbered.original_oc_position then renumbered.touch_position end
        ) over (partition by renumbered.opportunity_id) as oc_position,
        renumbered.touch_count as cw_position
    from renumbered
),

custom_weights as (
    select * from {{ custom_weights_row() }} as weights
),

prepared as (
    select
        milestones.*,
        custom_weights.*,
        sum(case when not milestones.is_owner_touch then {{ time_decay_weight('milestones.days_before_close') }} end)
            over (partition by milestones.opportunity_id) as decay_weight_total,
        coalesce(
            max(
                case
                    when not milestones.is_owner_touch and milestones.source_group <> 'direct'
                        then milestones.touch_position
                end
            ) over (partition by milestones.opportunity_id),
            max(milestones.touch_count) over (partition by milestones.opportunity_id)
        ) as last_non_direct_position
    from milestones
    cross join custom_weights
)

{%- for model in attribution_models() if model not in data_driven_models() %}

    select
        opportunity_id,
        touch_id,
        source_group,
        '{{ model }}' as attribution_model,
        {%- if model == 'legacy_handoff' %}
            case when is_owner_touch then 1.0 else 0.0 end as credit_fraction
        {%- elif model == 'self_reported' %}
            0.0 as credit_fraction
        {%- else %}
            case when is_owner_touch then 0.0 else {{ rule_based_fraction(model) }} end as credit_fraction
        {%- endif %}
    from prepared
    {%- if not loop.last %}
        union all
    {%- endif %}
{%- endfor %}
