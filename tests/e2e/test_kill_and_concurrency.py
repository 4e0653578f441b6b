"""A night killed in the middle of its dbt build, and runs started while a night runs. One night
sequence serves both (`after_kill`, tests/e2e/conftest.py): the killed run is D2 of a
`--one-by-one` run (D1 already published), and the two runs that waited for it are the rerun and
the run that finds the night done."""

from __future__ import annotations

import duckdb
import pytest

from tests.e2e.conftest import DBT_MODEL_STARTED

pytestmark = pytest.mark.e2e


def _winner_and_loser(after_kill, night):
    """(the waiter that ran `night`, the one that found it published)."""
    ran = [w for w in after_kill.waiters if f"nights to run: {night}" in w.stdout]
    others = [w for w in after_kill.waiters if w not in ran]
    assert len(ran) == 1 and len(others) == 1, [w.stdout for w in after_kill.waiters]
    return ran[0], others[0]


def test_a_killed_night_leaves_the_published_marts_intact_and_the_rerun_succeeds(after_kill, extracts):
    d1, d2, _ = extracts.complete
    killed = after_kill
    # The kill came while dbt was building D2's models, after D1 was published, before D2's publish.
    assert f"nights to run: {d1}, {d2}" in killed.killed_log
    _, _, after_d1 = killed.killed_log.partition(f"# closecredit night {d1}")
    building_d2 = DBT_MODEL_STARTED.search(after_d1)
    assert building_d2, killed.killed_log[-3000:]
    assert "## Published" not in after_d1[building_d2.start() :]
    assert f"# closecredit night {d2}" not in killed.killed_log
    # The last published file: readable while the night built, unchanged (byte for byte) and
    # readable after.
    assert killed.as_of_while_building == d1
    assert killed.digest_after_kill == killed.digest_before
    assert killed.as_of_after_kill == d1 and killed.audit_rows_after_kill > 0
    # Nothing had to be cleaned by hand: the rerun (the waiter that got the lock) found the dead
    # run and went on.
    rerun, _ = _winner_and_loser(killed, d2)
    assert rerun.returncode == 0, rerun.stdout
    assert "had died without finishing; marked failed" in rerun.stdout
    assert f"nights to run: {d2}" in rerun.stdout and f"as of {d2}" in rerun.stdout
    assert not [n for n in killed.leftovers_after_kill if ".publishing-" in n]
    with duckdb.connect(str(killed.site.database), read_only=True) as con:
        published = {r[0] for r in con.execute("select as_of_date from audit.publication_log").fetchall()}
    assert published == {d1, d2}
    status = killed.site.run("status").stdout
    assert "FAILURE" in status and "SUCCESS" in status


def test_runs_started_while_a_night_runs_wait_and_the_night_runs_once(after_kill, extracts):
    """Both waiters were started while the first run held the lock; the one that got it second
    decided what to run only then, found the night published, and ran nothing. That the data is
    as after one run of each night: test_catch_up_equals_the_nights_run_one_by_one compares this
    site, after both waiters ended, with the catch-up `backfill`, table for table."""
    d1, d2, _ = extracts.complete
    waited = [w.stdout for w in after_kill.waiters]
    assert [w.returncode for w in after_kill.waiters] == [0, 0], waited
    assert all("waiting up to " in out and " s for the warehouse lock" in out for out in waited), waited
    _, found_done = _winner_and_loser(after_kill, d2)
    # It waited (the first run held the lock), then found D2 done when it got the lock (the
    # extracts' last folder is still incomplete, so it is not "up to date").
    assert "every complete night is published" in found_done.stdout, found_done.stdout
    assert "nights to run" not in found_done.stdout and "had died" not in found_done.stdout
    with duckdb.connect(str(after_kill.site.database), read_only=True) as con:
        counts = dict(
            con.execute("select as_of_date, count(*) from audit.publication_log group by 1").fetchall()
        )
    assert counts == {d1: 1, d2: 1}
    # The Dagster runs: D1 and the killed D2 of the first run, D2 of the rerun; none of the other.
    status = after_kill.site.run("status").stdout
    assert status.count(f"{d1}  SUCCESS") == 1, status
    assert status.count(f"{d2}  FAILURE") == 1 and status.count(f"{d2}  SUCCESS") == 1, status
