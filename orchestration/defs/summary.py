"""The night's summary: what a person reads in the morning."""

from datetime import date

import dagster as dg

from orchestration.defs.partitions import extract_dates
from orchestration.defs.publish import published_warehouse
from orchestration.defs.report import night_report
from orchestration.night.catch_up import run_nights
from orchestration.night.publish import read_publication_tables
from orchestration.night.report import report_path
from orchestration.night.summary import night_summary_text
from orchestration.ops.resources import Warehouse, data_failures_not_retried
from orchestration.quality.results import summary_markdown


@dg.asset(
    deps=[
        published_warehouse,
        night_report,  # the summary ends with the report's path
        dg.AssetKey("stg_audit__reconciliation"),
        dg.AssetKey("stg_audit__quarantine"),
    ],
    partitions_def=extract_dates,
    group_name="report",
    kinds={"markdown"},
)
def night_summary(context: dg.AssetExecutionContext, warehouse: Warehouse) -> dg.MaterializeResult:
    """Rows per layer (raw, staged, published marts), quarantined rows per object and the run's
    duration, as Markdown in `<warehouse dir>/summaries/<date>.md`."""
    extract_date = date.fromisoformat(context.partition_key)
    stats = context.instance.get_run_stats(context.run_id)
    with data_failures_not_retried(f"summary of {extract_date}"):
        published = read_publication_tables(warehouse.published)
        quality = summary_markdown(extract_date, warehouse.published)
        with warehouse.connect(read_only=True) as con:
            text = night_summary_text(
                con, extract_date, started_at=stats.start_time, published=published, quality=quality
            )
    nights = run_nights(context.run.tags, context.partition_key)
    if len(nights) > 1:  # a catch-up run: which nights this one build holds, and their raw checks
        text = text.rstrip("\n") + (
            f"\n\nCatch-up: {len(nights)} nights landed in this run ({', '.join(map(str, nights))}), "
            f"built and published once as of {extract_date}.\n"
        )
        for night in nights[:-1]:
            section = summary_markdown(night, warehouse.published)
            text += "\n" + section.replace(
                "## Data quality", f"## Data quality of {night} (landed in this run)", 1
            )
    text = text.rstrip("\n") + f"\n\nReport: {report_path(warehouse.published)}\n"
    path = warehouse.settings.summaries_dir / f"{extract_date.isoformat()}.md"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return dg.MaterializeResult(metadata={"summary": dg.MetadataValue.md(text), "path": str(path)})
