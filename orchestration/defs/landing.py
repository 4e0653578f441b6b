"""Land a night's extract folder into the raw tables: one asset per contract object."""

from datetime import date

import dagster as dg

from orchestration.core.contract import objects_in_use
from orchestration.core.dbt_vars import project_vars
from orchestration.defs.partitions import WAREHOUSE_POOL, extract_dates
from orchestration.night.catch_up import STOPPED_TAG, run_nights
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
            kinds={"duckdb", "csv"},  # or csv.gz, parquet, jsonl (FILE_FORMATS)
        )
        for obj in landed_objects()
    ]
    + [
        dg.AssetSpec(
            dg.AssetKey(["raw", "landing", "landing_log"]),
            description="What the landing did with each object of each night.",
            group_name="raw",
            kinds={"duckdb"},
        ),
        dg.AssetSpec(
            dg.AssetKey(["raw", "landing", "erased_rows"]),
            description="Where the rows of forgotten people were (closecredit forget): removed from "
            "raw, or kept out by the landing. No value of a row.",
            group_name="raw",
            kinds={"duckdb"},
        ),
    ],
    partitions_def=extract_dates,
    can_subset=False,
    pool=WAREHOUSE_POOL,
)
def raw_extracts(context: dg.AssetExecutionContext, warehouse: Warehouse):
    """Lands every contract object of the run's extract folders, night by night in date order (a
    catch-up run lands several; night/catch_up.py), each night with its landing record. A file that
    cannot be landed fails its own object (the others of its night still land) and then the run,
    naming file and column; no later night is landed."""
    root = warehouse.settings.extracts_root
    landed = {}
    for extract_date in run_nights(context.run.tags, context.partition_key):
        with data_failures_not_retried(f"landing {extract_date}"), warehouse.connect() as con:
            night = land_night(con, root, extract_date)
        landed[extract_date] = night
        if not night.complete:
            stop_run_at(context, extract_date)
            raise dg.Failure(
                f"{night.folder} has no _SUCCESS file yet: the night is not complete and was not read.",
                allow_retries=False,
            )
        if night.failures:
            break
    nights = list(landed.values())
    for obj in landed_objects():
        outcomes = [o for night in nights for o in night.objects if o.object_name == obj.qualified_name]
        if all(o.status == "failed" for o in outcomes):
            continue
        kept = [o for o in outcomes if o.status != "failed"]
        metadata = {
            "status": kept[-1].status,
            "rows": sum(o.row_count for o in kept),
            "file": kept[-1].source_file,
        }
        yield dg.MaterializeResult(asset_key=raw_asset_key(obj.system, obj.name), metadata=metadata)
    yield dg.MaterializeResult(
        asset_key=["raw", "landing", "landing_log"],
        metadata={"rows": sum(night.rows_landed for night in nights), "nights": len(nights)},
    )
    yield dg.MaterializeResult(asset_key=["raw", "landing", "erased_rows"])
    night = nights[-1]
    if night.failures:
        stop_run_at(context, night.extract_date)
        messages = "\n".join(f"- {f.message}" for f in night.failures)
        raise dg.Failure(
            description=f"{len(night.failures)} file(s) of {night.extract_date} could not be landed:\n{messages}",
            metadata={"failed_files": [f.source_file for f in night.failures]},
            allow_retries=False,
        )


def stop_run_at(context, night: date) -> None:
    """Name the night that stopped the run (its landing or raw gate blocked): the nights before it
    are built by a run of their own (`closecredit run`, the sensor)."""
    op = context.op_execution_context  # asset and check contexts alike
    op.instance.add_run_tags(op.run_id, {STOPPED_TAG: night.isoformat()})
