"""Which journeys a model fits on and which it credits, as journey codes of a TransformedPaths."""

from __future__ import annotations

import numpy as np
import pandas as pd

from orchestration.attribution._table import as_frame, bool_array
from orchestration.attribution.paths import TransformedPaths


def fit_journeys(paths: TransformedPaths, outcomes) -> tuple[np.ndarray, np.ndarray]:
    """Codes and `converted` flags of the fitting journeys (`journey_id, converted`).

    A journey listed without any touch has no path and takes no part in the fit.
    """
    frame = as_frame(outcomes, ("journey_id", "converted"), "outcomes")
    ids = frame["journey_id"]
    if ids.duplicated().any():
        raise ValueError("outcomes: journey_id must be unique")
    codes = paths.journey_codes(ids)
    converted = bool_array(frame["converted"], "outcomes.converted")
    has_path = codes >= 0
    return codes[has_path], converted[has_path]


def credit_journeys(paths: TransformedPaths, journeys) -> np.ndarray:
    """Sorted codes of the journeys to credit.

    `journeys`: a table with `journey_id` (and, when present, `converted`: only converted rows
    are credited) or a plain list/array of journey ids. Journeys without touches are skipped.
    """
    if isinstance(journeys, pd.DataFrame) or hasattr(journeys, "column_names"):
        columns = journeys.columns if isinstance(journeys, pd.DataFrame) else journeys.column_names
        wanted = ["journey_id"] + (["converted"] if "converted" in columns else [])
        frame = as_frame(journeys, wanted, "journeys")
        ids = frame["journey_id"]
        if "converted" in frame:
            ids = ids[bool_array(frame["converted"], "journeys.converted")]
    else:
        ids = pd.Index(journeys)
    codes = paths.journey_codes(ids)
    selected = np.zeros(paths.n_journeys, dtype=bool)
    selected[codes[codes >= 0]] = True
    return np.flatnonzero(selected)
