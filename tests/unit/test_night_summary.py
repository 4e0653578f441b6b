"""The night summary on a small hand-made warehouse: numbers formatted, cut tables said to be cut,
the credit table's groups from the source-groups seed."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import duckdb
import pytest

from orchestration.core.source_groups import source_groups
from orchestration.night.summary import QUARANTINE_REASONS_SHOWN, format_number, night_summary_text

NIGHT = date(2026, 3, 16)


@pytest.mark.parametrize(
    ("value", "digits", "text"),
    [
        (37.400000000000006, 1, "37.4"),
        (37.400000000000006, 2, "37.4"),
        (3.0, 1, "3"),
        (0.12345, 3, "0.123"),
        (1234567, 2, "1,234,567"),
        (1234.5, 2, "1,234.5"),
        (None, 2, "n/a"),
        (float("nan"), 2, "n/a"),
        (Decimal("2.50"), 2, "2.5"),
        (True, 2, "True"),
    ],
)
def test_numbers_are_formatted_for_a_person(value, digits, text):
    assert format_number(value, digits) == text


def _warehouse(reason_count: int) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    con.execute("create schema raw; create schema marts")
    con.execute(
        "create table raw.landing_log (extract_date date, source_file varchar, status varchar, message varchar)"
    )
    con.execute(
        "create table main.stg_audit__reconciliation as select 'crm.account' as object_name, "
        "$night::date as extract_date, 12345 as landed_rows, 12000 as staged_rows, 100 as superseded_rows, "
        "0 as soft_deleted_rows, 0 as duplicate_rows, 245 as quarantined_rows",
        {"night": NIGHT},
    )
    # `reason_count` distinct reasons, reason k with k + 1 rows (so the largest come first).
    con.execute(
        "create table main.stg_audit__quarantine as "
        "select 'crm.account' as object_name, 'col_' || r as column_name, 'bad value ' || r as reason, "
        "$night::date as extract_date from range($n) as t(r), range(r + 1) as u(k)",
        {"night": NIGHT, "n": reason_count},
    )
    con.execute(
        "create table main.int_journey_quality as select 0.5 as session_email_stitch_rate, "
        "0.25 as session_account_stitch_rate, 0.75 as person_account_stitch_rate, 0.1 as unmapped_share, "
        "0.05 as journey_unmapped_share, 1200 as bot_events_excluded, 4.0 as touches_per_won_deal_median, "
        "37.400000000000006 as touches_per_won_deal_p90"
    )
    con.execute(
        "create table marts.fct_close_credit as select * from (values "
        "('linear', 'sales', 0.5), ('linear', 'community', 1.5), ('w_shaped', 'marketing', 2.0)) "
        "as t(attribution_model, source_group, credit_fraction)"
    )
    return con


def test_a_cut_table_says_how_many_rows_it_shows_of_how_many():
    text = night_summary_text(_warehouse(QUARANTINE_REASONS_SHOWN + 5), NIGHT)
    section = text.split("## Quarantined tonight, by reason")[1]
    assert section.count("| crm.account |") == QUARANTINE_REASONS_SHOWN
    assert (
        f"(the first {QUARANTINE_REASONS_SHOWN} of {QUARANTINE_REASONS_SHOWN + 5} rows; all of them in "
        in section
    )
    assert "| crm.account | col_19 | bad value 19 | 20 |" in section  # the largest reason first


def test_a_whole_table_has_no_cut_note():
    text = night_summary_text(_warehouse(3), NIGHT)
    assert "(the first" not in text


def test_numbers_in_the_summary_are_rounded_and_grouped():
    text = night_summary_text(_warehouse(3), NIGHT)
    assert "p90 37.4." in text
    assert "37.400000000000006" not in text
    assert "median 4," in text
    assert "Bot events excluded: 1,200." in text
    assert "Rows landed tonight: 12,345" in text


def test_the_credit_table_lists_the_seed_s_touch_groups():
    text = night_summary_text(_warehouse(3), NIGHT)
    header = next(line for line in text.splitlines() if line.startswith("| model |"))
    assert header == "| model | " + " | ".join(source_groups()) + " |"
    assert "| linear | 25.0% | 0.0% | 75.0% | 0.0% |" in text


def test_the_summary_lists_unclassified_self_reported_answers_with_counts():
    con = _warehouse(3)
    con.execute(
        "create table main.int_self_reported_answers as select * from (values "
        "('a friend told me', false), ('read about you', true), ('read about you', true), ('saw it', true)) "
        "as t(folded_answer, is_unclassified)"
    )
    text = night_summary_text(con, NIGHT)
    section = text.split("## Self-reported source")[1]
    assert "People who answered: 4; answers no rule maps: 3." in section
    assert "| read about you | 2 |" in section
    assert section.index("| read about you |") < section.index("| saw it | 1 |")
    assert "a friend told me" not in section
