"""The HubSpot shape equals the Salesforce shape: the same demo company, written once as Salesforce
exports and once as HubSpot exports (`generate(..., crm="hubspot")`, which rewrites the same
simulation), landed and built with var `crm_source` each, gives every mart row for row the same,
once the HubSpot ids are mapped back to the Salesforce ones through `ground_truth/id_map.csv`
(ids appear as is, inside touch ids such as `task:<id>`, and keyed-hashed in person keys)."""

from __future__ import annotations

import csv
import json
import re
from datetime import date
from pathlib import Path

import duckdb
import pytest

from orchestration.core.privacy import person_key
from orchestration.demo import generate
from orchestration.night.landing import land_night
from tests.compare_marts import Table, differences, snapshot
from tests.dbt_invocation import TEST_HASH_SECRET, dbt_test_environment, with_profile_vars
from tests.integration.test_incremental_nights import Dbt, build_night

# The smallest demo the night tests use; two nights, so deltas supersede and soft-delete.
SEED, SCALE, NIGHTS = 7, 0.005, 2


class ShapeDbt(Dbt):
    """The incremental test's parse-once dbt, with the CRM shape's var in every call (it decides
    which staging models the intermediate models read, so it is part of the parse)."""

    def __init__(self, work: Path, crm_source: str):
        super().__init__(work)
        self.crm_vars = {"crm_source": crm_source}

    def _with_shape(self, args: list[str]) -> list[str]:
        args = list(args)
        if "--vars" not in args:
            return [*args, "--vars", json.dumps(self.crm_vars)]
        at = args.index("--vars") + 1
        args[at] = json.dumps({**json.loads(args[at]), **self.crm_vars})
        return args

    def __call__(self, args: list[str], database: Path) -> None:
        super().__call__(self._with_shape(args), database)

    def parse(self, database: Path) -> None:
        with dbt_test_environment():
            result = self.runner().invoke(
                [*self._with_shape(with_profile_vars(["parse"], database)), *self._paths()]
            )
        assert result.success, result.exception
        self.manifest = result.result


def _build(work: Path, crm: str) -> tuple[Path, Path]:
    summary = generate(work / "demo", seed=SEED, scale=SCALE, days=NIGHTS, crm=crm)
    extracts, database = Path(summary["extracts"]), work / "warehouse.duckdb"
    nights = [date.fromisoformat(n) for n in summary["nights"]]
    with duckdb.connect(str(database)) as con:
        for night in nights:
            landing = land_night(con, extracts, night, crm_source=crm)
            assert not landing.failures, [f.message for f in landing.failures]
    dbt = ShapeDbt(work, crm)
    dbt.parse(database)
    build_night(dbt, database, nights[-1])
    return database, Path(summary["ground_truth"])


@pytest.fixture(scope="module")
def shapes(tmp_path_factory) -> dict:
    built = {crm: _build(tmp_path_factory.mktemp(crm), crm) for crm in ("salesforce", "hubspot")}
    return {crm: (snapshot(database, {"marts"}), truth) for crm, (database, truth) in built.items()}


def id_mapping(id_map: Path) -> dict[str, str]:
    """HubSpot id -> Salesforce id, and the person key of each to the other's."""
    with id_map.open(newline="", encoding="utf-8") as handle:
        pairs = [(r["hubspot_id"], r["salesforce_id"]) for r in csv.DictReader(handle)]
    mapping = dict(pairs)
    mapping.update({person_key(h, TEST_HASH_SECRET): person_key(s, TEST_HASH_SECRET) for h, s in pairs})
    return mapping


ID_TOKEN = re.compile(r"[0-9A-Za-z]+")


def map_value(value, mapping: dict[str, str]):
    """A cell with every HubSpot id in it (alone, or inside `deal|task:<id>`) mapped back."""
    if not isinstance(value, str):
        return value
    if value in mapping:
        return mapping[value]
    return ID_TOKEN.sub(lambda m: mapping.get(m.group(0), m.group(0)), value)


def mapped(tables: dict[str, Table], mapping: dict[str, str]) -> dict[str, Table]:
    return {
        name: Table(table.columns, [tuple(map_value(v, mapping) for v in row) for row in table])
        for name, table in tables.items()
    }


def test_the_hubspot_shape_gives_the_marts_of_the_salesforce_shape(shapes):
    salesforce, _ = shapes["salesforce"]
    hubspot, truth = shapes["hubspot"]
    assert salesforce and set(salesforce) == set(hubspot)
    assert any(len(t) for t in salesforce.values()), "the scenario built empty marts"
    assert differences(salesforce, mapped(hubspot, id_mapping(truth / "id_map.csv"))) == []


def test_the_hubspot_marts_hold_hubspot_ids(shapes):
    """The comparison above is not vacuous: unmapped, the HubSpot marts differ."""
    salesforce, _ = shapes["salesforce"]
    hubspot, _ = shapes["hubspot"]
    assert differences(salesforce, hubspot) != []
