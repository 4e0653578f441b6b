"""The published file of a real night opens in DuckDB clients other than the pinned one: duckdb
1.0.0 (the oldest 1.x, storage version 64) in a separate virtual environment reads every table, with
the row counts `marts._publication` states."""

from __future__ import annotations

import json
import os
import subprocess
import venv

import pytest

pytestmark = pytest.mark.e2e

OLDEST_CLIENT = "1.0.0"

READ_EVERY_TABLE = """
import json, sys, duckdb
con = duckdb.connect(sys.argv[1], read_only=True)
tables = con.execute(
    "select table_schema, table_name from information_schema.tables order by 1, 2"
).fetchall()
rows = {f"{s}.{t}": con.execute(f'select count(*) from "{s}"."{t}"').fetchone()[0] for s, t in tables}
stated = dict(con.execute("select table_name, row_count from marts._publication").fetchall())
version = con.execute("select version()").fetchone()[0]
print(json.dumps({"version": version, "rows": rows, "stated": stated}))
"""


@pytest.fixture(scope="module")
def old_duckdb(tmp_path_factory) -> str:
    """A Python with duckdb==1.0.0 from the package index, in its own venv."""
    env_dir = tmp_path_factory.mktemp("duckdb_1x") / "venv"
    venv.create(env_dir, with_pip=True)
    python = str(env_dir / "bin" / "python")
    done = subprocess.run(
        [
            python,
            "-m",
            "pip",
            "install",
            "--quiet",
            "--disable-pip-version-check",
            f"duckdb=={OLDEST_CLIENT}",
        ],
        capture_output=True,
        text=True,
        timeout=600,
    )
    if done.returncode != 0:
        reason = f"pip could not install duckdb=={OLDEST_CLIENT}: {done.stderr.strip()[-300:]}"
        if os.environ.get("CI"):
            pytest.fail(reason)
        pytest.skip(reason)
    return python


def test_duckdb_1_0_reads_every_published_table(backfill, old_duckdb):
    site, _ = backfill
    done = subprocess.run(
        [old_duckdb, "-c", READ_EVERY_TABLE, str(site.database)], capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr
    seen = json.loads(done.stdout)
    assert seen["version"] == f"v{OLDEST_CLIENT}"
    assert seen["stated"], "marts._publication lists the published tables"
    for table, rows in seen["stated"].items():
        assert seen["rows"][table] == rows, table
    assert seen["rows"]["marts.fct_close_credit"] > 0
