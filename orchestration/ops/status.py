"""`closecredit status`: what the published warehouse holds, which nights are pending or failed,
who holds the lock, and the last runs."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import dagster as dg
import duckdb

from orchestration.core.settings import Settings
from orchestration.night.pending import ExtractsLayoutError, Nights, read_nights
from orchestration.night.publish import read_publication
from orchestration.ops.locking import describe_holder, is_locked
from orchestration.ops.runs import LAUNCHED_BY_TAG, ensure_dagster_home, nightly_runs


def _night_states(nights: Nights, instance) -> list[tuple[str, str]]:
    pending = set(nights.pending())
    states = []
    for night in sorted(set(nights.folders) | nights.published):
        if night in nights.published:
            state = "published" if night in nights.folders else "published (folder gone)"
        elif night not in pending:
            state = "incomplete (no _SUCCESS): not read"
        else:
            last = nightly_runs(instance, night, limit=1)
            if last and last[0].status == dg.DagsterRunStatus.FAILURE:
                state = f"FAILED (run {last[0].run_id[:8]}): fix and re-deliver, or closecredit run"
            elif last and not last[0].is_finished:
                state = f"{last[0].status.value.lower()} (run {last[0].run_id[:8]})"
            else:
                state = "pending"
        states.append((str(night), state))
    return states


def print_status(settings: Settings, limit: int = 10) -> int:
    root = settings.extracts_root
    database = settings.published
    print(f"extracts:  {root}")
    try:
        publication = read_publication(database)
    except duckdb.Error as exc:
        publication = None
        print(f"warehouse: {database} (unreadable: {exc})")
    if publication:
        overrides = publication.get("var_overrides")
        print(
            f"warehouse: {database}\n           as of {publication['as_of_date']}, run "
            f"{publication['run_id']}, published {publication['published_at']:%Y-%m-%d %H:%M:%S} UTC"
            + (f"\n           dbt vars overridden: {overrides}" if overrides else "")
        )
    elif database.exists():
        print(f"warehouse: {database} (not published by closecredit yet)")
    else:
        print(f"warehouse: {database} (does not exist yet)")
    lock = settings.lock_file
    print(
        f"lock:      {'held by ' + describe_holder(lock) if is_locked(lock) else 'free (no night running)'}"
    )

    home = ensure_dagster_home(settings.dagster_home_path)
    instance = dg.DagsterInstance.from_config(str(home))
    print("\nnights:")
    try:
        states = _night_states(read_nights(root, database, unreadable_published_ok=True), instance)
    except ExtractsLayoutError as exc:
        states = []
        print(f"  {exc}")
    for night, state in states:
        print(f"  {night}  {state}")
    if not states:
        print("  none")

    runs = nightly_runs(instance, limit=limit)
    print(f"\nlast runs (Dagster instance {home}):")
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
    failures = sorted(settings.failures_dir.glob("*.json"), key=lambda p: p.stat().st_mtime)[-3:]
    if failures:
        print("\nlast failure records:")
        for path in failures:
            try:
                print(f"  {path}: {json.loads(path.read_text(encoding='utf-8')).get('summary')}")
            except ValueError:
                print(f"  {path}")
    return 0
