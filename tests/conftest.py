"""Fixtures shared by every test folder. Keep them generic; scenario data lives in its own module.

- `extracts_root`: an empty extracts folder in the test's tmp dir (write nights with
  `tests.contract_rows.write_night`);
- `warehouse_path` / `warehouse`: a DuckDB file in the test's tmp dir and a connection to it;
- `run_dbt`: run dbt in-process against a DuckDB file and fail the test with the failing nodes'
  messages when it does not succeed.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

import duckdb
import pytest

from orchestration.core.contract import PROJECT_DIR

# `tests.contract_rows` and friends are imported as `tests.<module>`, whatever the working folder.
if str(PROJECT_DIR) not in sys.path:
    sys.path.insert(0, str(PROJECT_DIR))

from tests.dbt_invocation import (
    ParsedProjects,
    dbt_test_environment,
    release_dbt_duckdb,
    with_profile_vars,
)

# An xdist worker's __main__ (`python -c`) has neither __spec__ nor __file__; pyspark.sql.connect,
# which Great Expectations imports once pyspark is installed, takes that for a doctest run and
# exits the worker. A night's process (`closecredit`, `dagster`) always has one.
_main = sys.modules["__main__"]
if getattr(_main, "__spec__", None) is None and not hasattr(_main, "__file__"):
    _main.__file__ = "<pytest-xdist worker>"


@pytest.fixture
def extracts_root(tmp_path: Path) -> Path:
    """An empty extracts root: `<root>/<YYYY-MM-DD>/<system>/<object>.csv`."""
    root = tmp_path / "extracts"
    root.mkdir()
    return root


@pytest.fixture
def warehouse_path(tmp_path: Path) -> Path:
    """Where the test's DuckDB warehouse file lives (not created yet)."""
    return tmp_path / "warehouse.duckdb"


@pytest.fixture
def warehouse(warehouse_path: Path):
    """A read-write DuckDB connection to `warehouse_path`, closed after the test."""
    con = duckdb.connect(str(warehouse_path))
    yield con
    con.close()


def _failure_report(result) -> str:
    lines, skipped = [], 0
    if result.exception is not None:
        lines.append(f"{type(result.exception).__name__}: {result.exception}")
    for node_result in getattr(result.result, "results", None) or []:
        status = str(getattr(node_result.status, "value", node_result.status))
        if status in {"error", "fail", "runtime error"}:
            lines.append(f"{node_result.node.unique_id}: {status}: {node_result.message}")
        skipped += status == "skipped"
    if skipped:
        lines.append(f"({skipped} nodes skipped after these failures)")
    return "\n".join(lines) or "dbt reported failure without node results"


@pytest.fixture(scope="session")
def run_dbt(tmp_path_factory) -> Callable:
    """`run_dbt(args, database, expect_success=True) -> dbtRunnerResult`.

    `args` are dbt CLI arguments, normally `orchestration.core.dbt_args.build_args(...)`; the project and
    profiles come from the repository, the profile var `closecredit_build_database` points at
    `database` (added to the call's `--vars`, as a night's dbt step does),
    and target and log files go to a fresh tmp folder (the repository's `target/` is untouched).
    The project is parsed once per distinct parse inputs for the whole session (`ParsedProjects`).
    When `expect_success` is true a failed run fails the test with each failing node's message.
    """
    project = ["--project-dir", str(PROJECT_DIR), "--profiles-dir", str(PROJECT_DIR)]
    parsed = tmp_path_factory.mktemp("dbt_parse")
    projects = ParsedProjects(
        [*project, "--target-path", str(parsed / "target"), "--log-path", str(parsed / "logs")]
    )

    def run(args: list[str], database: Path, *, expect_success: bool = True):
        work = tmp_path_factory.mktemp("dbt")
        args = with_profile_vars(args, database)
        # A selected layer's tests only, not tests that also read layers the call did not build.
        with dbt_test_environment(DBT_INDIRECT_SELECTION="cautious"):
            try:
                result = projects.runner(args, database).invoke(
                    [
                        *args,
                        *project,
                        "--target-path",
                        str(work / "target"),
                        "--log-path",
                        str(work / "logs"),
                        "--no-use-colors",
                    ]
                )
            finally:
                release_dbt_duckdb()
        if expect_success and not result.success:
            command = " ".join(" ".join(arg.split()) for arg in args)
            pytest.fail(f"dbt {command} failed:\n{_failure_report(result)}", pytrace=False)
        return result

    return run


@pytest.fixture(scope="session")
def small_scenario(tmp_path_factory):
    """The equality tests' one small scenario, Salesforce-shaped, built on DuckDB once per session
    (tests/small_scenario.py)."""
    from tests.small_scenario import build_scenario

    return build_scenario(tmp_path_factory.mktemp("small_scenario"), "salesforce")


# xdist groups (`pytest -n 2 --dist loadgroup`, `make test`) that build nights or scenarios, longest
# first (measured, docs/decisions.md "The test suite's time"): handed out in this order, so the
# longest starts at once; every other group follows in collection order.
LONGEST_FIRST = ("e2e_nights", "e2e_forget", "small_scenario")
# A module using one of these fixtures gets the group named: it starts from its own copy of
# `backfill` (tests/e2e/conftest.py), so the copy's worker builds `backfill` again (one night)
# while the other worker runs the rest of the session's nights.
OWN_GROUP = {"forgotten": "e2e_forget"}


def pytest_configure(config):
    # xdist hands out groups largest (most tests) first by default; here the largest groups are
    # not the longest, and the order of LONGEST_FIRST is what keeps both workers busy to the end.
    if hasattr(config.option, "loadscopereorder"):
        config.option.loadscopereorder = False


def _group(item, nights: set[str], own: dict[str, str], scenario: set[str]) -> str:
    module = item.module.__name__
    if module in own:
        return own[module]
    return "e2e_nights" if module in nights else "small_scenario" if module in scenario else module


# First, before xdist's own hook reads the marks to group the tests.
@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config, items):
    """Groups for `pytest -n 2 --dist loadgroup` (`make test`): a module's tests stay in one process,
    so its module fixtures are built once, and every module that uses the session's end-to-end
    nights (`extracts` and what builds on it, tests/e2e/conftest.py) shares one process, so the
    nights are built once, except the modules of OWN_GROUP, which share only `backfill` (built once
    more in their process); so do the modules of the one small scenario. The groups of
    LONGEST_FIRST come first, in that order. Without xdist the marks do nothing (the order holds)."""
    nights = {item.module.__name__ for item in items if "extracts" in item.fixturenames}
    own = {
        item.module.__name__: group
        for item in items
        for fixture, group in OWN_GROUP.items()
        if fixture in item.fixturenames
    }
    # The modules comparing against the one small scenario share one process too (built once).
    scenario = {item.module.__name__ for item in items if "small_scenario" in item.fixturenames}
    for item in items:
        if item.get_closest_marker("xdist_group") is None:
            item.add_marker(pytest.mark.xdist_group(_group(item, nights, own, scenario)))
    rank = {group: at for at, group in enumerate(LONGEST_FIRST)}

    def first(item) -> int:
        marker = item.get_closest_marker("xdist_group")
        name = marker.args[0] if marker.args else marker.kwargs.get("name")
        return rank.get(name, len(rank))

    items.sort(key=first)  # stable: collection order within a group and among the others
