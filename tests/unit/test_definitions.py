"""The Dagster code location loads, and its graph is what the docs say (a snapshot by name)."""

import dagster as dg
import pytest

from orchestration.contract import load_contract


@pytest.fixture(scope="module")
def defs():
    from orchestration.definitions import defs

    return defs


def test_definitions_validate(defs):
    dg.Definitions.validate_loadable(defs)


def test_every_contract_object_has_a_raw_asset_that_feeds_its_staging_model(defs):
    graph = defs.resolve_asset_graph()
    keys = {key.to_user_string() for key in graph.get_all_asset_keys()}
    for obj in load_contract():
        raw = f"raw/{obj.system}/{obj.name}"
        assert raw in keys, raw
        base = dg.AssetKey(f"base_{obj.system}__{obj.plural}")
        parents = {p.to_user_string() for p in graph.get(base).parent_keys}
        assert raw in parents, (base, parents)
        assert dg.AssetKey(obj.staging_model) in graph.get_all_asset_keys()


def test_raw_assets_are_materialized_by_the_landing_not_external(defs):
    graph = defs.resolve_asset_graph()
    for obj in load_contract():
        node = graph.get(dg.AssetKey(["raw", obj.system, obj.name]))
        assert node.is_materializable, obj.qualified_name
    assert graph.get(dg.AssetKey(["raw", "landing", "landing_log"])).is_materializable


def test_nightly_job_covers_landing_dbt_and_summary(defs):
    job = defs.resolve_job_def("nightly")
    assert job.partitions_def is not None
    nodes = {node.name for node in job.graph.nodes}
    assert {"raw_extracts", "closecredit_dbt_models", "night_summary"} <= nodes


def test_reconciliation_tests_are_blocking_asset_checks(defs):
    checks = {key.name: key for key in defs.resolve_asset_graph().asset_check_keys}
    assert "every_landed_row_has_exactly_one_outcome" in checks
    assert "quarantined_share_within_limit" in checks
    assert checks["quarantined_share_within_limit"].asset_key == dg.AssetKey("stg_audit__reconciliation")


def test_models_are_grouped_by_layer(defs):
    graph = defs.resolve_asset_graph()
    assert graph.get(dg.AssetKey("stg_crm__opportunities")).group_name == "staging"
    assert graph.get(dg.AssetKey(["raw", "crm", "opportunity"])).group_name == "raw"
    assert graph.get(dg.AssetKey("night_summary")).group_name == "report"
