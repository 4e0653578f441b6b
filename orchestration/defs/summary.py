"""The night's summary: what a person reads in the morning."""

from datetime import date

import dagster as dg

from orchestration.defs.partitions import extract_dates
from orchestration.resources import Warehouse
from orchestration.settings import summaries_dir
from orchestration.summary import night_summary_text


@dg.asset(
    deps=[dg.AssetKey("stg_audit__reconciliation"), dg.AssetKey("stg_audit__quarantine")],
    partitions_def=extract_dates,
    group_name="report",
    kinds={"markdown"},
)
def night_summary(context: dg.AssetExecutionContext, warehouse: Warehouse) -> dg.MaterializeResult:
    """Rows per layer, quarantined rows per object and the run's duration, as Markdown."""
    extract_date = date.fromisoformat(context.partition_key)
    stats = context.instance.get_run_stats(context.run_id)
    with warehouse.connect(read_only=True) as con:
        text = night_summary_text(con, extract_date, started_at=stats.start_time)
    path = summaries_dir() / f"{extract_date.isoformat()}.md"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return dg.MaterializeResult(metadata={"summary": dg.MetadataValue.md(text), "path": str(path)})
