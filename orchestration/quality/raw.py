"""The two batches of a raw object for one extract night, read from DuckDB in bounded memory.

- `file_profile()`: one row describing the night's file (landing status, header, row count against
  recent nights, newest date/time values) for the file-level expectations;
- `row_chunks()`: the night's raw rows with their typed companions (see `derive`), streamed in
  chunks. Rows are split into buckets by a hash of the contract key, so every copy of a key lands
  in the same chunk and key uniqueness checked chunk by chunk is exact for the whole night.

Typing uses the same DuckDB casts as staging (`macros/cross_db/casts.sql`), and the quarantine
reason is built in the order and words of `macros/staging/base_raw_object.sql`.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import duckdb
import pandas as pd

from orchestration.core.contract import Column, ContractObject
from orchestration.night.landing import LANDING_LOG, RAW_SCHEMA, LandingError, read_header
from orchestration.quality.config import DEFAULT_CHUNK_ROWS, dbt_vars, iso_currencies
from orchestration.quality.derive import BLOCKING_QUARANTINE_COLUMN, PARSED_TYPES, TEMPORAL_TYPES
from orchestration.quality.gate import gate_blocks as quarantine_gate_verdict
from orchestration.quality.suites import BaselineRule


def _q(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


def _lit(text: str) -> str:
    return "'" + str(text).replace("'", "''") + "'"


def _date(value: date) -> str:
    return f"DATE {_lit(value.isoformat())}"


# The shapes staging requires before it casts (macros/cross_db/casts.sql), so that 'epoch',
# 'infinity' or 'NaN', which engines would accept, are unparseable here as there.
TIMESTAMP_SHAPE = r"\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?)?(Z|[+-]\d{2}(:?\d{2})?)?"
DATE_SHAPE = r"\d{4}-\d{2}-\d{2}"
MONTH_SHAPE = r"\d{4}-\d{2}"
NUMBER_SHAPE = r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?"


def typed_sql(col: Column, ref: str) -> str:
    """The staging cast of one raw text column (NULL when it does not parse)."""
    text = f"trim({ref})"
    if col.type == "timestamp":
        return (
            f"case when regexp_full_match({text}, {_lit(TIMESTAMP_SHAPE)}) "
            f"then timezone('UTC', try_cast({text} as timestamptz)) end"
        )
    if col.type == "date":
        return f"case when regexp_full_match({text}, {_lit(DATE_SHAPE)}) then try_cast({text} as date) end"
    if col.type == "month":
        return f"case when regexp_full_match({text}, {_lit(MONTH_SHAPE)}) then try_cast({text} || '-01' as date) end"
    if col.type == "number":
        return (
            f"case when regexp_full_match({text}, {_lit(NUMBER_SHAPE)}) then try_cast({text} as double) end"
        )
    if col.type == "boolean":
        return (
            f"case lower({text}) when 'true' then true when '1' then true "
            "when 'false' then false when '0' then false end"
        )
    if col.type == "currency":
        return f"upper({text})"
    return ref


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else repr(float(value))


def quarantine_checks(obj: ContractObject) -> list[tuple[str, str, str]]:
    """(column, failing condition, reason) in staging's order; the first match is the reason."""
    known = "[" + ", ".join(_lit(c) for c in iso_currencies()) + "]"
    checks = []
    for col in obj.columns:
        raw, typed = f"t.{_q(col.name)}", f"t.{_q('__t_' + col.name)}"
        if col.required:
            checks.append((col.name, f"{raw} is null", "'missing required value'"))
        if col.required_if:
            flag = f"t.{_q('__t_' + col.required_if)}"
            checks.append(
                (
                    col.name,
                    f"{flag} and {raw} is null",
                    _lit(f"missing value required when {col.required_if} is true"),
                )
            )
        if col.type == "currency":
            checks.append(
                (
                    col.name,
                    f"{raw} is not null and not list_contains({known}, {typed})",
                    f"'unknown currency (not ISO 4217): ' || substring({raw}, 1, 40)",
                )
            )
        elif col.type != "text":
            checks.append(
                (
                    col.name,
                    f"{raw} is not null and {typed} is null",
                    f"'not a {col.type}: ' || substring({raw}, 1, 40)",
                )
            )
        if col.min is not None:
            checks.append((col.name, f"{typed} < {_number(col.min)}", _lit(f"below minimum {col.min}")))
        if col.max is not None:
            checks.append((col.name, f"{typed} > {_number(col.max)}", _lit(f"above maximum {col.max}")))
    return checks


def _days_from(col: Column, typed: str, extract_date: date) -> str:
    if col.type == "timestamp":
        return f"((epoch({typed}) - epoch({_date(extract_date)}::timestamp)) / 86400.0)::double"
    return f"(date_diff('day', {_date(extract_date)}, {typed}))::double"


