"""Landing on Spark: the same guarantees as orchestration/night/landing.py, on Parquet tables.

Every file of a complete night goes into `raw.<system>__<object>`, every contract column as text
plus `_extract_date`, `_source_file`, `_row_number`, `_loaded_at`; the header, contract and CSV
checks are landing.py's own functions, so a missing column or a malformed row fails the object
with the same message. Parquet has no transactions and no DELETE, so the raw tables and the
landing log are partitioned by extract date and a night's rows of an object are replaced whole:
the file is first read and checked completely (into a Parquet file beside the Spark warehouse, in
landing.py's bounded batches), and only a file that passed becomes the partition
(`replace_partition`), so a failed re-landing keeps the rows landed before. The warehouse folder
must be a local path (as for the session's default, `orchestration.core.spark`). A file whose
SHA-256 was already landed for that night is skipped (idempotent).
"""

from __future__ import annotations

import shutil
import uuid
from datetime import UTC, date, datetime
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from orchestration.core.contract import ContractObject, load_contract, objects_in_use
from orchestration.core.dbt_vars import project_vars
from orchestration.core.erasure import ERASED_ROWS, ERASURE_LOG
from orchestration.night.landing import (
    LANDING_LOG,
    RAW_SCHEMA,
    SUCCESS_MARKER,
    LandingError,
    NightLanding,
    ObjectLanding,
    _record_batches,
    _sha256,
    check_contract_columns,
    file_format,
    locate_object_file,
    read_header,
)

# The landing log's columns in DuckDB's order (the publish step writes them in this order).
LOG_COLUMNS = (
    ("extract_date", "date"),
    ("system", "string"),
    ("object", "string"),
    ("source_file", "string"),
    ("file_sha256", "string"),
    ("status", "string"),
    ("row_count", "bigint"),
    ("message", "string"),
    ("landed_at", "timestamp"),
)


def _quote(identifier: str) -> str:
    return "`" + identifier.replace("`", "``") + "`"


def ensure_raw_tables(spark, objects=None) -> None:
    """The raw database, one Parquet table per contract object and the landing log, each
    partitioned by extract date (the unit a landing replaces)."""
    spark.sql(f"create database if not exists {RAW_SCHEMA}")
    for obj in objects or load_contract():
        columns = ", ".join(f"{_quote(c)} string" for c in obj.column_names)
        table = f"{RAW_SCHEMA}.{obj.identifier}"
        spark.sql(
            f"create table if not exists {table} ({columns}, "
            "_source_file string, _row_number bigint, _loaded_at timestamp, _extract_date date) "
            "using parquet partitioned by (_extract_date)"
        )
        # A column added to the contract later (an optional one) is added to an existing raw table.
        existing = {f.name for f in spark.table(table).schema.fields}
        added = [c for c in obj.column_names if c not in existing]
        if added:
            spark.sql(f"alter table {table} add columns ({', '.join(f'{_quote(c)} string' for c in added)})")
    # The erasure tables staging reads (closecredit forget runs on DuckDB only: empty here).
    spark.sql(
        f"create table if not exists {ERASURE_LOG} (erasure_id string, identity_kind string, "
        "person_key string, reason string, erased_at timestamp) using parquet"
    )
    spark.sql(
        f"create table if not exists {ERASED_ROWS} (extract_date date, system string, object string, "
        "source_file string, row_number bigint, erased_by string, erased_at timestamp) using parquet"
    )
    logged = ", ".join(f"{name} {kind}" for name, kind in LOG_COLUMNS[1:])
    spark.sql(
        f"create table if not exists {LANDING_LOG} ({logged}, extract_date date) "
        "using parquet partitioned by (extract_date)"
    )


def _scratch(spark) -> Path:
    warehouse = Path(spark.conf.get("spark.sql.warehouse.dir").removeprefix("file:"))
    folder = warehouse.parent / "landing-scratch"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _night_log(spark, extract_date: date) -> list[dict]:
    names = [name for name, _ in LOG_COLUMNS]
    rows = spark.sql(
        f"select {', '.join(names)} from {LANDING_LOG} where extract_date = date'{extract_date.isoformat()}'"
    ).collect()
    return [row.asDict() for row in rows]


def _write_log(spark, extract_date: date, rows: list[dict]) -> None:
    """Replace the night's partition of the landing log with `rows`."""
    kinds = {"string": pa.string(), "bigint": pa.int64(), "timestamp": pa.timestamp("us", tz="UTC")}
    schema = pa.schema([(name, kinds[kind]) for name, kind in LOG_COLUMNS[1:]])
    folder = _scratch(spark) / f"landing_log-{uuid.uuid4().hex}"
    folder.mkdir()
    try:
        columns = {name: [r[name] for r in rows] for name in schema.names}
        pq.write_table(pa.table(columns, schema=schema), folder / f"part-00000-{uuid.uuid4().hex}.parquet")
        replace_partition(spark, LANDING_LOG, "extract_date", extract_date, folder)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _table_location(spark, table: str) -> Path:
    rows = spark.sql(f"describe table extended {table}").collect()
    location = next(r.data_type for r in rows if r.col_name == "Location")
    return Path(location.removeprefix("file:"))


def replace_partition(spark, table: str, column: str, value: date, folder: Path) -> None:
    """Make the Parquet files in `folder` the partition `column = value` of `table`: the folder is
    renamed into the table's location and the partition registered, one metastore call and no
    Spark job (an `INSERT OVERWRITE` per object was a job each, most of a landing's time). The old
    partition is renamed aside first and removed after, so a reader never sees both."""
    target = _table_location(spark, table) / f"{column}={value.isoformat()}"
    aside = target.with_name(f".{target.name}-replaced-{uuid.uuid4().hex}")
    if target.exists():
        target.rename(aside)
    shutil.move(str(folder), str(target))
    shutil.rmtree(aside, ignore_errors=True)
    spark.sql(f"alter table {table} add if not exists partition ({column} = '{value.isoformat()}')")
    spark.sql(f"refresh table {table}")


