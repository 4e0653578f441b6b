"""Pure helpers that turn a night into dbt arguments (unit-tested, no dbt import)."""

from __future__ import annotations

import json
from datetime import date


def dbt_vars(as_of_date: date | None, overrides: dict | None = None) -> dict:
    """The vars every invocation gets: the night being processed is "today" for every rule, on
    top of the run's overrides (`closecredit run --vars`)."""
    return {**(overrides or {}), "as_of_date": as_of_date.isoformat() if as_of_date else None}


def build_args(
    as_of_date: date | None,
    *,
    select: str | None = None,
    exclude: str | None = None,
    full_refresh: bool = False,
    overrides: dict | None = None,
) -> list[str]:
    args = ["build", "--vars", json.dumps(dbt_vars(as_of_date, overrides), sort_keys=True)]
    if select:
        args += ["--select", select]
    if exclude:
        args += ["--exclude", exclude]
    if full_refresh:
        args.append("--full-refresh")
    return args