def rows_sql(
    obj: ContractObject,
    extract_date: date,
    bucket: tuple[int, int] | None = None,
    *,
    gate_blocks: bool = False,
) -> str:
    """The rows batch of one night (optionally one hash bucket of it, `(bucket, of_buckets)`).
    `gate_blocks` is the quarantine gate's verdict on the whole night (see `night_quarantined`):
    when true, every quarantined row carries its reason in `_blocking_quarantine_reason` too."""
    table = f"{RAW_SCHEMA}.{obj.identifier}"
    inner = [f"r.{_q(c)}" for c in obj.column_names]
    inner += [
        f"{typed_sql(c, 'r.' + _q(c.name))} as {_q('__t_' + c.name)}" for c in obj.columns if c.type != "text"
    ]
    inner += ["r._source_file", "r._row_number"]
    where = f"r._extract_date = {_date(extract_date)}"
    if bucket is not None:
        index, count = bucket
        keys = [f"r.{_q(k)}" for k in obj.key]
        all_null = " and ".join(f"{k} is null" for k in keys)
        # Rows whose whole key is missing cannot be duplicates (GX ignores missing values): they
        # spread by row number so a file of key-less rows cannot pile into one bucket.
        where += (
            f" and (case when {all_null} then hash(r._row_number) else hash({', '.join(keys)}) end) "
            f"% {count} = {index}"
        )
    select = [f"t.{_q(c)}" for c in obj.column_names]
    for col in obj.columns:
        raw, typed = f"t.{_q(col.name)}", f"t.{_q('__t_' + col.name)}"
        if col.type == "number":
            select.append(f"{typed} as {_q(col.name + '__number')}")
        elif col.type == "boolean":
            select.append(f"{typed} as {_q(col.name + '__boolean')}")
        elif col.type == "currency":
            select.append(f"{typed} as {_q(col.name + '__currency')}")
        if col.type in TEMPORAL_TYPES:
            select.append(f"{_days_from(col, typed, extract_date)} as {_q(col.name + '__days_from_extract')}")
        if col.type in PARSED_TYPES:
            select.append(
                f"case when {raw} is not null and {typed} is null then {raw} end as {_q(col.name + '__unparseable')}"
            )
    checks = quarantine_checks(obj)
    if checks:
        column_case = " ".join(f"when {cond} then {_lit(name)}" for name, cond, _ in checks)
        reason_case = " ".join(f"when {cond} then {reason}" for _, cond, reason in checks)
        select.append(f"case {column_case} end as _quarantine_column")
        select.append(f"case {reason_case} end as _quarantine_reason")
        blocking = f"case {reason_case} end" if gate_blocks else "null::varchar"
        select.append(f"{blocking} as {_q(BLOCKING_QUARANTINE_COLUMN)}")
    else:
        select += [
            "null::varchar as _quarantine_column",
            "null::varchar as _quarantine_reason",
            f"null::varchar as {_q(BLOCKING_QUARANTINE_COLUMN)}",
        ]
    select += ["t._source_file", "t._row_number"]
    return (
        f"with t as (select {', '.join(inner)} from {table} as r where {where}) "
        f"select {', '.join(select)} from t order by t._row_number"
    )


def night_row_count(con: duckdb.DuckDBPyConnection, obj: ContractObject, extract_date: date) -> int:
    table = f"{RAW_SCHEMA}.{obj.identifier}"
    return con.execute(f"select count(*) from {table} where _extract_date = ?", [extract_date]).fetchall()[0][
        0
    ]


def night_quarantined(con: duckdb.DuckDBPyConnection, obj: ContractObject, extract_date: date) -> int:
    """Rows of the night that staging will quarantine (a contract check fails), for the gate."""
    return con.execute(
        f"select count(_quarantine_reason) from ({rows_sql(obj, extract_date)}) as q"
    ).fetchall()[0][0]


@dataclass
class Chunk:
    frame: pd.DataFrame
    number: int


def _to_frame(table) -> pd.DataFrame:
    frame = table.to_pandas()
    frame.index = pd.Index(frame["_row_number"].to_numpy(), name="_row_number")
    return frame


