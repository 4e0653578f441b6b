"""Every contract object's suite on small corrupted nights: blocked or warned as its suite file says.

Expected outcomes are read from the suite files (the severity of each contract-derived kind, of
the row-count and freshness expectations), never restated here: a data engineer who changes a
severity changes what these tests expect.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from orchestration.core.contract import ContractObject
from orchestration.core.dbt_vars import project_vars
from orchestration.quality.config import CRITICAL, WARNING
from orchestration.quality.results import FAILED, PASSED, WARNED, SuiteOutcome
from orchestration.quality.run import validate_raw_object
from orchestration.quality.suites import raw_suites
from tests.contract_rows import contract_params
from tests.unit.quality.quality_rows import NIGHT, ROWS, clean_rows, put_history, put_night

# The objects of the CRM shape in use (var crm_source) and every other system.
OBJECTS = contract_params(lambda o: o.crm_source in (None, project_vars()["crm_source"]))


def validate(con, obj: ContractObject, **kwargs) -> SuiteOutcome:
    outcome, gx_result = validate_raw_object(con, obj, NIGHT, **kwargs)
    assert gx_result["suite_name"] == outcome.suite
    return outcome


def contract_severity(obj: ContractObject, kind: str) -> str:
    return raw_suites()[obj.qualified_name].contract_severities[kind]


def literal(obj: ContractObject, column: str) -> dict:
    """The suite file's own expectation on `column` (row-count or freshness)."""
    matches = [
        e for e in raw_suites()[obj.qualified_name].expectations if e["kwargs"].get("column") == column
    ]
    assert matches, f"{obj.qualified_name}: the suite has no expectation on {column}"
    return matches[0]


def failed(
    outcome: SuiteOutcome, *, derived: str | None = None, column: str | None = None, type_: str | None = None
):
    found = [
        e
        for e in outcome.expectations
        if e.failed
        and (derived is None or e.derived == derived)
        and (type_ is None or e.type == type_)
        and (
            column is None
            or e.kwargs.get("column") == column
            or column in (e.kwargs.get("column_list") or [])
        )
    ]
    assert found, (
        f"no failed expectation {derived or ''} {column or ''}:\n{outcome.message(CRITICAL)}\n{outcome.message(WARNING)}"
    )
    return found[0]


def assert_gated(outcome: SuiteOutcome, severity: str) -> None:
    """Blocked (the blocking check fails) when the suite says critical, else warned only."""
    if severity == CRITICAL:
        assert outcome.status == FAILED
        assert not outcome.check_passed(CRITICAL)
    else:
        assert outcome.status == WARNED, outcome.message(CRITICAL)
        assert outcome.check_passed(CRITICAL)
        assert not outcome.check_passed(WARNING)


def first_typed_column(obj: ContractObject):
    return next(c for c in obj.columns if c.type in ("number", "date", "timestamp", "month", "boolean"))


def first_required_column(obj: ContractObject):
    return next(c for c in obj.columns if c.required)


@pytest.mark.parametrize("obj", OBJECTS)
def test_a_clean_night_passes_every_expectation(con, obj):
    put_night(con, obj, NIGHT, clean_rows(obj))
    outcome = validate(con, obj)
    assert outcome.status == PASSED, outcome.message(CRITICAL) + "\n" + outcome.message(WARNING)
    assert outcome.rows_validated == ROWS
    assert {e.derived for e in outcome.expectations} >= {
        "file_readable",
        "columns_present",
        "quarantine_rate",
    }


def accepted_values(obj: ContractObject) -> dict | None:
    """The suite file's first accepted-values expectation, if it has one."""
    return next(
        (
            e
            for e in raw_suites()[obj.qualified_name].expectations
            if e["type"] == "expect_column_values_to_be_in_set"
        ),
        None,
    )


@pytest.mark.parametrize("obj", OBJECTS)
def test_row_level_corruptions_are_reported_as_the_suite_says(con, obj):
    """A wrong value (unparseable, or outside the accepted values), a duplicate key and a missing
    required value, each in its own row."""
    rows = clean_rows(obj, 400)
    typed = first_typed_column(obj)
    rows[2][typed.name] = "12,5O0 not parseable"
    for name in obj.key:
        rows[10][name] = rows[9][name]
    required = first_required_column(obj)
    rows[19][required.name] = None
    accepted = accepted_values(obj)
    if accepted:
        rows[29][accepted["kwargs"]["column"]] = "Closed Maybe"
    put_night(con, obj, NIGHT, rows)
    outcome = validate(con, obj)

    if accepted:
        outside = failed(outcome, column=accepted["kwargs"]["column"], type_=accepted["type"])
        assert outside.unexpected_values == ["Closed Maybe"] and outside.severity == accepted["severity"]
        assert "'Closed Maybe'" in outcome.message(accepted["severity"]) and "row 30" in outcome.message(
            accepted["severity"]
        )

    wrong = failed(outcome, derived="parses_as_type", column=f"{typed.name}__unparseable")
    assert wrong.unexpected_count == 1 and wrong.severity == contract_severity(obj, "parses_as_type")
    assert "12,5O0 not parseable" in outcome.message(wrong.severity)
    assert f"{obj.relative_path} row 3" in outcome.message(wrong.severity)

    duplicate = failed(outcome, derived="key_unique")
    assert duplicate.severity == contract_severity(obj, "key_unique")
    rows_named = " ".join(duplicate.sample_lines(outcome.source_file))
    assert "row 10" in rows_named and "row 11" in rows_named

    missing = failed(outcome, derived="required", column=required.name)
    assert missing.unexpected_count == 1 and missing.severity == contract_severity(obj, "required")
    assert "row 20" in outcome.message(missing.severity)

    # Two quarantinable rows in 400 stay within the quarantine limit: nothing here blocks unless the
    # suite made one of these kinds critical.
    severities = {contract_severity(obj, k) for k in ("parses_as_type", "key_unique", "required")}
    if accepted:
        severities.add(accepted["severity"])
    assert_gated(outcome, CRITICAL if CRITICAL in severities else WARNING)


