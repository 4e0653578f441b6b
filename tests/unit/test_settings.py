"""Settings resolved once (environment and CLI arguments), var overrides for a run, and what a
night tells dbt: the build file, never the published one."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date
from pathlib import Path

import duckdb
import pytest
import yaml

from orchestration.cli import main
from orchestration.core.contract import PROJECT_DIR
from orchestration.core.dbt_args import build_args
from orchestration.core.dbt_vars import GRAPH_VARS, VarsError, check_overrides, project_vars
from orchestration.core.settings import DBT_PROFILE_VARS, Settings, SettingsError
from orchestration.night.build_vars import (
    BUILD_VARS,
    forget_vars,
    full_refresh_reason,
    record_vars,
    recorded_vars,
)
from orchestration.night.pending import ExtractsLayoutError, read_nights

NIGHT = date(2026, 11, 26)


def test_cli_values_win_over_the_environment_and_the_environment_over_defaults(tmp_path):
    environ = {"CLOSECREDIT_DATABASE": str(tmp_path / "env.duckdb"), "CLOSECREDIT_LOCK_TIMEOUT": "7"}
    settings = Settings.from_environment(environ, database=tmp_path / "cli.duckdb")
    assert settings.published == tmp_path / "cli.duckdb"
    assert settings.build_database == tmp_path / "cli.build.duckdb"
    assert settings.lock_timeout == 7.0
    assert settings.memory_limit == "2GB" and settings.threads == 2  # defaults
    assert settings.temp_directory == tmp_path / "cli.build.duckdb.tmp"


def test_a_bad_number_names_its_variable():
    with pytest.raises(SettingsError, match="CLOSECREDIT_RETRIES must be a number, not 'many'"):
        Settings.from_environment({"CLOSECREDIT_RETRIES": "many"})


def test_graph_vars_are_refused_in_one_line_naming_them(capsys):
    with pytest.raises(VarsError) as refused:
        check_overrides({"attribution_models": ["linear"], "crm_source": "hubspot", "lookback_days": 9})
    assert str(refused.value).startswith("--vars cannot set attribution_models, crm_source:")
    code = main(["run", "--vars", '{"crm_source": "hubspot"}', "--extracts", "/nonexistent"])
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1 and "crm_source" in err
    assert set(GRAPH_VARS) == {"attribution_models", "crm_source"}


def test_unknown_vars_the_night_var_and_non_mappings_are_refused(capsys):
    for text, says in (
        ('{"lookbak_days": 3}', "declares no var lookbak_days"),
        ('{"as_of_date": "2026-01-01"}', "use --date"),
        ("[1, 2]", "must be a mapping"),
        ('{"a": ', "is not JSON or YAML"),
    ):
        # --extracts: a check that let the vars through must not start a night on the demo data.
        assert main(["run", "--vars", text, "--extracts", "/nonexistent"]) == 2
        assert says in capsys.readouterr().err, text


def test_vars_file_then_vars_make_the_run_overrides(tmp_path):
    from orchestration.cli import _settings, build_parser

    file = tmp_path / "night.yml"
    file.write_text("lookback_days: 180\npath_transform: unique\n", encoding="utf-8")
    args = build_parser().parse_args(
        [
            "run",
            "--vars-file",
            str(file),
            "--vars",
            '{"path_transform": "first"}',
            "--database",
            str(tmp_path / "w.duckdb"),
        ]
    )
    settings, _ = _settings(args, "run")
    assert settings.overrides == {"lookback_days": 180, "path_transform": "first"}
    assert settings.project_vars()["lookback_days"] == 180  # what every Python reader gets
    assert settings.project_vars()["half_life_days"] == project_vars()["half_life_days"]


def test_the_nights_dbt_vars_carry_the_overrides_and_the_build_file_never_the_published(tmp_path):
    settings = Settings(
        database=str(tmp_path / "cc.duckdb"), vars_json='{"lookback_days": 180}', memory_limit="1GB"
    )
    args = build_args(NIGHT, overrides=settings.dbt_cli_vars())
    sent = yaml.safe_load(args[args.index("--vars") + 1])
    assert sent["lookback_days"] == 180 and sent["as_of_date"] == NIGHT.isoformat()
    assert sent[DBT_PROFILE_VARS["build_database"]] == str(tmp_path / "cc.build.duckdb")
    assert sent[DBT_PROFILE_VARS["memory_limit"]] == "1GB"
    assert sent[DBT_PROFILE_VARS["temp_directory"]] == str(tmp_path / "cc.build.duckdb.tmp")
    assert str(settings.published) not in " ".join(args)


def test_changed_vars_rebuild_in_full_and_say_which(tmp_path):
    con = duckdb.connect(str(tmp_path / "build.duckdb"))
    assert recorded_vars(con) is None
    assert con.execute(
        "select count(*) from information_schema.schemata where schema_name = 'ops'"
    ).fetchone() == (0,)
    base = project_vars()
    assert full_refresh_reason(None, base) == (True, None)  # nothing recorded: first or unfinished build
    record_vars(con, base, "run-1")
    assert recorded_vars(con) == json.loads(json.dumps(base))
    assert full_refresh_reason(recorded_vars(con), {**base, "as_of_date": "2026-11-27"}) == (False, None)
    full, reason = full_refresh_reason(recorded_vars(con), project_vars({"lookback_days": 180}))
    assert full and "lookback_days: 365 -> 180" in reason and "--full-refresh" in reason
    forget_vars(con)
    assert recorded_vars(con) is None
    con.execute(f"select 1 from information_schema.tables where table_name = '{BUILD_VARS.split('.')[1]}'")
    con.close()


def test_a_root_without_night_folders_is_a_usage_error_naming_the_layout(tmp_path, capsys):
    root = tmp_path / "extracts"
    (root / "crm").mkdir(parents=True)
    (root / "crm" / "opportunity.csv").write_text("id\n1\n", encoding="utf-8")
    with pytest.raises(ExtractsLayoutError, match="holds no <YYYY-MM-DD> night folder"):
        read_nights(root, tmp_path / "cc.duckdb")
    assert main(["run", "--extracts", str(root), "--database", str(tmp_path / "cc.duckdb")]) == 2
    err = capsys.readouterr().err
    assert "<extracts>/<YYYY-MM-DD>/<system>/<object>.csv" in err and "up to date" not in err


def test_pending_nights_read_the_published_publication_log_and_write_nothing(tmp_path):
    root = tmp_path / "extracts"
    for night, complete in ((date(2026, 11, 24), True), (date(2026, 11, 25), True), (NIGHT, False)):
        (root / night.isoformat()).mkdir(parents=True)
        if complete:
            (root / night.isoformat() / "_SUCCESS").touch()
    published = tmp_path / "cc.duckdb"
    assert read_nights(root, published).pending() == [date(2026, 11, 24), date(2026, 11, 25)]
    with duckdb.connect(str(published)) as con:
        con.execute("create schema audit")
        con.execute("create table audit.publication_log (as_of_date date, run_id varchar)")
        con.execute("insert into audit.publication_log values ('2026-11-24', 'r1')")
    before = published.stat().st_mtime_ns
    nights = read_nights(root, published)
    assert nights.pending() == [date(2026, 11, 25)] and nights.incomplete == [NIGHT]
    assert published.stat().st_mtime_ns == before


def test_a_bare_dbt_build_writes_the_build_file_not_the_published_one(tmp_path):
    """With an analyst's CLOSECREDIT_DATABASE exported, a bare dbt call (no closecredit vars)
    still writes profiles.yml's default build file, relative to where dbt runs."""
    import os

    published = tmp_path / "data" / "warehouse" / "closecredit.duckdb"
    published.parent.mkdir(parents=True)  # dbt-duckdb creates the file, not its folder
    env = {**os.environ, "CLOSECREDIT_DATABASE": str(published), "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"}
    done = subprocess.run(
        [
            str(Path(sys.executable).with_name("dbt")),
            "seed",
            "--select",
            "iso_currencies",
            "--project-dir",
            str(PROJECT_DIR),
            "--profiles-dir",
            str(PROJECT_DIR),
            "--target-path",
            str(tmp_path / "target"),
            "--log-path",
            str(tmp_path / "logs"),
        ],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout[-2000:]
    assert (tmp_path / "data" / "warehouse" / "closecredit.build.duckdb").exists()
    assert not published.exists()


def test_gx_suites_read_the_runs_overrides_for_parameters_and_batch_sql():
    """A cost/signal var (signal_min_closes) and a gate var (max_quarantine_rate) reach the GX
    suites of that run, not only dbt_project.yml's value."""
    from orchestration.quality.marts import render_sql
    from orchestration.quality.run import resolve_parameters
    from orchestration.quality.suites import mart_suites

    rate = {"$PARAMETER": "var.max_quarantine_rate"}
    assert resolve_parameters(rate, NIGHT) == project_vars()["max_quarantine_rate"]
    assert resolve_parameters(rate, NIGHT, {"max_quarantine_rate": 0.2}) == 0.2
    suite = next(iter(mart_suites().values()))
    sql = "select * from {mart} where closes >= {var:signal_min_closes}"
    assert render_sql(sql, suite, NIGHT).endswith(f">= {project_vars()['signal_min_closes']}")
    assert render_sql(sql, suite, NIGHT, {"signal_min_closes": 3}).endswith(">= 3")


def test_spark_settings_come_from_the_cli_over_the_environment_over_defaults(tmp_path):
    from orchestration.cli import _settings, build_parser

    published = tmp_path / "site" / "closecredit.duckdb"
    default = Settings(database=str(published))
    assert default.spark_master == "local[*]" and default.spark_driver_memory == "2g"
    assert default.spark_warehouse_dir == tmp_path / "site" / "spark" / "warehouse"
    assert default.spark_metastore_dir == tmp_path / "site" / "spark" / "metastore"
    environ = {
        "CLOSECREDIT_SPARK_MASTER": "spark://cluster:7077",
        "CLOSECREDIT_SPARK_WAREHOUSE": str(tmp_path / "tables"),
        "CLOSECREDIT_SPARK_DRIVER_MEMORY": "6g",
    }
    from_env = Settings.from_environment(environ, database=published)
    assert from_env.spark_master == "spark://cluster:7077" and from_env.spark_driver_memory == "6g"
    assert from_env.spark_warehouse_dir == tmp_path / "tables"
    assert from_env.spark_metastore_dir == tmp_path / "metastore"
    from_cli = Settings.from_environment(environ, database=published, spark_master="local[2]")
    assert from_cli.spark_master == "local[2]"
    args = build_parser().parse_args(
        ["run", "--target", "spark", "--spark-master", "local[3]", "--spark-warehouse", str(tmp_path / "w")]
    )
    settings, _ = _settings(args, "run")
    assert (settings.target, settings.spark_master) == ("spark", "local[3]")
    assert settings.spark_warehouse_dir == tmp_path / "w"
    with pytest.raises(SettingsError, match="CLOSECREDIT_SPARK_MASTER / --spark-master cannot be empty"):
        Settings(spark_master=" ").check()


def test_the_spark_session_is_configured_from_the_settings_not_the_environment(tmp_path, monkeypatch):
    """No Spark session needed: the conf the session is built with. Spark's variables in this
    process's environment change nothing once the settings are resolved."""
    from orchestration.core.spark import WORKER_PYTHON, session_conf

    monkeypatch.setenv("CLOSECREDIT_SPARK_MASTER", "yarn")
    monkeypatch.setenv("PYSPARK_PYTHON", "/nonexistent/python")
    settings = Settings(
        database=str(tmp_path / "closecredit.duckdb"), spark_master="local[2]", spark_driver_memory="3g"
    )
    conf = session_conf(settings)
    assert conf["spark.master"] == "local[2]" and conf["spark.driver.memory"] == "3g"
    assert conf["spark.sql.warehouse.dir"] == str(tmp_path / "spark" / "warehouse")
    assert (
        str(tmp_path / "spark" / "metastore" / "metastore_db")
        in conf["spark.hadoop.javax.jdo.option.ConnectionURL"]
    )
    # The workers run this interpreter (pyarrow, pandas), whatever PYSPARK_PYTHON says.
    assert conf[WORKER_PYTHON] == sys.executable
    # The master is stated once, in the settings: the profile's session output names none.
    spark_output = yaml.safe_load((PROJECT_DIR / "profiles.yml").read_text())["closecredit"]["outputs"][
        "spark"
    ]
    assert spark_output["method"] == "session" and "local[" not in str(spark_output)
