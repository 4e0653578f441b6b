"""The Dagster code location loads, and its graph is what the docs say (a snapshot by name)."""

import json
import os
from pathlib import Path

import dagster as dg
import pytest

from orchestration.core.contract import load_contract
from orchestration.core.settings import Settings
from orchestration.definitions import build_defs
from orchestration.defs.dbt import LAYER_DESCRIPTIONS
from orchestration.defs.landing import landed_objects


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
    landed = landed_objects()
    for obj in landed:
        node = graph.get(dg.AssetKey(["raw", obj.system, obj.name]))
        assert node.is_materializable, obj.qualified_name
    # The other CRM shape's raw tables (var crm_source) are dbt sources nothing lands.
    others = [o for o in load_contract() if o not in landed]
    assert others and {o.crm_source for o in others} == {"hubspot"}
    for obj in others:
        key = dg.AssetKey(["raw", obj.system, obj.name])
        assert not graph.has(key) or not graph.get(key).is_materializable, obj.qualified_name
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
    from orchestration.core.dbt_project import closecredit_project

    return json.loads(closecredit_project.manifest_path.read_text(encoding="utf-8"))


ORCHESTRATION_ASSETS = {"published_warehouse", "night_report", "night_summary", "fct_model_evaluation"}
ENGINE_ASSETS = {"attribution/data_driven_credits", "attribution/markov_removal_effects"}


def test_snapshot_of_jobs_schedules_sensors(defs):
    repo = defs.get_repository_def()
    assert {job.name for job in repo.get_all_jobs() if not job.name.startswith("__")} == {"nightly"}
    assert {s.name for s in repo.schedule_defs} == {"nightly_schedule"}
    assert {s.name for s in repo.sensor_defs} == {"extract_arrival_sensor", "nightly_failure_notice"}


SNAPSHOT = Path(__file__).parent / "snapshots" / "definitions.json"
UPDATE_SNAPSHOT_ENV = "CLOSECREDIT_UPDATE_SNAPSHOT"


def _yaml_descriptions() -> dict[str, str]:
    """Asset key -> the YAML description of each dbt model, seed and snapshot ('' = none)."""
    from orchestration.defs.dbt import CloseCreditTranslator

    manifest = _manifest()
    translator = CloseCreditTranslator()
    return {
        translator.get_asset_spec(manifest, uid, None).key.to_user_string(): node["description"].strip()
        for uid, node in manifest["nodes"].items()
        if node["resource_type"] in {"model", "seed", "snapshot"}
    }


def _snapshot(defs) -> dict:
    """What a change to the graph must update on purpose: every asset with its group, partitions,
    whether it is described (dbt: in YAML) and its checks (blocking or not)."""
    graph = defs.resolve_asset_graph()
    yaml_descriptions = _yaml_descriptions()
    checks: dict[str, dict[str, str]] = {}
    for key in graph.asset_check_keys:
        spec = graph.get_check_spec(key)
        checks.setdefault(key.asset_key.to_user_string(), {})[key.name] = (
            "blocking" if spec.blocking else "warn"
        )
    assets = {}
    for key in sorted(graph.get_all_asset_keys(), key=lambda k: k.to_user_string()):
        node = graph.get(key)
        if not node.is_materializable:
            continue
        name = key.to_user_string()
        described = bool(yaml_descriptions[name]) if name in yaml_descriptions else bool(node.description)
        assets[name] = {
            "group": node.group_name,
            "partitions": node.partitions_def.name if node.partitions_def else None,
            "described": described,
            "checks": dict(sorted(checks.get(name, {}).items())),
        }
    repo = defs.get_repository_def()
    return {
        "jobs": sorted(job.name for job in repo.get_all_jobs() if not job.name.startswith("__")),
        "schedules": sorted(s.name for s in repo.schedule_defs),
        "sensors": sorted(s.name for s in repo.sensor_defs),
        "assets": assets,
    }


