"""Rows per second of the person-key SQL function, as the dbt-duckdb plugin registers it.

    python benchmarks/bench_person_key.py              # 1,000,000 values
    python benchmarks/bench_person_key.py --rows 100000

Keys `--rows` distinct email-shaped values into a table, best of `--repeat` (wall and CPU seconds), with: the plugin's
function (Arrow, one Python call per vector), the same keyer as a row-at-a-time (native) Python
function, a row-at-a-time `hmac.new` per value, and DuckDB's own `sha256` (unkeyed, no Python: the
ceiling), and checks that the plugin's keys equal Python's.
"""

from __future__ import annotations

import argparse
import hashlib
import hmac
import sys
import time
from pathlib import Path

import duckdb
from duckdb import sqltypes

PROJECT_DIR = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(PROJECT_DIR))

from orchestration.core import privacy  # noqa: E402
from orchestration.core.privacy_plugin import register_person_key  # noqa: E402

SECRET = b"bench-secret"


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()

    con = duckdb.connect()
    con.execute(f"set threads = {args.threads}")
    con.execute(
        f"create table ids as select 'person' || i || '@example.com' as v from range({args.rows}) r(i)"
    )
    register_person_key(con, SECRET)
    keyer = privacy.keyer(SECRET)
    con.create_function(
        "native_keyer", lambda v: keyer(v.encode("utf-8")), [sqltypes.VARCHAR], sqltypes.VARCHAR
    )
    con.create_function(
        "native_hmac_new",
        lambda v: hmac.new(SECRET, v.encode("utf-8"), hashlib.sha256).hexdigest(),
        [sqltypes.VARCHAR],
        sqltypes.VARCHAR,
    )
    variants = {
        f"{privacy.SQL_FUNCTION} (plugin, arrow)": f"{privacy.SQL_FUNCTION}(v)",
        "keyer, native row-at-a-time": "native_keyer(v)",
        "hmac.new per row, native": "native_hmac_new(v)",
        "duckdb sha256 (unkeyed ceiling)": "sha256(v)",
    }
    print(f"{args.rows:,} values, {args.threads} DuckDB threads, best of {args.repeat}")
    for name, expr in variants.items():
        wall, cpu = min(_seconds(con, expr) for _ in range(args.repeat))
        print(f"  {name:36} {args.rows / wall:>10,.0f} rows/s  ({wall:.2f} s wall, {cpu:.2f} s CPU)")
    sample = con.execute(f"select v, {privacy.SQL_FUNCTION}(v) from ids using sample 5 rows").fetchall()
    assert all(key == keyer(v.encode("utf-8")) for v, key in sample), sample
    return 0


def _seconds(con: duckdb.DuckDBPyConnection, expr: str) -> tuple[float, float]:
    """(wall, CPU) seconds: on a shared machine the CPU time is the steadier of the two."""
    started, cpu = time.perf_counter(), time.process_time()
    con.execute(f"create or replace temp table keyed as select {expr} as k from ids")
    return time.perf_counter() - started, time.process_time() - cpu


if __name__ == "__main__":
    raise SystemExit(main())
