"""`closecredit run`: run the Dagster nightly job in this process for the nights that need it,
and tell a person what happened. Several pending nights are one catch-up run (each night landed
and checked in order, one build as of the last, one publish; night/catch_up.py); `--one-by-one`
runs each night on its own.

A run holds the warehouse lock from before it decides which nights are pending until its last
night is published, so a second `closecredit run` (or a run from the UI) waits for it, bounded by
the lock timeout (`--lock-timeout` / CLOSECREDIT_LOCK_TIMEOUT), and is then refused with the holder
named. Everything the run needs comes from one `Settings` object, which the caller built."""

from __future__ import annotations

import contextlib
import getpass
import os
import socket
import sys
from datetime import date, timedelta

import dagster as dg

from orchestration.core.settings import Settings
from orchestration.core.spark import spark_missing
from orchestration.night import catch_up
from orchestration.night.build_vars import full_refresh_reason, recorded_vars
from orchestration.night.pending import ExtractsLayoutError, Nights, read_nights
from orchestration.ops.failures import handle_failed_run
from orchestration.ops.locking import WarehouseBusy, warehouse_lock
from orchestration.ops.resources import HOST_TAG, PID_TAG, open_with_retry
from orchestration.ops.runs import (
    LAUNCHED_BY_TAG,
    MARKER_TAG,
    NIGHTLY_JOB,
    ensure_dagster_home,
    extract_marker,
    recover_orphans,
)

EXIT_FAILED = 1
EXIT_USAGE = 2
EXIT_BUSY = 75  # EX_TEMPFAIL: try again later


def failure_report(result: dg.ExecuteInProcessResult) -> list[str]:
    """What failed, in words: failed steps with their messages (one line, never a stack trace:
    those stay in the log file), failed checks, and for a blocking one, per failed expectation,
    what it expects, how many rows failed and up to three of them (file, row, value)."""
    import re

    from orchestration.ops.failures import short

    lines = []
    for event in result.all_events:
        if event.event_type == dg.DagsterEventType.STEP_FAILURE:
            data = event.step_failure_data
            message = (data.user_failure_data.description if data.user_failure_data else None) or (
                data.error.message if data.error else "unknown error"
            )
            for marker in ("\nStack Trace:", "Traceback (most recent call last)"):
                message = message.split(marker, 1)[0]
            # "dagster._core.errors.DagsterAssetCheckFailedError: 1 blocking ..." -> "1 blocking ..."
            message = re.sub(r"^dagster\._core\.errors\.\w+: ", "", message.strip())
            lines.append(f"step {event.step_key} failed: {short(message)}")
        elif event.event_type == dg.DagsterEventType.ASSET_CHECK_EVALUATION:
            evaluation = event.event_specific_data
            if not evaluation.passed:
                severity = evaluation.severity.value if evaluation.severity else "ERROR"
                asset = evaluation.asset_key.to_user_string()
                entry = [f"check {evaluation.check_name} on {asset} failed ({severity})"]
                failures = evaluation.metadata.get("failures") if severity == "ERROR" else None
                for failure in (failures.value if failures is not None else None) or []:
                    entry.append(f"    {failure['object']}: {failure['expectation']}")
                    entry.append(f"      expectation: {failure['signature']}")
                    entry.append(f"      found: {failure['found']}")
                    entry += [f"      row: {sample}" for sample in failure["samples"][:3]]
                lines.append("\n".join(entry))  # one entry per check, its details indented
    return lines


def _nights_to_run(nights: Nights, only: date | None, start: date | None, end: date | None) -> list[date]:
    """`only`, else every pending night (complete, not published) in [start, end]."""
    if only:
        return [only]
    if start and end:
        complete = set(nights.complete)
        missing = [
            start + timedelta(days=i)
            for i in range((end - start).days + 1)
            if start + timedelta(days=i) not in complete
        ]
        if missing:
            print(f"no complete extract folder for: {', '.join(map(str, missing))}")
    return nights.pending(start, end)


