"""Attribution engine: path transforms, exact Markov and Shapley credits, rule-based reference.

Pure, vectorised numpy/pandas (no per-journey Python loop), engine-agnostic: tables in, tables
out, so the same code serves the DuckDB and the Spark warehouse through whatever reads and
writes them. The rules are `docs/models.md`; the choices it leaves open are in
`docs/decisions.md` ("Attribution engine (issue 4)").

Input tables (pandas DataFrame, pyarrow Table, or a mapping of column -> array):

- touches: `journey_id`, `position` (1..n in journey order, any row order), `channel` (string);
- outcomes (the fitting journeys): `journey_id`, `converted` (bool: won True, lost False);
  `select_fit_journeys(journeys, as_of_date=, lookback_days=, credited_deal_types=)` selects
  them from a journey table `journey_id, close_date, type, is_closed, is_won`;
- journeys to credit: a table with `journey_id` (and optional `converted`: only True rows are
  credited) or a list of journey ids.

API:

    transform_paths(touches, transform="exposure", params=None) -> TransformedPaths
        transform: unique | exposure | first | frequency | remove_if_not_all | trim_long_path;
        params: the channel list / n, or inline: "trim_long_path(5)", "remove_if_not_all(direct)".
        .touch_map()       journey_id, position, channel, path_position (NA: stands for nothing),
                           share (1 / touches the position stands for, 0 for none)
        .path_positions()  journey_id, path_position, channel, touch_count (frequency's count)
    markov_removal_effects(paths, outcomes) -> MarkovFit
        .removal_effects   channel, removal_effect, p_conv_without, attributed_conversions
                           (population view: total conversions x RE / sum RE)
        .transitions       from_state, to_state, transitions, probability
        .p_conv, .total_conversions, .n_journeys
    markov_credits(paths, removal_effects, journeys) -> DataFrame
    shapley_credits(paths, outcomes, journeys) -> DataFrame
        credits: one row per original touch of each credited journey:
        journey_id, position, channel, path_position, fraction (sums to 1 per journey)
    data_driven_credits(touches, outcomes, journeys, transform="exposure", params=None)
        -> DataDrivenCredits(paths, markov_fit, markov, shapley): all of the above at once
    rule_based_fractions(touches, model, *, half_life_days=7.0, custom_weights=None) -> ndarray
        the rule-based models' reference (first_touch, last_touch, last_non_direct, linear,
        time_decay, position_based, u_shaped, w_shaped, full_path, custom) from per-touch
        journey_id, position, n, is_ft/is_lc/is_oc/is_cw, days_before_close, group.

A journey without touches has no path: it takes no part in the fit and gets no credit rows
(the journey layer gives every credited deal at least the synthetic `direct` touch).
"""

from orchestration.attribution.engine import DataDrivenCredits, data_driven_credits
from orchestration.attribution.fitset import select_fit_journeys
from orchestration.attribution.markov import MarkovFit, markov_credits, markov_removal_effects
from orchestration.attribution.paths import (
    DEFAULT_TRANSFORM,
    TRANSFORMS,
    TransformedPaths,
    parse_transform,
    transform_paths,
)
from orchestration.attribution.rules import RULE_MODELS, rule_based_fractions
from orchestration.attribution.shapley import shapley_credits

__all__ = [
    "DEFAULT_TRANSFORM",
    "RULE_MODELS",
    "TRANSFORMS",
    "DataDrivenCredits",
    "MarkovFit",
    "TransformedPaths",
    "data_driven_credits",
    "markov_credits",
    "markov_removal_effects",
    "parse_transform",
    "rule_based_fractions",
    "select_fit_journeys",
    "shapley_credits",
    "transform_paths",
]
