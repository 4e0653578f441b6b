"""The instance closecredit writes: its event log keeps Dagster's files, writes each event once per
shard as before, writes a batch in one transaction, and older DAGSTER_HOMEs are brought up to date."""

from __future__ import annotations

import time
from pathlib import Path

import dagster as dg
import pytest
from dagster._core.events import DagsterEvent, DagsterEventType, StepMaterializationData
from dagster._core.events.log import EventLogEntry
from dagster._core.storage.event_log.sqlite.sqlite_event_log import SqliteEventLogStorage
from sqlalchemy import Engine
from sqlalchemy import event as sa_event
from sqlalchemy.pool import Pool

from orchestration.ops.event_log import PooledSqliteEventLogStorage
from orchestration.ops.runs import DAGSTER_YAML_HEADER, dagster_yaml, ensure_dagster_home

RUN_ID = "0f0f0f0f-0000-4000-8000-000000000000"

# What closecredit wrote to dagster.yaml before the event log setting (commit d4e4184 and earlier).
OLD_YAML = f"""\
{DAGSTER_YAML_HEADER}
concurrency:
  pools:
    # Pool `warehouse` (every step that writes the DuckDB build database): one step at a time.
    default_limit: 1
  runs:
    tag_concurrency_limits:
      # One nightly run in progress; the queue starts the others one by one, oldest first.
      - key: closecredit/warehouse
        limit: 1
telemetry:
  enabled: false
"""


def _materialization(i: int) -> EventLogEntry:
    event = DagsterEvent(
        DagsterEventType.ASSET_MATERIALIZATION.value,
        "nightly",
        event_specific_data=StepMaterializationData(dg.AssetMaterialization(asset_key=f"model_{i}")),
    )
    return EventLogEntry(
        user_message="",
        level=20,
        job_name="nightly",
        run_id=RUN_ID,
        error_info=None,
        timestamp=time.time(),
        dagster_event=event,
    )


def _latest(storage, i: int):
    return storage.get_latest_materialization_events([dg.AssetKey(f"model_{i}")])[dg.AssetKey(f"model_{i}")]


@pytest.fixture
def home(tmp_path: Path):
    path = ensure_dagster_home(tmp_path / "dagster_home")
    instance = dg.DagsterInstance.from_config(str(path))
    yield path, instance
    instance.dispose()


def test_instance_uses_the_pooled_event_log_in_dagsters_folder(home):
    path, instance = home
    assert isinstance(instance.event_log_storage, PooledSqliteEventLogStorage)
    assert Path(instance.event_log_storage._base_dir) == path.resolve() / "history" / "runs"


def test_events_are_readable_by_dagsters_own_storage_and_connections_are_kept(home):
    path, instance = home
    opened = []

    def count(dbapi_connection, record):
        opened.append(1)

    sa_event.listen(Pool, "connect", count)
    try:
        for i in range(20):
            instance.event_log_storage.store_event(_materialization(i))
    finally:
        sa_event.remove(Pool, "connect", count)
    # 20 events, each written to its run's shard and mirrored into the index (Dagster's default
    # storage opens 40+ sqlite connections for them, and checkpoints the WAL at each close)
    assert len(opened) <= 2
    default = SqliteEventLogStorage(str(path / "history" / "runs"))
    assert len(default.get_logs_for_run(RUN_ID)) == 20
    assert _latest(default, 7) is not None


def test_a_batch_is_one_transaction_and_stores_what_one_by_one_stores(tmp_path):
    one = PooledSqliteEventLogStorage(str(tmp_path / "one"))
    batch = PooledSqliteEventLogStorage(str(tmp_path / "batch"))
    events = [_materialization(i) for i in range(12)]
    for storage in (one, batch):  # the run's shard created (its schema is a commit of its own)
        storage.store_event(_materialization(99))
    for event in events:
        one.store_event(event)
    commits = []

    def count(conn):
        commits.append(conn.engine.url.database.rsplit("/", 1)[1])

    sa_event.listen(Engine, "commit", count)
    try:
        batch.store_event_batch(events)
    finally:
        sa_event.remove(Engine, "commit", count)
    # one transaction per shard (one by one: 24, the run's shard and the index for each event)
    assert sorted(commits) == sorted(["index.db", f"{RUN_ID}.db"])
    for storage in (one, batch):
        assert len(storage.get_logs_for_run(RUN_ID)) == 13
    for i in range(12):
        assert _latest(batch, i).timestamp == _latest(one, i).timestamp
    one.dispose()
    batch.dispose()


def test_a_failing_batch_stores_nothing(tmp_path, monkeypatch):
    storage = PooledSqliteEventLogStorage(str(tmp_path / "runs"))
    events = [_materialization(i) for i in range(5)]
    calls = []
    real = SqliteEventLogStorage.store_event

    def store_then_fail(self, event):
        calls.append(event)
        real(self, event)
        if len(calls) == 3:
            raise RuntimeError("disk full")

    monkeypatch.setattr(SqliteEventLogStorage, "store_event", store_then_fail)
    with pytest.raises(RuntimeError):
        storage.store_event_batch(events)
    monkeypatch.undo()
    assert storage.get_logs_for_run(RUN_ID) == []  # rolled back: Dagster then stores them one by one
    storage.dispose()


def test_an_older_closecredit_yaml_is_rewritten_and_the_operators_own_is_kept(tmp_path):
    old = tmp_path / "old"
    old.mkdir()
    (old / "dagster.yaml").write_text(OLD_YAML, encoding="utf-8")
    ensure_dagster_home(old)
    assert (old / "dagster.yaml").read_text(encoding="utf-8") == dagster_yaml(old)

    own = tmp_path / "own"
    own.mkdir()
    mine = OLD_YAML.split("\n", 1)[1]  # the same settings without closecredit's first line
    (own / "dagster.yaml").write_text(mine, encoding="utf-8")
    ensure_dagster_home(own)
    assert (own / "dagster.yaml").read_text(encoding="utf-8") == mine


def test_a_home_written_by_an_older_version_keeps_its_runs(tmp_path):
    """Runs stored with Dagster's default storage (an older closecredit's home) are found after the
    file is rewritten: the same run index, the same event log folder."""
    path = tmp_path / "dagster_home"
    path.mkdir()
    (path / "dagster.yaml").write_text(OLD_YAML, encoding="utf-8")
    old = dg.DagsterInstance.from_config(str(path))
    assert type(old.event_log_storage) is SqliteEventLogStorage
    old.event_log_storage.store_event(_materialization(1))
    old.dispose()

    ensure_dagster_home(path)
    new = dg.DagsterInstance.from_config(str(path))
    assert isinstance(new.event_log_storage, PooledSqliteEventLogStorage)
    assert len(new.event_log_storage.get_logs_for_run(RUN_ID)) == 1
    assert _latest(new.event_log_storage, 1) is not None
    new.dispose()