def _nothing_to_run(nights: Nights, settings: Settings, start: date | None, end: date | None) -> str:
    """Why no night runs; "up to date" only when every night folder is published."""
    waiting = [d for d in nights.incomplete if d not in nights.published]
    if waiting:
        return (
            f"nothing to run under {nights.root}: every complete night is published; not complete yet "
            f"(no _SUCCESS): {', '.join(map(str, waiting))}"
        )
    if start or end:
        return f"nothing to run between {start or 'the first night'} and {end or 'the last night'}"
    return f"nothing pending under {nights.root}; the warehouse {settings.published} is up to date"


def _user() -> str:
    try:
        return getpass.getuser()
    except OSError:  # no name for this uid (a bare container)
        return f"uid {os.getuid()}"


def _run_config(log_level: str) -> dict:
    return {"loggers": {"console": {"config": {"log_level": log_level}}}}


def run_nights(
    settings: Settings,
    only: date | None = None,
    start: date | None = None,
    end: date | None = None,
    log_level: str = "WARNING",
    one_by_one: bool = False,
) -> int:
    """Land every pending night in date order (or the one `only` night), build and publish once as
    of the last; with `one_by_one`, each night is built and published on its own."""
    if settings.target == "spark" and (missing := spark_missing()):
        print(f"closecredit run --target spark: {missing}", file=sys.stderr)
        return EXIT_USAGE
    try:
        nights = read_nights(settings.extracts_root, settings.published)
    except ExtractsLayoutError as exc:
        print(f"closecredit run: {exc}", file=sys.stderr)
        return EXIT_USAGE
    for night in nights.incomplete:
        print(f"{night}: {nights.folders[night]} has no _SUCCESS file yet; skipped (not read)")
    if only and only not in nights.complete:
        print(f"{only}: no complete extract folder under {nights.root}")
        return EXIT_USAGE

    settings.published.parent.mkdir(parents=True, exist_ok=True)
    try:
        with warehouse_lock(
            settings.lock_file,
            timeout=settings.lock_timeout,
            purpose=f"closecredit run (started by {_user()})",
            on_wait=lambda message: print(message, flush=True),
        ):
            if settings.target == "spark":
                return _run_spark_locked(settings, only, start, end)
            # Opened under the lock: two runs on a fresh DAGSTER_HOME would race creating its storage.
            instance = dg.DagsterInstance.from_config(str(ensure_dagster_home(settings.dagster_home_path)))
            return _run_locked(settings, instance, only, start, end, log_level, one_by_one)
    except WarehouseBusy as exc:
        print(f"refused: {exc}", file=sys.stderr)
        return EXIT_BUSY


def _announce_vars(settings: Settings) -> None:
    """Say which vars the run overrides, and when they make it rebuild in full."""
    if settings.overrides:
        print(f"dbt vars overridden for this run: {settings.overrides}")
    if not settings.build_database.exists():
        return
    with open_with_retry(
        settings.build_database, read_only=True, retries=settings.retries, delay=settings.retry_delay
    ) as con:
        _, reason = full_refresh_reason(recorded_vars(con), settings.project_vars())
    if reason:
        print(reason)


def _run_locked(settings: Settings, instance, only, start, end, log_level, one_by_one=False) -> int:
    from orchestration.definitions import build_defs

    for orphan in recover_orphans(instance):
        path, _, _ = handle_failed_run(instance, orphan, settings)
        print(
            f"run {orphan.run_id} (night {orphan.tags.get('dagster/partition')}) had died without "
            f"finishing; marked failed{f', recorded in {path}' if path else ''}"
        )
    # Read again under the lock: a run we waited for may have published nights meanwhile.
    nights = read_nights(settings.extracts_root, settings.published)
    todo = _nights_to_run(nights, only, start, end)
    if not todo:
        print(_nothing_to_run(nights, settings, start, end))
        return 0

    database = settings.published
    instance.add_dynamic_partitions("extract_date", [n.isoformat() for n in todo])
    job = build_defs(settings).resolve_job_def(NIGHTLY_JOB)
    print(
        f"extracts: {nights.root}\nwarehouse: {database} (built in {settings.build_database})\n"
        f"nights to run: {', '.join(map(str, todo))}",
        flush=True,
    )
    _announce_vars(settings)
    for batch in catch_up.batches(todo, one_by_one):
        ok, stop = _run_batch(settings, instance, job, nights.root, batch, log_level)
        if ok:
            continue
        before = catch_up.nights_before(batch, stop) if stop else []
        if before:
            # The run stopped at a later night: the nights before it are built on their own.
            print(f"building the nights before {stop}: {', '.join(map(str, before))}", flush=True)
            _run_batch(settings, instance, job, nights.root, before, log_level)
        return EXIT_FAILED
    return 0