def test_definitions_match_the_committed_snapshot(defs):
    """tests/unit/snapshots/definitions.json is the graph as committed: a new, renamed or regrouped
    asset, a check added or dropped, a model losing its YAML description fails here until the
    snapshot is regenerated on purpose (CLOSECREDIT_UPDATE_SNAPSHOT=1 pytest -k snapshot)."""
    current = _snapshot(defs)
    if os.environ.get(UPDATE_SNAPSHOT_ENV):
        SNAPSHOT.parent.mkdir(parents=True, exist_ok=True)
        SNAPSHOT.write_text(json.dumps(current, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    committed = json.loads(SNAPSHOT.read_text(encoding="utf-8"))
    assert committed.keys() == current.keys()
    for part in ("jobs", "schedules", "sensors"):
        assert current[part] == committed[part], part
    added = sorted(current["assets"].keys() - committed["assets"].keys())
    removed = sorted(committed["assets"].keys() - current["assets"].keys())
    assert not added and not removed, f"assets added {added}, removed {removed}: update the snapshot"
    changed = {
        k: (committed["assets"][k], v) for k, v in current["assets"].items() if committed["assets"][k] != v
    }
    assert not changed, f"assets changed (committed, now): {changed}"


def test_snapshot_groups_are_the_layers(defs):
    assets = _snapshot(defs)["assets"]
    raw = {f"raw/{obj.system}/{obj.name}" for obj in landed_objects()} | LANDING_ONLY_ASSETS
    assert {assets[k]["group"] for k in raw} == {"raw"}
    assert assets["published_warehouse"]["group"] == "publish"
    assert assets["night_summary"]["group"] == "report"
    assert assets["night_report"]["group"] == "report"
    assert {assets[k]["group"] for k in ENGINE_ASSETS} == {"attribution"}
    assert assets["fct_model_evaluation"]["group"] == "marts"
    for name in _yaml_descriptions():
        assert assets[name]["group"] in {"staging", "intermediate", "marts", "seeds", "dbt"}, name
    assert {a["partitions"] for a in assets.values()} == {"extract_date"}


def test_a_described_model_shows_its_yaml_description_and_layer(defs):
    """The translator puts the YAML description first (not a fallback any model would pass)."""
    graph = defs.resolve_asset_graph()
    described = {k: v for k, v in _yaml_descriptions().items() if v}
    assert described, "some models are described in YAML"
    for name, text in described.items():
        description = graph.get(dg.AssetKey.from_user_string(name)).description
        assert description.startswith(text), name
    fct = graph.get(dg.AssetKey(["marts", "fct_close_credit"])).description
    assert fct.endswith(f"(marts: {LAYER_DESCRIPTIONS['marts']})")
    for name, text in _yaml_descriptions().items():
        if not text:  # no YAML description: dagster-dbt's default, never one made up here
            assert graph.get(dg.AssetKey.from_user_string(name)).description.startswith("dbt "), name


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
    # One retry policy for every step, from the settings (retries, retry_delay).
    policy = job.op_retry_policy
    assert policy is not None and policy.max_retries == 3 and policy.delay == 2.0
    assert policy.backoff == dg.Backoff.EXPONENTIAL
    slow = build_defs(Settings(retries=5, retry_delay=7.0)).resolve_job_def("nightly").op_retry_policy
    assert (slow.max_retries, slow.delay) == (5, 7.0)


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


def test_schedule_cron_and_timezone_come_from_the_settings():
    settings = Settings.from_environment(
        {"CLOSECREDIT_SCHEDULE_CRON": "30 5 * * 1-5", "CLOSECREDIT_SCHEDULE_TIMEZONE": "Europe/Paris"}
    )
    schedule = build_defs(settings).get_repository_def().get_schedule_def("nightly_schedule")
    assert (schedule.cron_schedule, schedule.execution_timezone) == ("30 5 * * 1-5", "Europe/Paris")


def test_the_code_location_takes_settings_from_the_environment_as_env_vars():
    """Resource config, not a mutated environment: each value the environment set is an EnvVar
    the run resolves when it starts."""
    environ = {"CLOSECREDIT_DATABASE": "/srv/cc/closecredit.duckdb", "CLOSECREDIT_THREADS": "3"}
    located = Settings.from_environment(environ).for_code_location(environ)
    assert isinstance(located.database, dg.EnvVar) and located.database.env_var_name == "CLOSECREDIT_DATABASE"
    assert located.extracts == Settings().extracts  # not set in the environment: the default
    with pytest.MonkeyPatch.context() as env:
        for name, value in environ.items():
            env.setenv(name, value)
        with dg.build_resources({"settings": located}) as resources:
            assert resources.settings.published == Path("/srv/cc/closecredit.duckdb")
            assert resources.settings.threads == 3
