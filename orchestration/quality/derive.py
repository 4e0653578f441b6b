"""Expectations that follow from the extract contract, and the columns of each raw batch.

The contract (`models/staging/_contract__sources.yml`, read by `load_contract()`) says which
columns exist, their types, which are required and what the key is; this module turns that into
expectation configurations (plain dicts in GX's JSON shape, so no GX import here). The suite file
of each object says only how severe each kind is (`meta.closecredit.contract_expectations`).

A raw object is validated as two batches:

- `rows`: every raw row of one extract night, in chunks, with companion columns computed by
  DuckDB with the very casts staging uses (`macros/cross_db/casts.sql`), so a warning here and a
  quarantine there agree row for row:
  `<col>__number`, `<col>__boolean`, `<col>__currency` (upper-cased code),
  `<col>__days_from_extract` (timestamps, dates, months: days after the extract date, negative
  before it), `<col>__unparseable` (the raw text of a non-text value that does not parse, else
  null), `_quarantine_column` / `_quarantine_reason` (the first failing contract check, exactly as
  staging words it), plus `_source_file` and `_row_number`;
- `file`: one row describing the night's file (`FILE_COLUMNS`, and `days_behind__<col>` = days
  from the newest value of each date/time column to the extract date). `is_first_extract` is true
  on the object's first landed night (a snapshot or backfill: freshness rules skip it);
  `quarantined_rows` and `quarantine_gate_blocks` are the night's count and the gate's verdict
  (`orchestration.quality.gate`, the dbt macro `quarantine_gate_blocks`).
"""

from __future__ import annotations

from orchestration.core.contract import ContractObject
from orchestration.quality.config import iso_currencies
from orchestration.quality.gate import gate_description
from orchestration.quality.suites import SuiteFile

TEMPORAL_TYPES = ("timestamp", "date", "month")
PARSED_TYPES = ("timestamp", "date", "month", "number", "boolean")
ROW_METADATA = ("_source_file", "_row_number")
BLOCKING_QUARANTINE_COLUMN = "_blocking_quarantine_reason"
QUARANTINE_COLUMNS = ("_quarantine_column", "_quarantine_reason", BLOCKING_QUARANTINE_COLUMN)
FILE_COLUMNS = (
    "object",
    "extract_date",
    "source_file",
    "landing_status",
    "landing_message",
    "is_first_extract",
    "missing_contract_columns",
    "row_count",
    "baseline_row_count",
    "row_count_ratio",
    "quarantined_rows",
    "quarantine_gate_blocks",
)
ACCEPTED_LANDING_STATUSES = ["landed", "missing"]


def companion_columns(obj: ContractObject) -> list[str]:
    """The typed companions of the raw text columns, in contract order."""
    out = []
    for col in obj.columns:
        if col.type == "number":
            out.append(f"{col.name}__number")
        elif col.type == "boolean":
            out.append(f"{col.name}__boolean")
        elif col.type == "currency":
            out.append(f"{col.name}__currency")
        if col.type in TEMPORAL_TYPES:
            out.append(f"{col.name}__days_from_extract")
        if col.type in PARSED_TYPES:
            out.append(f"{col.name}__unparseable")
    return out


def rows_batch_columns(obj: ContractObject) -> list[str]:
    return [*obj.column_names, *companion_columns(obj), *QUARANTINE_COLUMNS, *ROW_METADATA]


def file_batch_columns(obj: ContractObject) -> list[str]:
    return [*FILE_COLUMNS, *(f"days_behind__{c.name}" for c in obj.columns if c.type in TEMPORAL_TYPES)]


def sample_columns(obj: ContractObject, batch: str) -> list[str]:
    """Columns that identify a failing row in messages and Data Docs."""
    if batch == "file":
        return ["source_file", "landing_message"]
    return list(dict.fromkeys([*ROW_METADATA, *obj.key]))


def _expectation(
    kind: str, severity: str, type_: str, description: str, batch: str = "rows", **kwargs
) -> dict:
    return {
        "type": type_,
        "kwargs": kwargs,
        "severity": severity,
        "description": description,
        "meta": {"batch": batch, "derived": kind},
    }


