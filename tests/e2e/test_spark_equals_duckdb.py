"""The same warehouse on Apache Spark: the equality tests' one small scenario (tests/small_scenario.py,
built on DuckDB once per session), landed and built on a local Spark (`local[2]`, Parquet) by the
Spark night (orchestration/night/spark_night.py, what `closecredit run --target spark` runs) and
published into a DuckDB file, gives every mart of the DuckDB build row for row
(tests/compare_marts.py: fractions within 1e-9, money within a relative 1e-9) with the same column
types.

The first night is landed on Spark first, so the last night's landing runs over the partitions
and the landing log an earlier night left. On Spark no model is incremental (insert_overwrite needs
a partition column, and the incremental models' keys are per device; docs/spark.md), so a second
Spark build would rebuild the same tables in full: one build, as of the last night, as the DuckDB
side's.
The scenario's DuckDB build runs the engine without the bootstrap (tests/integration's
build_night), so the Spark night is given `bootstrap_replicates: 0`: the bootstrap step still
reads Spark, and both warehouses hold no replicates. dbt's data tests are left out, as in the
other equality tests (the data is what is compared)."""

from __future__ import annotations

import json
import os
import shutil

import duckdb
import pytest

from tests.compare_marts import differences, snapshot
from tests.dbt_invocation import TEST_HASH_SECRET

pytestmark = pytest.mark.e2e

SCHEMAS = {"marts"}
NOT_BUILT = "resource_type:test"
# The bootstrap draws nothing, as the scenario's DuckDB build (it runs no bootstrap).
SPARK_OVERRIDES = {"bootstrap_replicates": 0}


def require_spark() -> None:
    """pyspark and a Java runtime; without either, skip, or fail when `CI` is set (as
    tests/e2e/browser.py's require_chromium)."""
    missing = []
    try:
        import pyspark  # noqa: F401
    except ImportError:
        missing.append("pyspark is not installed (pip install -e '.[spark]')")
    if shutil.which("java") is None and not os.environ.get("JAVA_HOME"):
        missing.append("java is not installed (apt-get install openjdk-17-jre-headless)")
    if not missing:
        return
    reason = "; ".join(missing)
    if os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no"):
        pytest.fail(f"{reason}, and CI is set (.ci/run installs Java; .[dev] includes pyspark)")
    pytest.skip(f"{reason} (or set CI to make this a failure)")


@pytest.fixture(scope="session")
def spark_available() -> None:
    """Checked before the scenario is built (a session fixture, asked for first)."""
    require_spark()


def _types(database, schemas) -> dict[str, list[tuple[str, str]]]:
    with duckdb.connect(str(database), read_only=True) as con:
        rows = con.execute(
            "select table_schema || '.' || table_name, column_name, data_type from information_schema.columns "
            "where table_catalog = current_database() order by table_schema, table_name, ordinal_position"
        ).fetchall()
    types: dict[str, list[tuple[str, str]]] = {}
    for table, column, kind in rows:
        if table.split(".")[0] in schemas and table != "marts._publication":
            types.setdefault(table, []).append((column, kind))
    return types


@pytest.fixture(scope="module")
def spark_night(spark_available, tmp_path_factory, small_scenario):
    """The scenario's nights on Spark: the first landed, the last run as a Spark night (land, dbt,
    engine, dbt, publish); the published DuckDB file."""
    from orchestration.core.settings import Settings
    from orchestration.core.spark import spark_session
    from orchestration.night.landing_spark import land_night
    from orchestration.night.spark_night import run_spark_night

    root = tmp_path_factory.mktemp("spark")
    settings = Settings.from_environment(
        {},
        extracts=str(small_scenario.extracts),
        database=str(root / "warehouse" / "closecredit.duckdb"),
        target="spark",
        vars_json=json.dumps(SPARK_OVERRIDES),
        # Statements wait on the metastore and Python as much as on the two cores.
        threads=4,
        spark_master="local[2]",
    )
    first, last = small_scenario.nights[0], small_scenario.nights[-1]
    spark_session(settings, secret=TEST_HASH_SECRET)
    landing = land_night(spark_session(settings), small_scenario.extracts, first)
    assert not landing.failures, [f.message for f in landing.failures]
    done = run_spark_night(settings, last, run_id="spark-equality", exclude=NOT_BUILT)
    assert done.published == settings.published
    return settings.published


def test_spark_marts_equal_duckdb_marts(spark_available, small_scenario, spark_night):
    duck = snapshot(small_scenario.database, SCHEMAS)
    assert duck and any(len(table) for table in duck.values()), "the scenario built empty marts"
    assert differences(duck, snapshot(spark_night, SCHEMAS)) == []


def test_spark_publishes_the_marts_with_duckdbs_column_types(spark_available, small_scenario, spark_night):
    duck, spark = _types(small_scenario.database, SCHEMAS), _types(spark_night, SCHEMAS)
    assert sorted(duck) == sorted(spark)
    assert {t: spark[t] for t in duck if duck[t] != spark[t]} == {}
