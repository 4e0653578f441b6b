"""The HubSpot shape equals the Salesforce shape: the same demo company, written once as Salesforce
exports and once as HubSpot exports (`generate(..., crm="hubspot")`, which rewrites the same
simulation), landed and built with var `crm_source` each, gives every mart row for row the same,
once the HubSpot ids are mapped back to the Salesforce ones through `ground_truth/id_map.csv`
(ids appear as is, inside touch ids such as `task:<id>`, and keyed-hashed in person keys)."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest

from orchestration.core.privacy import person_key
from tests.compare_marts import Table, differences, snapshot
from tests.dbt_invocation import TEST_HASH_SECRET
from tests.small_scenario import build_scenario


@pytest.fixture(scope="module")
def shapes(tmp_path_factory, small_scenario) -> dict:
    """The shared scenario (tests/small_scenario.py) in each shape: {crm: (marts, ground truth)}."""
    built = {
        "salesforce": small_scenario,
        "hubspot": build_scenario(tmp_path_factory.mktemp("hubspot"), "hubspot"),
    }
    return {crm: (snapshot(s.database, {"marts"}), s.ground_truth) for crm, s in built.items()}


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