def contract_expectations(obj: ContractObject, suite: SuiteFile) -> list[dict]:
    """Every expectation the contract implies for `obj`, at the severity its suite file gives."""
    severity = suite.contract_severities
    out = [
        _expectation(
            "file_readable",
            severity["file_readable"],
            "expect_column_values_to_be_in_set",
            f"{obj.relative_path} was read tonight (landing status landed, or missing: no file tonight)",
            batch="file",
            column="landing_status",
            value_set=ACCEPTED_LANDING_STATUSES,
        ),
        _expectation(
            "columns_present",
            severity["columns_present"],
            "expect_column_values_to_be_null",
            f"{obj.relative_path} has every contract column of {obj.qualified_name} in its header",
            batch="file",
            column="missing_contract_columns",
        ),
    ]
    out.append(
        _expectation(
            "quarantine_rate",
            severity["quarantine_rate"],
            "expect_column_values_to_be_null",
            f"tonight's quarantined rows do not block the night ({gate_description()})",
            column=BLOCKING_QUARANTINE_COLUMN,
        )
    )
    for col in obj.columns:
        if col.required:
            out.append(
                _expectation(
                    "required",
                    severity["required"],
                    "expect_column_values_to_not_be_null",
                    f"{col.name} is filled (contract: required)",
                    column=col.name,
                )
            )
        if col.required_if:
            out.append(
                _expectation(
                    "required_if",
                    severity["required_if"],
                    "expect_column_values_to_not_be_null",
                    f"{col.name} is filled when {col.required_if} is true (contract: required_if)",
                    column=col.name,
                    row_condition={
                        "type": "comparison",
                        "column": {"name": f"{col.required_if}__boolean"},
                        "operator": "==",
                        "parameter": True,
                    },
                )
            )
        if col.type in PARSED_TYPES:
            out.append(
                _expectation(
                    "parses_as_type",
                    severity["parses_as_type"],
                    "expect_column_values_to_be_null",
                    f"{col.name} parses as a {col.type} (values that do not are listed as found)",
                    column=f"{col.name}__unparseable",
                )
            )
        if col.type == "currency":
            out.append(
                _expectation(
                    "known_currency",
                    severity["known_currency"],
                    "expect_column_values_to_be_in_set",
                    f"{col.name} is an ISO 4217 currency code (seeds/iso_currencies.csv)",
                    column=f"{col.name}__currency",
                    value_set=list(iso_currencies()),
                )
            )
        if col.min is not None or col.max is not None:
            bounds = {}
            if col.min is not None:
                bounds["min_value"] = col.min
            if col.max is not None:
                bounds["max_value"] = col.max
            shown = " and ".join(
                part
                for part in (
                    f">= {col.min:g}" if col.min is not None else "",
                    f"<= {col.max:g}" if col.max is not None else "",
                )
                if part
            )
            out.append(
                _expectation(
                    "number_bounds",
                    severity["number_bounds"],
                    "expect_column_values_to_be_between",
                    f"{col.name} is {shown} (contract bounds)",
                    column=f"{col.name}__number",
                    **bounds,
                )
            )
    if len(obj.key) == 1:
        out.append(
            _expectation(
                "key_unique",
                severity["key_unique"],
                "expect_column_values_to_be_unique",
                f"the key {obj.key[0]} is unique within the night's file",
                column=obj.key[0],
            )
        )
    else:
        out.append(
            _expectation(
                "key_unique",
                severity["key_unique"],
                "expect_compound_columns_to_be_unique",
                f"the key ({', '.join(obj.key)}) is unique within the night's file",
                column_list=list(obj.key),
            )
        )
    return out


def raw_expectations(obj: ContractObject, suite: SuiteFile) -> list[dict]:
    """The full suite of a raw object: contract-derived first, then the suite file's own."""
    return [*contract_expectations(obj, suite), *(dict(e) for e in suite.expectations)]


def referenced_columns(expectation: dict) -> list[str]:
    kwargs = expectation.get("kwargs") or {}
    columns = [kwargs[k] for k in ("column", "column_A", "column_B") if isinstance(kwargs.get(k), str)]
    columns += [c for c in kwargs.get("column_list") or [] if isinstance(c, str)]
    return columns
