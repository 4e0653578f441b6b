"""Compare two warehouses table by table, leaving out what differs by nature between runs (when a
row was loaded or published, and by which run)."""

from __future__ import annotations

import math
from pathlib import Path

import duckdb

VOLATILE_COLUMNS = {"_loaded_at", "landed_at", "run_id", "published_at", "published_file", "failed_at"}
SKIPPED_TABLES = {"marts._publication", "audit.run_failures", "ops.publication_log"}


def _sort_key(row: tuple) -> str:
    # Sums of doubles depend on the order a parallel aggregate adds them in: sort on 6 digits,
    # compare within 1e-9 (relative).
    return repr(tuple(float(f"{v:.6g}") if isinstance(v, float) else v for v in row))


def _same(a: tuple, b: tuple) -> bool:
    return len(a) == len(b) and all(
        math.isclose(x, y, rel_tol=1e-9, abs_tol=1e-12)
        if isinstance(x, float) and isinstance(y, float)
        else x == y
        for x, y in zip(a, b, strict=True)
    )


def snapshot(database: Path, schemas: set[str]) -> dict[str, list[tuple]]:
    """{schema.table: sorted rows without volatile columns} for every table and view in `schemas`."""
    result = {}
    with duckdb.connect(str(database), read_only=True) as con:
        relations = con.execute(
            "select table_schema, table_name from information_schema.tables "
            "where table_catalog = current_database() order by 1, 2"
        ).fetchall()
        for schema, table in relations:
            name = f"{schema}.{table}"
            if schema not in schemas or name in SKIPPED_TABLES:
                continue
            columns = [r[0] for r in con.execute(f'describe "{schema}"."{table}"').fetchall()]
            kept = [c for c in columns if c not in VOLATILE_COLUMNS]
            select = ", ".join(f'"{c}"' for c in kept)
            rows = con.execute(f'select {select} from "{schema}"."{table}"').fetchall()
            result[name] = sorted(rows, key=_sort_key)
    return result


def differences(a: dict[str, list[tuple]], b: dict[str, list[tuple]]) -> list[str]:
    problems = []
    for name in sorted(set(a) | set(b)):
        if name not in a or name not in b:
            problems.append(f"{name}: only in {'first' if name in a else 'second'}")
        elif len(a[name]) != len(b[name]) or not all(map(_same, a[name], b[name])):
            only_a = [r for r in a[name] if r not in b[name]][:3]
            only_b = [r for r in b[name] if r not in a[name]][:3]
            problems.append(f"{name}: {len(a[name])} vs {len(b[name])} rows; e.g. {only_a} / {only_b}")
    return problems
