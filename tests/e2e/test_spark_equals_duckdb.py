"""The same warehouse on Apache Spark: the shared backfill's nights, landed and built on Spark
(`local[*]`, Parquet) and published into a DuckDB file, give every mart and audit table of the
DuckDB night row for row (tests/compare_marts.py: fractions within 1e-9, money within a relative
1e-9), with the same column types.

The DuckDB side is the session's `backfill` site (tests/e2e/conftest.py), not a build of its own.
The Spark side is one Spark night in this process (orchestration/night/spark_night.py, what
`closecredit run --target spark` runs) for the night the backfill published, after landing every
earlier night; one SparkSession serves the whole test session (`spark_site`)."""

from __future__ import annotations

import shutil
from datetime import date

import duckdb
import pytest

from orchestration.core.settings import Settings
from tests.compare_marts import differences, snapshot

pytestmark = pytest.mark.e2e
pyspark = pytest.importorskip("pyspark", reason="the spark extra is not installed")

# Only the run that wrote them knows these: which runs published which nights.
NOT_COMPARED = {"audit.publication_log"}


def _types(database, schemas) -> dict[str, list[tuple[str, str]]]:
    with duckdb.connect(str(database), read_only=True) as con:
        rows = con.execute(
            "select table_schema || '.' || table_name, column_name, data_type from information_schema.columns "
            "where table_catalog = current_database() order by table_schema, table_name, ordinal_position"
        ).fetchall()
    types: dict[str, list[tuple[str, str]]] = {}
    for table, column, kind in rows:
        if table.split(".")[0] in schemas:
            types.setdefault(table, []).append((column, kind))
    return types


@pytest.fixture(scope="session")
def spark_site(tmp_path_factory, backfill):
    """The backfill's nights on Spark, published into a DuckDB file of their own."""
    from orchestration.core.spark import spark_session
    from orchestration.night.landing_spark import land_night
    from orchestration.night.spark_night import run_spark_night

    site, _ = backfill
    root = tmp_path_factory.mktemp("spark")
    extracts = root / "extracts"
    shutil.copytree(site.extracts, extracts)
    with duckdb.connect(str(site.database), read_only=True) as con:
        night = con.execute("select max(as_of_date) from marts._publication").fetchone()[0]
    env = site.env()
    settings = Settings.from_environment(
        {}, extracts=str(extracts), database=str(root / "warehouse" / "closecredit.duckdb"), target="spark"
    )
    with pytest.MonkeyPatch.context() as patch:
        # The e2e sites' one secret, so person keys compare across the two warehouses.
        patch.setenv("CLOSECREDIT_HASH_SECRET", env["CLOSECREDIT_HASH_SECRET"])
        spark = spark_session(settings.published)
        for earlier in sorted(d for d in _complete(extracts) if d < night):
            landed = land_night(spark, extracts, earlier)
            assert not landed.failures, landed.failures
        done = run_spark_night(settings, night, run_id="spark-equality")
    return site, settings, done


def _complete(extracts) -> list[date]:
    from orchestration.night.landing import complete_extract_dates

    return complete_extract_dates(extracts)


def test_spark_marts_equal_duckdb_marts(spark_site):
    site, settings, _ = spark_site
    schemas = {"marts", "audit"}
    problems = differences(
        snapshot(site.database, schemas, skipped=NOT_COMPARED),
        snapshot(settings.published, schemas, skipped=NOT_COMPARED),
    )
    assert not problems, "\n".join(problems)


def test_spark_publishes_the_same_tables_and_column_types(spark_site):
    site, settings, _ = spark_site
    duck, spark = _types(site.database, {"marts", "audit"}), _types(settings.published, {"marts", "audit"})
    assert sorted(duck) == sorted(spark)
    mismatched = {t: (duck[t], spark[t]) for t in duck if duck[t] != spark[t]}
    assert not mismatched, mismatched
