"""The Dagster code location loads, and its graph is what the docs say (a snapshot by name)."""

import dagster as dg
import pytest

from orchestration.core.contract import load_contract


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
    assert {"raw_extracts", "closecredit_dbt_models", "published_warehouse", "night_summary"} <= nodes


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


# --- Issue 6: the whole code location, by name ------------------------------------------------

LANDING_ONLY_ASSETS = {"raw/landing/landing_log"}


def _manifest() -> dict:
    import json

    from orchestration.core.dbt_project import closecredit_project

    return json.loads(closecredit_project.manifest_path.read_text(encoding="utf-8"))


ORCHESTRATION_ASSETS = {"published_warehouse", "night_report", "night_summary", "fct_model_evaluation"}
ENGINE_ASSETS = {"attribution/data_driven_credits", "attribution/markov_removal_effects"}


def test_snapshot_of_jobs_schedules_sensors(defs):
    repo = defs.get_repository_def()
    assert {job.name for job in repo.get_all_jobs() if not job.name.startswith("__")} == {"nightly"}
    assert {s.name for s in repo.schedule_defs} == {"nightly_schedule"}
    assert {s.name for s in repo.sensor_defs} == {"extract_arrival_sensor", "nightly_failure_notice"}


def test_snapshot_of_assets_by_group(defs):
    """Every asset by name: the landing's raw tables, every dbt model and seed of the manifest,
    publish and report. dbt models are listed from the manifest, so new models join by themselves."""
    nodes = _manifest()["nodes"].values()
    # dagster-dbt prefixes a model's key with its custom schema (marts/fct_...).
    dbt_names = {
        "/".join(filter(None, [n["config"].get("schema"), n["name"]]))
        for n in nodes
        if n["resource_type"] in {"model", "seed", "snapshot"}
    }
    graph = defs.resolve_asset_graph()
    materializable = {
        k.to_user_string() for k in graph.get_all_asset_keys() if graph.get(k).is_materializable
    }
    raw = {f"raw/{obj.system}/{obj.name}" for obj in load_contract()} | LANDING_ONLY_ASSETS
    assert materializable == raw | dbt_names | ORCHESTRATION_ASSETS | ENGINE_ASSETS
    groups = {k.to_user_string(): graph.get(k).group_name for k in graph.get_all_asset_keys()}
    assert {groups[k] for k in raw} == {"raw"}
    assert groups["published_warehouse"] == "publish"
    assert groups["night_summary"] == "report"
    assert groups["night_report"] == "report"
    assert {groups[k] for k in ENGINE_ASSETS} == {"attribution"}
    assert groups["fct_model_evaluation"] == "marts"
    for name in dbt_names:
        assert groups[name] in {"staging", "intermediate", "marts", "seeds", "dbt"}, name
    for key in graph.get_all_asset_keys():
        if graph.get(key).is_materializable:
            assert graph.get(key).description, f"{key.to_user_string()} has no description"


def test_every_dbt_test_on_a_model_is_a_check_and_error_severity_blocks(defs):
    manifest = _manifest()
    graph = defs.resolve_asset_graph()
    checks = {key.name: key for key in graph.asset_check_keys}
    specs = {key.name: graph.get_check_spec(key) for key in graph.asset_check_keys}
    tests = [n for n in manifest["nodes"].values() if n["resource_type"] == "test" and n.get("attached_node")]
    assert tests, "the project has dbt tests"
    for test in tests:
        assert test["name"] in checks, test["name"]
        severity = test["config"]["severity"].lower()
        assert specs[test["name"]].blocking == (severity == "error"), test["name"]


def test_warehouse_writers_share_one_pool_and_retry_transient_failures(defs):
    job = defs.resolve_job_def("nightly")
    writers = ("raw_extracts", "closecredit_dbt_models", "data_driven_credits", "closecredit_credit_models")
    for name in (*writers, "fct_model_evaluation", "published_warehouse"):
        node = job.graph.node_named(name)
        assert node.definition.pool == "warehouse", name
        policy = node.definition.retry_policy
        assert policy is not None and policy.max_retries >= 1, name
        assert policy.backoff == dg.Backoff.EXPONENTIAL, name


def test_nightly_job_runs_in_one_process_in_graph_order(defs):
    job = defs.resolve_job_def("nightly")
    assert job.executor_def.name == "in_process"
    assert job.tags.get("closecredit/warehouse") == "write"
    graph = defs.resolve_asset_graph()
    publish_parents = {p.to_user_string() for p in graph.get(dg.AssetKey("published_warehouse")).parent_keys}
    assert {
        "stg_audit__reconciliation",
        "stg_audit__quarantine",
        "raw/landing/landing_log",
    } <= publish_parents
    marts = {k.to_user_string() for k in graph.get_all_asset_keys() if graph.get(k).group_name == "marts"}
    assert marts <= publish_parents
    summary_parents = {p.to_user_string() for p in graph.get(dg.AssetKey("night_summary")).parent_keys}
    assert "published_warehouse" in summary_parents
    # The report reads the published file; the summary names its path, so it comes after it.
    report_parents = {p.to_user_string() for p in graph.get(dg.AssetKey("night_report")).parent_keys}
    assert report_parents == {"published_warehouse"}
    assert "night_report" in summary_parents


def test_schedule_defaults_to_two_in_the_morning_utc(defs):
    schedule = defs.get_repository_def().get_schedule_def("nightly_schedule")
    assert schedule.cron_schedule == "0 2 * * *"
    assert schedule.execution_timezone == "UTC"
    assert schedule.job_name == "nightly"


def test_schedule_cron_and_timezone_come_from_the_environment(tmp_path):
    import os
    import subprocess
    import sys

    env = {
        **os.environ,
        "CLOSECREDIT_SCHEDULE_CRON": "30 5 * * 1-5",
        "CLOSECREDIT_SCHEDULE_TIMEZONE": "Europe/Paris",
    }
    code = (
        "from orchestration.definitions import defs;"
        "s = defs.get_repository_def().get_schedule_def('nightly_schedule');"
        "print(s.cron_schedule, s.execution_timezone)"
    )
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["30", "5", "*", "*", "1-5", "Europe/Paris"]
