"""Publish a green Spark night into the same DuckDB file a DuckDB night publishes.

The marts and the audit relations are read from Spark through Arrow into an in-memory DuckDB
database laid out as the build database is (`marts.*`, `main.stg_audit__*`, `raw.landing_log`,
`ops.publication_log`), and orchestration/night/publish.py's `publish()` writes, verifies and
swaps in the file from there: one publish, so the file has the same tables and column types
whatever engine built the night. The publication log stays in Spark (`ops.publication_log`):
it is read from there and tonight's row is written back once the file is in place. The marts
also stay in Spark as tables, for whoever queries the cluster.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import duckdb
import pyarrow as pa

from orchestration.night.landing_spark import LOG_COLUMNS
from orchestration.night.publish import (
    AUDIT_TABLES,
    MARTS_SCHEMA,
    OPS_SCHEMA,
    PUBLICATION_LOG,
    Publication,
    publish,
)

PUBLICATION_LOG_COLUMNS = "as_of_date date, run_id string, published_at timestamp, published_file string"


def _duckdb_arrow(table: pa.Table) -> pa.Table:
    """Spark's timestamps are instants (UTC in the session); DuckDB's marts hold naive UTC
    timestamps, so the zone is dropped (values unchanged)."""
    fields = []
    for field in table.schema:
        kind = field.type
        if pa.types.is_timestamp(kind) and kind.tz is not None:
            kind = pa.timestamp("us")
        fields.append(pa.field(field.name, kind))
    return table.cast(pa.schema(fields))


def ensure_spark_publication_log(spark) -> None:
    spark.sql(f"create database if not exists {OPS_SCHEMA}")
    spark.sql(f"create table if not exists {PUBLICATION_LOG} ({PUBLICATION_LOG_COLUMNS}) using parquet")


def _copy(spark, con: duckdb.DuckDBPyConnection, source: str, target: str, columns: list[str] | None = None):
    frame = spark.table(source)
    arrow = _duckdb_arrow((frame.select(*columns) if columns else frame).toArrow())
    con.register("spark_relation", arrow)
    con.execute(f"create table {target} as select * from spark_relation")
    con.unregister("spark_relation")


def spark_relations(spark, schema: str) -> list[str]:
    if not spark.catalog.databaseExists(schema):
        return []
    return sorted(t.name for t in spark.catalog.listTables(dbName=schema))


def publish_from_spark(
    spark,
    published: Path,
    *,
    as_of_date: date,
    run_id: str,
    failures_dir: Path | None = None,
    dbt_vars: dict | None = None,
    var_overrides: dict | None = None,
) -> Publication:
    """The Spark build's marts and audit tables into the published DuckDB file (atomic swap)."""
    ensure_spark_publication_log(spark)
    con = duckdb.connect()
    try:
        con.execute("set TimeZone = 'UTC'")
        for schema in {MARTS_SCHEMA, *(s.split(".")[0] for s in AUDIT_TABLES.values())}:
            con.execute(f"create schema if not exists {schema}")
        for name in spark_relations(spark, MARTS_SCHEMA):
            if name != "_publication":
                _copy(spark, con, f"{MARTS_SCHEMA}.{name}", f'{MARTS_SCHEMA}."{name}"')
        for source in AUDIT_TABLES.values():
            schema, name = source.split(".")
            if name in spark_relations(spark, schema):
                # The landing log in DuckDB's column order (Spark keeps the partition column last).
                columns = [c for c, _ in LOG_COLUMNS] if source.endswith("landing_log") else None
                _copy(spark, con, source, source, columns)
        publication = publish(
            con,
            published,
            as_of_date=as_of_date,
            run_id=run_id,
            failures_dir=failures_dir,
            dbt_vars=dbt_vars,
            var_overrides=var_overrides,
        )
    finally:
        con.close()
    spark.createDataFrame(
        [(as_of_date, run_id, publication.published_at, str(publication.path))], PUBLICATION_LOG_COLUMNS
    ).write.insertInto(PUBLICATION_LOG)
    return publication
