"""The report: after the publish, the night's static HTML page beside the published file."""

import dagster as dg

from orchestration.defs.partitions import extract_dates
from orchestration.defs.publish import published_warehouse
from orchestration.ops.resources import Warehouse, data_failures_not_retried


@dg.asset(
    deps=[published_warehouse],
    partitions_def=extract_dates,
    group_name="report",
    kinds={"html"},
)
def night_report(context: dg.AssetExecutionContext, warehouse: Warehouse) -> dg.MaterializeResult:
    """`<warehouse dir>/report/index.html`: who closes the deals under each model, what each close
    costs, where to invest, which model to believe, the top channels, the night's data quality.
    Read from the published file only; opens offline (charts are inline SVG)."""
    # Altair and vl-convert load only when a report is drawn, not when the definitions load.
    from orchestration.night.report import build_report

    with data_failures_not_retried(f"report of {context.partition_key}"):
        path = build_report(warehouse.published)
    return dg.MaterializeResult(metadata={"path": dg.MetadataValue.path(str(path))})
