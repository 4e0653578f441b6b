"""A night on the Spark target (`closecredit run --target spark`), in this process.

The same steps as the Dagster night, in its order: land (orchestration/night/landing_spark.py),
dbt build of everything the engine reads, the attribution engine (journeys read through Arrow,
its tables written back), dbt build of the credit and cost marts, publish into the DuckDB file
at `--database` (orchestration/night/publish_spark.py). One SparkSession serves every step, and dbt
runs in process on it (dbt-spark `method: session`): the person-key UDF lives in the session, and
a local Spark's embedded metastore admits one process at a time. dbt's data tests run as on
DuckDB; an error-severity failure stops the night before publishing. The GX suites run as the
Dagster night's checks do, on the Spark tables (orchestration/quality/spark_tables.py): the raw
suites after landing (a blocking failure stops the night before dbt), the mart suites before
publishing (a blocking failure stops the publish); results and Data Docs beside the warehouse.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from orchestration.core.contract import PROJECT_DIR
from orchestration.core.dbt_args import NIGHT_EXCLUDE, dbt_environment, night_build_args, night_env
from orchestration.core.settings import DBT_PROFILE_VARS, Settings

# As orchestration/defs/dbt.py: the marts reading the engine's output build after it.
ENGINE_OUTPUT = "source:attribution+"


class SparkNightError(RuntimeError):
    """A Spark night that cannot be published; the message says which step and why."""


@dataclass
class SparkNight:
    as_of_date: date
    rows_landed: int
    seconds: dict[str, float]
    published: Path | None


def spark_dbt(args: list[str], settings: Settings, as_of: date, *, target_path: Path) -> None:
    """dbt in this process on the session's Spark (the `spark` target)."""
    from dbt.cli.main import dbtRunner

    paths = [
        *("--project-dir", str(PROJECT_DIR), "--profiles-dir", str(PROJECT_DIR)),
        *("--target", "spark", "--target-path", str(target_path)),
        *("--log-path", str(settings.logs_dir)),
    ]
    with dbt_environment({**night_env(as_of), "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"}):
        result = dbtRunner().invoke([*args, *paths, "--quiet", "--no-use-colors"])
    failed = [
        f"{r.node.unique_id}: {r.message}"
        for r in (getattr(result.result, "results", None) or [])
        if str(getattr(r.status, "value", r.status)) in {"error", "fail", "runtime error"}
    ]
    if not result.success:
        detail = "; ".join(failed[:5]) or str(result.exception)
        raise SparkNightError(f"dbt {args[0]} on spark for {as_of} failed: {detail}")


QUALITY_STEPS = ("raw", "marts")


def spark_quality(spark, settings: Settings, night: date, step: str, only: list[str] | None = None) -> list:
    """The night's raw (`step` raw: every object landed) or mart (`marts`) GX suites on the Spark
    tables, saved beside the warehouse as on a DuckDB night; an error-severity failure raises
    SparkNightError with the failed expectations in words. `only` names the objects
    (`crm.opportunity`) or marts to check, as a Dagster run selects checks."""
    from orchestration.core.contract import objects_in_use
    from orchestration.quality.config import CRITICAL
    from orchestration.quality.docs import build_data_docs
    from orchestration.quality.run import run_mart_night, run_raw_night
    from orchestration.quality.spark_tables import SparkTablesError, duckdb_over_spark

    if step not in QUALITY_STEPS:
        raise ValueError(f"quality step {step!r} is not one of {', '.join(QUALITY_STEPS)}")
    try:
        tables = duckdb_over_spark(spark, (step,))
    except SparkTablesError as exc:  # e.g. tables on a cluster's storage: one line, not a traceback
        raise SparkNightError(f"the {step} GX suites cannot read night {night}'s tables: {exc}") from exc
    with tables as con:
        if step == "raw":
            objects = objects_in_use(settings.project_vars()["crm_source"])
            objects = [o for o in objects if only is None or o.qualified_name in only]
            outcomes = run_raw_night(
                con,
                night,
                objects=objects,
                extracts_root=settings.extracts_root,
                database=settings.published,
                overrides=settings.overrides,
            )
        else:
            outcomes = run_mart_night(
                con, night, marts=only, database=settings.published, overrides=settings.overrides
            )
    blocking = [outcome for outcome in outcomes if outcome.failures(CRITICAL)]
    if blocking or step == "marts":  # the site shows the night's last step, or the one that stopped it
        try:
            build_data_docs(settings.published)
        except Exception as exc:  # the docs are for people; a rendering problem must not gate data
            print(f"Data Docs were not rebuilt: {exc!r}")
    if blocking:
        details = "\n".join(outcome.message(CRITICAL) for outcome in blocking)
        raise SparkNightError(f"the {step} GX suites block night {night}:\n{details}")
    return outcomes


