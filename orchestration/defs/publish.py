"""Publish: after a green night, the marts replace the published file in one rename."""

from datetime import date

import dagster as dg

from orchestration.defs.dbt import dbt_keys_in_group
from orchestration.defs.partitions import WAREHOUSE_POOL, extract_dates
from orchestration.night.catch_up import run_nights
from orchestration.night.publish import publish
from orchestration.ops.resources import Warehouse, data_failures_not_retried

AUDIT_MODELS = [dg.AssetKey("stg_audit__reconciliation"), dg.AssetKey("stg_audit__quarantine")]


@dg.asset(
    deps=[
        *dbt_keys_in_group("marts"),
        dg.AssetKey("fct_model_evaluation"),
        *AUDIT_MODELS,
        dg.AssetKey(["raw", "landing", "landing_log"]),
    ],
    partitions_def=extract_dates,
    group_name="publish",
    kinds={"duckdb"},
    pool=WAREHOUSE_POOL,
)
def published_warehouse(context: dg.AssetExecutionContext, warehouse: Warehouse) -> dg.MaterializeResult:
    """The file analysts open (`--database`): schema `marts` (every mart, as of the night, plus
    `marts._publication` with as_of_date and run id) and schema `audit` (reconciliation,
    quarantine, landing log, publication log, run failures). Written as a new file and renamed over
    the old one only after every blocking check passed, so a failed or killed night leaves the
    previous file in place."""
    as_of = date.fromisoformat(context.partition_key)
    settings = warehouse.settings
    with data_failures_not_retried(f"publishing {as_of}"), warehouse.connect() as con:
        publication = publish(
            con,
            warehouse.published,
            as_of_date=as_of,
            run_id=context.run_id,
            failures_dir=settings.failures_dir,
            dbt_vars=settings.project_vars(),
            var_overrides=settings.overrides,
            nights=run_nights(context.run.tags, context.partition_key),
        )
    marts = {k: v for k, v in publication.tables.items() if k.startswith("marts.")}
    return dg.MaterializeResult(
        metadata={
            "path": str(publication.path),
            "as_of_date": as_of.isoformat(),
            "nights": len(run_nights(context.run.tags, context.partition_key)),
            "run_id": context.run_id,
            "marts": len(marts),
            "mart_rows": sum(marts.values()),
            "tables": dg.MetadataValue.json(publication.tables),
        }
    )
