"""The erasure log: which people were forgotten, as person keys only (never an email).

`closecredit forget EMAIL` (orchestration/ops/forget.py) writes it; the landing reads it for
every file it lands, so re-landing an old extract does not bring an erased person back; staging
reads the erased rows' record, so the reconciliation counts them (status `erased`).

- `raw.erasure_log`: one row per erased identity: the erasure's id, the identity's kind
  (`email`, `crm_id`, `anonymous_id`), its person key (HMAC-SHA256 under the warehouse secret,
  orchestration/core/privacy.py), the reason given, when.
- `raw.erased_rows`: one row per raw row removed (`erased_by` forget) or kept out by the landing
  (`landing`): night, object, file and row number, when. No value of the row is kept.

Which columns identify a person is the contract's `meta.person` (models/staging/_contract__sources.yml);
what each kind's identity is, before hashing, is `identity_sql` below, the one statement of it.
"""

from __future__ import annotations

import contextlib
from pathlib import Path

import duckdb

from orchestration.core import privacy
from orchestration.core.contract import ContractObject

ERASURE_LOG = "raw.erasure_log"
ERASED_ROWS = "raw.erased_rows"
# The identity string a person key hashes, per kind: an email normalised as the marts normalise it
# (int_people's identity), a CRM id as `crm:<id>` (the identity of a person without an email), an
# anonymous web id as `anon:<id>`.
_IDENTITY = {
    "email": "nullif(lower(trim({})), '')",
    "crm_id": "'crm:' || nullif(trim({}), '')",
    "anonymous_id": "'anon:' || nullif(trim({}), '')",
}


def identity_sql(kind: str, expression: str) -> str:
    return _IDENTITY[kind].format(expression)


def identity(kind: str, value: str) -> str | None:
    """The identity string of one value (what identity_sql computes, in Python)."""
    value = value.strip()
    if not value:
        return None
    return {"email": value.lower(), "crm_id": f"crm:{value}", "anonymous_id": f"anon:{value}"}[kind]


def ensure_erasure_tables(con: duckdb.DuckDBPyConnection) -> None:
    con.execute("create schema if not exists raw")
    con.execute(
        f"create table if not exists {ERASURE_LOG} (erasure_id varchar, identity_kind varchar, "
        "person_key varchar, reason varchar, erased_at timestamp)"
    )
    con.execute(
        f"create table if not exists {ERASED_ROWS} (extract_date date, system varchar, object varchar, "
        "source_file varchar, row_number bigint, erased_by varchar, erased_at timestamp)"
    )


def has_erasures(con: duckdb.DuckDBPyConnection) -> bool:
    exists = con.execute(
        "select count(*) from information_schema.tables where table_catalog = current_database() "
        "and table_schema = 'raw' and table_name = 'erasure_log'"
    ).fetchall()[0][0]
    return bool(exists) and bool(con.execute(f"select count(*) from {ERASURE_LOG}").fetchall()[0][0])


def database_secret(con: duckdb.DuckDBPyConnection) -> bytes:
    """The secret person keys are made with for this database: the one dbt's plugin reads (the
    environment, else `.hash_secret` beside the database file)."""
    from orchestration.core.privacy_plugin import secret_path

    path = con.execute(
        "select path from duckdb_databases() where database_name = current_database()"
    ).fetchall()[0][0]
    located = secret_path(str(Path(path)) if path else None)
    return privacy.load_secret(path=located) if located else privacy.load_secret()


def register_person_key(con: duckdb.DuckDBPyConnection) -> None:
    """`closecredit_person_key` on this connection, keyed with the database's secret (once)."""
    from orchestration.core.privacy_plugin import register_person_key as register

    with contextlib.suppress(duckdb.CatalogException, duckdb.NotImplementedException):
        register(con, database_secret(con))  # raises when already registered on this connection


def erased_condition(obj: ContractObject, relation: str) -> str | None:
    """SQL true for a row of `relation` (raw columns of `obj`) that an erasure covers; None when
    the object has no person column. Needs `closecredit_person_key` registered."""
    tests = []
    for column in (c for c in obj.columns if c.person):
        reference = f'{relation}."{column.name}"'
        tests.append(
            f"coalesce({privacy.SQL_FUNCTION}({identity_sql(column.person, reference)}) in "
            f"(select person_key from {ERASURE_LOG} where identity_kind = '{column.person}'), false)"
        )
    return "(" + " or ".join(tests) + ")" if tests else None
