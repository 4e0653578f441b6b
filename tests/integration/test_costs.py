"""Cost per close and investment signals (issue 5), end to end.

Three warehouses, each built once for the module:

- `restated`: two hand-made nights of cost extracts (the second restates a spend line and a sales
  cost, re-sends a payout) landed and staged for real, with the credit and journey inputs of the
  cost marts as small stub tables; the marts' totals must be the restated ones, with unallocated
  and unconverted amounts reported;
- `word_of_mouth` / `no_community`: a small demo company with `community_strength` 3 (a strong
  word-of-mouth company) and 0 (no community closes), a whole night each (dbt, the data-driven
  engine, dbt): the matching signal must fire. The first also carries the ground-truth check.

The rules themselves (FX, allocation, NULL on zero credit, bucketing, each signal's threshold on
both sides) are dbt unit tests beside the models; they run inside the demo nights' builds and are
counted here.
"""

from __future__ import annotations

import math
import shutil
from datetime import date
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from orchestration.attribution.listing import attribution_models
from orchestration.attribution.warehouse import run_data_driven_attribution
from orchestration.core.dbt_args import build_args
from orchestration.demo import generate
from orchestration.night.landing import complete_extract_dates, land_night
from tests.contract_rows import write_night
from tests.costs_ground_truth import ground_truth_check, pivot_cost_per_close

COST_FOLDERS = ("models/intermediate/costs", "models/marts/costs")
COST_MARTS = ("fct_cost_per_close", "fct_cost_per_close_by_resource", "fct_investment_signals")
SCALE = 0.05
MODELS = len(attribution_models())

# --- the restatement scenario ------------------------------------------------------------------------

NIGHT_1 = date(2026, 3, 16)
NIGHT_2 = date(2026, 3, 17)


def _spend(day: str, channel: str, source: str, campaign: str, spend: str, currency: str) -> dict:
    return {
        "date": day,
        "channel": channel,
        "utm_source": source,
        "utm_campaign": campaign,
        "campaign_id": "",
        "spend": spend,
        "currency_iso_code": currency,
    }


def _user(user_id: str, role: str) -> dict:
    return {
        "id": user_id,
        "name": "",
        "email": "",
        "user_role": role,
        "is_active": "true",
        "created_date": "2025-01-01T00:00:00Z",
        "system_modstamp": "2025-01-01T00:00:00Z",
        "is_deleted": "false",
    }


def _payout(paid_at: str) -> dict:
    return {
        "payout_id": "p1",
        "partner_id": "pa1",
        "opportunity_id": "",
        "amount": "30",
        "currency_iso_code": "USD",
        "payout_type": "bounty",
        "earned_at": "2026-03-10T12:00:00Z",
        "paid_at": paid_at,
    }


FX = [
    {"month": month, "currency_iso_code": currency, "rate_to_usd": rate}
    for month in ("2026-02", "2026-03")
    for currency, rate in (("USD", "1"), ("EUR", "1.25"))
]  # no GBP rate: GBP amounts stay unconverted

