"""The Spark target's session: one SparkSession per process, with the person-key UDF registered.

dbt-spark's `method: session` builds on `SparkSession.builder.getOrCreate()`, so whoever creates
the session first decides its settings; `spark_session()` is that first caller for the landing,
dbt, the engine, the quality checks and the publish of a Spark night (and for the tests). It also
registers `closecredit_person_key(string) -> string` (orchestration.core.privacy.SQL_FUNCTION) as a
vectorised Python UDF keyed with the warehouse secret, read here in Python: no key material in SQL,
exactly as the DuckDB plugin does (orchestration/core/privacy_plugin.py).

Master, warehouse folder and driver memory are settings (`Settings.spark_master`,
`spark_warehouse`, `spark_driver_memory`; docs/spark.md): tables in `<warehouse folder>/spark/warehouse`
as Parquet by default, the metastore (embedded Derby) beside it. One process at a time may open an
embedded Derby metastore, the same one-writer rule as the DuckDB build file.

    python -m orchestration.core.spark dbt build ...   # dbt in this process, on this session
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import sys
from pathlib import Path

from orchestration.core import privacy
from orchestration.core.settings import Settings

# Two cores: Spark's default of 200 shuffle partitions makes every small join 200 tasks (2 measured
# a little faster than 4 on this machine; adaptive execution coalesces them further).
SHUFFLE_PARTITIONS = "2"
# The interpreter Spark's Python workers run (pyarrow and pandas for the Arrow UDF); they never
# import this package (orchestration/core/spark_person_key.py).
WORKER_PYTHON = "spark.pyspark.python"


def session_conf(settings: Settings) -> dict[str, str]:
    """The Spark conf of the night's session, from the settings (no environment variable)."""
    warehouse, metastore = settings.spark_warehouse_dir, settings.spark_metastore_dir
    return {
        "spark.master": settings.spark_master,
        "spark.app.name": "closecredit",
        "spark.sql.warehouse.dir": str(warehouse),
        "spark.hadoop.javax.jdo.option.ConnectionURL": (
            f"jdbc:derby:;databaseName={metastore / 'metastore_db'};create=true"
        ),
        "spark.driver.extraJavaOptions": f"-Dderby.system.home={metastore}",
        "spark.driver.memory": settings.spark_driver_memory,
        "spark.sql.session.timeZone": "UTC",
        "spark.sql.shuffle.partitions": SHUFFLE_PARTITIONS,
        "spark.sql.sources.partitionOverwriteMode": "dynamic",
        "spark.sql.legacy.createHiveTableByDefault": "false",
        "spark.sql.sources.default": "parquet",
        # The embedded Derby metastore cannot filter partitions by a date: prune in Spark.
        "spark.sql.hive.metastorePartitionPruning": "false",
        "spark.ui.enabled": "false",
        # A night's log is read by people: no progress bars redrawn per stage.
        "spark.ui.showConsoleProgress": "false",
        WORKER_PYTHON: sys.executable,
    }


def spark_missing() -> str | None:
    """What this machine lacks to run the Spark target, if anything."""
    if importlib.util.find_spec("pyspark") is None or importlib.util.find_spec("dbt.adapters.spark") is None:
        return "pyspark and dbt-spark are not installed: pip install -e '.[spark]' (docs/spark.md)"
    java_home = os.environ.get("JAVA_HOME")
    if not shutil.which("java") and not (java_home and Path(java_home, "bin", "java").exists()):
        return "no Java runtime (java on PATH or JAVA_HOME): Spark needs Java 17 or later (docs/spark.md)"
    return None


def spark_session(settings: Settings | None = None, *, secret: bytes | None = None):
    """The process's SparkSession (created on first call, from `settings`), with the person-key UDF
    registered. The Spark warehouse and the secret live beside the published file. The UDF is
    keyed when the session is created, and again only when `secret` is given."""
    from pyspark.sql import SparkSession

    settings = settings or Settings()
    active = SparkSession.getActiveSession()
    created = active is None
    if created:
        settings.spark_warehouse_dir.mkdir(parents=True, exist_ok=True)
        settings.spark_metastore_dir.mkdir(parents=True, exist_ok=True)
        builder = SparkSession.builder
        for key, value in session_conf(settings).items():
            builder = builder.config(key, value)
        active = builder.enableHiveSupport().getOrCreate()
        active.sparkContext.setLogLevel("ERROR")
        # pyspark 4.3 in session mode takes its workers' interpreter from PYSPARK_PYTHON when the
        # context starts and ignores spark.pyspark.python: give the context its own conf's value
        # (read by every Python UDF it creates) instead of changing this process's environment.
        active.sparkContext.pythonExec = active.sparkContext.getConf().get(WORKER_PYTHON)
    # Keyed once per session (the warehouse's secret), or again when a caller names the secret.
    if created or secret is not None:
        secret_path = privacy.secret_file(settings.published.parent)
        register_person_key(active, secret if secret is not None else privacy.load_secret(path=secret_path))
    return active


def register_person_key(spark, secret: bytes) -> None:
    """`closecredit_person_key(string) -> string` on `spark`, keyed with `secret` (kept in the
    UDF's function only; Spark ships it to its Python workers by value, never into SQL)."""
    from pyspark.sql.functions import udf

    from orchestration.core.spark_person_key import PersonKeyFunction, ship_by_value

    ship_by_value()
    # Arrow-batched (a vector of values per Python call, as on DuckDB).
    person_keys = udf(PersonKeyFunction(secret), returnType="string", useArrow=True)
    spark.udf.register(privacy.SQL_FUNCTION, person_keys)


def main(argv: list[str] | None = None) -> int:
    """`dbt ARGS` in this process on the session above (the night's dbt executable on Spark: the
    UDF must live in the process that runs dbt's SQL)."""
    from dbt.cli.main import cli

    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["dbt"]:
        argv = argv[1:]
    spark_session(Settings.from_environment())
    try:
        cli.main(args=argv, prog_name="dbt", standalone_mode=False)
    except SystemExit as exc:
        return int(exc.code or 0)
    except Exception as exc:  # dbt raises on failed nodes in non-standalone mode
        print(exc, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
