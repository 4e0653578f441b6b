"""The closecredit code location: `dagster dev -m orchestration.definitions`."""

from __future__ import annotations

import os

import dagster as dg
from dagster_dbt import DbtCliResource

from orchestration.dbt_project import closecredit_project, dbt_executable
from orchestration.defs.dbt import closecredit_dbt_models
from orchestration.defs.landing import raw_extracts
from orchestration.defs.summary import night_summary
from orchestration.resources import Warehouse
from orchestration.settings import DATABASE_ENV, database_path

# dbt runs as a subprocess and reads the warehouse path from the environment (profiles.yml):
# give it the same absolute path the Python steps use.
os.environ.setdefault(DATABASE_ENV, str(database_path()))

NIGHTLY_JOB = "nightly"

nightly_job = dg.define_asset_job(
    NIGHTLY_JOB,
    selection=dg.AssetSelection.all(),
    description="Land one night's extracts, build and test the dbt models for it, write the summary.",
)

defs = dg.Definitions(
    assets=[raw_extracts, closecredit_dbt_models, night_summary],
    jobs=[nightly_job],
    resources={
        "warehouse": Warehouse(database=str(database_path())),
        "dbt": DbtCliResource(project_dir=closecredit_project, dbt_executable=dbt_executable()),
    },
)
