"""Small raw nights for the quality tests, built from the contract and the suite files.

`clean_row(obj, n, night)` is a row every expectation of the object's suite accepts: it starts from
`tests.contract_rows.valid_row` (contract-valid) and takes accepted values, URL/email/id shapes
and recent dates from the suite file itself, so a suite edit that rejects clean data fails loudly.
`put_night(con, obj, night, rows)` writes rows straight into the raw table and the landing log, as
the landing would (no CSV round trip: these tests are about the suites).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import duckdb
import pyarrow as pa

from orchestration.core.contract import ContractObject
from orchestration.night.landing import LANDING_LOG, RAW_SCHEMA, ensure_raw_tables
from orchestration.quality.suites import raw_suites
from tests.contract_rows import valid_row

NIGHT = date(2026, 11, 26)
ROWS = 200  # one bad row is 0.5%: under the 1% quarantine limit

# Shapes the suites' regex expectations ask for (by column name).
SHAPED = {
    "who_id": lambda n: f"00Q5g000000{n:07d}",
    "what_id": lambda n: f"0065g00000{n:08d}",
    "ip_country": lambda n: "US",
    "page_url": lambda n: f"https://www.brightwave.example/p/{n}",
    "email": lambda n: f"person{n}@example.com",
    "user_email": lambda n: f"person{n}@example.com",
}


def _month(night: date, back: int) -> str:
    index = night.year * 12 + night.month - 1 - back
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def clean_row(obj: ContractObject, n: int, night: date = NIGHT) -> dict[str, str | None]:
    row: dict[str, str | None] = dict(valid_row(obj, n))
    suite = raw_suites()[obj.qualified_name]
    recent = (night - timedelta(days=1)).isoformat()
    for col in obj.columns:
        if col.type == "timestamp":
            row[col.name] = f"{recent}T09:15:00Z"
        elif col.type == "date":
            row[col.name] = (
                (night - timedelta(days=n % 300 + 1)).isoformat() if col.name in obj.key else recent
            )
        elif col.type == "month":
            row[col.name] = _month(night, n) if col.name in obj.key else _month(night, 0)
        elif col.type == "currency" and col.name not in obj.key:
            row[col.name] = "EUR"
        if col.name in SHAPED and row.get(col.name) is not None:
            row[col.name] = SHAPED[col.name](n)
    if obj.qualified_name == "costs.fx_rate":
        # (month, currency) is the key: one currency, a distinct month per row.
        row["currency_iso_code"] = "EUR"
        row["month"] = _month(night, n)
    for expectation in suite.expectations:
        kwargs = expectation.get("kwargs") or {}
        if expectation["type"] == "expect_column_values_to_be_in_set" and kwargs.get("column") in row:
            values = kwargs["value_set"]
            row[kwargs["column"]] = values[n % len(values)]
    if obj.qualified_name == "web.event" and row.get("event_type") in ("page_view", "signup"):
        row["user_email"] = None  # the contract: set on identify and form_submit only
    return row


def clean_rows(obj: ContractObject, count: int = ROWS, night: date = NIGHT, start: int = 1) -> list[dict]:
    return [clean_row(obj, n, night) for n in range(start, start + count)]


def put_night(
    con: duckdb.DuckDBPyConnection,
    obj: ContractObject,
    night: date,
    rows: list[dict],
    *,
    status: str = "landed",
    message: str | None = None,
    logged_rows: int | None = None,
) -> None:
    """Rows of one night as the landing leaves them (raw table + landing log)."""
    ensure_raw_tables(con, [obj])
    ensure_raw_tables(con)
    table = f"{RAW_SCHEMA}.{obj.identifier}"
    source_file = f"{night.isoformat()}/{obj.relative_path}"
    loaded_at = datetime.now(UTC).replace(tzinfo=None)
    con.execute(f"delete from {table} where _extract_date = ?", [night])
    if rows:
        batch = pa.table(
            {
                **{c: pa.array([row.get(c) for row in rows], type=pa.string()) for c in obj.column_names},
                "_row_number": pa.array(range(1, len(rows) + 1), type=pa.int64()),
            }
        )
        con.register("quality_test_rows", batch)
        con.execute(
            f"insert into {table} by name select *, ?::date as _extract_date, ? as _source_file, "
            "?::timestamp as _loaded_at from quality_test_rows",
            [night, source_file, loaded_at],
        )
        con.unregister("quality_test_rows")
    con.execute(
        f"delete from {LANDING_LOG} where extract_date = ? and system = ? and object = ?",
        [night, obj.system, obj.name],
    )
    con.execute(
        f"insert into {LANDING_LOG} values (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            night,
            obj.system,
            obj.name,
            source_file,
            "sha",
            status,
            len(rows) if logged_rows is None else logged_rows,
            message,
            loaded_at,
        ],
    )


def put_history(con: duckdb.DuckDBPyConnection, obj: ContractObject, nights: dict[date, int]) -> None:
    """Earlier nights as the landing log remembers them (row counts only: the baseline reads those)."""
    ensure_raw_tables(con)
    for night, count in nights.items():
        con.execute(
            f"insert into {LANDING_LOG} values (?, ?, ?, ?, ?, 'landed', ?, null, ?)",
            [
                night,
                obj.system,
                obj.name,
                f"{night.isoformat()}/{obj.relative_path}",
                "sha",
                count,
                datetime.now(UTC).replace(tzinfo=None),
            ],
        )
