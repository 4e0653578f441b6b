"""The suites as Dagster asset checks: names, blocking flags, the assets they attach to, and a fast
import (the definitions never import Great Expectations)."""

from __future__ import annotations

import json
import subprocess
import sys

import dagster as dg
import pytest

from orchestration.core.contract import PROJECT_DIR
from orchestration.defs.landing import landed_objects
from orchestration.defs.quality import BLOCKING_CHECK, WARNING_CHECK


@pytest.fixture(scope="module")
def defs():
    from orchestration.definitions import defs as location

    return location


def test_importing_the_definitions_does_not_import_great_expectations():
    code = (
        "import sys, orchestration.definitions, orchestration.defs.quality; "
        "sys.exit(1 if 'great_expectations' in sys.modules else 0)"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=PROJECT_DIR, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr[-2000:]


def test_the_definitions_with_the_quality_checks_load(defs):
    dg.Definitions.validate_loadable(defs)


def _check_specs(defs) -> list[dg.AssetCheckSpec]:
    return [spec for checks in defs.asset_checks for spec in checks.check_specs]


def test_every_raw_asset_has_a_blocking_and_a_warning_check(defs):
    specs = {(s.asset_key, s.name): s for s in _check_specs(defs)}
    graph_checks = defs.resolve_asset_graph().asset_check_keys
    for obj in landed_objects():  # the other CRM shape's objects are not in the graph
        asset = dg.AssetKey(["raw", obj.system, obj.name])
        assert specs[(asset, BLOCKING_CHECK)].blocking is True
        assert specs[(asset, WARNING_CHECK)].blocking is False
        assert dg.AssetCheckKey(asset, BLOCKING_CHECK) in graph_checks
        assert f"raw.{obj.qualified_name}" in specs[(asset, BLOCKING_CHECK)].description


IN_USE = {f"{obj.system}__{obj.name}" for obj in landed_objects()}
# The other CRM shape's raw suites have no asset in this graph (skipped with a reason at run time).
SUITE_FILES = [
    path
    for path in sorted((PROJECT_DIR / "expectations").glob("*/*.json"))
    if path.parent.name != "raw" or path.stem in IN_USE
]


@pytest.mark.parametrize("path", SUITE_FILES, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_every_suite_file_has_its_checks_attached_to_its_asset(defs, path):
    """Read from the files on disk and the loaded code location, not from the code's list: a suite
    whose asset is built anywhere in the graph has a blocking and a warning check on that asset."""
    document = json.loads(path.read_text(encoding="utf-8"))
    settings = document["meta"]["closecredit"]
    shown = f"expectations/{path.parent.name}/{path.name}"
    specs = [s for s in _check_specs(defs) if s.metadata.get("suite_file") == shown]
    assert {s.name for s in specs} == {BLOCKING_CHECK, WARNING_CHECK}, f"{shown} has no checks attached"
    assert {s.blocking for s in specs if s.name == BLOCKING_CHECK} == {True}
    (asset,) = {s.asset_key for s in specs}
    if path.parent.name == "raw":
        assert asset == dg.AssetKey(["raw", *settings["object"].split(".")])
    else:
        assert asset.path[-1] == settings["mart"]
    graph = defs.resolve_asset_graph()
    assert graph.get(asset).is_materializable, f"{asset.to_user_string()} is built by no asset"
    for check in (BLOCKING_CHECK, WARNING_CHECK):
        assert dg.AssetCheckKey(asset, check) in graph.asset_check_keys


def test_the_marts_built_after_the_engine_have_their_checks(defs):
    """The credit and cost marts (second dbt build) and the model evaluation (Python) included."""
    checked = {s.asset_key.path[-1] for s in _check_specs(defs)}
    assert {
        "fct_close_credit",
        "fct_credit_by_source",
        "fct_cost_per_close",
        "fct_cost_per_close_by_resource",
        "fct_investment_signals",
        "fct_model_evaluation",
    } <= checked


def test_the_nightly_job_runs_every_check(defs):
    job = defs.resolve_job_def("nightly")
    nodes = {node.name for node in job.graph.nodes}
    check_nodes = {checks.node_def.name for checks in defs.asset_checks}
    assert "raw_quality_checks" in check_nodes
    assert len(check_nodes) >= 4  # raw, and the marts of both dbt builds and of the evaluation
    assert check_nodes <= nodes, sorted(check_nodes - nodes)


def test_mart_checks_block_what_is_downstream_of_a_broken_mart(tmp_path):
    """Stand-in marts (the real ones are dbt models): a blocking failure stops the asset that
    publishes them; the result names the suite, the expectation and sample rows."""
    import duckdb

    from orchestration.core.settings import Settings
    from orchestration.defs.partitions import extract_dates
    from orchestration.defs.quality import build_mart_checks
    from orchestration.ops.resources import Warehouse

    published = tmp_path / "warehouse" / "closecredit.duckdb"
    settings = Settings(database=str(published))
    build = settings.build_database
    build.parent.mkdir(parents=True)
    with duckdb.connect(str(build)) as con:
        con.execute("create schema marts")
        con.execute(
            "create table marts.dim_channels as select * from (values ('paid_search', 'marketing'), "
            "('web', 'unknown_group')) as t(channel, source_group)"
        )
    keys = {"dim_channels": dg.AssetKey(["marts", "dim_channels"])}

    @dg.multi_asset(specs=[dg.AssetSpec(keys["dim_channels"])], partitions_def=extract_dates)
    def stand_in_marts():
        yield dg.MaterializeResult(asset_key=keys["dim_channels"])

    published_marts = []

    @dg.asset(deps=[keys["dim_channels"]], partitions_def=extract_dates)
    def publish():
        published_marts.append(True)

    checks = build_mart_checks(keys)
    night_defs = dg.Definitions(
        assets=[stand_in_marts, publish],
        asset_checks=[checks],
        jobs=[dg.define_asset_job("night", selection=dg.AssetSelection.all())],
        resources={"warehouse": Warehouse(settings=settings)},
    )
    instance = dg.DagsterInstance.ephemeral()
    instance.add_dynamic_partitions("extract_date", ["2026-11-26"])
    result = night_defs.resolve_job_def("night").execute_in_process(
        partition_key="2026-11-26", instance=instance, raise_on_error=False
    )
    assert not result.success and not published_marts
    evaluations = {
        e.event_specific_data.check_name: e.event_specific_data
        for e in result.all_events
        if e.event_type == dg.DagsterEventType.ASSET_CHECK_EVALUATION
    }
    blocking = evaluations[BLOCKING_CHECK]
    assert not blocking.passed and blocking.severity == dg.AssetCheckSeverity.ERROR
    assert "mart.dim_channels" in blocking.description
    assert "source_group" in blocking.description and "'unknown_group'" in blocking.description
    assert "channel='web'" in blocking.description
    assert evaluations[WARNING_CHECK].passed
    assert (tmp_path / "warehouse" / "quality" / "data_docs" / "index.html").exists()