def _log(log: list[dict], obj, extract_date, result: ObjectLanding, file_sha256, landed_at=None) -> None:
    """Record `result` in the night's log rows `log` (written back by the caller)."""
    # As on DuckDB: a failed re-landing leaves the earlier landed rows (and their log line) in place.
    log[:] = [
        r
        for r in log
        if not (
            r["system"] == obj.system
            and r["object"] == obj.name
            and (result.status == "landed" or r["status"] != "landed")
        )
    ]
    log.append(
        {
            "extract_date": extract_date,
            "system": obj.system,
            "object": obj.name,
            "source_file": result.source_file,
            "file_sha256": file_sha256,
            "status": result.status,
            "row_count": result.row_count,
            "message": result.message or None,
            "landed_at": landed_at or datetime.now(UTC).replace(tzinfo=None),
        }
    )


def land_object(
    spark, obj: ContractObject, extracts_root: Path, extract_date: date, log: list[dict] | None = None
) -> ObjectLanding:
    """Land one object's file of one night on Spark; never raises for bad data, it reports it.
    `log`: the night's landing log rows, kept by land_night (which writes them once); without it
    the log is read and written here."""
    if log is None:
        log = _night_log(spark, extract_date)
        result = land_object(spark, obj, extracts_root, extract_date, log)
        _write_log(spark, extract_date, log)
        return result
    path = locate_object_file(obj, extracts_root, extract_date)
    if isinstance(path, ObjectLanding):
        _log(log, obj, extract_date, path, file_sha256=None)
        return path
    source_file = path.relative_to(extracts_root).as_posix()
    sha = _sha256(path)
    previous = [
        r for r in log if r["system"] == obj.system and r["object"] == obj.name and r["status"] == "landed"
    ]
    if previous and previous[0]["file_sha256"] == sha:
        return ObjectLanding(
            obj.qualified_name, source_file, "unchanged", previous[0]["row_count"], "already landed"
        )
    table = f"{RAW_SCHEMA}.{obj.identifier}"
    loaded_at = datetime.now(UTC).replace(tzinfo=None)
    scratch = _scratch(spark) / f"{obj.identifier}-{uuid.uuid4().hex}"
    scratch.mkdir()
    try:
        header = read_header(path, source_file)
        if not header and file_format(path) == ".jsonl":
            header = obj.column_names  # an empty JSON-lines file: no rows, so no column is missing
        check_contract_columns(obj, header, source_file)
        existing = [f.name for f in spark.table(table).schema.fields]
        extra = [c for c in header if c not in existing]
        if extra:
            # Schema drift: a column the contract does not list is kept in raw, ignored downstream.
            spark.sql(f"alter table {table} add columns ({', '.join(f'{_quote(c)} string' for c in extra)})")
        # The table's data columns by name (Spark reads Parquet by name; a column absent from the
        # file, an optional one, reads as NULL), in landing.py's bounded batches.
        schema = pa.schema(
            [
                *((c, pa.string()) for c in header),
                ("_row_number", pa.int64()),
                ("_source_file", pa.string()),
                ("_loaded_at", pa.timestamp("us", tz="UTC")),
            ]
        )
        rows = 0
        # Read and check the whole file before touching the table: a bad row fails the object.
        with pq.ParquetWriter(scratch / f"part-00000-{uuid.uuid4().hex}.parquet", schema) as writer:
            for batch in _record_batches(path, header, source_file):
                n = batch.num_rows
                writer.write_batch(
                    pa.RecordBatch.from_arrays(
                        [
                            *batch.columns,
                            pa.array(range(rows + 1, rows + n + 1), type=pa.int64()),
                            pa.array([source_file] * n, type=pa.string()),
                            pa.array([loaded_at] * n, type=pa.timestamp("us", tz="UTC")),
                        ],
                        schema=schema,
                    )
                )
                rows += n
        replace_partition(spark, table, "_extract_date", extract_date, scratch)
        result = ObjectLanding(obj.qualified_name, source_file, "landed", rows)
        _log(log, obj, extract_date, result, file_sha256=sha, landed_at=loaded_at)
        return result
    except LandingError as exc:
        result = ObjectLanding(obj.qualified_name, source_file, "failed", 0, str(exc))
        _log(log, obj, extract_date, result, file_sha256=sha)
        return result
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def land_night(spark, extracts_root: Path, extract_date: date, crm_source: str | None = None) -> NightLanding:
    """Land every contract object of one night that the CRM shape in use reads (var `crm_source`,
    as landing.py) on Spark; a bad file fails only its own object."""
    folder = extracts_root / extract_date.isoformat()
    night = NightLanding(extract_date, folder, complete=(folder / SUCCESS_MARKER).exists())
    if not night.complete:
        return night
    ensure_raw_tables(spark)
    # The night's log is read once and written once (a partition overwrite), after its files: a
    # night killed half-way has no log lines for what it wrote, so its next landing lands again,
    # overwriting the same partitions.
    log = _night_log(spark, extract_date)
    for obj in objects_in_use(crm_source or project_vars()["crm_source"]):
        night.objects.append(land_object(spark, obj, extracts_root, extract_date, log))
    _write_log(spark, extract_date, log)
    return night
