"""Valid raw rows for any contract object, built from the contract itself (test helper)."""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

from orchestration.contract import ContractObject, load_contract

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


def write_csv(path: Path, header: list[str], rows: list[dict[str, str]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=header, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)


def write_night(
    root: Path, extract_date: date, rows_by_object: dict[str, list[dict[str, str]]], *, complete=True
):
    """Write one extract folder: every contract object (rows_by_object keyed by qualified name)."""
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
