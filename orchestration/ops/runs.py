"""What the Dagster instance knows about nights: which were run, which are running, which died.

Shared by the CLI, the schedule and the sensors, so "nothing runs twice for the same extract" means
the same thing wherever a run starts."""

from __future__ import annotations

import json
import os
import socket
from datetime import date
from pathlib import Path

import dagster as dg

from orchestration.night.landing import SUCCESS_MARKER
from orchestration.ops.resources import HOST_TAG, PID_TAG

NIGHTLY_JOB = "nightly"
PARTITION_TAG = "dagster/partition"
MARKER_TAG = "closecredit/extract_marker"
LAUNCHED_BY_TAG = "closecredit/launched_by"
WAREHOUSE_TAG = "closecredit/warehouse"  # the run queue lets one run with this tag go at a time

IN_FLIGHT = [
    dg.DagsterRunStatus.QUEUED,
    dg.DagsterRunStatus.NOT_STARTED,
    dg.DagsterRunStatus.STARTING,
    dg.DagsterRunStatus.STARTED,
    dg.DagsterRunStatus.CANCELING,
]

# The instance settings closecredit needs, written to DAGSTER_HOME/dagster.yaml when it has none,
# and written again when the file is one closecredit wrote (its first line) but not this version's
# (an older closecredit's, or a home that was moved): the run history in the folder stays as it is.
DAGSTER_YAML_HEADER = (
    "# closecredit's Dagster instance (written by closecredit when DAGSTER_HOME had no dagster.yaml)."
)
DAGSTER_YAML = f"""\
{DAGSTER_YAML_HEADER}
# closecredit rewrites this file while its first line is the one above: delete it to keep edits.
concurrency:
  pools:
    # Pool `warehouse` (every step that writes the DuckDB build database): one step at a time.
    default_limit: 1
  runs:
    tag_concurrency_limits:
      # One nightly run in progress; the queue starts the others one by one, oldest first.
      - key: {WAREHOUSE_TAG}
        limit: 1
event_log_storage:
  # Dagster's SQLite event log (same files) with its connections kept open between writes.
  module: orchestration.ops.event_log
  class: PooledSqliteEventLogStorage
  config:
    base_dir: {{event_log_dir}}
telemetry:
  enabled: false
"""


def dagster_yaml(path: Path) -> str:
    """This version's dagster.yaml for the instance in `path` (the event log where Dagster's
    default SQLite storage keeps it, so earlier runs stay readable)."""
    return DAGSTER_YAML.format(event_log_dir=json.dumps(str(path.resolve() / "history" / "runs")))


def ensure_dagster_home(path: Path) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    config = path / "dagster.yaml"
    wanted = dagster_yaml(path)
    if config.exists():
        current = config.read_text(encoding="utf-8")
        if current == wanted or not current.startswith(DAGSTER_YAML_HEADER):
            return path  # up to date, or the operator's own file
    # Written beside and renamed into place: a reader never sees half a file.
    temp = config.with_name(f".dagster.yaml.{os.getpid()}")
    temp.write_text(wanted, encoding="utf-8")
    temp.replace(config)
    return path


def extract_marker(folder: Path) -> str | None:
    """Identifies one delivery of a night: the `_SUCCESS` file's modification time (ns). An
    exporter that re-delivers a night writes a new `_SUCCESS`, which is a new extract."""
    try:
        return str((folder / SUCCESS_MARKER).stat().st_mtime_ns)
    except FileNotFoundError:
        return None


def run_key(night: date, marker: str | None) -> str:
    return f"{night.isoformat()}@{marker or 'unknown'}"


def nightly_runs(instance: dg.DagsterInstance, night: date | None = None, statuses=None, limit=None):
    tags = {PARTITION_TAG: night.isoformat()} if night else {}
    return instance.get_runs(
        dg.RunsFilter(job_name=NIGHTLY_JOB, tags=tags, statuses=statuses or []), limit=limit
    )


# How many of the newest runs are searched for a catch-up run that landed a night it was not
# built as of (runs built as of the night are found by their partition, however old).
CATCH_UP_LOOKBACK = 200


def runs_covering(instance: dg.DagsterInstance, night: date) -> list:
    """The nightly runs that landed `night`, newest first: those built as of it (its partition)
    and the catch-up runs that landed it on the way to a later night."""
    from orchestration.night.catch_up import run_nights

    runs = {run.run_id: run for run in nightly_runs(instance, night)}
    for run in nightly_runs(instance, limit=CATCH_UP_LOOKBACK):
        if run.run_id not in runs and night in run_nights(run.tags, run.tags.get(PARTITION_TAG)):
            runs[run.run_id] = run
    return sorted(runs.values(), key=lambda run: -_created(instance, run))


def _created(instance: dg.DagsterInstance, run) -> float:
    record = instance.get_run_record_by_id(run.run_id)
    return record.create_timestamp.timestamp() if record else 0.0


def night_is_handled(instance: dg.DagsterInstance, night: date, marker: str | None) -> str | None:
    """Why a night needs no new run (None when it does): a run is queued or going, a run
    succeeded, or a run already failed on this very delivery (running it again would fail again:
    the operator re-runs it with `closecredit run --date`, or the exporter re-delivers it). A
    catch-up run that stopped at a later night did not fail on this one: it is run again."""
    from orchestration.night.catch_up import nights_before, run_markers, stopped_at

    for run in runs_covering(instance, night):
        if run.status in IN_FLIGHT:
            return f"run {run.run_id} is {run.status.value.lower()}"
        if run.status == dg.DagsterRunStatus.SUCCESS:
            return f"run {run.run_id} succeeded"
        markers = run_markers(run.tags, run.tags.get(PARTITION_TAG))
        if night in nights_before(list(markers), stopped_at(run.tags)) and stopped_at(run.tags):
            continue
        if marker and markers.get(night) == marker:
            return f"run {run.run_id} failed on this delivery"
    return None


def runs_in_flight(instance: dg.DagsterInstance) -> list:
    return list(nightly_runs(instance, statuses=IN_FLIGHT))


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def recover_orphans(instance: dg.DagsterInstance) -> list:
    """Runs left `STARTED` by a process that died (a SIGKILL, a power cut): marked failed, and the
    pool slots they held freed, so the next night does not wait for them forever.

    Called while holding the warehouse lock: a live run holds that lock, so a run whose process is
    gone on this host is certainly dead."""
    orphans = []
    host = socket.gethostname()
    for run in nightly_runs(instance, statuses=IN_FLIGHT):
        pid = run.tags.get(PID_TAG)
        if not pid or run.tags.get(HOST_TAG, host) != host or int(pid) == os.getpid():
            continue
        if _alive(int(pid)):
            continue
        instance.report_run_failed(
            run,
            message=f"closecredit: the process running this night (pid {pid}) died; "
            "marked failed by the next run",
        )
        orphans.append(instance.get_run_by_id(run.run_id))
    for pool in instance.event_log_storage.get_concurrency_keys():
        info = instance.event_log_storage.get_concurrency_info(pool)
        for run_id in {s.run_id for s in info.claimed_slots} | {s.run_id for s in info.pending_steps}:
            holder = instance.get_run_by_id(run_id)
            if holder is None or holder.is_finished:
                instance.event_log_storage.free_concurrency_slots_for_run(run_id)
    return orphans
