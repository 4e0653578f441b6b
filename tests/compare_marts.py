"""Compare two warehouses table by table, row for row: the one comparison every equality test
shares (incremental vs full refresh, catch-up vs one by one, other engines, other formats).

Leaves out what differs by nature between runs (when a row was loaded or published, and by which
run). Numbers that come out of sums may differ in their last bits with the order a parallel
aggregate adds them in: fractions and shares compare within 1e-9 (absolute), every other number
(money, counts as doubles, weights) within 1e-9 relative."""

from __future__ import annotations

import math
from decimal import Decimal
from pathlib import Path

import duckdb

VOLATILE_COLUMNS = {
    "_loaded_at",
    "landed_at",
    "recorded_at",
    "run_id",
    "published_at",
    "published_file",
    "failed_at",
}
SKIPPED_TABLES = {"marts._publication", "audit.run_failures", "ops.publication_log"}
# What the incremental models record about their own builds (watermarks, replaced partitions):
# different by nature between builds of the same data made in other steps; skip when comparing.
BUILD_STATE_TABLES = frozenset({"main._incremental_state", "main._incremental_changes"})
FRACTION_TOLERANCE = 1e-9
MONEY_RELATIVE_TOLERANCE = 1e-9
# A column holds a fraction (0..1) when its name says so.
FRACTION_MARKERS = ("fraction", "share", "rate", "probability", "removal_effect", "p_conv")


def is_fraction_column(name: str) -> bool:
    return any(marker in name.lower() for marker in FRACTION_MARKERS)


def _is_number(value) -> bool:
    return isinstance(value, float | Decimal)


def same_value(column: str, a, b) -> bool:
    """One cell: fractions within 1e-9 absolute, other non-integer numbers within 1e-9 relative,
    everything else exactly."""
    if _is_number(a) and _is_number(b):
        x, y = float(a), float(b)
        if math.isnan(x) or math.isnan(y):
            return math.isnan(x) and math.isnan(y)
        if is_fraction_column(column):
            return abs(x - y) <= FRACTION_TOLERANCE
        return math.isclose(x, y, rel_tol=MONEY_RELATIVE_TOLERANCE, abs_tol=1e-12)
    return a == b


def _sort_key(row: tuple) -> tuple:
    # Exact values first, numbers rounded to 6 digits last: rows that differ only in the last bits
    # of a sum still line up.
    exact = tuple(repr(v) for v in row if not _is_number(v))
    rounded = tuple(float(f"{float(v):.6g}") for v in row if _is_number(v))
    return exact, rounded


class Table(list):
    """Sorted rows of one relation, with its column names."""

    def __init__(self, columns: list[str], rows: list[tuple]):
        super().__init__(sorted(rows, key=_sort_key))
        self.columns = columns


def snapshot(database: Path, schemas: set[str], skipped: set[str] = frozenset()) -> dict[str, Table]:
    """{schema.table: sorted rows without volatile columns} for every table and view in `schemas`."""
    result = {}
    with duckdb.connect(str(database), read_only=True) as con:
        relations = con.execute(
            "select table_schema, table_name from information_schema.tables "
            "where table_catalog = current_database() order by 1, 2"
        ).fetchall()
        for schema, table in relations:
            name = f"{schema}.{table}"
            if schema not in schemas or name in SKIPPED_TABLES or name in skipped:
                continue
            columns = [r[0] for r in con.execute(f'describe "{schema}"."{table}"').fetchall()]
            kept = [c for c in columns if c not in VOLATILE_COLUMNS]
            select = ", ".join(f'"{c}"' for c in kept)
            rows = con.execute(f'select {select} from "{schema}"."{table}"').fetchall()
            result[name] = Table(kept, rows)
    return result


def same_row(columns: list[str], a: tuple, b: tuple) -> bool:
    return len(a) == len(b) and all(same_value(c, x, y) for c, x, y in zip(columns, a, b, strict=True))


def differences(a: dict[str, Table], b: dict[str, Table]) -> list[str]:
    """One line per relation that differs (missing on one side, other columns, other rows)."""
    problems = []
    for name in sorted(set(a) | set(b)):
        if name not in a or name not in b:
            problems.append(f"{name}: only in {'first' if name in a else 'second'}")
            continue
        left, right = a[name], b[name]
        columns = getattr(left, "columns", None) or [""] * (len(left[0]) if left else 0)
        if getattr(right, "columns", columns) != columns:
            problems.append(f"{name}: columns {columns} vs {right.columns}")
        elif len(left) != len(right) or not all(
            same_row(columns, x, y) for x, y in zip(left, right, strict=False)
        ):
            keys_a, keys_b = set(map(_sort_key, left)), set(map(_sort_key, right))
            unmatched_a = [r for r in left if _sort_key(r) not in keys_b][:3]
            unmatched_b = [r for r in right if _sort_key(r) not in keys_a][:3]
            problems.append(f"{name}: {len(left)} vs {len(right)} rows; e.g. {unmatched_a} / {unmatched_b}")
    return problems
