"""Which dbt vars the build database was built with, so a run with other vars rebuilds every
incremental model in full instead of merging rows built under two sets of rules.

The build database keeps one row in `ops.build_vars`: the vars of the last night whose dbt builds
all succeeded. The first dbt step of a night compares tonight's vars with it; when they differ (or
nothing is recorded) it forgets the record and builds with `--full-refresh`, and so does every later
dbt step of the night; the last dbt step records tonight's vars once it succeeded. A night that
fails half-way therefore leaves no record, and the next night rebuilds in full too.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime

import duckdb

from orchestration.core.dbt_vars import changed_vars

OPS_SCHEMA = "ops"
BUILD_VARS = f"{OPS_SCHEMA}.build_vars"


def recorded_vars(con: duckdb.DuckDBPyConnection) -> dict | None:
    """The vars the build database was built with; None when nothing is recorded (a read: it
    creates nothing)."""
    exists = con.execute(
        "select count(*) from information_schema.tables "
        "where table_catalog = current_database() and table_schema = ? and table_name = ?",
        BUILD_VARS.split("."),
    ).fetchone()[0]
    if not exists:
        return None
    row = con.execute(f"select vars from {BUILD_VARS}").fetchone()
    return json.loads(row[0]) if row else None


def forget_vars(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(f"drop table if exists {BUILD_VARS}")


def record_vars(con: duckdb.DuckDBPyConnection, effective: dict, run_id: str) -> None:
    con.execute(f"create schema if not exists {OPS_SCHEMA}")
    con.execute(f"create or replace table {BUILD_VARS} (vars json, run_id varchar, recorded_at timestamp)")
    con.execute(
        f"insert into {BUILD_VARS} values (?, ?, ?)",
        [json.dumps(effective, sort_keys=True, default=str), run_id, datetime.now(UTC).replace(tzinfo=None)],
    )


def full_refresh_reason(recorded: dict | None, effective: dict) -> tuple[bool, str | None]:
    """(build in full?, why, in words, when a person should be told). Nothing recorded means a
    first build (where --full-refresh changes nothing) or a night that did not finish."""
    if recorded is None:
        return True, None
    changed = changed_vars(recorded, effective)
    if not changed:
        return False, None
    return True, (
        "the dbt vars differ from those the build database was built with ("
        + "; ".join(changed)
        + "): this run rebuilds every incremental model in full (--full-refresh)"
    )
