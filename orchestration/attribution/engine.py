"""One call for the data-driven models: transform once, fit once, credit the models asked for."""

from __future__ import annotations

from collections.abc import Iterable
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
    and transitions (the diagnostic table); `paths`: the transformed paths. A model not asked for
    is None (markov_fit goes with markov)."""

    paths: TransformedPaths
    markov_fit: MarkovFit | None
    markov: pd.DataFrame | None
    shapley: pd.DataFrame | None

    def credits(self) -> dict[str, pd.DataFrame]:
        """Model -> credits, for the models computed."""
        return {
            name: frame
            for name, frame in (("markov", self.markov), ("shapley", self.shapley))
            if frame is not None
        }


def data_driven_credits(
    touches,
    outcomes,
    journeys,
    transform: Any = DEFAULT_TRANSFORM,
    params: Any = None,
    models: Iterable[str] = ("markov", "shapley"),
) -> DataDrivenCredits:
    """Transform the paths of `touches`, fit `models` (markov, shapley) on `outcomes`, credit `journeys`.

    `touches`: `journey_id, position, channel` of every journey fitted or credited.
    `outcomes`: `journey_id, converted` of the fitting journeys (`select_fit_journeys`).
    `journeys`: the journeys to credit (a table with `journey_id` and optional `converted`, or ids).
    """
    models = set(models)
    unknown = models - {"markov", "shapley"}
    if unknown:
        raise ValueError(f"unknown data-driven model(s) {sorted(unknown)}; expected markov or shapley")
    paths = transform_paths(touches, transform, params)
    codes = credit_journeys(paths, journeys)
    fit = markov = shapley = None
    if "markov" in models:
        fit = markov_removal_effects(paths, outcomes)
        markov = spread_to_touches(paths, markov_slot_fractions(paths, fit.re, codes), codes)
    if "shapley" in models:
        fit_codes, converted = fit_journeys(paths, outcomes)
        probability = path_probabilities(paths, fit_codes, converted)
        shapley = spread_to_touches(paths, shapley_slot_fractions(paths, probability, codes), codes)
    return DataDrivenCredits(paths=paths, markov_fit=fit, markov=markov, shapley=shapley)
