"""Which attribution models a run computes, and the engine's output schema, read from the one
place each is stated: var('attribution_models') (through `project_vars`) and the `attribution`
source in `models/staging/attribution/_attribution__sources.yml`."""

from __future__ import annotations

from functools import cache

import yaml

from orchestration.core.contract import PROJECT_DIR
from orchestration.core.dbt_vars import project_vars

DATA_DRIVEN_MODELS = ("markov", "shapley")
ENGINE_SOURCES_FILE = PROJECT_DIR / "models" / "staging" / "attribution" / "_attribution__sources.yml"
ENGINE_SOURCE = "attribution"


def attribution_models(overrides: dict | None = None) -> tuple[str, ...]:
    """var('attribution_models'), in its order (with a run's overrides)."""
    models = project_vars(overrides).get("attribution_models")
    if isinstance(models, str) or not models:
        raise ValueError(f"var attribution_models must be a non-empty list of models, got {models!r}")
    return tuple(str(m) for m in models)


def data_driven_models(overrides: dict | None = None) -> tuple[str, ...]:
    """The data-driven models listed in var('attribution_models'): the engine computes only these."""
    return tuple(m for m in attribution_models(overrides) if m in DATA_DRIVEN_MODELS)


@cache
def engine_output_columns() -> dict[str, tuple[tuple[str, str], ...]]:
    """Table -> ((column, data_type), ...) of the engine's output, as the sources YAML declares it."""
    with ENGINE_SOURCES_FILE.open(encoding="utf-8") as handle:
        declared = yaml.safe_load(handle)
    for source in declared.get("sources") or []:
        if source.get("name") == ENGINE_SOURCE:
            tables = {}
            for table in source.get("tables") or []:
                columns = []
                for column in table.get("columns") or []:
                    if not column.get("data_type"):
                        raise ValueError(
                            f"{ENGINE_SOURCES_FILE.name}: {table['name']}.{column['name']} has no data_type"
                        )
                    columns.append((column["name"], column["data_type"]))
                tables[table["name"]] = tuple(columns)
            return tables
    raise ValueError(f"{ENGINE_SOURCES_FILE.name} declares no source named {ENGINE_SOURCE!r}")
