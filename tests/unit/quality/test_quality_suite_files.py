"""The suite files: one per contract object and per mart, well formed, stating every severity, and
never restating what the contract already says (columns, types, required flags, keys)."""

from __future__ import annotations

import json
import re

import pytest

from orchestration.core.contract import PROJECT_DIR, load_contract
from orchestration.quality import derive
from orchestration.quality.config import CRITICAL, RAW_SUITES_DIR, WARNING, iso_currencies
from orchestration.quality.raw import DATE_SHAPE, MONTH_SHAPE, NUMBER_SHAPE, TIMESTAMP_SHAPE, rows_sql
from orchestration.quality.suites import (
    CONTRACT_KINDS,
    SuiteError,
    mart_suites,
    parse_suite,
    pii_rule,
    raw_suites,
)
from tests.contract_rows import contract_params, dirty_variants, valid_row
from tests.unit.quality.quality_rows import NIGHT, put_night

OBJECTS = contract_params()


def test_every_contract_object_has_exactly_one_raw_suite():
    suites = raw_suites()
    assert set(suites) == {o.qualified_name for o in load_contract()}
    files = {p.stem for p in RAW_SUITES_DIR.glob("*.json")}
    assert files == {o.identifier for o in load_contract()}, (
        "a suite file for an object the contract does not have"
    )


def test_the_gating_policy_is_what_the_suite_files_say():
    """File-level expectations and the quarantine-rate limit block; row-level ones warn."""
    for name, suite in raw_suites().items():
        severities = suite.contract_severities
        for kind in ("file_readable", "columns_present", "quarantine_rate"):
            assert severities[kind] == CRITICAL, (name, kind)
        for kind in set(CONTRACT_KINDS) - {"file_readable", "columns_present", "quarantine_rate"}:
            assert severities[kind] == WARNING, (name, kind)
        for expectation in suite.expectations:
            expected = CRITICAL if suite.batch_of(expectation) == "file" else WARNING
            assert expectation["severity"] == expected, (name, expectation)


@pytest.mark.parametrize("obj", OBJECTS)
def test_raw_suites_restate_nothing_the_contract_says(obj):
    suite = raw_suites()[obj.qualified_name]
    restating = {
        "expect_table_columns_to_match_set",
        "expect_table_columns_to_match_ordered_list",
        "expect_column_to_exist",
        "expect_column_values_to_be_of_type",
        "expect_column_values_to_be_in_type_list",
        "expect_column_values_to_be_unique",
        "expect_compound_columns_to_be_unique",
        "expect_select_column_values_to_be_unique_within_record",
    }
    for expectation in suite.expectations:
        assert expectation["type"] not in restating, expectation
        if (
            expectation["type"] == "expect_column_values_to_not_be_null"
            and "row_condition" not in expectation["kwargs"]
        ):
            column = expectation["kwargs"]["column"]
            assert not obj.column(column).required, f"{column} is required in the contract already"


@pytest.mark.parametrize("obj", OBJECTS)
def test_raw_suite_expectations_name_columns_of_their_batch(obj):
    suite = raw_suites()[obj.qualified_name]
    columns = {"rows": set(derive.rows_batch_columns(obj)), "file": set(derive.file_batch_columns(obj))}
    for expectation in derive.raw_expectations(obj, suite):
        batch = suite.batch_of(expectation)
        for column in derive.referenced_columns(expectation):
            assert column in columns[batch], f"{suite.path.name}: {column} is not in the {batch} batch"


@pytest.mark.parametrize("obj", OBJECTS)
def test_contract_derived_expectations_follow_the_contract(obj):
    expectations = derive.contract_expectations(obj, raw_suites()[obj.qualified_name])
    by_kind: dict[str, list[dict]] = {}
    for expectation in expectations:
        by_kind.setdefault(expectation["meta"]["derived"], []).append(expectation)
    assert {e["kwargs"]["column"] for e in by_kind.get("required", [])} == {
        c.name for c in obj.columns if c.required
    }
    assert {e["kwargs"]["column"] for e in by_kind.get("required_if", [])} == {
        c.name for c in obj.columns if c.required_if
    }
    assert {e["kwargs"]["column"] for e in by_kind.get("parses_as_type", [])} == {
        f"{c.name}__unparseable" for c in obj.columns if c.type in derive.PARSED_TYPES
    }
    bounded = [c for c in obj.columns if c.min is not None or c.max is not None]
    assert len(by_kind.get("number_bounds", [])) == len(bounded)
    for expectation in by_kind.get("known_currency", []):
        assert expectation["kwargs"]["value_set"] == list(iso_currencies())
    (key,) = by_kind["key_unique"]
    assert key["kwargs"].get("column_list", [key["kwargs"].get("column")]) == list(obj.key)
    (gate,) = by_kind["quarantine_rate"]
    # The gate's verdict is the macro's (see test_quarantine_gate): no `mostly` restates the rate.
    assert gate["kwargs"] == {"column": derive.BLOCKING_QUARANTINE_COLUMN}
    assert "max_quarantine_rate = 0.01" in gate["description"]
    assert "quarantine_gate_min_rows = 10" in gate["description"]