def spark_build(
    settings: Settings, night: date, *, full_refresh: bool = False, exclude: str | None = None
) -> dict[str, float]:
    """What a night does on Spark between landing and publishing, as the Dagster night: dbt of
    everything the engine reads, the engine, dbt of the marts reading its output. Seconds per step."""
    import time

    from orchestration.attribution.warehouse import (
        load_engine_inputs,
        run_credit_bootstrap,
        run_data_driven_attribution,
    )
    from orchestration.core.spark import spark_session

    spark = spark_session(settings)
    seconds: dict[str, float] = {}
    target_path = settings.spark_dbt_target
    # The spark output reads only the threads of the profile vars (CLOSECREDIT_THREADS).
    dbt_vars = {**settings.overrides, DBT_PROFILE_VARS["threads"]: settings.threads}
    base = night_build_args(overrides=dbt_vars, full_refresh=full_refresh)
    excluded = " ".join(part for part in (NIGHT_EXCLUDE, ENGINE_OUTPUT, exclude) if part)
    first = [a if a != NIGHT_EXCLUDE else excluded for a in base]
    step = time.monotonic()
    spark_dbt(first, settings, night, target_path=target_path)
    seconds["dbt"] = time.monotonic() - step

    step = time.monotonic()
    # As the Dagster asset (orchestration/defs/attribution.py): journeys read once, then the
    # data-driven credits with the model fit, then the bootstrap replicates.
    inputs = load_engine_inputs(spark, night, settings.overrides)
    run_data_driven_attribution(spark, night, settings.overrides, inputs=inputs)
    run_credit_bootstrap(spark, night, settings.overrides, inputs=inputs)
    seconds["engine"] = time.monotonic() - step

    second = [*base, "--select", ENGINE_OUTPUT]
    if exclude:
        second = [a if a != NIGHT_EXCLUDE else f"{NIGHT_EXCLUDE} {exclude}" for a in second]
    step = time.monotonic()
    spark_dbt(second, settings, night, target_path=target_path)
    seconds["dbt"] += time.monotonic() - step
    return seconds


def run_spark_night(
    settings: Settings,
    night: date,
    *,
    run_id: str,
    full_refresh: bool = False,
    build_only: bool = False,
    exclude: str | None = None,
    quality: bool = True,
) -> SparkNight:
    """Land, check, build, check and publish one night on Spark. `build_only` stops before the
    publish (tests compare the Spark tables themselves); `exclude` leaves more out of both dbt
    builds; `quality=False` leaves the GX suites out (the equality test compares data, and runs
    the suites on its tables on its own)."""
    import time

    from orchestration.core.spark import spark_session
    from orchestration.night.landing_spark import land_night
    from orchestration.night.publish_spark import publish_from_spark

    seconds: dict[str, float] = {}
    started = time.monotonic()
    spark = spark_session(settings)
    seconds["session"] = time.monotonic() - started

    step = time.monotonic()
    landing = land_night(spark, settings.extracts_root, night, settings.project_vars()["crm_source"])
    if not landing.complete:
        raise SparkNightError(f"{landing.folder} has no _SUCCESS file: the night is not complete")
    if landing.failures:
        raise SparkNightError("; ".join(o.message for o in landing.failures))
    seconds["landing"] = time.monotonic() - step
    if quality:
        step = time.monotonic()
        spark_quality(spark, settings, night, "raw")
        seconds["quality"] = time.monotonic() - step

    seconds.update(spark_build(settings, night, full_refresh=full_refresh, exclude=exclude))
    if quality:
        step = time.monotonic()
        spark_quality(spark, settings, night, "marts")
        seconds["quality"] += time.monotonic() - step

    published = None
    if not build_only:
        step = time.monotonic()
        publication = publish_from_spark(
            spark,
            settings.published,
            as_of_date=night,
            run_id=run_id,
            failures_dir=settings.failures_dir,
            dbt_vars=settings.project_vars(),
            var_overrides=settings.overrides,
        )
        published = publication.path
        seconds["publish"] = time.monotonic() - step
    return SparkNight(night, landing.rows_landed, seconds, published)
