"""Dagster resources: the warehouse (published file, private build database, lock) and its rules
for what is worth retrying."""

from __future__ import annotations

import os
import socket
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import dagster as dg
import duckdb

from orchestration.core.settings import Settings
from orchestration.ops.locking import warehouse_lock

PID_TAG = "closecredit/pid"
HOST_TAG = "closecredit/host"
# DuckDB's message when another process has the file open for writing; dbt reports it the same way.
TRANSIENT_MARKERS = ("Could not set lock on file", "Conflicting lock is held")


def is_transient(exc: BaseException) -> bool:
    """A failure that may pass by itself (the database file is locked by another process);
    anything else (bad data, a failed test, a bug) is not retried."""
    seen = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        if any(marker in str(exc) for marker in TRANSIENT_MARKERS):
            return True
        exc = exc.__cause__ or exc.__context__
    return False


@contextmanager
def data_failures_not_retried(what: str) -> Iterator[None]:
    """Let transient errors through (the job's retry policy, `Settings.retry_policy()`, retries
    them); turn every other error into a Failure that the retry policy does not retry."""
    try:
        yield
    except dg.Failure:
        raise
    except Exception as exc:
        if is_transient(exc):
            raise
        raise dg.Failure(description=f"{what}: {exc}", allow_retries=False) from exc


class Warehouse(dg.ConfigurableResource):
    """The warehouse: `settings.database` is the published file analysts open; the night writes
    the build database beside it and only the publish step replaces the published file. A run
    holds the warehouse lock (`<database>.lock`) from its start to its end, so two runs never
    write at once."""

    settings: Settings

    @property
    def published(self) -> Path:
        return self.settings.published

    @property
    def build(self) -> Path:
        return self.settings.build_database

    @property
    def lock_file(self) -> Path:
        return self.settings.lock_file

    @contextmanager
    def yield_for_execution(self, context: dg.InitResourceContext) -> Iterator[Warehouse]:
        run = context.run
        purpose = f"Dagster run {run.run_id} ({run.job_name})" if run else "Dagster step"
        log = context.log.info if context.log else None
        with warehouse_lock(self.lock_file, timeout=self.settings.lock_timeout, purpose=purpose, on_wait=log):
            if run and context.instance:
                # Lets the next run tell a killed run (dead pid) from one that is still going.
                context.instance.add_run_tags(
                    run.run_id, {PID_TAG: str(os.getpid()), HOST_TAG: socket.gethostname()}
                )
            yield self

    @contextmanager
    def connect(self, read_only: bool = False) -> Iterator[duckdb.DuckDBPyConnection]:
        """A connection to the build database. Opening it is retried with backoff while another
        process holds DuckDB's own file lock (an analyst's write session, a dbt still exiting)."""
        self.build.parent.mkdir(parents=True, exist_ok=True)
        con = open_with_retry(
            self.build, read_only=read_only, retries=self.settings.retries, delay=self.settings.retry_delay
        )
        try:
            con.execute("set TimeZone = 'UTC'")
            yield con
        finally:
            con.close()


def open_with_retry(
    path: Path, *, read_only: bool = False, retries: int = 3, delay: float = 2.0
) -> duckdb.DuckDBPyConnection:
    attempts = retries + 1
    for attempt in range(1, attempts + 1):
        try:
            return duckdb.connect(str(path), read_only=read_only)
        except duckdb.IOException as exc:
            if not is_transient(exc) or attempt == attempts:
                raise
            time.sleep(delay * 2 ** (attempt - 1))
    raise AssertionError("unreachable")
