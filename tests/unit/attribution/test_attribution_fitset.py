"""The fitting population (docs/models.md, "Deals"): closed journeys of the credited deal
types closed in [as_of_date - lookback_days, as_of_date]; won converts, lost does not."""

from __future__ import annotations

from datetime import date

import pandas as pd

from orchestration.attribution import select_fit_journeys

JOURNEYS = pd.DataFrame(
    [
        # journey, close_date, type, is_closed, is_won
        ("won_in", date(2026, 6, 1), "New Business", True, True),
        ("lost_in", date(2026, 6, 1), "New Business", True, False),
        ("open_in", date(2026, 6, 1), "New Business", False, False),
        ("renewal", date(2026, 6, 1), "Renewal", True, True),
        ("no_type", date(2026, 6, 1), None, True, True),
        ("first_day", date(2025, 11, 26), "New Business", True, True),  # as_of - 365: in
        ("day_before", date(2025, 11, 25), "New Business", True, False),  # out
        ("as_of", date(2026, 11, 26), "New Business", True, False),  # in
        ("after", date(2026, 11, 27), "New Business", True, True),  # after as_of: out
    ],
    columns=["journey_id", "close_date", "type", "is_closed", "is_won"],
)


def test_default_window_and_types():
    fit = select_fit_journeys(JOURNEYS, as_of_date=date(2026, 11, 26))
    assert fit.to_dict("records") == [
        {"journey_id": "won_in", "converted": True},
        {"journey_id": "lost_in", "converted": False},
        {"journey_id": "first_day", "converted": True},
        {"journey_id": "as_of", "converted": False},
    ]


def test_vars_change_the_window_and_types():
    fit = select_fit_journeys(
        JOURNEYS, as_of_date="2026-11-26", lookback_days=200, credited_deal_types=["New Business", "Renewal"]
    )
    assert fit["journey_id"].tolist() == ["won_in", "lost_in", "renewal", "as_of"]
