"""Pure helpers that turn a night into dbt arguments (unit-tested, no dbt import)."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date


def dbt_vars(as_of_date: date | None, overrides: dict | None = None) -> dict:
    """The vars every invocation gets: the night being processed is "today" for every rule, on
    top of the run's overrides (`closecredit run --vars`)."""
    return {**(overrides or {}), "as_of_date": as_of_date.isoformat() if as_of_date else None}


# dbt unit tests check the SQL, not the night's data: `make test` runs them, a night does not.
NIGHT_EXCLUDE = "resource_type:unit_test"


def build_args(
    as_of_date: date | None,
    *,
    select: str | None = None,
    exclude: str | None = None,
    full_refresh: bool = False,
    overrides: dict | None = None,
    unit_tests: bool = True,
) -> list[str]:
    """`dbt build` for one night, the run's var overrides on top. `full_refresh` rebuilds every
    incremental model from all of history (what a run with changed vars, seeds or models needs);
    `unit_tests=False` leaves the dbt unit tests to `make test`."""
    args = ["build", "--vars", json.dumps(dbt_vars(as_of_date, overrides), sort_keys=True)]
    if select:
        args += ["--select", select]
    excluded = [part for part in (exclude, None if unit_tests else NIGHT_EXCLUDE) if part]
    if excluded:
        # One --exclude: dbt keeps only the last of several; a space is a union.
        args += ["--exclude", " ".join(excluded)]
    if full_refresh:
        args.append("--full-refresh")
    return args


# The night's date reaches dbt in the environment, not in --vars: dbt re-parses the whole project
# when --vars change, but not for a variable read only while executing (macros/staging/as_of_date.sql).
AS_OF_DATE_ENV = "CLOSECREDIT_AS_OF_DATE"
# The first night the run landed: dbt's quarantine gate test checks every extract night from it to
# the night built (a catch-up run lands several; macros/staging/gated_extract.sql).
GATE_FROM_ENV = "CLOSECREDIT_GATE_FROM"


def night_build_args(*, overrides: dict | None = None, full_refresh: bool = False) -> list[str]:
    """The night's `dbt build`: every model, data test and snapshot, no dbt unit tests; run it with
    night_env(as_of_date). `overrides` (the run's `--vars` and the profile vars) stay the same from
    night to night, so dbt keeps its partial parse. `full_refresh` rebuilds the incremental models
    from all history."""
    args = ["build", "--exclude", NIGHT_EXCLUDE]
    if overrides:
        args += ["--vars", json.dumps(overrides, sort_keys=True)]
    if full_refresh:
        args.append("--full-refresh")
    return args


def night_env(as_of_date: date, first_night: date | None = None) -> dict[str, str]:
    """The environment of the night's dbt invocations: the night being built, and the first night
    the run landed (itself, unless a catch-up run landed earlier nights too)."""
    return {AS_OF_DATE_ENV: as_of_date.isoformat(), GATE_FROM_ENV: (first_night or as_of_date).isoformat()}


@contextmanager
def dbt_environment(env: dict[str, str]) -> Iterator[None]:
    """`env` in this process's environment only while dbt is started, then as it was:
    dagster-dbt's `cli()` and dbt's in-process runner take no environment of their own."""
    saved = {name: os.environ.get(name) for name in env}
    os.environ.update(env)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
