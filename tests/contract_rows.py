"""Raw rows for any contract object, built from the contract itself (test helper).

Everything here is derived from `orchestration.core.contract.load_contract()`, so a new object or column
in the contract is covered by the tests without editing them:

- `valid_row(obj, n)`: the n-th valid raw row (unique key, every column parseable);
- `dirty_variants(obj)`: one row change per check staging makes (missing required value,
  unparseable value, out of bounds, unknown currency, `required_if` violated), with the column and
  the reason staging must quarantine it with;
- `write_night(...)`: one extract folder as the exporter writes it;
- `contract_params(...)`: contract objects as pytest parameters, with readable ids.
"""

from __future__ import annotations

import csv
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import pytest

from orchestration.core.contract import ContractObject, load_contract

VALID_TEXT = {
    "timestamp": "2026-11-20T09:15:00+01:00",
    "date": "2026-11-20",
    "month": "2026-11",
    "number": "0.5",
    "boolean": "false",
    "currency": "EUR",
}
BAD_TEXT = {
    "timestamp": "yesterday",
    "date": "2026-13-45",
    "month": "November",
    "number": "12,5O0",
    "boolean": "maybe",
    "currency": "XXY",
}
# Text DuckDB's casts accept although the contract does not (ISO-8601 timestamps and dates, plain
# decimal numbers): staging must not read it as 1970-01-01, 9999-12-31 or NaN.
NOT_ISO_TEXT = {
    "timestamp": "epoch",
    "date": "infinity",
    "number": "NaN",
}
# VALID_TEXT["timestamp"] carries an offset and must stage as UTC; the same wall-clock time without
# an offset is already UTC and stays as it is.
TIMESTAMP_WITHOUT_OFFSET = "2026-11-20T09:15:00"
UTC_OF_VALID_TIMESTAMP = datetime(2026, 11, 20, 8, 15)
UTC_OF_TIMESTAMP_WITHOUT_OFFSET = datetime(2026, 11, 20, 9, 15)
RAW_SCHEMA = "raw"


def contract_params(predicate: Callable[[ContractObject], bool] | None = None) -> list:
    """Contract objects as `pytest.param`s with id `system.object`, optionally filtered."""
    return [
        pytest.param(obj, id=obj.qualified_name)
        for obj in load_contract()
        if predicate is None or predicate(obj)
    ]


def raw_table(obj: ContractObject) -> str:
    return f"{RAW_SCHEMA}.{obj.identifier}"


def staged_column(obj: ContractObject, name: str) -> str:
    """A contract column's name in `stg_<system>__<plural>` (a CRM `id` becomes `<object>_id`)."""
    return f"{obj.name}_id" if name == "id" else name


def valid_row(obj: ContractObject, n: int) -> dict[str, str]:
    """The n-th valid row of an object: unique key, every column filled with a parseable value."""
    row = {}
    for col in obj.columns:
        if col.name in obj.key:
            row[col.name] = VALID_TEXT.get(col.type, f"{col.name}-{n}") if col.type != "text" else f"k{n}"
        elif col.type == "text":
            row[col.name] = f"{col.name} {n}"
        else:
            row[col.name] = VALID_TEXT[col.type]
    # Keys that are not text (dates, months) get a distinct value per row.
    for name in obj.key:
        kind = obj.column(name).type
        if kind == "date":
            row[name] = f"2026-11-{n:02d}"
        elif kind == "month":
            row[name] = f"{2000 + n}-01"
        elif kind == "currency":
            row[name] = ["EUR", "GBP", "USD", "JPY", "CHF", "SEK", "NOK", "DKK"][n % 8]
    if "is_deleted" in row:
        row["is_deleted"] = "false"
    return row


@dataclass(frozen=True)
class DirtyVariant:
    """One way to make a valid row fail exactly one staging check."""

    column: str
    kind: str  # missing | required_if | unparseable | unknown_currency | below_min | above_max
    changes: dict[str, str]
    reason: str  # what stg_audit__quarantine.reason must start with

    @property
    def id(self) -> str:
        return f"{self.column}-{self.kind}"


def _number_text(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


def dirty_variants(obj: ContractObject) -> list[DirtyVariant]:
    """Every check staging makes on the object's columns, each as one dirty-row recipe."""
    variants = []
    for col in obj.columns:
        if col.required:
            variants.append(DirtyVariant(col.name, "missing", {col.name: ""}, "missing required value"))
        if col.required_if:
            variants.append(
                DirtyVariant(
                    col.name,
                    "required_if",
                    {col.required_if: "true", col.name: ""},
                    f"missing value required when {col.required_if} is true",
                )
            )
        if col.type == "currency":
            bad = BAD_TEXT["currency"]
            variants.append(
                DirtyVariant(
                    col.name, "unknown_currency", {col.name: bad}, f"unknown currency (not ISO 4217): {bad}"
                )
            )
        elif col.type != "text":
            bad = BAD_TEXT[col.type]
            variants.append(
                DirtyVariant(col.name, "unparseable", {col.name: bad}, f"not a {col.type}: {bad}")
            )
        if col.min is not None:
            variants.append(
                DirtyVariant(col.name, "below_min", {col.name: _number_text(col.min - 1)}, "below minimum")
            )
        if col.max is not None:
            variants.append(
                DirtyVariant(col.name, "above_max", {col.name: _number_text(col.max + 1)}, "above maximum")
            )
    return variants


def write_csv(path: Path, header: list[str], rows: list[dict[str, str]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=header, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)


def write_night(
    root: Path, extract_date: date, rows_by_object: dict[str, list[dict[str, str]]], *, complete=True
):
    """Write one extract folder: every contract object (rows_by_object keyed by qualified name).

    An object without rows gets a header-only file; a row key the contract does not list becomes an
    extra column of that file. `_SUCCESS` is written last unless `complete=False`.
    """
    folder = root / extract_date.isoformat()
    for obj in load_contract():
        rows = rows_by_object.get(obj.qualified_name, [])
        header = list(obj.column_names)
        for row in rows:
            header += [k for k in row if k not in header]
        write_csv(folder / obj.relative_path, header, rows)
    if complete:
        (folder / "_SUCCESS").touch()
    return folder
