"""The dbt vars, read once for SQL and Python alike: `dbt_project.yml`'s `vars:` with a run's
overrides on top. Every Python reader of a var goes through `project_vars()`, given the run's
overrides (`Settings.project_vars()` does that for a run)."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import yaml

from orchestration.core.contract import PROJECT_DIR

DBT_PROJECT_FILE = PROJECT_DIR / "dbt_project.yml"

# Vars that decide which assets and checks the Dagster graph has (the attribution models, the CRM
# source): the definitions are built from the project's value, so a run cannot override them.
GRAPH_VARS = ("attribution_models", "crm_source")
# Set by the night being run (`closecredit run --date`), never by --vars.
NIGHT_VARS = ("as_of_date",)


class VarsError(ValueError):
    """Var overrides that cannot be used; the message is one line naming the vars."""


@cache
def _declared_vars() -> dict:
    with DBT_PROJECT_FILE.open(encoding="utf-8") as handle:
        return dict(yaml.safe_load(handle).get("vars") or {})


def project_vars(overrides: dict | None = None) -> dict:
    """The project's vars with `overrides` (a run's `--vars`) on top."""
    return {**_declared_vars(), **(overrides or {})}


def check_overrides(overrides: dict) -> dict:
    """`overrides` if a run may use them; else VarsError naming the vars it may not set."""
    graph = sorted(set(overrides) & set(GRAPH_VARS))
    if graph:
        raise VarsError(
            f"--vars cannot set {', '.join(graph)}: they shape the Dagster graph; change them in "
            "dbt_project.yml"
        )
    night = sorted(set(overrides) & set(NIGHT_VARS))
    if night:
        raise VarsError(f"--vars cannot set {', '.join(night)}: it is the night being run (use --date)")
    unknown = sorted(set(overrides) - set(_declared_vars()))
    if unknown:
        raise VarsError(f"--vars: dbt_project.yml declares no var {', '.join(unknown)}")
    return overrides


def parse_overrides(text: str, source: str = "--vars") -> dict:
    """A `--vars` value (JSON or YAML mapping) as a dict; VarsError naming `source` otherwise."""
    try:
        value = yaml.safe_load(text) if text.strip() else {}
    except yaml.YAMLError as exc:
        raise VarsError(f"{source} is not JSON or YAML: {' '.join(str(exc).split())}") from None
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise VarsError(f"{source} must be a mapping of var to value, like '{{\"lookback_days\": 180}}'")
    return value


def read_overrides_file(path: Path) -> dict:
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise VarsError(f"--vars-file {path}: {exc.strerror or exc}") from None
    return parse_overrides(text, f"--vars-file {path}")


def changed_vars(built_with: dict, now: dict) -> list[str]:
    """The vars (as_of_date aside) whose value differs between two runs, as `name: old -> new`."""
    names = sorted((set(built_with) | set(now)) - set(NIGHT_VARS))
    return [
        f"{name}: {built_with.get(name)!r} -> {now.get(name)!r}"
        for name in names
        if built_with.get(name) != now.get(name)
    ]
