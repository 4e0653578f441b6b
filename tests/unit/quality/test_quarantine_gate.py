"""The quarantine gate: one bad row in a small file is quarantined and warned about, not a blocked
night; many bad rows over the rate, or a file of bad rows only, block. The rule is the dbt macro
`quarantine_gate_blocks`, evaluated here as GX evaluates it (rendered with the vars, run by
DuckDB); the dbt test that calls the same macro is run in tests/integration/test_staging.py."""

from __future__ import annotations

import pytest

from orchestration.core.contract import get_object
from orchestration.quality.config import CRITICAL, WARNING, dbt_vars
from orchestration.quality.gate import GATE_MACRO_FILE, GateError, gate_blocks, quarantine_gate_sql
from orchestration.quality.results import FAILED, PASSED, WARNED
from orchestration.quality.run import validate_raw_object
from tests.unit.quality.quality_rows import NIGHT, clean_rows, put_night

WEB = get_object("web", "event")
RULE = {"max_quarantine_rate": 0.01, "quarantine_gate_min_rows": 10}


@pytest.mark.parametrize(
    ("quarantined", "total", "blocks"),
    [
        (0, 0, False),  # an empty file
        (0, 5, False),
        (1, 5, False),  # 20% but one row: quarantine and warn
        (9, 100, False),  # 9% but fewer than 10 rows
        (10, 1000, False),  # exactly 1%: not more than the rate
        (11, 1000, True),  # over the rate with at least 10 rows
        (10, 999, True),
        (10, 10, True),
        (5, 5, True),  # every row of a non-empty file
        (1, 1, True),
    ],
)
def test_the_macro_blocks_over_the_rate_with_enough_rows_or_a_file_of_bad_rows_only(
    con, quarantined, total, blocks
):
    assert gate_blocks(con, quarantined, total, RULE) is blocks


def test_the_macro_reads_both_vars(con):
    assert gate_blocks(con, 9, 100, {**RULE, "quarantine_gate_min_rows": 5}) is True
    assert gate_blocks(con, 11, 1000, {**RULE, "max_quarantine_rate": 0.02}) is False
    with pytest.raises(GateError, match="quarantine_gate_min_rows"):
        quarantine_gate_sql("1", "2", {"max_quarantine_rate": 0.01})


def test_the_rule_is_written_in_the_macro_only():
    """The GX side renders the macro file; dbt_project.yml declares its vars with their defaults."""
    sql = quarantine_gate_sql("q", "t", RULE)
    assert "0.01" in sql and "10" in sql
    assert "quarantine_gate_blocks" in GATE_MACRO_FILE.read_text(encoding="utf-8")
    assert dbt_vars()["quarantine_gate_min_rows"] == 10
    assert dbt_vars()["max_quarantine_rate"] == 0.01


def validate(con, rows):
    put_night(con, WEB, NIGHT, rows)
    outcome, _ = validate_raw_object(con, WEB, NIGHT)
    return outcome


def gate_of(outcome):
    return next(e for e in outcome.expectations if e.derived == "quarantine_rate")


def test_one_bad_row_in_a_five_row_file_is_quarantined_and_warned_about(con):
    rows = clean_rows(WEB, 5)
    rows[2]["occurred_at"] = "yesterday-ish"
    outcome = validate(con, rows)
    assert gate_of(outcome).status == PASSED
    assert outcome.status == WARNED and outcome.check_passed(CRITICAL)
    assert outcome.profile["quarantined_rows"] == 1
    warning = outcome.message(WARNING)
    assert "not a timestamp: yesterday-ish" not in outcome.message(CRITICAL)
    assert "yesterday-ish" in warning and f"{WEB.relative_path} row 3" in warning


def test_the_runs_var_overrides_reach_the_gx_gate(con):
    """`closecredit run --vars` on the gate's vars: the GX gate decides with them, as dbt's does."""
    rows = clean_rows(WEB, 5)
    rows[2]["occurred_at"] = "yesterday-ish"
    put_night(con, WEB, NIGHT, rows)
    strict = {"max_quarantine_rate": 0, "quarantine_gate_min_rows": 1}
    outcome, _ = validate_raw_object(con, WEB, NIGHT, overrides=strict)
    assert gate_of(outcome).status == FAILED and not outcome.check_passed(CRITICAL)
    assert outcome.profile["quarantine_gate_blocks"] is True


def test_a_five_row_file_of_bad_rows_only_blocks(con):
    rows = clean_rows(WEB, 5)
    for row in rows:
        row["occurred_at"] = "yesterday-ish"
    outcome = validate(con, rows)
    gate = gate_of(outcome)
    assert gate.status == FAILED and gate.unexpected_count == 5 and gate.element_count == 5
    assert outcome.status == FAILED


def test_ten_bad_rows_over_the_rate_block_and_name_file_row_and_value(con):
    rows = clean_rows(WEB, 200)
    for row in rows[:10]:  # 5% and 10 rows
        row["occurred_at"] = "yesterday-ish"
    outcome = validate(con, rows)
    gate = gate_of(outcome)
    assert gate.status == FAILED and gate.severity == CRITICAL and gate.unexpected_count == 10
    (detail,) = [d for d in outcome.failure_details(CRITICAL) if d["signature"] == gate.signature]
    assert detail["object"] == "web.event" and detail["failed_rows"] == 10 and detail["rows"] == 200
    assert "quarantine_gate_blocks" in detail["expectation"]
    assert len(detail["samples"]) == 3
    assert detail["samples"][0].startswith(f"{NIGHT.isoformat()}/{WEB.relative_path} row 1")
    assert "'not a timestamp: yesterday-ish'" in detail["samples"][0]


def test_nine_bad_rows_over_the_rate_warn_only(con):
    rows = clean_rows(WEB, 200)
    for row in rows[:9]:  # 4.5% but fewer than quarantine_gate_min_rows
        row["occurred_at"] = "yesterday-ish"
    outcome = validate(con, rows)
    assert gate_of(outcome).status == PASSED
    assert outcome.status == WARNED