def _run_spark_locked(settings: Settings, only, start, end) -> int:
    """The pending nights on the Spark target, in this process (orchestration/night/spark_night.py)."""
    import uuid

    from orchestration.night.spark_night import SparkNightError, run_spark_night

    nights = read_nights(settings.extracts_root, settings.published)
    todo = _nights_to_run(nights, only, start, end)
    if not todo:
        print(_nothing_to_run(nights, settings, start, end))
        return 0
    print(
        f"extracts: {nights.root}\nwarehouse: {settings.published} (built on spark)\n"
        f"nights to run: {', '.join(map(str, todo))}",
        flush=True,
    )
    for night in todo:
        try:
            done = run_spark_night(settings, night, run_id=f"spark-{uuid.uuid4()}")
        except SparkNightError as exc:
            print(f"\nnight {night} FAILED on spark; nothing after it was run:\n  - {exc}")
            print(f"the published warehouse {settings.published} was left as it was")
            return EXIT_FAILED
        steps = ", ".join(f"{name} {seconds:.0f} s" for name, seconds in done.seconds.items())
        print(f"{night}: {done.rows_landed} rows landed, published {done.published} ({steps})", flush=True)
    return 0


def _run_batch(settings: Settings, instance, job, root, batch: list[date], log_level: str):
    """One run landing `batch` in order, built and published as of its last night: (succeeded,
    the night whose landing or raw gate stopped it, if one did)."""
    night = batch[-1]
    markers = {n: extract_marker(root / n.isoformat()) for n in batch}
    tags = {
        MARKER_TAG: markers[night] or "",
        LAUNCHED_BY_TAG: "cli",
        PID_TAG: str(os.getpid()),
        HOST_TAG: socket.gethostname(),
    }
    if len(batch) > 1:
        tags[catch_up.NIGHTS_TAG] = catch_up.nights_tag(batch, markers)
        print(
            f"catch-up: landing {', '.join(map(str, batch))}; one build and publish as of {night}", flush=True
        )
    # dbt's progress lines go to a log file unless --verbose: the terminal gets the summary.
    run_log = settings.logs_dir / f"{night.isoformat()}.log"
    run_log.parent.mkdir(parents=True, exist_ok=True)
    with (
        run_log.open("a", encoding="utf-8") as log_file,
        contextlib.redirect_stdout(sys.stdout if log_level == "DEBUG" else log_file),
        # Dagster's console logger writes step failures with their stack traces to stderr:
        # those belong in the log; the terminal gets failure_report's plain lines.
        contextlib.redirect_stderr(sys.stderr if log_level == "DEBUG" else log_file),
    ):
        result = job.execute_in_process(
            partition_key=night.isoformat(),
            instance=instance,
            tags=tags,
            run_config=_run_config(log_level),
            raise_on_error=False,
        )
    if log_level != "DEBUG":
        print(f"{night}: dbt and Dagster output in {run_log}")
    if not result.success:
        run = instance.get_run_by_id(result.run_id)
        stop = catch_up.stopped_at(run.tags)
        where = f"night {stop or night}" + (f" (of {batch[0]}..{night})" if len(batch) > 1 else "")
        print(f"\n{where} FAILED (run {result.run_id}); nothing after it was run:")
        for line in failure_report(result):
            print(f"  - {line}")
        path, _, outcomes = handle_failed_run(instance, run, settings)
        if path:
            print(f"failure record: {path}" + (f" ({'; '.join(outcomes)})" if outcomes else ""))
        print(f"the published warehouse {settings.published} was left as it was")
        return False, stop
    print()
    print((settings.summaries_dir / f"{night.isoformat()}.md").read_text(encoding="utf-8"), flush=True)
    return True, None
