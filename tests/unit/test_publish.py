"""Publishing: a new file with the marts and audit tables, renamed over the old one in one step."""

from __future__ import annotations

import hashlib
from datetime import date
from pathlib import Path

import duckdb
import pytest

from orchestration.night import publish as publish_module
from orchestration.night.publish import publish, published_nights, read_publication, temp_files

D1, D2 = date(2026, 11, 24), date(2026, 11, 25)


def _build_database(path: Path, *, with_marts: bool = True, night: int = 1) -> None:
    """What a night leaves in the build database: raw landing log, staging audits, maybe marts."""
    with duckdb.connect(str(path)) as con:
        con.execute("create schema if not exists raw")
        con.execute(
            "create or replace table raw.landing_log as select date '2026-11-24' as extract_date, 3 as rows"
        )
        con.execute(
            "create or replace table main.stg_audit__reconciliation as select 'crm.account' as object_name"
        )
        con.execute(
            "create or replace view main.stg_audit__quarantine as select 'crm.account' as object_name, 'x' as reason"
        )
        if with_marts:
            con.execute("create schema if not exists marts")
            con.execute(
                f"create or replace table marts.fct_journeys as select range as id from range({night * 3})"
            )
            con.execute("create or replace view marts.dim_channels as select 'web' as channel")


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _publish(build: Path, published: Path, night: date, run_id: str, **kwargs):
    with duckdb.connect(str(build)) as con:
        return publish(con, published, as_of_date=night, run_id=run_id, **kwargs)


def test_publish_copies_marts_and_audit_with_as_of_date_and_run_id(tmp_path):
    build, published = tmp_path / "cc.build.duckdb", tmp_path / "cc.duckdb"
    _build_database(build)
    result = _publish(build, published, D1, "run-1")
    assert result.tables["marts.fct_journeys"] == 3
    with duckdb.connect(str(published), read_only=True) as con:
        tables = {
            f"{s}.{t}"
            for s, t in con.execute(
                "select table_schema, table_name from information_schema.tables"
            ).fetchall()
        }
        assert tables == {
            "marts.fct_journeys",
            "marts.dim_channels",
            "marts._publication",
            "audit.reconciliation",
            "audit.quarantine",
            "audit.landing_log",
            "audit.publication_log",
            "audit.run_failures",
        }
        # The view is published as a table: the published file needs nothing from the build one.
        kinds = dict(con.execute("select table_name, table_type from information_schema.tables").fetchall())
        assert kinds["dim_channels"] == "BASE TABLE"
        rows = con.execute("select distinct as_of_date, run_id from marts._publication").fetchall()
        assert rows == [(D1, "run-1")]
        assert con.execute("select as_of_date, run_id from audit.publication_log").fetchall() == [
            (D1, "run-1")
        ]
    assert read_publication(published)["as_of_date"] == D1
    assert published_nights(published) == {D1}
    assert temp_files(published) == []


def test_publish_works_with_no_marts_yet(tmp_path):
    build, published = tmp_path / "cc.build.duckdb", tmp_path / "cc.duckdb"
    _build_database(build, with_marts=False)
    result = _publish(build, published, D1, "run-1")
    assert not [t for t in result.tables if t.startswith("marts.")]
    with duckdb.connect(str(published), read_only=True) as con:
        assert con.execute("select count(*) from marts._publication").fetchone()[0] == len(result.tables)


def test_a_publish_that_dies_before_the_rename_leaves_the_old_file_and_the_next_one_cleans_up(
    tmp_path, monkeypatch
):
    build, published = tmp_path / "cc.build.duckdb", tmp_path / "cc.duckdb"
    _build_database(build)
    _publish(build, published, D1, "run-1")
    before = _digest(published)

    _build_database(build, night=2)

    def crash(*args):
        raise KeyboardInterrupt("killed right before the rename")

    monkeypatch.setattr(publish_module.os, "replace", crash)
    with pytest.raises(KeyboardInterrupt):
        _publish(build, published, D2, "run-2")
    monkeypatch.undo()
    assert _digest(published) == before
    assert temp_files(published), "the half-done publish left its temp file"
    with duckdb.connect(str(published), read_only=True) as con:
        assert con.execute("select count(*) from marts.fct_journeys").fetchone()[0] == 3
    # A leftover of an older crash, with a WAL, too.
    (tmp_path / "cc.duckdb.publishing-run-0").write_bytes(b"garbage")
    (tmp_path / "cc.duckdb.publishing-run-0.wal").write_bytes(b"garbage")

    _publish(build, published, D2, "run-3")
    assert temp_files(published) == []
    assert read_publication(published)["run_id"] == "run-3"
    assert published_nights(published) == {D1, D2}
    with duckdb.connect(str(published), read_only=True) as con:
        assert con.execute("select count(*) from marts.fct_journeys").fetchone()[0] == 6


def test_a_reader_keeps_reading_the_old_file_while_the_new_one_is_swapped_in(tmp_path):
    build, published = tmp_path / "cc.build.duckdb", tmp_path / "cc.duckdb"
    _build_database(build)
    _publish(build, published, D1, "run-1")
    reader = duckdb.connect(str(published), read_only=True)
    try:
        _build_database(build, night=2)
        _publish(build, published, D2, "run-2")
        assert reader.execute("select count(*) from marts.fct_journeys").fetchone()[0] == 3
    finally:
        reader.close()
    with duckdb.connect(str(published), read_only=True) as con:
        assert con.execute("select count(*) from marts.fct_journeys").fetchone()[0] == 6


def test_failure_records_are_published_in_audit_run_failures(tmp_path):
    build, published = tmp_path / "cc.build.duckdb", tmp_path / "cc.duckdb"
    failures = tmp_path / "failures"
    failures.mkdir()
    (failures / "2026-11-24_r0.json").write_text(
        '{"run_id": "r0", "extract_date": "2026-11-24", "failed_at": "2026-11-24T02:03:04",'
        ' "summary": "night 2026-11-24 failed", "failed_files": ["2026-11-24/crm/opportunity.csv"]}',
        encoding="utf-8",
    )
    _build_database(build)
    _publish(build, published, D1, "run-1", failures_dir=failures)
    with duckdb.connect(str(published), read_only=True) as con:
        row = con.execute(
            "select run_id, extract_date, failed_files::varchar from audit.run_failures"
        ).fetchone()
    assert row == ("r0", D1, '["2026-11-24/crm/opportunity.csv"]')


def test_the_published_file_is_in_the_storage_format_duckdb_1_0_reads(tmp_path):
    """Storage version 64 (header bytes 12..20) is what duckdb 1.0.0 and later read; the pinned
    duckdb would write 69, which every 1.x client refuses. tests/e2e/test_duckdb_clients.py opens
    the real night's file with duckdb 1.0.0 itself."""
    build, published = tmp_path / "cc.build.duckdb", tmp_path / "cc.duckdb"
    _build_database(build)
    _publish(build, published, D1, "run-1")
    header = published.read_bytes()[:20]
    assert header[8:12] == b"DUCK"
    assert int.from_bytes(header[12:20], "little") == 64
    with duckdb.connect(str(published), read_only=True) as con:
        tags = con.execute("select tags from duckdb_databases() where database_name = 'cc'").fetchone()[0]
    assert tags["storage_version"].startswith(publish_module.PUBLISHED_STORAGE_VERSION)
    # The build database keeps the pinned duckdb's own format.
    assert int.from_bytes(build.read_bytes()[12:20], "little") > 64
