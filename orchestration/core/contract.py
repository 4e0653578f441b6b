"""The raw extract contract, read from the dbt sources file that holds it.

`models/staging/_contract__sources.yml` is the single machine-readable statement of the contract
(objects, columns, logical types, required flags, keys, semantics). The demo generator, the landing
and the quality suites read it through this module; the dbt staging macros read the same file
through dbt's graph.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml

PROJECT_DIR = Path(__file__).resolve().parents[2]
CONTRACT_FILE = PROJECT_DIR / "models" / "staging" / "_contract__sources.yml"

LOGICAL_TYPES = {"text", "timestamp", "date", "month", "number", "boolean", "currency"}
SEMANTICS = {"delta", "append", "snapshot", "upsert", "restatable"}


@dataclass(frozen=True)
class Column:
    name: str
    type: str
    required: bool = False
    required_if: str | None = None
    min: float | None = None
    max: float | None = None
    currency_column: str | None = None


@dataclass(frozen=True)
class ContractObject:
    system: str
    name: str
    plural: str
    identifier: str
    semantics: str
    key: tuple[str, ...]
    columns: tuple[Column, ...]

    @property
    def qualified_name(self) -> str:
        """`crm.opportunity`: how people and messages name the object."""
        return f"{self.system}.{self.name}"

    @property
    def file_name(self) -> str:
        return f"{self.name}.csv"

    @property
    def relative_path(self) -> str:
        """Where the object's file sits inside one night's extract folder."""
        return f"{self.system}/{self.file_name}"

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]

    @property
    def staging_model(self) -> str:
        return f"stg_{self.system}__{self.plural}"

    def column(self, name: str) -> Column:
        for column in self.columns:
            if column.name == name:
                return column
        raise KeyError(f"{self.qualified_name} has no column {name!r}")


def _meta(node: dict) -> dict:
    return dict((node.get("config") or {}).get("meta") or {})


def _parse(document: dict) -> tuple[ContractObject, ...]:
    objects = []
    for source in document["sources"]:
        source_meta = _meta(source)
        for table in source["tables"]:
            meta = {**source_meta, **_meta(table)}
            columns = []
            for col in table["columns"]:
                col_meta = _meta(col)
                if col["data_type"] not in LOGICAL_TYPES:
                    raise ValueError(
                        f"{CONTRACT_FILE}: {source['name']}.{table['name']}.{col['name']} has "
                        f"unknown data_type {col['data_type']!r}"
                    )
                columns.append(
                    Column(
                        name=col["name"],
                        type=col["data_type"],
                        required=bool(col_meta.get("required", False)),
                        required_if=col_meta.get("required_if"),
                        min=col_meta.get("min"),
                        max=col_meta.get("max"),
                        currency_column=col_meta.get("currency_column"),
                    )
                )
            if meta.get("semantics") not in SEMANTICS:
                raise ValueError(f"{CONTRACT_FILE}: {source['name']}.{table['name']} has no valid semantics")
            objects.append(
                ContractObject(
                    system=source["name"],
                    name=table["name"],
                    plural=meta["plural"],
                    identifier=table["identifier"],
                    semantics=meta["semantics"],
                    key=tuple(meta["key"]),
                    columns=tuple(columns),
                )
            )
    return tuple(objects)


@cache
def load_contract() -> tuple[ContractObject, ...]:
    """Every contract object, in the order of the contract file."""
    with CONTRACT_FILE.open(encoding="utf-8") as handle:
        return _parse(yaml.safe_load(handle))


def get_object(system: str, name: str) -> ContractObject:
    for obj in load_contract():
        if obj.system == system and obj.name == name:
            return obj
    raise KeyError(f"the contract has no object {system}.{name}")
