"""One writer per warehouse: the cross-process lock, its refusal message, and transient retries."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import duckdb
import pytest

from orchestration.ops.locking import WarehouseBusy, holder, is_locked, warehouse_lock
from orchestration.ops.resources import is_transient, open_with_retry

HOLD = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    from orchestration.ops.locking import warehouse_lock
    with warehouse_lock(Path(sys.argv[1]), timeout=0, purpose="test holder"):
        print("held", flush=True)
        time.sleep(float(sys.argv[2]))
    """
)


def _holder_process(lock: Path, seconds: float) -> subprocess.Popen:
    process = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(lock), str(seconds)], stdout=subprocess.PIPE, text=True
    )
    assert process.stdout.readline().strip() == "held"
    return process


def test_a_second_process_is_refused_with_the_holder_named(tmp_path):
    lock = tmp_path / "cc.duckdb.lock"
    process = _holder_process(lock, 30)
    try:
        assert is_locked(lock)
        started = time.monotonic()
        with pytest.raises(WarehouseBusy) as refused, warehouse_lock(lock, timeout=0.6):
            pass
        assert 0.5 < time.monotonic() - started < 5
        message = str(refused.value)
        assert f"pid {process.pid}" in message and "test holder" in message and str(lock) in message
        assert "CLOSECREDIT_LOCK_TIMEOUT" in message
    finally:
        process.kill()
        process.wait()


def test_a_killed_holder_leaves_no_stale_lock(tmp_path):
    lock = tmp_path / "cc.duckdb.lock"
    process = _holder_process(lock, 30)
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    assert lock.exists() and not is_locked(lock)
    with warehouse_lock(lock, timeout=0, purpose="next run"):
        assert holder(lock)["pid"] == os.getpid()


def test_a_waiting_process_gets_the_lock_when_the_holder_ends(tmp_path):
    lock = tmp_path / "cc.duckdb.lock"
    process = _holder_process(lock, 1.0)
    waits = []
    with warehouse_lock(lock, timeout=20, on_wait=waits.append):
        assert holder(lock)["pid"] == os.getpid()
    assert len(waits) == 1 and f"pid {process.pid}" in waits[0]
    process.wait()


def test_the_lock_is_reentrant_within_a_process(tmp_path):
    lock = tmp_path / "cc.duckdb.lock"
    with warehouse_lock(lock, timeout=0):
        with warehouse_lock(lock, timeout=0):
            assert is_locked(lock)
        assert is_locked(lock)
    assert not is_locked(lock)


def test_closecredit_run_is_refused_while_another_run_holds_the_warehouse(tmp_path):
    extracts = tmp_path / "extracts"
    (extracts / "2026-11-26").mkdir(parents=True)
    (extracts / "2026-11-26" / "_SUCCESS").touch()  # one complete night: the run is not a usage error
    database = tmp_path / "warehouse" / "cc.duckdb"
    env = {
        **os.environ,
        "CLOSECREDIT_EXTRACTS": str(extracts),
        "CLOSECREDIT_DATABASE": str(database),
        "DAGSTER_HOME": str(tmp_path / "dagster_home"),
    }
    with warehouse_lock(Path(f"{database}.lock"), timeout=0, purpose="the test"):
        done = subprocess.run(
            [str(Path(sys.executable).with_name("closecredit")), "run", "--lock-timeout", "1"],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
    assert done.returncode == 75, done.stdout + done.stderr
    assert "refused: the warehouse is busy" in done.stderr
    assert f"pid {os.getpid()}" in done.stderr and "the test" in done.stderr
    assert "waiting up to 1 s for the warehouse lock" in done.stdout


LOCK_DUCKDB = textwrap.dedent(
    """
    import sys, time, duckdb
    con = duckdb.connect(sys.argv[1])
    con.execute("create table if not exists t as select 1 as x")
    print("open", flush=True)
    time.sleep(float(sys.argv[2]))
    con.close()
    """
)


def test_a_locked_duckdb_file_is_transient_and_retried_with_backoff(tmp_path):
    database = tmp_path / "cc.build.duckdb"
    process = subprocess.Popen(
        [sys.executable, "-c", LOCK_DUCKDB, str(database), "2"], stdout=subprocess.PIPE, text=True
    )
    assert process.stdout.readline().strip() == "open"
    with pytest.raises(duckdb.IOException) as locked:
        duckdb.connect(str(database))
    assert is_transient(locked.value)
    assert not is_transient(ValueError("missing column stage_name"))
    # 0.5 + 1 + 2 s of backoff outlast the 2 s the other process holds the file.
    started = time.monotonic()
    con = open_with_retry(database, retries=3, delay=0.5)
    try:
        assert con.execute("select x from t").fetchone() == (1,)
    finally:
        con.close()
    assert time.monotonic() - started > 0.4
    process.wait()
