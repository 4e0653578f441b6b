"""Batches of a mart suite, read from DuckDB in bounded memory.

- `rows`: the mart table itself (list/struct columns as text), streamed in chunks; with a `grain`
  the chunks are hash buckets of it, so uniqueness of the grain is exact;
- `profile`: one row (`relation`, `row_count`);
- named SQL batches (`meta.closecredit.batches`): invariants that need a join or a group-by
  (credit sums per deal and model, coverage, referential integrity) are written as SQL that DuckDB
  runs; GX validates the (much smaller) result in chunks.

Placeholders in batch SQL: `{mart}` (schema-qualified mart), `{schema}`, `{night}` (the extract
date, ISO) and `{var:<name>}` (a dbt var from dbt_project.yml).
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator
from datetime import date

import duckdb
import pandas as pd

from orchestration.quality.config import DEFAULT_CHUNK_ROWS, dbt_vars
from orchestration.quality.suites import SuiteFile

_PLACEHOLDER = re.compile(r"\{(mart|schema|night|var:[A-Za-z_][A-Za-z0-9_]*)\}")


class BatchSqlError(ValueError):
    pass


def _q(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


def relation_exists(con: duckdb.DuckDBPyConnection, relation: str) -> bool:
    schema, _, name = relation.rpartition(".")
    rows = con.execute(
        "select count(*) from information_schema.tables where table_schema = ? and table_name = ?",
        [schema or "main", name],
    ).fetchall()[0]
    return bool(rows[0])


def qualify(relation: str, schema: str) -> str:
    return relation if "." in relation else f"{schema}.{relation}"


def render_sql(sql: str, suite: SuiteFile, night: date, overrides: dict | None = None) -> str:
    values = dbt_vars(overrides)

    def replace(match: re.Match) -> str:
        name = match.group(1)
        if name == "mart":
            return suite.relation
        if name == "schema":
            return suite.schema
        if name == "night":
            return night.isoformat()
        var = name.split(":", 1)[1]
        if var not in values:
            raise BatchSqlError(f"{{{name}}}: dbt_project.yml has no var {var!r}")
        value = values[var]
        if isinstance(value, (list, tuple)):
            return "[" + ", ".join(_literal(v) for v in value) + "]"
        return _literal(value) if isinstance(value, str) else str(value)

    return _PLACEHOLDER.sub(replace, sql)


def _literal(value) -> str:
    return "'" + str(value).replace("'", "''") + "'" if isinstance(value, str) else str(value)


def mart_columns(con: duckdb.DuckDBPyConnection, relation: str) -> list[tuple[str, str]]:
    return [(r[0], r[1]) for r in con.execute(f"describe {relation}").fetchall()]


def rows_select(con: duckdb.DuckDBPyConnection, relation: str) -> tuple[str, list[str]]:
    """`select` of the mart with nested types as text, and the names of its text columns."""
    parts, text = [], []
    for name, kind in mart_columns(con, relation):
        upper = kind.upper()
        if upper.startswith("VARCHAR"):
            parts.append(_q(name))
            text.append(name)
        elif upper.endswith("[]") or upper.startswith(("STRUCT", "MAP", "LIST", "UNION")) or "[" in upper:
            parts.append(f"cast({_q(name)} as varchar) as {_q(name)}")
            text.append(name)
        else:
            parts.append(_q(name))
    return f"select {', '.join(parts)} from {relation}", text


def profile(con: duckdb.DuckDBPyConnection, suite: SuiteFile) -> pd.DataFrame:
    rows = con.execute(f"select count(*) from {suite.relation}").fetchall()[0][0]
    frame = pd.DataFrame([{"relation": suite.relation, "row_count": rows}])
    frame.index = pd.Index([0], name="file")
    return frame


def chunks(
    con: duckdb.DuckDBPyConnection,
    sql: str,
    key: tuple[str, ...] = (),
    chunk_rows: int = DEFAULT_CHUNK_ROWS,
) -> Iterator[pd.DataFrame]:
    """The rows of `sql` in chunks; with a key, each chunk is a hash bucket of the key."""
    total = con.execute(f"select count(*) from ({sql}) as q").fetchall()[0][0]
    offset = 0
    if key and total > chunk_rows:
        buckets = math.ceil(total / chunk_rows)
        hashed = f"hash({', '.join('q.' + _q(k) for k in key)})"
        queries = [f"select * from ({sql}) as q where {hashed} % {buckets} = {i}" for i in range(buckets)]
    else:
        queries = [sql]
    produced = False
    for query in queries:
        for batch in con.sql(query).to_arrow_reader(4 * chunk_rows if key else chunk_rows):
            if batch.num_rows == 0 and produced:
                continue
            frame = batch.to_pandas()
            frame.index = pd.RangeIndex(offset, offset + len(frame), name="_row")
            offset += len(frame)
            produced = True
            yield frame
    if not produced:
        frame = con.sql(f"select * from ({sql}) as q limit 0").to_arrow_table().to_pandas()
        frame.index = pd.RangeIndex(0, 0, name="_row")
        yield frame


def pii_expectations(suite: SuiteFile, text_columns: list[str]) -> list[dict]:
    """No person data in a mart: every text column must match none of the PII patterns
    (`expectations/pii.json`, the same for every mart)."""
    rule = suite.pii
    if rule is None:
        return []
    out = []
    for column in text_columns:
        for label, pattern in rule.patterns.items():
            out.append(
                {
                    "type": "expect_column_values_to_not_match_regex",
                    "kwargs": {"column": column, "regex": pattern},
                    "severity": rule.severity,
                    "description": f"{column} holds no {label} (no personal data in marts)",
                    "meta": {"batch": "rows", "derived": "pii"},
                }
            )
    return out