NIGHTS = {
    NIGHT_1: {
        "costs.fx_rate": FX,
        "costs.marketing_spend": [
            _spend("2026-03-15", "paid_search", "google", "ps_generic_emea", "100", "EUR"),  # preliminary
            _spend("2026-03-14", "paid_social", "linkedin", "li_abm", "40", "USD"),
            _spend("2026-02-10", "paid_social", "linkedin", "li_abm_uk", "50", "GBP"),  # no rate
        ],
        "costs.sales_cost": [
            {
                "month": "2026-03",
                "user_id": "u_ae",
                "cost_type": "salary",
                "amount": "1000",
                "currency_iso_code": "USD",
            },
            # a marketer's cost in the sales cost file: no rule takes it
            {
                "month": "2026-03",
                "user_id": "u_mkt",
                "cost_type": "salary",
                "amount": "300",
                "currency_iso_code": "USD",
            },
        ],
        "costs.program_cost": [
            {"month": "2026-03", "program": "product", "amount": "500", "currency_iso_code": "USD"},
            {"month": "2026-03", "program": "brand", "amount": "200", "currency_iso_code": "USD"},
        ],
        "referral.payout": [_payout("")],
        "crm.user": [_user("u_ae", "AE"), _user("u_mkt", "Marketing")],
    },
    NIGHT_2: {
        "costs.fx_rate": FX,
        "costs.marketing_spend": [
            _spend("2026-03-15", "paid_search", "google", "ps_generic_emea", "120", "EUR"),  # restated
            _spend("2026-03-16", "paid_search", "google", "ps_brand", "10", "USD"),
        ],
        "costs.sales_cost": [
            {
                "month": "2026-03",
                "user_id": "u_ae",
                "cost_type": "salary",
                "amount": "1100",
                "currency_iso_code": "USD",
            },
        ],
        "referral.payout": [_payout("2026-04-15T00:00:00Z")],
    },
}
# March in USD after night 2: marketing 120 x 1.25 + 40 + 10 + brand 200; sales 1100 (not 1000 +
# 1100); the marketer's 300 unallocated; product 500; community the 30 payout (once).
MARCH = {"marketing": 400.0, "sales": 1100.0, "unallocated": 300.0, "product": 500.0, "community": 30.0}

STUB_OPPORTUNITIES = """
create table main.int_journey_opportunities as
select * from (values
    ('o1', 'New Business', 'won', true, date '2026-02-20', date '2026-03-05'),
    ('o2', 'New Business', 'won', true, date '2026-02-01', date '2026-03-20'),
    ('o3', 'New Business', 'lost', false, date '2026-02-01', date '2026-03-25')
) as t (opportunity_id, opportunity_type, outcome, is_credited_deal, created_date, close_date)
"""
STUB_CREDIT = """
create table marts.fct_credit_by_source as
select *, 0.0 as credit_shift, 0.0 as revenue_shift, cast(null as date) as as_of_date
from (values
    ('month', date '2026-03-01', 'sales', 'legacy_handoff', 2.0, 2000.0),
    ('quarter', date '2026-01-01', 'sales', 'legacy_handoff', 2.0, 2000.0),
    ('month', date '2026-03-01', 'sales', 'w_shaped', 0.5, 500.0),
    ('quarter', date '2026-01-01', 'sales', 'w_shaped', 0.5, 500.0),
    ('month', date '2026-03-01', 'marketing', 'w_shaped', 1.5, 1500.0),
    ('quarter', date '2026-01-01', 'marketing', 'w_shaped', 1.5, 1500.0)
) as t (period_type, period_start, source_group, attribution_model, credited_closes, credited_revenue)
"""
RESTATED_SELECT = (
    "+int_costs_by_period source_groups int_deal_outcomes_by_period +int_credit_replicates "
    "stg_attribution__model_fits fct_model_fit "
    "fct_cost_per_close fct_cost_per_close_by_resource fct_investment_signals"
)