def row_chunks(
    con: duckdb.DuckDBPyConnection,
    obj: ContractObject,
    extract_date: date,
    chunk_rows: int = DEFAULT_CHUNK_ROWS,
    total_rows: int | None = None,
    gate_blocks: bool = False,
) -> Iterator[Chunk]:
    """The night's rows in chunks of about `chunk_rows`, each chunk one hash bucket of the key.

    A bucket larger than 4 x `chunk_rows` (only when one key value floods the file) is cut into
    pieces, so memory stays bounded even then; uniqueness is still flagged inside each piece.
    An empty night yields one empty chunk so every expectation still reports.
    """
    total = night_row_count(con, obj, extract_date) if total_rows is None else total_rows
    buckets = max(1, math.ceil(total / chunk_rows))
    number = 0
    for index in range(buckets):
        sql = rows_sql(obj, extract_date, (index, buckets) if buckets > 1 else None, gate_blocks=gate_blocks)
        reader = con.sql(sql).to_arrow_reader(4 * chunk_rows)
        for batch in reader:
            if batch.num_rows == 0 and number > 0:
                continue
            number += 1
            yield Chunk(_to_frame(batch), number)
    if number == 0:
        empty = con.sql(rows_sql(obj, extract_date, gate_blocks=gate_blocks) + " limit 0").to_arrow_table()
        yield Chunk(_to_frame(empty), 1)


def _landed_nights(con: duckdb.DuckDBPyConnection, obj: ContractObject) -> list[tuple[date, int]]:
    return con.execute(
        f"select extract_date, row_count from {LANDING_LOG} "
        "where system = ? and object = ? and status = 'landed' order by extract_date",
        [obj.system, obj.name],
    ).fetchall()


def _baseline(landed: list[tuple[date, int]], extract_date: date, rule: BaselineRule) -> int | None:
    if rule.skip_first_extract and landed:
        landed = landed[1:]
    earlier = [rows for night, rows in landed if night < extract_date][-rule.nights :]
    if not earlier:
        return None
    median = statistics.median(earlier)
    return None if median < rule.min_rows else round(median)


def file_profile(
    con: duckdb.DuckDBPyConnection,
    obj: ContractObject,
    extract_date: date,
    rule: BaselineRule,
    extracts_root: Path | None = None,
    total_rows: int | None = None,
    quarantined_rows: int | None = None,
    overrides: dict | None = None,
) -> pd.DataFrame:
    """One row about the night's file: what the file-level expectations read, with the
    quarantine gate's verdict on the night (`quarantine_gate_blocks`, with the run's vars)."""
    logged = con.execute(
        f"select status, source_file, message from {LANDING_LOG} "
        "where extract_date = ? and system = ? and object = ?",
        [extract_date, obj.system, obj.name],
    ).fetchall()
    log = logged[0] if logged else None
    status, source_file, message = log if log else ("not landed", obj.relative_path, "no landing log entry")
    source_file = source_file or f"{extract_date.isoformat()}/{obj.relative_path}"
    missing_columns = None
    if extracts_root is not None:
        path = Path(extracts_root) / source_file
        if path.exists():
            try:
                header = read_header(path, source_file)
            except LandingError as exc:
                message = message or str(exc)
                status = "failed" if status != "failed" else status
            else:
                missing = obj.missing_from(header)
                missing_columns = ", ".join(missing) if missing else None
    rows = night_row_count(con, obj, extract_date) if total_rows is None else total_rows
    quarantined = night_quarantined(con, obj, extract_date) if quarantined_rows is None else quarantined_rows
    landed = _landed_nights(con, obj)
    baseline = _baseline(landed, extract_date, rule)
    record = {
        "object": obj.qualified_name,
        "extract_date": extract_date.isoformat(),
        "source_file": source_file,
        "landing_status": status,
        "landing_message": message,
        "is_first_extract": not any(night < extract_date for night, _ in landed),
        "missing_contract_columns": missing_columns,
        "row_count": rows,
        "baseline_row_count": baseline,
        "row_count_ratio": (rows / baseline) if baseline else None,
        "quarantined_rows": quarantined,
        "quarantine_gate_blocks": quarantine_gate_verdict(con, quarantined, rows, dbt_vars(overrides)),
    }
    temporal = [c for c in obj.columns if c.type in TEMPORAL_TYPES]
    if temporal:
        table = f"{RAW_SCHEMA}.{obj.identifier}"
        parts = []
        for col in temporal:
            newest = f"max({typed_sql(col, _q(col.name))})"
            if col.type == "timestamp":
                parts.append(
                    f"((epoch({_date(extract_date)}::timestamp) - epoch({newest})) / 86400.0)::double"
                )
            else:
                parts.append(f"(date_diff('day', {newest}, {_date(extract_date)}))::double")
        values = con.execute(
            f"select {', '.join(parts)} from {table} where _extract_date = ?", [extract_date]
        ).fetchall()[0]
        for col, value in zip(temporal, values, strict=True):
            record[f"days_behind__{col.name}"] = value
    frame = pd.DataFrame([record])
    # Columns that may be all-null must still be typed for GX's comparisons.
    for name in ("baseline_row_count", "row_count_ratio", *(f"days_behind__{c.name}" for c in temporal)):
        frame[name] = frame[name].astype("float64")
    frame.index = pd.Index([0], name="file")
    return frame
