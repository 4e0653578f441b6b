"""The dbt vars, read once for SQL and Python alike: `dbt_project.yml`'s `vars:` with a run's
overrides on top. Every Python reader of a var goes through `project_vars()`."""

from __future__ import annotations

from functools import cache

import yaml

from orchestration.core.contract import PROJECT_DIR

DBT_PROJECT_FILE = PROJECT_DIR / "dbt_project.yml"


@cache
def _declared_vars() -> dict:
    with DBT_PROJECT_FILE.open(encoding="utf-8") as handle:
        return dict(yaml.safe_load(handle).get("vars") or {})


def project_vars(overrides: dict | None = None) -> dict:
    """The project's vars with `overrides` (a run's `--vars`) on top."""
    return {**_declared_vars(), **(overrides or {})}
