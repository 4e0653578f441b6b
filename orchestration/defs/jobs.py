"""The nightly job: one extract date (partition) from landing to the published file and summary."""

import dagster as dg

from orchestration.core.settings import Settings
from orchestration.ops.runs import NIGHTLY_JOB, WAREHOUSE_TAG


def build_nightly_job(settings: Settings):
    return dg.define_asset_job(
        NIGHTLY_JOB,
        selection=dg.AssetSelection.all(),
        description=(
            "One night: land the extract folder, build and test the dbt models in the build database "
            "(as_of_date = the extract date), publish the marts by renaming a new file over the "
            "published one, write the summary. Steps run one after the other in one process, which "
            "holds the warehouse lock from start to end."
        ),
        # Sequential anyway (each step needs the one before) and DuckDB has one writer: one process
        # per run lets the run hold the warehouse lock for its whole length.
        executor_def=dg.in_process_executor,
        tags={WAREHOUSE_TAG: "write"},
        # Every step retries transient failures (a locked file); data failures are raised as
        # `dg.Failure(allow_retries=False)` and are not retried.
        op_retry_policy=settings.retry_policy(),
    )