@pytest.fixture(scope="module")
def restated(run_dbt, tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("restated")
    extracts = root / "extracts"
    for night, rows in NIGHTS.items():
        write_night(extracts, night, rows)
    database = root / "warehouse.duckdb"
    with duckdb.connect(str(database)) as con:
        for night in NIGHTS:
            land_night(con, extracts, night)
        con.execute("create schema if not exists marts")
        con.execute(STUB_OPPORTUNITIES)
        con.execute(STUB_CREDIT)
        # The signals show the dark funnel's share beside the community ones: none here.
        con.execute(
            "create table marts.fct_dark_funnel as select 'month' as period_type, date '2026-03-01' as "
            "period_start, 'community' as source_group, cast(null as double) as "
            "community_share_without_self_reports where false"
        )
        # No answered deals either: the cost marts carry the period's self-report coverage.
        con.execute(
            "create table main.int_self_report_coverage as select 'month' as period_type, date '2026-03-01' "
            "as period_start, 0::bigint as credited_deals, 0::bigint as answered_deals, "
            "cast(null as double) as self_report_coverage where false"
        )
    run_dbt(
        [
            *build_args(NIGHT_2, select=RESTATED_SELECT),
            "--exclude-resource-type",
            "unit_test",
            "--indirect-selection",
            "cautious",
        ],
        database,
    )
    return database


def _query(database: Path, sql: str, params=None) -> pd.DataFrame:
    with duckdb.connect(str(database), read_only=True) as con:
        return con.execute(sql, params or []).df()


def test_restated_spend_replaces_at_the_mart(restated):
    """The later extract's row per key wins: March holds 120 EUR of the restated spend line and
    1,100 of the restated salary, never the sum of both versions; the re-sent payout counts once."""
    for period_type, start in (("month", "2026-03-01"), ("quarter", "2026-01-01")):
        costs = _query(
            restated,
            "select source_group, cost, attribution_model from marts.fct_cost_per_close "
            "where period_type = ? and period_start = ?",
            [period_type, start],
        )
        assert costs["attribution_model"].nunique() == MODELS
        by_group = costs.groupby("source_group")["cost"].agg(["min", "max"])
        assert (by_group["min"] == by_group["max"]).all(), "cost is the same under every model"
        got = by_group["min"][by_group["min"] != 0].to_dict()
        assert got == pytest.approx(MARCH, rel=1e-12), period_type
    lines = _query(
        restated, "select count(*) as n from main.int_cost_lines where cost_source = 'marketing_spend'"
    )
    assert lines["n"][0] == 4  # 3 keys of night 1 + 1 new key of night 2


def test_unallocated_and_unconverted_costs_are_reported(restated):
    """A marketer's salary in the sales cost file is `unallocated` (in the totals, its own group);
    February's GBP spend has no rate: 0 in the cost, 1 unconverted line, never dropped."""
    rows = _query(
        restated,
        "select period_start, source_group, cost, cost_lines, unconverted_cost_lines, period_total_cost "
        "from marts.fct_cost_per_close where period_type = 'month' and attribution_model = 'w_shaped' "
        "and (cost_lines > 0 or source_group = 'unallocated') order by 1, 2",
    )
    feb = rows[rows["period_start"] == pd.Timestamp("2026-02-01")]
    assert feb[["source_group", "cost", "cost_lines", "unconverted_cost_lines"]].to_dict("records") == [
        {"source_group": "marketing", "cost": 0.0, "cost_lines": 1, "unconverted_cost_lines": 1},
        {"source_group": "unallocated", "cost": 0.0, "cost_lines": 0, "unconverted_cost_lines": 0},
    ]
    march = rows[rows["period_start"] == pd.Timestamp("2026-03-01")].set_index("source_group")
    assert march.loc["unallocated", "cost"] == 300.0
    assert march["period_total_cost"].iloc[0] == pytest.approx(sum(MARCH.values()))
    resources = _query(
        restated,
        "select resource, cost from marts.fct_cost_per_close_by_resource where period_type = 'month' "
        "and period_start = date '2026-03-01' and attribution_model = 'w_shaped' order by 1",
    )
    assert dict(zip(resources["resource"], resources["cost"], strict=True)) == pytest.approx(
        {"marketing": 400.0, "product": 530.0, "sales": 1100.0, "unallocated": 300.0, "unattributed": 0.0}
    )


def test_cost_per_close_uses_the_credit_and_the_deals(restated):
    """March under w_shaped: sales 1,100 / 0.5 closes, marketing 400 / 1.5; CAC = 2,330 / 2 credited
    deals; win rate 2 / 3; median cycle of the two wins (13 and 47 days) = 30."""
    rows = _query(
        restated,
        "select * from marts.fct_cost_per_close where period_type = 'month' "
        "and period_start = date '2026-03-01' and attribution_model = 'w_shaped'",
    ).set_index("source_group")
    assert rows.loc["sales", "cost_per_close"] == pytest.approx(2200.0)
    assert rows.loc["marketing", "cost_per_close"] == pytest.approx(400.0 / 1.5)
    assert rows.loc["sales", "roi"] == pytest.approx((500.0 - 1100.0) / 1100.0)
    assert math.isnan(rows.loc["product", "cost_per_close"])  # cost, no credit
    assert math.isnan(rows.loc["direct", "roi"])  # no cost
    assert rows["blended_cac"].iloc[0] == pytest.approx(2330.0 / 2)
    assert rows["win_rate"].iloc[0] == pytest.approx(2 / 3)
    assert rows["median_sales_cycle_days"].iloc[0] == 30.0


def test_reconciliation_test_catches_a_lost_cost(restated, run_dbt, tmp_path):
    """The nightly data test compares the mart with the staged lines: it passed in the build, and
    fails once a cost goes missing from the mart."""
    broken = tmp_path / "broken.duckdb"
    shutil.copy(restated, broken)
    with duckdb.connect(str(broken)) as con:
        con.execute(
            "delete from marts.fct_cost_per_close where source_group = 'unallocated' "
            "and attribution_model = 'markov'"
        )
    result = run_dbt(
        [
            "test",
            "--select",
            "fct_cost_per_close_reconciles_with_staged_costs",
            "--vars",
            '{"as_of_date": "2026-03-17"}',
        ],
        broken,
        expect_success=False,
    )
    tests = [r for r in result.result.results if r.node.resource_type == "test"]
    assert [str(getattr(r.status, "value", r.status)) for r in tests] == ["fail"]


# --- demo companies ------------------------------------------------------------------------------------


def _demo_night(run_dbt, root: Path, community_strength: float) -> dict:
    generate(root, scale=SCALE, days=2, community_strength=community_strength)
    database = root / "warehouse.duckdb"
    nights = complete_extract_dates(root / "extracts")
    with duckdb.connect(str(database)) as con:
        for night in nights:
            land_night(con, root / "extracts", night)
    as_of = nights[-1]
    first = run_dbt(build_args(as_of, exclude="source:attribution+"), database)
    with duckdb.connect(str(database)) as con:
        run_data_driven_attribution(con, as_of)
    second = run_dbt(build_args(as_of, select="source:attribution+"), database)
    return {"root": root, "database": database, "results": [*first.result.results, *second.result.results]}


@pytest.fixture(scope="module")
def word_of_mouth(run_dbt, tmp_path_factory) -> dict:
    return _demo_night(run_dbt, tmp_path_factory.mktemp("word_of_mouth"), community_strength=3.0)


@pytest.fixture(scope="module")
def no_community(run_dbt, tmp_path_factory) -> dict:
    return _demo_night(run_dbt, tmp_path_factory.mktemp("no_community"), community_strength=0.0)


def _signals(company: dict) -> pd.DataFrame:
    return _query(company["database"], "select * from marts.fct_investment_signals")


def test_cost_unit_tests_pass_in_the_nightly_build(word_of_mouth):
    """The dbt unit tests of the cost models (FX, restatement-free allocation, unallocated, NULL on
    zero credit, quarters and fiscal years, every signal on both sides of its threshold) run in
    every night's build; all of them passed in this one."""
    unit = [
        r
        for r in word_of_mouth["results"]
        if r.node.resource_type == "unit_test" and r.node.original_file_path.startswith(COST_FOLDERS)
    ]
    print(f"{len(unit)} cost unit tests passed")
    assert len(unit) >= 9
    assert {str(getattr(r.status, "value", r.status)) for r in unit} == {"pass"}


def test_word_of_mouth_company_fires_community_high_share(word_of_mouth):
    signals = _signals(word_of_mouth)
    high = signals[signals["signal"] == "community_high_share"]
    print(high[["period_type", "period_start", "message"]].to_string())
    assert len(high[high["period_type"] == "quarter"]) >= 2
    assert (high["metric_value"] >= 0.30).all()
    assert (signals["signal"] != "community_low_share").all()
    assert high["message"].str.contains("word of mouth is carrying growth: invest in product").all()


def test_no_community_company_fires_community_low_share(no_community):
    signals = _signals(no_community)
    low = signals[signals["signal"] == "community_low_share"]
    eligible = _query(
        no_community["database"],
        "select distinct period_type, period_start from marts.fct_cost_per_close "
        "where period_credited_deals >= 10",
    )
    print(low[["period_type", "period_start", "message"]].to_string())
    assert len(low) == len(eligible) > 0, "fires in every period with enough deals"
    assert (low["metric_value"] < 0.05).all()
    assert (signals["signal"] != "community_high_share").all()


def test_signals_need_enough_credited_deals(word_of_mouth, no_community):
    for company in (word_of_mouth, no_community):
        signals = _signals(company)
        assert (signals["credited_deals"] >= signals["min_credited_deals"]).all()
        assert (signals["min_credited_deals"] == 10).all()
        assert signals["message"].str.startswith("In the ").all()
        assert (signals["attribution_model"] == "w_shaped").all()


def test_demo_cost_per_close_has_every_model_and_no_infinity(word_of_mouth):
    rows = _query(word_of_mouth["database"], "select * from marts.fct_cost_per_close")
    per_cell = rows.groupby(["period_type", "period_start", "source_group"])["attribution_model"].nunique()
    assert (per_cell == MODELS).all()
    for column in ("cost_per_close", "roi", "blended_cac", "win_rate"):
        values = rows[column].dropna()
        assert values.map(math.isfinite).all(), column
    assert rows.loc[rows["credited_closes"] == 0, "cost_per_close"].isna().all()
    assert rows.loc[rows["cost"] == 0, "roi"].isna().all()
    assert set(rows["source_group"]) >= {
        "sales",
        "marketing",
        "community",
        "direct",
        "product",
        "unallocated",
    }


def test_ground_truth_cost_per_close_beside_each_model(word_of_mouth):
    """The true shares give each group's true credited closes; per quarter they add up to the
    warehouse's credited deals, and the true cost per close is the same cost over them."""
    with duckdb.connect(str(word_of_mouth["database"]), read_only=True) as con:
        check = ground_truth_check(con, word_of_mouth["root"])
        deals = con.execute(
            "select period_start, max(period_credited_deals) as deals from marts.fct_cost_per_close "
            "where period_type = 'quarter' group by 1"
        ).df()
    assert set(check["attribution_model"]) == {"ground_truth", *_models(word_of_mouth)}
    truth = check[check["attribution_model"] == "ground_truth"]
    closes = truth.groupby("period_start")["credited_closes"].sum()
    expected = deals.set_index(pd.to_datetime(deals["period_start"]).dt.date)["deals"]
    assert closes.to_dict() == pytest.approx(expected.astype(float).to_dict())
    rated = truth[truth["credited_closes"] > 0]
    assert (rated["cost_per_close"] == rated["cost"] / rated["credited_closes"]).all()
    costs = check.groupby(["period_start", "source_group"])["cost"].nunique()
    assert (costs == 1).all(), "a group's cost is the same for the truth and every model"
    busiest = deals.sort_values("deals").iloc[-1]["period_start"]
    table = pivot_cost_per_close(check, busiest)
    print(f"cost per close, quarter starting {busiest}:\n{table.to_string()}")
    assert list(table.columns[:1]) == ["ground_truth"]


def _models(company: dict) -> set[str]:
    rows = _query(company["database"], "select distinct attribution_model from marts.fct_cost_per_close")
    return set(rows["attribution_model"])
