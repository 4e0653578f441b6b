"""`closecredit status`: what the published warehouse holds, which nights are pending or failed,
who holds the lock, and the last runs."""

from __future__ import annotations

import json
import os
from datetime import UTC, date, datetime

import dagster as dg
import duckdb

from orchestration.core import settings
from orchestration.night.landing import extract_folders
from orchestration.night.publish import published_nights, read_publication
from orchestration.ops.locking import describe_holder, is_locked
from orchestration.ops.runs import LAUNCHED_BY_TAG, nightly_runs


def _night_states(root, published: set[date], instance) -> list[tuple[date, str]]:
    folders = extract_folders(root) if root.is_dir() else {}
    states = []
    for night in sorted(set(folders) | published):
        folder = folders.get(night)
        if night in published:
            states.append((night, "published"))
        elif folder is None:
            states.append((night, "published (folder gone)"))
        elif not (folder / "_SUCCESS").exists():
            states.append((night, "incomplete (no _SUCCESS): not read"))
        else:
            last = nightly_runs(instance, night, limit=1)
            if last and last[0].status == dg.DagsterRunStatus.FAILURE:
                states.append(
                    (night, f"FAILED (run {last[0].run_id[:8]}): fix and re-deliver, or closecredit run")
                )
            elif last and not last[0].is_finished:
                states.append((night, f"{last[0].status.value.lower()} (run {last[0].run_id[:8]})"))
            else:
                states.append((night, "pending"))
    return states


def print_status(limit: int = 10) -> int:
    root = settings.extracts_root()
    database = settings.database_path()
    print(f"extracts:  {root}")
    try:
        publication = read_publication(database)
        published = published_nights(database)
    except duckdb.Error as exc:
        publication, published = None, set()
        print(f"warehouse: {database} (unreadable: {exc})")
    if publication:
        print(
            f"warehouse: {database}\n           as of {publication['as_of_date']}, run "
            f"{publication['run_id']}, published {publication['published_at']:%Y-%m-%d %H:%M:%S} UTC"
        )
    elif database.exists():
        print(f"warehouse: {database} (not published by closecredit yet)")
    else:
        print(f"warehouse: {database} (does not exist yet)")
    lock = settings.lock_path()
    print(
        f"lock:      {'held by ' + describe_holder(lock) if is_locked(lock) else 'free (no night running)'}"
    )

    instance = dg.DagsterInstance.get()
    print("\nnights:")
    states = _night_states(root, published, instance)
    for night, state in states:
        print(f"  {night}  {state}")
    if not states:
        print("  none")

    runs = nightly_runs(instance, limit=limit)
    print(f"\nlast runs (Dagster instance {os.environ.get('DAGSTER_HOME')}):")
    for run in runs:
        record = instance.get_run_record_by_id(run.run_id)
        started = record.start_time if record else None
        ended = record.end_time if record else None
        when = datetime.fromtimestamp(started, UTC).strftime("%Y-%m-%d %H:%M:%S") if started else ""
        took = f"{ended - started:.0f} s" if started and ended else ""
        print(
            f"  {run.run_id[:8]}  {run.tags.get('dagster/partition', '?'):10}  {run.status.value:9}  "
            f"{when:19}  {took:>6}  {run.tags.get(LAUNCHED_BY_TAG, 'ui')}"
        )
    if not runs:
        print("  none")
    failures = sorted(settings.failures_dir().glob("*.json"), key=lambda p: p.stat().st_mtime)[-3:]
    if failures:
        print("\nlast failure records:")
        for path in failures:
            try:
                print(f"  {path}: {json.loads(path.read_text(encoding='utf-8')).get('summary')}")
            except ValueError:
                print(f"  {path}")
    return 0
