"""A night killed in the middle of its dbt build, and two runs started at once."""

from __future__ import annotations

import time

import duckdb
import pytest

from tests.compare_marts import BUILD_STATE_TABLES, differences, snapshot

pytestmark = pytest.mark.e2e


def test_a_killed_night_leaves_the_published_marts_intact_and_the_rerun_succeeds(after_kill, extracts):
    d1, d2, d3 = extracts.complete
    killed = after_kill
    # The kill came while dbt was building tonight's models, before any publish.
    assert f"nights to run: {d3}" in killed.killed_log
    assert "START sql" in killed.killed_log and "## Published" not in killed.killed_log
    # Yesterday's file: readable while the night built, unchanged (byte for byte) and readable after.
    assert killed.as_of_while_building == d2
    assert killed.digest_after_kill == killed.digest_before
    assert killed.as_of_after_kill == d2 and killed.audit_rows_after_kill > 0
    # Nothing had to be cleaned by hand: the rerun found the dead run and went on.
    rerun = killed.rerun
    assert rerun.returncode == 0, rerun.stdout + rerun.stderr
    assert "had died without finishing; marked failed" in rerun.stdout
    assert f"nights to run: {d3}" in rerun.stdout and f"as of {d3}" in rerun.stdout
    assert not [n for n in killed.leftovers_after_kill if ".publishing-" in n]
    with duckdb.connect(str(killed.site.database), read_only=True) as con:
        published = {r[0] for r in con.execute("select as_of_date from audit.publication_log").fetchall()}
    assert published == {d1, d2, d3}
    status = killed.site.run("status").stdout
    assert "FAILURE" in status and "SUCCESS" in status


def test_two_runs_at_once_one_waits_and_the_data_is_as_after_one_run(
    backfill, after_kill, extracts, tmp_path
):
    base, _ = backfill
    d3 = extracts.complete[2]
    site = base.clone(tmp_path)
    logs = [tmp_path / "first.log", tmp_path / "second.log"]
    processes = [site.start("run", log=log, CLOSECREDIT_LOCK_TIMEOUT="600") for log in logs]
    deadline = time.monotonic() + 600
    for process in processes:
        process.wait(timeout=max(1, deadline - time.monotonic()))
    outputs = [log.read_text(encoding="utf-8") for log in logs]
    assert [p.returncode for p in processes] == [0, 0], outputs
    ran = [o for o in outputs if f"nights to run: {d3}" in o]
    waited = [o for o in outputs if "waiting up to 600 s for the warehouse lock" in o]
    assert len(ran) == 1, outputs
    assert len(waited) == 1, outputs
    # The one that waited found the night done when it got the lock (the extracts' last folder is
    # still incomplete, so it is not "up to date").
    assert "every complete night is published" in waited[0] and waited[0] is not ran[0]
    with duckdb.connect(str(site.database), read_only=True) as con:
        assert (
            con.execute("select count(*) from audit.publication_log where as_of_date = ?", [d3]).fetchone()[0]
            == 1
        )
    reference = after_kill.site
    assert (
        differences(
            snapshot(site.database, {"marts", "audit"}), snapshot(reference.database, {"marts", "audit"})
        )
        == []
    )
    assert (
        differences(
            snapshot(site.build_database, {"main", "raw"}, BUILD_STATE_TABLES),
            snapshot(reference.build_database, {"main", "raw"}, BUILD_STATE_TABLES),
        )
        == []
    )
