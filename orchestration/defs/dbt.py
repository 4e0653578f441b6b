"""The dbt models as Dagster assets; dbt tests become asset checks (error severity blocks)."""

from collections.abc import Mapping
from datetime import date
from pathlib import Path
from typing import Any

import dagster as dg
from dagster_dbt import DagsterDbtTranslator, DbtCliResource, DbtProject, dbt_assets

from orchestration.core.dbt_args import dbt_environment, night_build_args, night_env
from orchestration.core.dbt_project import closecredit_project
from orchestration.defs.partitions import WAREHOUSE_POOL, extract_dates
from orchestration.night.build_vars import forget_vars, full_refresh_reason, record_vars, recorded_vars
from orchestration.night.catch_up import run_nights
from orchestration.ops.resources import Warehouse, is_transient

LAYER_DESCRIPTIONS = {
    "staging": "typed, deduplicated current rows per object; bad rows quarantined with a reason",
    "intermediate": "identity stitching, sessions, unified touches, journeys",
    "marts": "what analysts query (copied to the published file)",
    "seeds": "reference data and mappings users edit",
}


# Models downstream of the data-driven engine's output build in a second dbt invocation, after
# the engine (a Python step between two dbt builds; docs/decisions.md says why).
ENGINE_OUTPUT = "source:attribution+"


class CloseCreditTranslator(DagsterDbtTranslator):
    """Sources in schema raw are the tables the landing writes (keys under `raw/`); the engine's
    output keeps its own keys; models are grouped by layer folder."""

    def get_asset_spec(
        self, manifest: Mapping[str, Any], unique_id: str, project: DbtProject | None
    ) -> dg.AssetSpec:
        spec = super().get_asset_spec(manifest, unique_id, project)
        props = self.get_resource_props(manifest, unique_id)
        if props["resource_type"] == "source":
            return (
                spec.replace_attributes(key=spec.key.with_prefix("raw")) if props["schema"] == "raw" else spec
            )
        if props["resource_type"] == "seed":
            layer = "seeds"
        else:
            layer = props["fqn"][1] if len(props["fqn"]) > 2 else "dbt"
        # The YAML description, with what its layer is for; a node without one keeps dagster-dbt's
        # default (the test of the definitions lists every model the YAML does not describe).
        description = (props.get("description") or "").strip()
        if description and layer in LAYER_DESCRIPTIONS:
            description += f" ({layer}: {LAYER_DESCRIPTIONS[layer]})"
        return spec.replace_attributes(group_name=layer, description=description or spec.description)


# Every night's dbt invocations share one target folder beside the build database, so dbt finds
# the parse it saved the night before (partial_parse.msgpack, valid for this database's profile);
# dagster-dbt would otherwise give each invocation a fresh folder seeded from the definitions'
# parse, made for another profile: a full parse, twice a night.
def night_target(warehouse: Warehouse) -> Path:
    return warehouse.build.parent / "dbt-target"


def _build(context: dg.AssetExecutionContext, dbt: DbtCliResource, warehouse: Warehouse, *, last: bool):
    """dbt build for the partition's night in the build database: as_of_date is the extract date,
    the run's var overrides on top. Vars other than those the build database was built with
    rebuild every incremental model in full (night/build_vars.py); the night's last dbt step
    records them. A failed model or an error-severity test fails the night (not retried); a locked
    database file is retried with backoff."""
    as_of = date.fromisoformat(context.partition_key)
    settings = warehouse.settings
    effective = settings.project_vars()
    with warehouse.connect() as con:
        full_refresh, reason = full_refresh_reason(recorded_vars(con), effective)
        if full_refresh:
            forget_vars(con)  # until this night's dbt steps all succeed
    if reason:
        context.log.warning(reason)
    args = night_build_args(overrides=settings.dbt_cli_vars(), full_refresh=full_refresh)
    env = night_env(as_of, run_nights(context.run.tags, context.partition_key)[0])
    # The night's date in dbt's environment: a date in `--vars` would re-parse the project nightly.
    with dbt_environment(env):
        invocation = dbt.cli(args, context=context, target_path=night_target(warehouse))
    try:
        yield from invocation.stream()
    except Exception as exc:
        if is_transient(exc):
            raise
        raise dg.Failure(
            description=f"dbt build for {as_of} failed: {exc}",
            metadata={"dbt_command": " ".join([*(f"{k}={v}" for k, v in env.items()), "dbt", *args])},
            allow_retries=False,
        ) from exc
    if last:
        with warehouse.connect() as con:
            record_vars(con, effective, context.run_id)


_DBT_ASSET_ARGS = dict(
    manifest=closecredit_project.manifest_path,
    project=closecredit_project,
    partitions_def=extract_dates,
    dagster_dbt_translator=CloseCreditTranslator(),
    pool=WAREHOUSE_POOL,
)


@dbt_assets(exclude=ENGINE_OUTPUT, **_DBT_ASSET_ARGS)
def closecredit_dbt_models(context: dg.AssetExecutionContext, dbt: DbtCliResource, warehouse: Warehouse):
    """Seeds, staging, journeys and the rule-based credit: everything the engine reads."""
    yield from _build(context, dbt, warehouse, last=False)


@dbt_assets(select=ENGINE_OUTPUT, name="closecredit_credit_models", **_DBT_ASSET_ARGS)
def closecredit_credit_models(context: dg.AssetExecutionContext, dbt: DbtCliResource, warehouse: Warehouse):
    """The marts that read the engine's markov and shapley credits: credit and cost marts."""
    yield from _build(context, dbt, warehouse, last=True)


def dbt_keys_in_group(group: str) -> list[dg.AssetKey]:
    return sorted(
        key
        for assets in (closecredit_dbt_models, closecredit_credit_models)
        for key, name in assets.group_names_by_key.items()
        if name == group
    )