def test_every_expectation_of_every_suite_is_a_valid_gx_expectation(gx_engine):
    """Derived and literal, raw and mart: each builds as a GX Expectation (typos fail here)."""
    configs = []
    for obj in load_contract():
        configs += derive.raw_expectations(obj, raw_suites()[obj.qualified_name])
    for suite in mart_suites().values():
        configs += list(suite.expectations)
    from orchestration.quality.run import _prepared

    for position, config in enumerate(_prepared(configs, NIGHT)):
        expectation = gx_engine.expectation(config, f"t{position}")
        assert expectation.severity.value == config["severity"]


def test_mart_suites_are_well_formed():
    suites = mart_suites()
    assert {"fct_touchpoints", "fct_journeys", "fct_close_credit", "fct_cost_per_close"} <= set(suites)
    for name, suite in suites.items():
        assert suite.name == f"mart.{name}" and suite.schema == "marts"
        assert suite.pii is not None and suite.pii.severity == CRITICAL, f"{name}: marts carry no PII"
        for batch in suite.batches.values():
            assert "{mart}" in batch.sql or any(r in batch.sql for r in batch.requires), (name, batch.name)


def test_the_pii_rule_is_one_file_for_every_mart_suite(tmp_path):
    rule = pii_rule()
    assert rule.severity == CRITICAL and "email address" in rule.patterns
    assert all(suite.pii is rule for suite in mart_suites().values())
    assert all(suite.pii is None for suite in raw_suites().values())
    for path in (PROJECT_DIR / "expectations" / "marts").glob("*.json"):
        assert "pii" not in json.loads(path.read_text())["meta"]["closecredit"], path.name
    own = tmp_path / "fct_journeys.json"
    own.write_text(
        json.dumps(
            {
                "name": "mart.fct_journeys",
                "meta": {"closecredit": {"mart": "fct_journeys", "pii": {"severity": CRITICAL}}},
                "expectations": [],
            }
        )
    )
    with pytest.raises(SuiteError, match=r"one file for every mart, expectations/pii\.json"):
        parse_suite(own, "mart")


def write_suite(tmp_path, document) -> object:
    path = tmp_path / "expectations" / "raw" / "crm__account.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(document), encoding="utf-8")
    return path


def base_document() -> dict:
    return json.loads((RAW_SUITES_DIR / "crm__account.json").read_text(encoding="utf-8"))


def test_an_expectation_without_a_severity_is_refused_with_the_file_named(tmp_path):
    document = base_document()
    document["expectations"].append(
        {"type": "expect_column_values_to_be_in_set", "kwargs": {"column": "industry"}}
    )
    with pytest.raises(
        SuiteError, match=r"crm__account.json: expectation \d+ \(expect_column_values_to_be_in_set\) must say"
    ):
        parse_suite(write_suite(tmp_path, document), "raw")


def test_a_suite_must_give_a_severity_to_every_contract_kind(tmp_path):
    document = base_document()
    del document["meta"]["closecredit"]["contract_expectations"]["key_unique"]
    with pytest.raises(SuiteError, match="missing: \\['key_unique'\\]"):
        parse_suite(write_suite(tmp_path, document), "raw")


def test_an_unknown_batch_is_refused(tmp_path):
    document = base_document()
    document["expectations"][0]["meta"] = {"batch": "nightly"}
    with pytest.raises(SuiteError, match=r"meta\.batch 'nightly' is not one of rows, file"):
        parse_suite(write_suite(tmp_path, document), "raw")


def test_the_type_shapes_are_stagings_own():
    """The typed companions use the very patterns of macros/cross_db/casts.sql."""
    casts = (
        (PROJECT_DIR / "macros" / "cross_db" / "casts.sql").read_text(encoding="utf-8").replace("\\\\", "\\")
    )
    for shape in (TIMESTAMP_SHAPE, DATE_SHAPE, MONTH_SHAPE, NUMBER_SHAPE):
        assert f"'{shape}'" in casts, shape


@pytest.mark.parametrize("obj", OBJECTS)
def test_the_quarantine_reason_is_the_one_staging_gives(con, obj):
    """Every dirty variant staging knows (tests.contract_rows) gets the same column and reason."""
    variants = dirty_variants(obj)
    rows = []
    for n, variant in enumerate(variants, start=1):
        row = valid_row(obj, n)
        row.update({k: (v if v != "" else None) for k, v in variant.changes.items()})
        rows.append(row)
    rows.append(valid_row(obj, len(variants) + 1))
    put_night(con, obj, NIGHT, rows)
    found = con.execute(
        f"select _quarantine_column, _quarantine_reason from ({rows_sql(obj, NIGHT)})"
    ).fetchall()
    for variant, (column, reason) in zip(variants, found, strict=False):
        assert column == variant.column, (variant.id, column, reason)
        assert reason.startswith(variant.reason), (variant.id, reason)
    assert found[-1] == (None, None)


def test_suite_names_are_safe_file_names():
    for suite in [*raw_suites().values(), *mart_suites().values()]:
        assert re.fullmatch(r"[a-z0-9_.]+", suite.name), suite.name
