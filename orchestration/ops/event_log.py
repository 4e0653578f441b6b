"""Dagster's SQLite event log, with its connections kept open between writes.

Dagster's default `SqliteEventLogStorage` creates a SQLAlchemy engine for every write and closes
its only connection after it. Closing the last connection to a WAL database checkpoints the WAL
into the database file (an fsync) and deletes it; a new engine also compiles every statement
again and re-reads the schema. A night stores ~1,300 events (each dbt node is a materialization
or a check evaluation, mirrored into the index shard), so that was 70-150 ms per event, 90-130 s
a night, on this machine (docs/benchmarks.md, "Fourth pass").

This class keeps the same files (one `<run_id>.db` per run and `index.db`, under
`DAGSTER_HOME/history/runs/`) and the same SQL, commits and `synchronous` setting (every commit is
still an fsync of the WAL: the run history is as durable as before); it only keeps one engine with
one open connection per recently used shard. SQLite checkpoints the WAL itself every 1,000 pages
and when the last connection closes (the process ends or `dispose`). Other processes (the daemon,
the webserver) read and write the same files as before: WAL lets them.

A batch of events (Dagster sends the ~430 planned materializations and checks of a run's launch as
one, when `DAGSTER_EVENT_BATCH_SIZE` is set, which this class sets) is written in one transaction
per shard instead of one or three each: all of a launch's planned events are stored, atomically,
before its first step, as before; an error rolls the batch back and Dagster stores the events one
by one."""

from __future__ import annotations

import contextlib
import os
import threading
from collections import OrderedDict
from collections.abc import Iterator
from contextlib import contextmanager

from dagster._core.storage.event_log.sqlite.sqlite_event_log import (
    INDEX_SHARD_NAME,
    SqliteEventLogStorage,
)
from dagster._core.storage.sql import create_engine
from dagster._core.storage.sqlite import SQLITE_BUSY_TIMEOUT_SECONDS
from sqlalchemy.pool import QueuePool

# Shards whose engine stays open: the index and the runs a process touched last (a night writes
# one run's shard; a long-lived daemon or webserver reads many, and must not hold them all open).
OPEN_SHARDS = 4
# Events per batch Dagster hands to `store_event_batch` (a launch's planned events are one batch;
# Dagster reads the variable when it stores them). The operator's own value wins.
EVENT_BATCH_SIZE = "1000"


class PooledSqliteEventLogStorage(SqliteEventLogStorage):
    """`SqliteEventLogStorage` (same files, schema and durability) with one pooled engine per shard."""

    def __init__(self, base_dir: str, inst_data=None):
        self._engines: OrderedDict[str, object] = OrderedDict()
        self._engines_pid = os.getpid()
        self._batch = threading.local()  # shard -> the connection of the batch this thread writes
        super().__init__(base_dir, inst_data=inst_data)
        # Re-entrant: inside a batch, Dagster's per-event code opens the shard again (same thread).
        self._db_lock = threading.RLock()
        os.environ.setdefault("DAGSTER_EVENT_BATCH_SIZE", EVENT_BATCH_SIZE)

    @classmethod
    def from_config_value(cls, inst_data, config_value):
        return cls(inst_data=inst_data, **config_value)

    def _engine(self, shard: str):
        if self._engines_pid != os.getpid():
            # A forked child must not share the parent's sqlite connections: it opens its own.
            for engine in self._engines.values():
                engine.dispose(close=False)
            self._engines.clear()
            self._engines_pid = os.getpid()
        engine = self._engines.get(shard)
        if engine is not None:
            self._engines.move_to_end(shard)
            return engine
        engine = create_engine(
            self.conn_string_for_shard(shard),
            poolclass=QueuePool,
            pool_size=1,
            max_overflow=8,  # a nested connection (none today) gets a short-lived one
            connect_args={"timeout": SQLITE_BUSY_TIMEOUT_SECONDS, "check_same_thread": False},
        )
        self._engines[shard] = engine
        runs = [name for name in self._engines if name != INDEX_SHARD_NAME]
        while len(runs) > OPEN_SHARDS:
            self._engines.pop(runs.pop(0)).dispose()
        return engine

    @contextmanager
    def _connect(self, shard: str) -> Iterator:
        # As Dagster's: under the storage's lock, the shard created on first use, one transaction.
        with self._db_lock:
            batch = getattr(self._batch, "connections", None)
            if batch is not None and shard in batch:
                yield batch[shard]  # inside a batch: its transaction, committed at its end
                return
            engine = self._engine(shard)
            if shard not in self._initialized_dbs:
                self._initdb(engine)
                self._initialized_dbs.add(shard)
            with engine.connect() as conn, conn.begin():
                yield conn

    def store_event_batch(self, events) -> None:
        """Dagster's `store_event` for each event, in one transaction per shard."""
        if len(events) < 2 or getattr(self._batch, "connections", None) is not None:
            super().store_event_batch(events)
            return
        with self._db_lock, contextlib.ExitStack() as transactions:
            self._batch.connections = {}
            try:
                # Open (and begin) every shard the batch writes first, so each store_event reuses them.
                for shard in sorted({event.run_id for event in events} | {INDEX_SHARD_NAME}):
                    self._batch.connections[shard] = transactions.enter_context(self._connect(shard))
                for event in events:
                    self.store_event(event)
            finally:
                # the ExitStack commits (or, on an error, rolls back) each shard's transaction
                self._batch.connections = None

    def _dispose_engines(self) -> None:
        with self._db_lock:
            for engine in self._engines.values():
                engine.dispose()
            self._engines.clear()

    def wipe(self) -> None:
        # The run shards' files are deleted: no connection may keep writing to a deleted file.
        self._dispose_engines()
        super().wipe()

    def upgrade(self) -> None:
        self._dispose_engines()
        super().upgrade()

    def dispose(self) -> None:
        self._dispose_engines()
        super().dispose()
