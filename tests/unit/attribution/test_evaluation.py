"""Model evaluation against a known truth: the errors are what the docstring says, by hand."""

import duckdb
import pandas as pd
import pytest

from orchestration.attribution.evaluation import evaluate_models


@pytest.fixture
def con(tmp_path):
    # Two deals closed in January: D1 truly 50% sales / 50% marketing, D2 truly 100% community.
    pd.DataFrame(
        {
            "opportunity_id": ["D1", "D2"],
            "close_date": ["2026-01-10", "2026-01-20"],
            "amount": [10, 10],
            "currency_iso_code": ["USD", "USD"],
            "sales_share": [0.5, 0.0],
            "marketing_share": [0.5, 0.0],
            "community_share": [0.0, 1.0],
            "direct_share": [0.0, 0.0],
        }
    ).to_csv(tmp_path / "deal_source_shares.csv", index=False)
    con = duckdb.connect()
    con.execute("create schema marts")
    credit = pd.DataFrame(
        {
            # legacy: everything to sales. linear (two touches each): D1 sales+marketing, D2 community x2.
            "opportunity_id": ["D1", "D2", "D1", "D1", "D2", "D2"],
            "attribution_model": ["legacy_handoff"] * 2 + ["linear"] * 4,
            "source_group": ["sales", "sales", "sales", "marketing", "community", "community"],
            "close_date": pd.to_datetime(
                ["2026-01-10", "2026-01-20", "2026-01-10", "2026-01-10"] + ["2026-01-20"] * 2
            ),
            "credit_fraction": [1.0, 1.0, 0.5, 0.5, 0.5, 0.5],
        }
    )
    con.register("credit", credit)
    con.execute("create table marts.fct_close_credit as select * from credit")
    yield con
    con.close()


def test_a_model_matching_the_truth_has_no_error(con, tmp_path):
    result = evaluate_models(con, tmp_path)
    linear = result[(result.attribution_model == "linear") & (result.period_type == "month")].iloc[0]
    assert linear.deals == 2
    assert linear.deal_mae == pytest.approx(0.0)
    assert linear.share_mae == pytest.approx(0.0)


def test_legacy_handoff_errors_worked_by_hand(con, tmp_path):
    result = evaluate_models(con, tmp_path)
    legacy = result[(result.attribution_model == "legacy_handoff") & (result.period_type == "quarter")].iloc[
        0
    ]
    # D1: |1-.5| + |0-.5| = 1 over 4 groups; D2: |1-0| + |0-1| = 2 over 4 groups -> mean 3/8.
    assert legacy.deal_mae == pytest.approx(3 / 8)
    # Period shares: legacy sales 1.0 vs true .25; marketing 0 vs .25; community 0 vs .5 -> 1.5/4.
    assert legacy.share_mae == pytest.approx(1.5 / 4)
    assert str(legacy.period_start) == "2026-01-01"


def test_fiscal_quarters_start_in_the_fiscal_month(con, tmp_path):
    result = evaluate_models(con, tmp_path, fiscal_year_start_month=11)
    quarters = result[result.period_type == "quarter"].period_start.astype(str).unique().tolist()
    assert quarters == ["2025-11-01"]  # Nov-Dec-Jan is the fiscal quarter holding January 2026
