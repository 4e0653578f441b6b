"""dbt in-process for tests: the build database as the profile var a night passes, a test secret
for person keys, and dbt-duckdb's shared instance released after each call. conftest's `run_dbt`
fixture and the incremental test's runner share these, and one parse per distinct set of parse inputs
(`ParsedProjects`): dbt parses the whole project in 20–90 s, and a fresh target folder or other
`--vars` would make every call pay it again."""

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


# Vars that cannot change what a parse produces: the profile's paths and sizes (read by the
# adapter), and the night's date (read while executing, docs/decisions.md "Incremental nights").
RUNTIME_VARS = frozenset({*DBT_PROFILE_VARS.values(), "as_of_date"})


def _cli_vars(args: list[str]) -> dict:
    return (yaml.safe_load(args[args.index("--vars") + 1]) or {}) if "--vars" in args else {}


class ParsedProjects:
    """One parsed manifest per (database name, vars that can shape the parse), reused by every
    dbt call of the test session: `runner(args, database)` is a dbtRunner that skips parsing.
    dbt-duckdb names a node's database after the file's stem, so the stem is part of the key."""

    def __init__(self, paths: list[str]):
        self.paths = paths
        self.manifests: dict[tuple[str, str], object] = {}

    def runner(self, args: list[str], database: Path):
        from dbt.cli.main import dbtRunner

        parse_vars = {k: v for k, v in _cli_vars(args).items() if k not in RUNTIME_VARS}
        key = (database.stem, json.dumps(parse_vars, sort_keys=True, default=str))
        if key not in self.manifests:
            parse = with_profile_vars(["parse", "--vars", json.dumps(parse_vars)], database)
            with dbt_test_environment():
                result = dbtRunner().invoke([*parse, *self.paths, "--quiet"])
            if not result.success:
                raise AssertionError(f"dbt parse failed: {result.exception}")
            self.manifests[key] = result.result
        return dbtRunner(manifest=self.manifests[key])


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
