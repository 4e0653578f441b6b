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

import duckdb
import pytest

from orchestration.core import privacy
from orchestration.core.spark import spark_missing
from tests.compare_marts import differences, snapshot
from tests.dbt_invocation import TEST_HASH_SECRET
from tests.secret_forms import files_under, leaks, secret_forms

pytestmark = pytest.mark.e2e

SCHEMAS = {"marts"}
NOT_BUILT = "resource_type:test"
# The bootstrap draws nothing, as the scenario's DuckDB build (it runs no bootstrap).
SPARK_OVERRIDES = {"bootstrap_replicates": 0}
# The GX suites compared on both engines: the largest raw files of the first night (with
# quarantined rows), read in several chunks each; marts whose invariants join, group and read vars.
RAW_CHECKED = ("web.event", "costs.marketing_spend")
MARTS_CHECKED = (
    "fct_close_credit",
    "fct_cost_per_close_by_resource",
    "fct_touchpoints",
    "fct_investment_signals",
)
CHUNK_ROWS = 2000


def require_spark() -> None:
    """pyspark and a Java runtime; without either, skip, or fail when `CI` is set (as
    tests/e2e/browser.py's require_chromium)."""
    reason = spark_missing()
    if reason is None:
        return
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
    engine, dbt, publish); its settings (the published DuckDB file, the Spark site's folders)."""
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
    # The GX suites run on these tables in their own tests below (the data is what is compared here).
    done = run_spark_night(settings, last, run_id="spark-equality", exclude=NOT_BUILT, quality=False)
    assert done.published == settings.published
    return settings


def test_spark_marts_equal_duckdb_marts(spark_available, small_scenario, spark_night):
    duck = snapshot(small_scenario.database, SCHEMAS)
    assert duck and any(len(table) for table in duck.values()), "the scenario built empty marts"
    assert differences(duck, snapshot(spark_night.published, SCHEMAS)) == []


def test_spark_publishes_the_marts_with_duckdbs_column_types(spark_available, small_scenario, spark_night):
    duck, spark = _types(small_scenario.database, SCHEMAS), _types(spark_night.published, SCHEMAS)
    assert sorted(duck) == sorted(spark)
    assert {t: spark[t] for t in duck if duck[t] != spark[t]} == {}


def test_no_secret_material_in_what_the_spark_night_leaves(spark_available, spark_night):
    """As tests/e2e/test_secrets.py for the DuckDB nights: not the person-key secret, nor its hex,
    nor its HMAC key blocks, in anything the Spark night wrote: dbt's target folder (compiled SQL
    calling the UDF), its logs, the Spark warehouse's Parquet files (values decoded) and the
    embedded metastore, the published file."""
    site = spark_night
    secret_file = privacy.secret_file(site.published.parent)
    files = [p for p in files_under(site.published.parent) if p != secret_file]
    names = {p.name for p in files}

    def under(folder):
        return [p for p in files if folder in p.parents]

    # The places the night writes are there to be searched (else the test would prove nothing).
    assert "dbt.log" in names and "run_results.json" in names, sorted(names)[:50]
    compiled = [p for p in under(site.spark_dbt_target) if p.suffix == ".sql" and "compiled" in p.parts]
    assert any(privacy.SQL_FUNCTION in p.read_text(encoding="utf-8") for p in compiled)
    assert any(p.suffix == ".parquet" for p in under(site.spark_warehouse_dir / "raw.db"))
    assert any(p.suffix == ".parquet" for p in under(site.spark_warehouse_dir / "marts.db"))
    assert any(p.suffix == ".dat" for p in under(site.spark_metastore_dir))
    assert site.published in files
    assert leaks(files, secret_forms(TEST_HASH_SECRET)) == []


def _verdicts(outcomes) -> dict[str, list[tuple]]:
    """Per suite, each expectation's status and counts (observed aggregates may differ in the last
    bits: Spark sums in another order)."""
    return {
        o.target: [
            (e.type, e.status, e.element_count, e.unexpected_count, e.missing_count) for e in o.expectations
        ]
        for o in outcomes
    }


def test_gx_suites_on_the_spark_tables_give_the_duckdb_verdicts(spark_available, small_scenario, spark_night):
    """The raw and mart suites read the Spark tables (orchestration/quality/spark_tables.py) in the
    same hash-bucket chunks as the DuckDB build: every expectation has the verdict and counts it
    has on the scenario's DuckDB build (the first night's largest files, in several chunks each,
    and the marts whose invariants join, group and read vars)."""
    from orchestration.core.contract import load_contract
    from orchestration.core.spark import spark_session
    from orchestration.quality.run import run_mart_night, run_raw_night
    from orchestration.quality.spark_tables import duckdb_over_spark

    first, last = small_scenario.nights[0], small_scenario.nights[-1]
    objects = [o for o in load_contract() if o.qualified_name in RAW_CHECKED]

    def verdicts(con):
        raw = run_raw_night(
            con,
            first,
            objects=objects,
            extracts_root=small_scenario.extracts,
            save=False,
            chunk_rows=CHUNK_ROWS,
        )
        marts = run_mart_night(con, last, marts=MARTS_CHECKED, save=False, chunk_rows=CHUNK_ROWS)
        return raw, marts

    with duckdb_over_spark(spark_session(spark_night)) as con:
        spark_raw, spark_marts = verdicts(con)
    with duckdb.connect(str(small_scenario.database), read_only=True) as con:
        duck_raw, duck_marts = verdicts(con)
    assert [o.target for o in spark_raw] == list(RAW_CHECKED)
    assert [o.target for o in spark_marts] == list(MARTS_CHECKED)
    assert all(o.chunks > 1 for o in spark_raw), [(o.target, o.chunks) for o in spark_raw]
    assert all(o.expectations and not o.skipped_reason for o in spark_marts)
    assert _verdicts(spark_raw) == _verdicts(duck_raw)
    assert _verdicts(spark_marts) == _verdicts(duck_marts)


def test_an_error_severity_gx_failure_stops_the_spark_night(spark_available, small_scenario, spark_night):
    """The Spark night's raw step (what runs before its dbt build, `spark_quality`): with a
    quarantine gate that admits no quarantined row, the first night's planted dirty rows block the
    night, and the message names the objects and the gate."""
    from orchestration.core.settings import Settings
    from orchestration.core.spark import spark_session
    from orchestration.night.spark_night import SparkNightError, spark_quality

    gate = {"max_quarantine_rate": 0, "quarantine_gate_min_rows": 1}
    strict = Settings(**{**spark_night.model_dump(), "vars_json": json.dumps({**SPARK_OVERRIDES, **gate})})
    with pytest.raises(SparkNightError, match=r"the raw GX suites block night 20") as blocked:
        spark_quality(
            spark_session(spark_night), strict, small_scenario.nights[0], "raw", only=list(RAW_CHECKED)
        )
    message = str(blocked.value)
    assert "(web.event, night" in message and "(costs.marketing_spend, night" in message, message[:800]
    assert "quarantine" in message
