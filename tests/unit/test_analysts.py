"""`closecredit sql` and `closecredit export` on a published file: read-only, marts on the search
path, one clear line for a refused write."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date
from pathlib import Path

import duckdb
import pyarrow.parquet as pq
import pytest

from orchestration.cli import main
from orchestration.night.publish import publish

CLI = str(Path(sys.executable).with_name("closecredit"))


@pytest.fixture
def published(tmp_path) -> Path:
    """A real publish of a small build database."""
    build, published = tmp_path / "cc.build.duckdb", tmp_path / "wh" / "cc.duckdb"
    with duckdb.connect(str(build)) as con:
        con.execute("create schema raw")
        con.execute("create table raw.landing_log as select date '2026-11-24' as extract_date, 3 as rows")
        con.execute(
            "create table main.stg_audit__reconciliation as select 'crm.account' as object_name, 3 as raw_rows"
        )
        con.execute(
            "create table main.stg_audit__quarantine as select 'crm.account' as object_name, 'x' as reason"
        )
        con.execute("create schema marts")
        con.execute(
            "create table marts.fct_credit_by_source as select * from (values "
            "('quarter', date '2026-10-01', 'sales', 'linear', 1.5, 1500.0), "
            "('quarter', date '2026-10-01', 'marketing', 'linear', 0.5, 500.0)) "
            "as t(period_type, period_start, source_group, attribution_model, credited_closes, credited_revenue)"
        )
        publish(con, published, as_of_date=date(2026, 11, 24), run_id="run-1")
    return published


def _sql(published: Path, query: str, *extra: str) -> list[str]:
    return ["sql", "--database", str(published), "-c", query, *extra]


def test_sql_finds_marts_unqualified_and_prints_a_table(published, capsys):
    assert (
        main(_sql(published, "select source_group, credited_closes from fct_credit_by_source order by 1"))
        == 0
    )
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split() == ["source_group", "|", "credited_closes"]
    assert lines[2].split() == ["marketing", "|", "0.5"]
    assert lines[-1] == "(2 rows)"


def test_sql_csv_and_json_hold_the_rows(published, capsys):
    assert (
        main(_sql(published, "select * from fct_credit_by_source order by source_group", "--format", "csv"))
        == 0
    )
    csv_lines = capsys.readouterr().out.splitlines()
    assert (
        csv_lines[0]
        == "period_type,period_start,source_group,attribution_model,credited_closes,credited_revenue"
    )
    assert csv_lines[1] == "quarter,2026-10-01,marketing,linear,0.5,500.0"
    assert (
        main(_sql(published, "select as_of_date, run_id from _publication limit 1", "--format", "json")) == 0
    )
    assert json.loads(capsys.readouterr().out) == [{"as_of_date": "2026-11-24", "run_id": "run-1"}]


@pytest.mark.parametrize(
    "statement",
    [
        "drop table fct_credit_by_source",
        "insert into marts._publication select * from marts._publication",
        "create table marts.mine as select 1",
    ],
)
def test_a_write_is_refused_with_one_line_and_no_traceback(published, statement):
    before = published.read_bytes()
    done = subprocess.run([CLI, *_sql(published, statement)], capture_output=True, text=True, timeout=60)
    assert done.returncode == 1
    assert done.stdout == ""
    assert len(done.stderr.strip().splitlines()) == 1, done.stderr
    assert done.stderr.startswith("closecredit sql: refused: ")
    assert "read-only" in done.stderr and "Traceback" not in done.stderr
    assert published.read_bytes() == before


def test_a_bad_query_and_a_missing_file_are_one_line(published, tmp_path, capsys):
    assert main(_sql(published, "select nope from fct_credit_by_source")) == 1
    err = capsys.readouterr().err
    assert err.startswith("closecredit sql: Binder Error") and err.count("\n") == 1
    assert main(_sql(tmp_path / "none.duckdb", "select 1")) == 1
    assert "no published warehouse at" in capsys.readouterr().err


def test_sql_on_standard_input_runs_a_script(published):
    script = "select count(*) as n from fct_credit_by_source;\n.tables\nselect 'after' as word;\n"
    done = subprocess.run(
        [CLI, "sql", "--database", str(published)], input=script, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert "fct_credit_by_source" in done.stdout and "after" in done.stdout
    assert done.stdout.splitlines()[2].strip() == "2"


def test_export_writes_every_table_as_parquet_with_its_rows(published, tmp_path, capsys):
    out = tmp_path / "export"
    assert main(["export", "--database", str(published), "--out", str(out)]) == 0
    with duckdb.connect(str(published), read_only=True) as con:
        expected = dict(con.execute("select table_name, row_count from marts._publication").fetchall())
    for name, rows in expected.items():
        schema, table = name.split(".")
        assert pq.read_table(out / schema / f"{table}.parquet").num_rows == rows, name
    assert pq.read_table(out / "marts" / "fct_credit_by_source.parquet").column(
        "credited_closes"
    ).to_pylist() == [1.5, 0.5]
    manifest = json.loads((out / "_publication.json").read_text())
    assert manifest["as_of_date"] == "2026-11-24" and manifest["format"] == "parquet"
    assert not list(out.rglob("*.partial"))
