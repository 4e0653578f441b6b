"""dbt in-process for tests: the build database as the profile var a night passes, a test secret
for person keys, and dbt-duckdb's shared instance released after each call. conftest's `run_dbt`
fixture and the incremental test's parse-once runner share these."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import yaml

from orchestration.core.dbt_args import dbt_environment
from orchestration.core.privacy import SECRET_ENV
from orchestration.core.settings import DBT_PROFILE_VARS

TEST_HASH_SECRET = b"closecredit-tests"


def release_dbt_duckdb() -> None:
    """dbt-duckdb keeps its DuckDB instance open in-process after a run; close it so the test (or
    the next dbt call, with other settings) can open the file."""
    from dbt.adapters.duckdb.connections import DuckDBConnectionManager

    with DuckDBConnectionManager._LOCK:
        env = DuckDBConnectionManager._ENV
        if env is not None:
            env.close()
            DuckDBConnectionManager._ENV = None


def with_profile_vars(args: list[str], database: Path) -> list[str]:
    """`args` with the profile var naming `database` added to their `--vars`."""
    profile = {DBT_PROFILE_VARS["build_database"]: str(database)}
    args = list(args)
    if "--vars" not in args:
        return [*args, "--vars", json.dumps(profile)]
    at = args.index("--vars") + 1
    args[at] = json.dumps({**(yaml.safe_load(args[at]) or {}), **profile})
    return args


@contextmanager
def dbt_test_environment(**extra: str) -> Iterator[None]:
    """No usage statistics; person keys keyed with the tests' secret unless a test set its own."""
    env = {"DBT_SEND_ANONYMOUS_USAGE_STATS": "false", **extra}
    if not os.environ.get(SECRET_ENV):
        env[SECRET_ENV] = TEST_HASH_SECRET.decode()
    with dbt_environment(env):
        yield
