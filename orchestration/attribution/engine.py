"""One call for both data-driven models: transform once, fit once, credit."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd

from orchestration.attribution._journeys import credit_journeys, fit_journeys
from orchestration.attribution.markov import MarkovFit, markov_removal_effects, markov_slot_fractions
from orchestration.attribution.paths import (
    DEFAULT_TRANSFORM,
    TransformedPaths,
    spread_to_touches,
    transform_paths,
)
from orchestration.attribution.shapley import path_probabilities, shapley_slot_fractions


@dataclass(eq=False)
class DataDrivenCredits:
    """`markov` and `shapley`: one row per touch of each credited journey (`journey_id,
    position, channel, path_position, fraction`); `markov_fit`: removal effects, population view
    and transitions (the diagnostic table); `paths`: the transformed paths."""

    paths: TransformedPaths
    markov_fit: MarkovFit
    markov: pd.DataFrame
    shapley: pd.DataFrame


def data_driven_credits(
    touches, outcomes, journeys, transform: Any = DEFAULT_TRANSFORM, params: Any = None
) -> DataDrivenCredits:
    """Transform the paths of `touches`, fit both models on `outcomes`, credit `journeys`.

    `touches`: `journey_id, position, channel` of every journey fitted or credited.
    `outcomes`: `journey_id, converted` of the fitting journeys (`select_fit_journeys`).
    `journeys`: the journeys to credit (a table with `journey_id` and optional `converted`, or ids).
    """
    paths = transform_paths(touches, transform, params)
    fit = markov_removal_effects(paths, outcomes)
    codes = credit_journeys(paths, journeys)
    fit_codes, converted = fit_journeys(paths, outcomes)
    probability = path_probabilities(paths, fit_codes, converted)
    return DataDrivenCredits(
        paths=paths,
        markov_fit=fit,
        markov=spread_to_touches(paths, markov_slot_fractions(paths, fit.re, codes), codes),
        shapley=spread_to_touches(paths, shapley_slot_fractions(paths, probability, codes), codes),
    )
