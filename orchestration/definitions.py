"""The closecredit code location: `dagster dev -m orchestration.definitions` (or `make dev`).

Groups, in graph order: raw (landing) → staging → intermediate (dbt) → attribution (the markov
and shapley engine, Python) → marts (dbt; tests are asset checks, error severity blocks; GX suites
gate raw and marts) → publish (the analysts' file) → report (the night's HTML report and summary).

`build_defs(settings)` builds the definitions from one `Settings` object: its fields are the
config of the `settings` resource (which the `warehouse` resource holds), the schedule's cron and
the retry policy. The code location builds it from the environment, with each value the
environment set as a `dg.EnvVar`; `closecredit run` builds it from its arguments.
"""

from __future__ import annotations

import dagster as dg
from dagster_dbt import DbtCliResource

from orchestration.core.dbt_project import closecredit_project, dbt_executable
from orchestration.core.settings import Settings
from orchestration.defs.attribution import data_driven_credits, model_evaluation
from orchestration.defs.automation import build_automation
from orchestration.defs.dbt import closecredit_credit_models, closecredit_dbt_models
from orchestration.defs.jobs import build_nightly_job
from orchestration.defs.landing import raw_extracts
from orchestration.defs.publish import published_warehouse
from orchestration.defs.quality import quality_checks
from orchestration.defs.report import night_report
from orchestration.defs.summary import night_summary
from orchestration.ops.resources import Warehouse
from orchestration.ops.runs import NIGHTLY_JOB

__all__ = ["NIGHTLY_JOB", "build_defs", "defs"]


ASSETS = [
    raw_extracts,
    closecredit_dbt_models,
    data_driven_credits,
    closecredit_credit_models,
    model_evaluation,
    published_warehouse,
    night_report,
    night_summary,
]


def build_defs(settings: Settings, resource_settings: Settings | None = None) -> dg.Definitions:
    """The definitions for `settings`; `resource_settings` (default: `settings`) is what the
    resources are configured with (the same values, some as `dg.EnvVar`)."""
    resource_settings = resource_settings or settings
    job = build_nightly_job(settings)
    schedules, sensors = build_automation(settings, job)
    return dg.Definitions(
        assets=ASSETS,
        # Every suite's checks attach to its asset wherever that asset is defined.
        asset_checks=quality_checks(ASSETS),
        jobs=[job],
        schedules=schedules,
        sensors=sensors,
        resources={
            "settings": resource_settings,
            "warehouse": Warehouse(settings=resource_settings),
            "dbt": DbtCliResource(
                project_dir=closecredit_project,
                dbt_executable=dbt_executable(),
                target=resource_settings.target,
            ),
        },
    )


_settings = Settings.from_environment()
defs = build_defs(_settings, _settings.for_code_location())
