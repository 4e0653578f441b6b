"""The Spark target's session: one SparkSession per process, with the person-key UDF registered.

dbt-spark's `method: session` builds on `SparkSession.builder.getOrCreate()`, so whoever creates
the session first decides its settings; `spark_session()` is that first caller for the landing,
dbt, the engine, the quality checks and the publish of a Spark night (and for the tests). It also
registers `closecredit_person_key(string) -> string` (orchestration.core.privacy.SQL_FUNCTION) as a
vectorised Python UDF keyed with the warehouse secret, read here in Python: no key material in SQL,
exactly as the DuckDB plugin does (orchestration/core/privacy_plugin.py).

Defaults: master `local[*]`, tables in `<warehouse folder>/spark/warehouse` as Parquet, the
metastore (embedded Derby) beside it. `CLOSECREDIT_SPARK_MASTER` and `CLOSECREDIT_SPARK_WAREHOUSE`
override master and warehouse folder (docs/spark.md). One process at a time may open an embedded
Derby metastore, the same one-writer rule as the DuckDB build file.

    python -m orchestration.core.spark dbt build ...   # dbt in this process, on this session
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from orchestration.core import privacy

MASTER_ENV = "CLOSECREDIT_SPARK_MASTER"
WAREHOUSE_ENV = "CLOSECREDIT_SPARK_WAREHOUSE"
DEFAULT_MASTER = "local[*]"
# Two cores: Spark's default of 200 shuffle partitions makes every small join 200 tasks (2 measured
# a little faster than 4 on this machine; adaptive execution coalesces them further).
SHUFFLE_PARTITIONS = "2"


def spark_paths(published: Path) -> tuple[Path, Path]:
    """(warehouse folder, metastore folder) of the Spark build beside the published file."""
    folder = Path(os.environ.get(WAREHOUSE_ENV) or published.parent / "spark" / "warehouse").resolve()
    return folder, folder.parent / "metastore"


def spark_session(published: Path | None = None, *, master: str | None = None, secret: bytes | None = None):
    """The process's SparkSession (created on first call), with the person-key UDF registered.
    `published` is the published DuckDB file: the Spark warehouse and the secret live beside it.
    The UDF is keyed when the session is created, and again only when `secret` is given."""
    from pyspark.sql import SparkSession

    from orchestration.core.settings import DEFAULT_DATABASE

    published = (published or DEFAULT_DATABASE).resolve()
    active = SparkSession.getActiveSession()
    created = active is None
    if created:
        # Python workers run this interpreter (pyarrow and pandas for the Arrow UDF); they never
        # import this package (orchestration/core/spark_person_key.py). An explicit choice stays.
        os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
        warehouse, metastore = spark_paths(published)
        warehouse.mkdir(parents=True, exist_ok=True)
        metastore.mkdir(parents=True, exist_ok=True)
        active = (
            SparkSession.builder.master(master or os.environ.get(MASTER_ENV) or DEFAULT_MASTER)
            .appName("closecredit")
            .config("spark.sql.warehouse.dir", str(warehouse))
            .config(
                "spark.hadoop.javax.jdo.option.ConnectionURL",
                f"jdbc:derby:;databaseName={metastore / 'metastore_db'};create=true",
            )
            .config("spark.driver.extraJavaOptions", f"-Dderby.system.home={metastore}")
            .config("spark.sql.session.timeZone", "UTC")
            .config("spark.sql.shuffle.partitions", SHUFFLE_PARTITIONS)
            .config("spark.sql.sources.partitionOverwriteMode", "dynamic")
            .config("spark.sql.legacy.createHiveTableByDefault", "false")
            .config("spark.sql.sources.default", "parquet")
            # The embedded Derby metastore cannot filter partitions by a date: prune in Spark.
            .config("spark.sql.hive.metastorePartitionPruning", "false")
            .config("spark.ui.enabled", "false")
            .config("spark.pyspark.python", os.environ["PYSPARK_PYTHON"])
            .config("spark.driver.memory", os.environ.get("CLOSECREDIT_SPARK_DRIVER_MEMORY", "2g"))
            .enableHiveSupport()
            .getOrCreate()
        )
        active.sparkContext.setLogLevel("ERROR")
    # Keyed once per session (the warehouse's secret), or again when a caller names the secret.
    if created or secret is not None:
        secret_path = privacy.secret_file(published.parent)
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
    database = os.environ.get("CLOSECREDIT_DATABASE")
    spark_session(Path(database) if database else None)
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
