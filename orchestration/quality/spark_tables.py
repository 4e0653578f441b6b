"""The Spark night's tables as the quality suites read them: DuckDB over the tables' Parquet files.

The suites' batches are DuckDB SQL (`raw`: the typed companions cast exactly as staging casts,
the quarantine reasons, the key's hash buckets, the gate's macro; `marts`: the invariants' SQL).
On a Spark night the same functions (`run.run_raw_night`, `run.run_mart_night`) read a DuckDB
connection whose `raw.*` and `marts.*` are views over the files of the Spark tables of those names:
located through Spark's catalog (only the partitions its metastore registers), streamed by DuckDB
in the same bounded chunks as on a DuckDB night. So no suite and no batch SQL has a Spark copy,
and no chunk costs a Spark job (seconds each on a local Spark, about a hundred a night). The
tables' files must be on a local path, as for the Spark landing (`Settings.spark_warehouse`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pyarrow as pa

SCHEMAS = ("raw", "marts")
# Spark's schema-tree type names of partition columns -> DuckDB's (a value is read from its path).
_PARTITION_TYPES = {"date": "DATE", "string": "VARCHAR", "integer": "INTEGER", "long": "BIGINT"}


class SparkTablesError(RuntimeError):
    """A Spark table the suites cannot read; the message names it."""


@dataclass(frozen=True)
class SparkTable:
    schema: str
    name: str
    location: Path
    partitions: dict[str, str]  # partition column -> its DuckDB type


def _quote(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def spark_tables(spark, schema: str) -> list[SparkTable]:
    """The tables of a Spark database with their local folders and partition columns: one catalog
    command for the whole database (`show table extended`), not one per table."""
    tables = []
    for row in spark.sql(f"show table extended in {schema} like '*'").collect():
        if row.isTemporary:
            continue
        info = dict(
            line.split(": ", 1)
            for line in row.information.splitlines()
            if ": " in line and not line.startswith(" ")
        )
        if info.get("Type", "").upper() == "VIEW":
            continue
        location = info.get("Location", "")
        if not location.startswith(("file:", "/")):
            raise SparkTablesError(
                f"{schema}.{row.tableName} is stored at {location!r}: the quality suites read the Spark "
                "tables' files, which must be in a local folder (spark_warehouse)"
            )
        columns = re.findall(r"^ \|-- (.+?): (\w+)", row.information, flags=re.MULTILINE)
        named = re.findall(r"`([^`]+)`", info.get("Partition Columns", ""))
        kinds = dict(columns)
        partitions = {name: _PARTITION_TYPES.get(kinds.get(name, ""), "VARCHAR") for name in named}
        tables.append(SparkTable(schema, row.tableName, Path(location.removeprefix("file:")), partitions))
    return tables


def data_files(table: SparkTable) -> list[Path]:
    """The table's Parquet files: in its folder, or in its partition folders (`<column>=<value>`,
    the layout the landing and Spark's inserts write). Names starting with `_` or `.` are Spark's
    markers and folders being written or set aside (a landing's replaced partition)."""
    pattern = "/".join([*(f"{column}=*" for column in table.partitions), "*.parquet"])
    return sorted(
        p
        for p in table.location.glob(pattern)
        if not p.name.startswith(("_", "."))
        and not any(part.startswith(".") for part in p.relative_to(table.location).parts)
    )


def _empty(spark, table: str) -> pa.Table:
    from pyspark.sql.pandas.types import to_arrow_schema

    # Zoned timestamps, as DuckDB reads Spark's Parquet ones (instants, adjusted to UTC).
    return to_arrow_schema(spark.table(table).schema, timezone="UTC").empty_table()


def duckdb_over_spark(spark, schemas: Iterable[str] = SCHEMAS) -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB connection where `<schema>.<table>` is a view over the Parquet files of
    the Spark table of that name, for every table of `schemas` (a table without files yet is an
    empty table of its Spark columns)."""
    con = duckdb.connect()
    for schema in schemas:
        if not spark.catalog.databaseExists(schema):
            continue
        con.execute(f"create schema {_quote(schema)}")
        for table in spark_tables(spark, schema):
            target = f"{_quote(schema)}.{_quote(table.name)}"
            files = data_files(table)
            if not files:
                con.register("spark_empty_table", _empty(spark, f"{schema}.{table.name}"))
                con.execute(f"create table {target} as select * from spark_empty_table")
                con.unregister("spark_empty_table")
                continue
            listed = "[" + ", ".join(_literal(str(p)) for p in files) + "]"
            options = "union_by_name = true"  # a column the contract added later: NULL in older files
            if table.partitions:
                types = ", ".join(f"{_literal(c)}: {kind}" for c, kind in table.partitions.items())
                options += f", hive_partitioning = true, hive_types = {{{types}}}"
            con.execute(f"create view {target} as select * from read_parquet({listed}, {options})")
    return con
