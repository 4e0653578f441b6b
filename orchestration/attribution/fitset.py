"""The journeys the data-driven models are fitted on (docs/models.md, "Deals")."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta

import pandas as pd

from orchestration.attribution._table import as_frame, bool_array

DEFAULT_LOOKBACK_DAYS = 365
DEFAULT_CREDITED_DEAL_TYPES = ("New Business",)


def _as_date(value) -> date:
    return pd.Timestamp(value).date()


def select_fit_journeys(
    journeys,
    *,
    as_of_date,
    lookback_days: int = DEFAULT_LOOKBACK_DAYS,
    credited_deal_types: Iterable[str] = DEFAULT_CREDITED_DEAL_TYPES,
) -> pd.DataFrame:
    """The fitting population: closed journeys of the credited deal types closed in the window.

    `journeys`: one row per opportunity with `journey_id, close_date, type, is_closed, is_won`.
    Kept: `is_closed`, `type` in `credited_deal_types`, and `close_date` in
    `[as_of_date - lookback_days, as_of_date]` (both ends included). Won journeys convert, lost
    ones do not; open ones take no part. Returns `journey_id, converted`.
    """
    frame = as_frame(journeys, ("journey_id", "close_date", "type", "is_closed", "is_won"), "journeys")
    as_of = _as_date(as_of_date)
    first = as_of - timedelta(days=int(lookback_days))
    close = pd.to_datetime(frame["close_date"]).dt.date
    if close.isna().any():
        raise ValueError("journeys.close_date has null values")
    closed = bool_array(frame["is_closed"], "journeys.is_closed")
    won = bool_array(frame["is_won"], "journeys.is_won")
    types = set(credited_deal_types)
    credited = frame["type"].isin(types).to_numpy(dtype=bool)
    in_window = ((close >= first) & (close <= as_of)).to_numpy(dtype=bool)
    keep = closed & credited & in_window
    return pd.DataFrame(
        {"journey_id": frame["journey_id"].to_numpy()[keep], "converted": won[keep]}
    ).reset_index(drop=True)