@pytest.mark.parametrize("obj", OBJECTS)
def test_too_many_quarantinable_rows_block_the_night(con, obj):
    rows = clean_rows(obj)
    required = first_required_column(obj)
    for row in rows[:10]:  # 5% of the night
        row[required.name] = None
    put_night(con, obj, NIGHT, rows)
    outcome = validate(con, obj)
    gate = failed(outcome, derived="quarantine_rate")
    assert gate.unexpected_count == 10 and gate.element_count == ROWS
    assert_gated(outcome, contract_severity(obj, "quarantine_rate"))
    message = outcome.message(gate.severity)
    assert obj.qualified_name in message and "_quarantine_reason" in message
    assert "missing required value" in message and f"{obj.relative_path} row 1" in message


@pytest.mark.parametrize("obj", OBJECTS)
def test_a_row_count_collapse_blocks_the_night(con, obj):
    put_history(
        con,
        obj,
        {NIGHT - timedelta(days=4): 50_000, **{NIGHT - timedelta(days=d): ROWS for d in (3, 2, 1)}},
    )
    put_night(con, obj, NIGHT, clean_rows(obj, 5))
    outcome = validate(con, obj)
    expectation = literal(obj, "row_count_ratio")
    failure = failed(outcome, column="row_count_ratio")
    assert failure.unexpected_values == [5 / ROWS]
    assert_gated(outcome, expectation["severity"])
    message = outcome.message(expectation["severity"])
    assert "row_count=5" in message and f"baseline_row_count={ROWS}" in message
    # The first extract (50,000 rows, a backfill) is not the baseline.
    assert outcome.profile["baseline_row_count"] == ROWS


@pytest.mark.parametrize(
    "obj", contract_params(lambda o: o.qualified_name in ("web.event", "crm.opportunity"))
)
def test_a_row_count_spike_blocks_the_night(con, obj):
    put_history(con, obj, {NIGHT - timedelta(days=d): 20 for d in (3, 2, 1)})
    put_night(con, obj, NIGHT, clean_rows(obj, 250))
    outcome = validate(con, obj)
    expectation = literal(obj, "row_count_ratio")
    assert expectation["kwargs"]["max_value"] < 250 / 20
    failed(outcome, column="row_count_ratio")
    assert_gated(outcome, expectation["severity"])


@pytest.mark.parametrize("obj", OBJECTS)
def test_a_file_missing_a_contract_column_blocks_the_night(con, obj, tmp_path):
    missing = obj.column_names[-1]
    source = tmp_path / NIGHT.isoformat() / obj.relative_path
    source.parent.mkdir(parents=True)
    source.write_text(",".join(c for c in obj.column_names if c != missing) + "\n", encoding="utf-8")
    message = f"{NIGHT.isoformat()}/{obj.relative_path}: missing contract column(s) '{missing}'"
    put_night(con, obj, NIGHT, [], status="failed", message=message)
    outcome = validate(con, obj, extracts_root=tmp_path)
    columns = failed(outcome, derived="columns_present")
    assert columns.unexpected_values == [missing]
    failed(outcome, derived="file_readable")
    assert_gated(outcome, contract_severity(obj, "columns_present"))
    assert message in outcome.message(CRITICAL)


FRESHNESS = [
    p
    for p in OBJECTS
    if any(
        e["kwargs"].get("column", "").startswith("days_behind__")
        for e in raw_suites()[p.values[0].qualified_name].expectations
    )
]


def freshness(obj: ContractObject) -> dict:
    return next(
        e
        for e in raw_suites()[obj.qualified_name].expectations
        if e["kwargs"].get("column", "").startswith("days_behind__")
    )


def stale_rows(obj: ContractObject, expectation: dict) -> list[dict]:
    column = expectation["kwargs"]["column"].removeprefix("days_behind__")
    stale = NIGHT - timedelta(days=int(expectation["kwargs"]["max_value"]) + 40)
    text = {
        "timestamp": f"{stale.isoformat()}T10:00:00Z",
        "date": stale.isoformat(),
        "month": stale.isoformat()[:7],
    }
    rows = clean_rows(obj)
    for row in rows:
        row[column] = text[obj.column(column).type]
    return rows


@pytest.mark.parametrize("obj", FRESHNESS)
def test_a_stale_extract_blocks_the_night(con, obj):
    expectation = freshness(obj)
    put_history(con, obj, {NIGHT - timedelta(days=1): ROWS})
    put_night(con, obj, NIGHT, stale_rows(obj, expectation))
    outcome = validate(con, obj)
    failure = failed(outcome, column=expectation["kwargs"]["column"])
    assert failure.unexpected_values[0] > expectation["kwargs"]["max_value"]
    assert_gated(outcome, expectation["severity"])


@pytest.mark.parametrize("obj", contract_params(lambda o: o.qualified_name == "crm.user"))
def test_freshness_is_not_asked_of_an_objects_first_extract(con, obj):
    """The first extract is a snapshot or a backfill: its newest row may be old."""
    put_night(con, obj, NIGHT, stale_rows(obj, freshness(obj)))
    outcome = validate(con, obj)
    assert outcome.profile["is_first_extract"] is True
    assert outcome.check_passed(CRITICAL), outcome.message(CRITICAL)
