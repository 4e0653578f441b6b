{#- Rule-based attribution (docs/models.md, "Models"), as closed-form expressions over one
    touch row of an ordered journey. Columns the caller provides on every touch row:
      touch_position      1..n in journey order
      touch_count         n
      lc_position         LC (already min(LC, OC); a missing LC is 1)
      oc_position         OC (a missing OC is 1)
      cw_position         CW: n, or an earlier position when only self-reported touches follow the
                          last observed touch (a journey of one observed touch); NULL reads as n
      days_before_close   close_date - touch date, whole days
      decay_weight_total  sum over the journey of 2^(-days_before_close / half_life)
      last_non_direct_position  last position whose group is not direct, else n
      self_reported_answer_count, self_reported_answer_touches  (self_reported) the deal's distinct
                          self-reported channels, and its self-reported touches of this one's channel
    Coinciding milestones land on one touch and their weights add up; positions outside a model's
    range get 0. -#}

{% macro rule_based_fraction(model) %}
    {%- if model == 'first_touch' -%}
        case when touch_position = 1 then 1.0 else 0.0 end
    {%- elif model == 'last_touch' -%}
        case when touch_position = touch_count then 1.0 else 0.0 end
    {%- elif model == 'last_non_direct' -%}
        case when touch_position = last_non_direct_position then 1.0 else 0.0 end
    {%- elif model == 'linear' -%}
        1.0 / touch_count
    {%- elif model == 'time_decay' -%}
        {{ time_decay_weight('days_before_close') }} / decay_weight_total
    {%- elif model == 'position_based' -%}
        case
            when touch_count = 1 then 1.0
            when touch_count = 2 then 0.5
            when touch_position = 1 or touch_position = touch_count then 0.4
            else 0.2 / (touch_count - 2)
        end
    {%- elif model == 'u_shaped' -%}
        case
            when lc_position = 1 then case when touch_position = 1 then 1.0 else 0.0 end
            when lc_position = 2 then case when touch_position <= 2 then 0.5 else 0.0 end
            when touch_position = 1 or touch_position = lc_position then 0.4
            when touch_position < lc_position then 0.2 / (lc_position - 2)
            else 0.0
        end
    {%- elif model == 'w_shaped' -%}
        {{ stage_weighted_fraction({'ft': '0.3', 'lc': '0.3', 'oc': '0.3', 'middle': '0.1'}, 'oc_position') }}
    {%- elif model == 'full_path' -%}
        {{ stage_weighted_fraction(
            {'ft': '0.225', 'lc': '0.225', 'oc': '0.225', 'cw': '0.225', 'middle': '0.1'}, 'touch_count') }}
    {%- elif model == 'self_reported' -%}
        {#- The whole close to the deal's self-reported touches, evenly over its distinct answers
            (channels) and evenly within one; no answer: the synthetic no_self_report touch. -#}
        case
            when touch_kind = 'self_reported' then 1.0 / self_reported_answer_count / self_reported_answer_touches
            when touch_kind = 'no_self_report' then 1.0
            else 0.0
        end
    {%- elif model == 'custom' -%}
        {#- The custom stage weights come from seeds/attribution_custom_weights.csv as columns. -#}
        {{ stage_weighted_fraction({'ft': 'custom_ft_weight', 'lc': 'custom_lc_weight', 'oc': 'custom_oc_weight',
            'cw': 'custom_cw_weight', 'middle': 'custom_middle_weight'}, 'touch_count') }}
    {%- else -%}
        {{ exceptions.raise_compiler_error('no rule-based attribution model named ' ~ model) }}
    {%- endif -%}
{% endmacro %}

{% macro time_decay_weight(days_column) %}
    {#- 2^(-Δt / h), h = var('half_life_days'). In doubles: Spark's decimal division keeps only
        6 decimals where the digits run out (DuckDB's gives a double). -#}
    power(2.0, -1.0 * cast({{ days_column }} as double) / {{ var('half_life_days') }})
{% endmacro %}

{% macro stage_weighted_fraction(weights, range_end) %}
    {#- weights: SQL expressions (literals or columns) per stage.
        Milestone weights (ft, lc, oc and, for full_path/custom, cw) plus a middle weight spread
        evenly over the positions in 1..range_end that no milestone of the model holds (a
        self-reported touch after CW is one). With no middle, the middle weight goes to the
        model's milestones in equal shares.
        Weights are doubles: Spark's decimal arithmetic rounds a long sum of decimals to 6
        decimals, DuckDB's division gives a double. -#}
    {%- set stages = [('ft', '1'), ('lc', 'lc_position'), ('oc', 'oc_position'),
        ('cw', 'coalesce(cw_position, touch_count)')] -%}
    {%- set used = [] -%}
    {%- for stage, position in stages if stage in weights -%}
        {%- do used.append((stage, position)) -%}
    {%- endfor -%}
    {#- The middle: positions 1..range_end less the distinct milestone positions among them (FT is 1). -#}
    {%- set later_milestones -%}
        {%- for stage, position in used[1:] -%}
            {%- set earlier = used[:loop.index] | map(attribute=1) | list -%}
            + case when {{ position }} <= {{ range_end }}
                {%- for other in earlier %} and {{ position }} <> {{ other }}{% endfor %} then 1 else 0 end
        {% endfor -%}
    {%- endset -%}
    {%- set middle_count = '(' ~ range_end ~ ' - (1 ' ~ later_milestones ~ '))' -%}
    case
        when touch_position > {{ range_end }} then 0.0
        else
            {%- for stage, position in used %}
            case when touch_position = {{ position }} then cast({{ weights[stage] }} as double) else 0.0 end +
            {%- endfor %}
            case
                when {{ middle_count }} = 0
                    then case when touch_position in ({{ used | map(attribute=1) | join(', ') }})
                        then cast({{ weights['middle'] }} as double) / {{ used | length }}
                            * ({% for stage, position in used %}case when touch_position = {{ position }} then 1 else 0 end{% if not loop.last %} + {% endif %}{% endfor %})
                        else 0.0 end
                when touch_position not in ({{ used | map(attribute=1) | join(', ') }})
                    then cast({{ weights['middle'] }} as double) / {{ middle_count }}
                else 0.0
            end
    end
{% endmacro %}
