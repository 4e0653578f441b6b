"""The ground-truth cost per close (tests/costs_ground_truth.py) on hand-made tables."""

from __future__ import annotations

import math
from datetime import date

import pandas as pd
import pytest

from orchestration.core.periods import period_starts
from tests.costs_ground_truth import (
    cost_per_close_vs_truth,
    pivot_cost_per_close,
    true_credited_closes,
)


@pytest.mark.parametrize(
    ("fiscal_start", "day", "quarter_start"),
    [
        (1, "2026-03-31", date(2026, 1, 1)),
        (1, "2026-04-01", date(2026, 4, 1)),
        (2, "2026-01-31", date(2025, 11, 1)),
        (2, "2026-02-01", date(2026, 2, 1)),
        (4, "2026-03-31", date(2026, 1, 1)),
        (4, "2026-04-01", date(2026, 4, 1)),
        (11, "2026-01-15", date(2025, 11, 1)),
        (12, "2026-02-28", date(2025, 12, 1)),
    ],
)
def test_period_starts_follow_the_fiscal_year(fiscal_start, day, quarter_start):
    dates = pd.Series([day])
    assert period_starts(dates, "quarter", fiscal_start).tolist() == [quarter_start]
    assert period_starts(dates, "month", fiscal_start).tolist() == [date.fromisoformat(day).replace(day=1)]


def test_period_starts_reject_unknown_input():
    with pytest.raises(ValueError):
        period_starts(pd.Series(["2026-01-01"]), "week")
    with pytest.raises(ValueError):
        period_starts(pd.Series(["2026-01-01"]), "quarter", 13)


SHARES = pd.DataFrame(
    {
        "opportunity_id": ["a", "b", "c"],
        "close_date": ["2026-01-10", "2026-02-20", "2026-02-21"],
        "sales_share": [0.5, 0.1, 1.0],
        "marketing_share": [0.25, 0.2, 0.0],
        "community_share": [0.25, 0.6, 0.0],
        "direct_share": [0.0, 0.1, 0.0],
    }
)
DEALS = pd.DataFrame(
    {"opportunity_id": ["a", "b", "c"], "type": ["New Business", "new business ", "Renewal"]}
)


def test_true_credited_closes_sum_the_shares_of_credited_deals():
    truth = true_credited_closes(SHARES, DEALS, period_types=["quarter"])
    by_group = truth.set_index("source_group")["true_credited_closes"]
    # c is a Renewal: not credited.
    assert by_group.to_dict() == pytest.approx(
        {"sales": 0.6, "marketing": 0.45, "community": 0.85, "direct": 0.1}
    )
    assert truth["period_start"].unique().tolist() == [date(2026, 1, 1)]
    monthly = true_credited_closes(SHARES, DEALS, period_types=["month"])
    assert monthly.groupby("period_start")["true_credited_closes"].sum().to_dict() == pytest.approx(
        {date(2026, 1, 1): 1.0, date(2026, 2, 1): 1.0}
    )


def test_cost_per_close_beside_the_truth():
    truth = true_credited_closes(SHARES, DEALS, period_types=["quarter"])
    mart = pd.DataFrame(
        [
            ("quarter", "2026-01-01", group, model, cost, closes)
            for model, closes_by_group in {
                "legacy_handoff": {"sales": 2.0, "marketing": 0.0, "community": 0.0, "direct": 0.0},
                "w_shaped": {"sales": 0.5, "marketing": 0.5, "community": 1.0, "direct": 0.0},
            }.items()
            for group, cost, closes in [
                ("sales", 600.0, closes_by_group["sales"]),
                ("marketing", 90.0, closes_by_group["marketing"]),
                ("community", 170.0, closes_by_group["community"]),
                ("direct", 0.0, closes_by_group["direct"]),
                ("product", 1000.0, 0.0),
            ]
        ],
        columns=[
            "period_type",
            "period_start",
            "source_group",
            "attribution_model",
            "cost",
            "credited_closes",
        ],
    )
    check = cost_per_close_vs_truth(mart, truth).set_index(["source_group", "attribution_model"])
    assert check.loc[("sales", "ground_truth"), "cost_per_close"] == pytest.approx(1000.0)
    assert check.loc[("marketing", "ground_truth"), "cost_per_close"] == pytest.approx(200.0)
    assert check.loc[("community", "ground_truth"), "cost_per_close"] == pytest.approx(200.0)
    assert check.loc[("sales", "legacy_handoff"), "cost_per_close"] == pytest.approx(300.0)
    assert check.loc[("sales", "legacy_handoff"), "cost_per_close_error"] == pytest.approx(-0.7)
    assert check.loc[("community", "w_shaped"), "cost_per_close_error"] == pytest.approx(-0.15)
    # No credit -> undefined, never an infinity; the cost stays visible.
    assert math.isnan(check.loc[("marketing", "legacy_handoff"), "cost_per_close"])
    assert math.isnan(check.loc[("product", "ground_truth"), "cost_per_close"])
    assert check.loc[("product", "w_shaped"), "cost"] == 1000.0
    assert check.loc[("direct", "ground_truth"), "cost_per_close"] == 0.0
    assert check.loc[("direct", "ground_truth"), "true_credited_closes"] == pytest.approx(0.1)

    table = pivot_cost_per_close(check.reset_index(), "2026-01-01")
    assert list(table.columns) == ["ground_truth", "legacy_handoff", "w_shaped"]
    assert table.loc["marketing", "w_shaped"] == pytest.approx(180.0)
