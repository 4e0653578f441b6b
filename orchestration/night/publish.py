"""Publish a green night: copy the marts (and the audit tables analysts need) from the private build
database into a new DuckDB file, then rename it over the published file in one step.

A reader either sees yesterday's file or tonight's, never a mix: the new file is complete, closed and
synced before `os.replace` swaps it in (atomic on one filesystem; the temp file lives beside the
published one for that reason). A run killed before the rename leaves the published file as it was;
its half-written temp file is removed by the next publish.

The published file holds:

- schema `marts`: every table and view of the build database's `marts` schema, as tables;
- `marts._publication`: one row per published table with `as_of_date` (the night built), `run_id`, `published_at`,
  its row count, and the dbt vars the night was built with (`vars`: every var as the run saw it;
  `var_overrides`: what `closecredit run --vars` changed); the marts themselves are copied unchanged;
- schema `audit`: `reconciliation` and `quarantine` (staging's audit models), `landing_log`,
  `publication_log` (every night published from this build database: a catch-up run that built
  several nights at once lists each of them, with the same run) and `run_failures` (the
  failure records of the runs that failed).
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

import duckdb

MARTS_SCHEMA = "marts"
AUDIT_SCHEMA = "audit"
PUBLICATION_TABLE = f"{MARTS_SCHEMA}._publication"
OPS_SCHEMA = "ops"
PUBLICATION_LOG = f"{OPS_SCHEMA}.publication_log"
# audit table in the published file -> relation in the build database
AUDIT_TABLES = {
    "reconciliation": "main.stg_audit__reconciliation",
    "quarantine": "main.stg_audit__quarantine",
    "landing_log": "raw.landing_log",
    "publication_log": PUBLICATION_LOG,
}
TEMP_MARKER = ".publishing-"
# The published file is written in the oldest storage format that holds the marts, so every DuckDB
# 1.x client (the CLI, DBeaver's JDBC driver, R, Python) opens it, not only the duckdb this
# project pins: "v1.0.0" (storage version 64) is read by duckdb 1.0.0 and later
# (tests/e2e/test_duckdb_clients.py opens it with duckdb 1.0.0). The private build database keeps
# the pinned duckdb's own format.
PUBLISHED_STORAGE_VERSION = "v1.0.0"


@dataclass
class Publication:
    path: Path
    as_of_date: date
    run_id: str
    published_at: datetime
    tables: dict[str, int]  # qualified table name -> rows


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _sql_string(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def temp_files(published: Path) -> list[Path]:
    """Leftovers of publishes that never reached the rename (a killed run)."""
    return sorted(published.parent.glob(f"{published.name}{TEMP_MARKER}*"))


def remove_stale_temp_files(published: Path) -> list[Path]:
    """Only called while holding the warehouse lock: no other publish can be writing them."""
    removed = []
    for path in temp_files(published):
        path.unlink(missing_ok=True)
        removed.append(path)
    return removed


def ensure_publication_log(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(f"create schema if not exists {OPS_SCHEMA}")
    con.execute(
        f"create table if not exists {PUBLICATION_LOG} (as_of_date date, run_id varchar, "
        "published_at timestamp, published_file varchar)"
    )


def _relations(con: duckdb.DuckDBPyConnection, schema: str) -> list[str]:
    return [
        r[0]
        for r in con.execute(
            "select table_name from information_schema.tables "
            "where table_catalog = current_database() and table_schema = ? order by table_name",
            [schema],
        ).fetchall()
    ]


def _relation_exists(con: duckdb.DuckDBPyConnection, qualified: str) -> bool:
    schema, name = qualified.split(".")
    return name in _relations(con, schema)


def _failure_rows(failures_dir: Path | None) -> list[tuple]:
    rows = []
    for path in sorted(failures_dir.glob("*.json")) if failures_dir and failures_dir.is_dir() else []:
        try:
            record = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        rows.append(
            (
                record.get("run_id"),
                record.get("extract_date"),
                record.get("failed_at"),
                record.get("summary"),
                json.dumps(record.get("failed_steps", [])),
                json.dumps(record.get("failed_checks", [])),
                json.dumps(record.get("failed_files", [])),
                path.name,
            )
        )
    return rows


def publish(
    con: duckdb.DuckDBPyConnection,
    published: Path,
    *,
    as_of_date: date,
    run_id: str,
    failures_dir: Path | None = None,
    dbt_vars: dict | None = None,
    var_overrides: dict | None = None,
    nights: list[date] | None = None,
) -> Publication:
    """Copy marts + audit from the build database `con` into a new file and swap it in.

    The caller holds the warehouse lock. `con` is a read-write connection to the build database
    (the nights built, `nights`, default `as_of_date` only, are recorded in its publication log
    once the new file is in place, one row each)."""
    published = Path(published)
    published.parent.mkdir(parents=True, exist_ok=True)
    remove_stale_temp_files(published)
    temp = published.with_name(f"{published.name}{TEMP_MARKER}{run_id}")
    ensure_publication_log(con)
    published_at = datetime.now(UTC).replace(tzinfo=None)
    logged = [
        (night, run_id, published_at, str(published)) for night in sorted({*(nights or []), as_of_date})
    ]
    tables: dict[str, int] = {}
    con.execute(
        f"attach {_sql_string(str(temp))} as publishing "
        f"(storage_version {_sql_string(PUBLISHED_STORAGE_VERSION)})"
    )
    try:
        con.execute(f"create schema publishing.{MARTS_SCHEMA}")
        con.execute(f"create schema publishing.{AUDIT_SCHEMA}")
        for name in _relations(con, MARTS_SCHEMA):
            if name == "_publication":
                continue
            target = f"publishing.{MARTS_SCHEMA}.{_quote(name)}"
            con.execute(f"create table {target} as select * from {MARTS_SCHEMA}.{_quote(name)}")
            tables[f"{MARTS_SCHEMA}.{name}"] = con.execute(f"select count(*) from {target}").fetchone()[0]
        for name, source in AUDIT_TABLES.items():
            if not _relation_exists(con, source):
                continue
            target = f"publishing.{AUDIT_SCHEMA}.{name}"
            if source == PUBLICATION_LOG:
                # The copy already lists tonight; the build's log does once the rename is done.
                con.execute(f"create table {target} as select * from {source}")
                con.executemany(f"insert into {target} values (?, ?, ?, ?)", logged)
            else:
                con.execute(f"create table {target} as select * from {source}")
            tables[f"{AUDIT_SCHEMA}.{name}"] = con.execute(f"select count(*) from {target}").fetchone()[0]
        con.execute(
            f"create table publishing.{AUDIT_SCHEMA}.run_failures (run_id varchar, extract_date date, "
            "failed_at timestamp, summary varchar, failed_steps json, failed_checks json, "
            "failed_files json, record_file varchar)"
        )
        failures = _failure_rows(failures_dir)
        if failures:
            con.executemany(
                f"insert into publishing.{AUDIT_SCHEMA}.run_failures values (?, ?, ?, ?, ?, ?, ?, ?)",
                failures,
            )
        tables[f"{AUDIT_SCHEMA}.run_failures"] = len(failures)
        con.execute(
            f"create table publishing.{PUBLICATION_TABLE} (table_name varchar, as_of_date date, "
            "run_id varchar, published_at timestamp, row_count bigint, vars json, var_overrides json)"
        )
        used = json.dumps(
            {**(dbt_vars or {}), "as_of_date": as_of_date.isoformat()}, sort_keys=True, default=str
        )
        changed = json.dumps(var_overrides or {}, sort_keys=True, default=str)
        con.executemany(
            f"insert into publishing.{PUBLICATION_TABLE} values (?, ?, ?, ?, ?, ?, ?)",
            [
                (name, as_of_date, run_id, published_at, rows, used, changed)
                for name, rows in sorted(tables.items())
            ],
        )
        con.execute(
            f"comment on table publishing.{PUBLICATION_TABLE} is "
            + _sql_string(f"closecredit marts as of {as_of_date.isoformat()}, run {run_id}")
        )
        con.execute("checkpoint publishing")
    finally:
        con.execute("detach publishing")
    _verify(temp, tables)
    _fsync(temp)
    os.replace(temp, published)
    _fsync(published.parent)
    con.executemany(f"insert into {PUBLICATION_LOG} values (?, ?, ?, ?)", logged)
    return Publication(published, as_of_date, run_id, published_at, tables)


def _verify(path: Path, tables: dict[str, int]) -> None:
    """The new file opens read-only and holds what was copied, before it replaces anything."""
    with duckdb.connect(str(path), read_only=True) as check:
        count = check.execute(f"select count(*) from {PUBLICATION_TABLE}").fetchone()[0]
    if count != len(tables):
        raise RuntimeError(f"{path}: expected {len(tables)} published tables, found {count}")


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def read_publication(published: Path) -> dict | None:
    """as_of_date, run_id, published_at and var_overrides of the published file; None when there
    is none yet. Opens the file read-only (nobody writes it in place, so this never waits)."""
    if not Path(published).exists():
        return None
    with duckdb.connect(str(published), read_only=True) as con:
        columns = {r[0] for r in con.execute(f"describe {PUBLICATION_TABLE}").fetchall()}
        overrides = "any_value(var_overrides)" if "var_overrides" in columns else "'{}'"
        row = con.execute(
            f"select as_of_date, run_id, max(published_at), count(*), {overrides} "
            f"from {PUBLICATION_TABLE} group by as_of_date, run_id"
        ).fetchone()
    if row is None:
        return None
    return {
        "as_of_date": row[0],
        "run_id": row[1],
        "published_at": row[2],
        "tables": row[3],
        "var_overrides": json.loads(row[4] or "{}"),
    }


def published_nights(published: Path) -> set[date]:
    """Nights the published file's publication log lists (empty when there is no file yet)."""
    if not Path(published).exists():
        return set()
    with duckdb.connect(str(published), read_only=True) as con:
        try:
            rows = con.execute(f"select distinct as_of_date from {AUDIT_SCHEMA}.publication_log").fetchall()
        except duckdb.CatalogException:
            return set()
    return {r[0] for r in rows}


def read_publication_tables(published: Path) -> dict | None:
    """The published file's `_publication` rows: {"path", "as_of_date", "run_id", "tables": {name: rows}}."""
    if not Path(published).exists():
        return None
    with duckdb.connect(str(published), read_only=True) as con:
        rows = con.execute(
            f"select table_name, as_of_date, run_id, row_count from {PUBLICATION_TABLE} order by table_name"
        ).fetchall()
    if not rows:
        return None
    return {
        "path": str(published),
        "as_of_date": rows[0][1],
        "run_id": rows[0][2],
        "tables": {r[0]: r[3] for r in rows},
    }
