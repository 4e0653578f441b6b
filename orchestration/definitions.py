"""The closecredit code location: `dagster dev -m orchestration.definitions` (or `make dev`).

Groups, in graph order: raw (landing) → staging → intermediate (dbt) → attribution (the markov
and shapley engine, Python) → marts (dbt; tests are asset checks, error severity blocks; GX suites
gate raw and marts) → publish (the analysts' file) → report (the night's HTML report and summary)."""

from __future__ import annotations

import os

import dagster as dg
from dagster_dbt import DbtCliResource

from orchestration.core.dbt_project import closecredit_project, dbt_executable
from orchestration.defs.attribution import data_driven_credits, model_evaluation
from orchestration.defs.automation import extract_arrival_sensor, nightly_failure_notice, nightly_schedule
from orchestration.defs.dbt import closecredit_credit_models, closecredit_dbt_models
from orchestration.defs.jobs import nightly_job
from orchestration.defs.landing import raw_extracts
from orchestration.defs.publish import published_warehouse
from orchestration.defs.quality import quality_checks
from orchestration.defs.report import night_report
from orchestration.defs.summary import night_summary
from orchestration.ops.resources import Warehouse
from orchestration.ops.runs import NIGHTLY_JOB

__all__ = ["NIGHTLY_JOB", "defs"]

if os.environ.get("DAGSTER_IS_DEV_CLI"):
    # Under `dagster dev` the manifest is re-parsed at each load, so new or changed models show up
    # (`prepare_if_dev()` would look for dbt on PATH; the project's dbt is beside its Python).
    DbtCliResource(project_dir=closecredit_project, dbt_executable=dbt_executable()).cli(
        ["--quiet", "parse"], target_path=closecredit_project.target_path
    ).wait()

defs = dg.Definitions(
    assets=[
        raw_extracts,
        closecredit_dbt_models,
        data_driven_credits,
        closecredit_credit_models,
        model_evaluation,
        published_warehouse,
        night_report,
        night_summary,
    ],
    asset_checks=quality_checks,
    jobs=[nightly_job],
    schedules=[nightly_schedule],
    sensors=[extract_arrival_sensor, nightly_failure_notice],
    resources={
        # The warehouse path is read from CLOSECREDIT_DATABASE when a run starts, not at import.
        "warehouse": Warehouse(),
        "dbt": DbtCliResource(project_dir=closecredit_project, dbt_executable=dbt_executable()),
    },
)
