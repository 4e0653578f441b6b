"""Land a night's extract folder into the raw tables: one asset per contract object."""

from datetime import date

import dagster as dg

from orchestration.core.contract import objects_in_use
from orchestration.core.dbt_vars import project_vars
from orchestration.defs.partitions import WAREHOUSE_POOL, extract_dates
from orchestration.night.landing import land_night
from orchestration.ops.resources import Warehouse, data_failures_not_retried


def landed_objects():
    """The contract objects a night lands: those of the CRM shape in use (var `crm_source`, a
    graph var: the project's value) and of every other system."""
    return objects_in_use(project_vars()["crm_source"])


def raw_asset_key(system: str, table: str) -> dg.AssetKey:
    """Raw tables (the dbt sources) live under the `raw` prefix."""
    return dg.AssetKey(["raw", system, table])


@dg.multi_asset(
    specs=[
        dg.AssetSpec(
            raw_asset_key(obj.system, obj.name),
            description=f"Raw {obj.qualified_name} rows landed from {obj.relative_path}, all text.",
            group_name="raw",
            kinds={"duckdb", "csv"},
        )
        for obj in landed_objects()
    ]
    + [
        dg.AssetSpec(
            dg.AssetKey(["raw", "landing", "landing_log"]),
            description="What the landing did with each object of each night.",
            group_name="raw",
            kinds={"duckdb"},
        )
    ],
    partitions_def=extract_dates,
    can_subset=False,
    pool=WAREHOUSE_POOL,
)
def raw_extracts(context: dg.AssetExecutionContext, warehouse: Warehouse):
    """Lands every contract object of the partition's extract folder. A file that cannot be landed
    fails its own object (the others still land) and then the night, naming file and column."""
    extract_date = date.fromisoformat(context.partition_key)
    root = warehouse.settings.extracts_root
    with data_failures_not_retried(f"landing {extract_date}"), warehouse.connect() as con:
        night = land_night(con, root, extract_date)
    if not night.complete:
        raise dg.Failure(
            f"{night.folder} has no _SUCCESS file yet: the night is not complete and was not read.",
            allow_retries=False,
        )
    by_name = {o.object_name: o for o in night.objects}
    for obj in landed_objects():
        outcome = by_name[obj.qualified_name]
        if outcome.status == "failed":
            continue
        yield dg.MaterializeResult(
            asset_key=raw_asset_key(obj.system, obj.name),
            metadata={"status": outcome.status, "rows": outcome.row_count, "file": outcome.source_file},
        )
    yield dg.MaterializeResult(
        asset_key=["raw", "landing", "landing_log"], metadata={"rows": night.rows_landed}
    )
    if night.failures:
        messages = "\n".join(f"- {f.message}" for f in night.failures)
        raise dg.Failure(
            description=f"{len(night.failures)} file(s) of {extract_date} could not be landed:\n{messages}",
            metadata={"failed_files": [f.source_file for f in night.failures]},
            allow_retries=False,
        )
