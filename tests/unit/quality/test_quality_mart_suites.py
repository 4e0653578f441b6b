"""Mart suites on tiny hand-made marts: the attribution invariants, referential integrity and no
personal data block; a mart (or a mart an invariant needs) that does not exist yet is skipped with
the reason; a suite asking for a column the mart lacks fails naming it."""

from __future__ import annotations

import pytest

from orchestration.quality.config import CRITICAL, dbt_vars
from orchestration.quality.results import FAILED, PASSED, SKIPPED
from orchestration.quality.run import validate_mart
from orchestration.quality.suites import mart_suites
from tests.unit.quality.quality_rows import NIGHT

MODELS = ("legacy_handoff", "linear")


@pytest.fixture
def marts(con):
    """Three credited deals of three touches, credited by two models, and their dimensions."""
    con.execute("create schema marts")
    con.execute(
        """
        create table marts.fct_close_credit as
        select
            'o' || d as opportunity_id,
            't' || t as touch_id,
            m as attribution_model,
            case when m = 'linear' then 1.0 / 3 when t = 3 then 1.0 else 0.0 end as credit_fraction,
            (case when m = 'linear' then 1.0 / 3 when t = 3 then 1.0 else 0.0 end) * 300.0 as credited_revenue,
            true as is_amount_converted,
            10 * (3 - t) as days_before_close
        from range(3) as dd(d), range(1, 4) as tt(t), (values ('legacy_handoff'), ('linear')) as mm(m)
        """
    )
    con.execute(
        """
        create table marts.fct_touchpoints as
        select distinct opportunity_id, touch_id, 'paid_search' as channel, 'marketing' as source_group,
            days_before_close, 'person' as link
        from marts.fct_close_credit
        """
    )
    con.execute(
        "create table marts.fct_journeys as select distinct opportunity_id, 'won' as outcome, "
        "true as is_credited_deal, ['paid_search'] as channel_path from marts.fct_close_credit"
    )
    con.execute(
        "create table marts.dim_opportunities as select distinct opportunity_id from marts.fct_close_credit"
    )
    con.execute(
        "create table marts.dim_channels as select 'paid_search' as channel, 'marketing' as source_group"
    )
    return con


def validate(con, mart):
    outcome, _ = validate_mart(con, mart_suites()[mart], NIGHT)
    return outcome


def failure(outcome, text):
    found = [e for e in outcome.expectations if e.failed and text in (e.description + e.signature)]
    assert found, outcome.message(CRITICAL)
    return found[0]


@pytest.mark.parametrize("mart", sorted(mart_suites()))
def test_a_mart_that_does_not_exist_yet_is_skipped_with_the_reason(con, mart):
    outcome = validate(con, mart)
    assert outcome.status == SKIPPED
    assert outcome.skipped_reason == f"marts.{mart} does not exist in this warehouse (not built yet)"
    assert outcome.check_passed(CRITICAL)
    assert "skipped" in outcome.message(CRITICAL)


@pytest.mark.parametrize(
    "mart", ["fct_close_credit", "fct_touchpoints", "fct_journeys", "dim_opportunities", "dim_channels"]
)
def test_sound_marts_pass(marts, mart):
    outcome = validate(marts, mart)
    assert outcome.status == PASSED, outcome.message(CRITICAL)
    assert not [e for e in outcome.expectations if e.status == SKIPPED]


def test_credit_fractions_that_do_not_sum_to_one_block(marts):
    marts.execute(
        "update marts.fct_close_credit set credit_fraction = 0.5 "
        "where opportunity_id = 'o1' and touch_id = 't1' and attribution_model = 'linear'"
    )
    outcome = validate(marts, "fct_close_credit")
    assert outcome.status == FAILED
    sums = failure(outcome, "fraction_sum_error")
    assert sums.unexpected_count == 1
    assert "opportunity_id='o1'" in outcome.message(
        CRITICAL
    ) and "attribution_model='linear'" in outcome.message(CRITICAL)


def test_credited_revenue_that_differs_between_models_blocks(marts):
    marts.execute(
        "update marts.fct_close_credit set credited_revenue = 1 where opportunity_id = 'o2' and touch_id = 't3'"
    )
    outcome = validate(marts, "fct_close_credit")
    assert failure(outcome, "revenue_spread_across_models").unexpected_count == 1


def test_a_credited_deal_missing_from_a_model_blocks(marts):
    marts.execute(
        "delete from marts.fct_close_credit where opportunity_id = 'o0' and attribution_model = 'linear'"
    )
    outcome = validate(marts, "fct_close_credit")
    coverage = failure(outcome, "every model")
    assert coverage.samples[0]["opportunity_id"] == "o0"


def test_a_credited_touch_outside_the_window_blocks(marts):
    late = dbt_vars()["lookback_days"] + 1
    marts.execute(f"update marts.fct_close_credit set days_before_close = {late} where touch_id = 't2'")
    outcome = validate(marts, "fct_close_credit")
    window = failure(outcome, "window")
    assert window.unexpected_values == [late]


def test_an_email_in_any_text_column_of_a_mart_blocks(marts):
    marts.execute("update marts.fct_touchpoints set link = 'Jane.Doe@example.com' where touch_id = 't2'")
    outcome = validate(marts, "fct_touchpoints")
    pii = failure(outcome, "email address")
    assert pii.kwargs["column"] == "link" and pii.unexpected_count == 3
    assert outcome.status == FAILED


def test_list_columns_are_searched_for_personal_data_too(marts):
    marts.execute(
        "update marts.fct_journeys set channel_path = ['paid_search', 'bob@example.com'] where opportunity_id = 'o1'"
    )
    outcome = validate(marts, "fct_journeys")
    assert failure(outcome, "email address").kwargs["column"] == "channel_path"


def test_a_touch_of_a_journey_that_is_not_in_the_journey_mart_blocks(marts):
    marts.execute("delete from marts.fct_journeys where opportunity_id = 'o2'")
    outcome = validate(marts, "fct_touchpoints")
    orphans = failure(outcome, "fct_journeys__opportunity_id")
    assert orphans.unexpected_count == 3 and orphans.samples[0]["opportunity_id"] == "o2"


def test_an_invariant_needing_a_mart_not_built_yet_is_skipped_with_the_reason(marts):
    marts.execute("drop table marts.fct_journeys")
    outcome = validate(marts, "fct_close_credit")
    skipped = [e for e in outcome.expectations if e.status == SKIPPED]
    assert [e.batch for e in skipped] == ["models_per_credited_deal"]
    assert skipped[0].reason == "batch models_per_credited_deal needs fct_journeys, which does not exist yet"
    assert outcome.status == PASSED


def test_a_suite_asking_for_a_column_the_mart_lacks_fails_naming_it(marts):
    marts.execute("alter table marts.fct_close_credit drop column credited_revenue")
    outcome = validate(marts, "fct_close_credit")
    broken = failure(outcome, "revenue")
    assert broken.status == "error" and "credited_revenue" in broken.reason
    assert outcome.status == FAILED
    assert "credited_revenue" in outcome.message(CRITICAL)
