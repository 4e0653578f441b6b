"""Failure notice: a failed night leaves a record a person can act on, and calls a hook.

The record (JSON, `<warehouse dir>/failures/<date>_<run id>.json`) says which step failed with what
message, which assets it did not build, which checks failed and which files could not be landed.
The next publish copies every record into the published file's `audit.run_failures` table.

The hooks are settings (`Settings.failure_command` / `failure_webhook`, from the environment
variables `CLOSECREDIT_FAILURE_COMMAND` / `CLOSECREDIT_FAILURE_WEBHOOK`), none by default:
- the command is a shell command; the record arrives on its standard input and its path in
  `CLOSECREDIT_FAILURE_RECORD` (set in the command's environment only);
- the webhook is a URL that receives the record as a JSON POST.

Both the CLI (after an in-process run) and the run-failure sensor (runs launched from the UI, the
schedule or the sensor) call `handle_failed_run`; the record file is created exclusively, so one
failed run is reported once even when both see it.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import urllib.request
from datetime import UTC, datetime
from pathlib import Path

import dagster as dg

from orchestration.core.settings import Settings
from orchestration.ops.runs import PARTITION_TAG

MAX_ASSETS_LISTED = 25
_ANSI = re.compile(r"\x1b\[[0-9;]*m")  # dbt colours its console output
HOOK_TIMEOUT = 30  # seconds


def _error_text(error) -> str:
    if error is None:
        return "unknown error"
    message = (error.message or "").strip()
    cause = getattr(error, "cause", None)
    while cause is not None and not message:
        message = (cause.message or "").strip()
        cause = getattr(cause, "cause", None)
    return message or error.cls_name or "unknown error"


def short(message: str, limit: int = 400) -> str:
    """One line: a dbt failure's parsed errors (what broke), else the whole message."""
    marker = "Errors parsed from dbt logs:"
    text = message.split(marker, 1)[1] if marker in message else message
    text = " ".join(_ANSI.sub("", text).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def failure_record(
    instance: dg.DagsterInstance, run: dg.DagsterRun, published: Path, reason: str | None = None
) -> dict:
    """Read the run's events: failed steps (message, assets not built, files), failed checks."""
    records = instance.all_logs(run.run_id)
    planned: dict[str, list[str]] = {}
    built: set[str] = set()
    steps, checks, files = [], [], []
    run_failure = None
    for entry in records:
        event = entry.dagster_event
        if event is None:
            continue
        kind = event.event_type
        if kind == dg.DagsterEventType.ASSET_MATERIALIZATION_PLANNED:
            planned.setdefault(event.step_key or "", []).append(event.asset_key.to_user_string())
        elif kind == dg.DagsterEventType.ASSET_MATERIALIZATION:
            built.add(event.asset_key.to_user_string())
        elif kind == dg.DagsterEventType.STEP_FAILURE:
            data = event.step_failure_data
            metadata = {}
            if data.user_failure_data and data.user_failure_data.metadata:
                metadata = {k: v.value for k, v in data.user_failure_data.metadata.items()}
            step_files = [str(f) for f in metadata.get("failed_files") or []]
            files += [f for f in step_files if f not in files]
            message = (data.user_failure_data.description if data.user_failure_data else None) or (
                _error_text(data.error)
            )
            steps.append({"step": event.step_key, "message": message.strip(), "files": step_files})
        elif kind == dg.DagsterEventType.ASSET_CHECK_EVALUATION:
            evaluation = event.event_specific_data
            if not evaluation.passed:
                checks.append(
                    {
                        "asset": evaluation.asset_key.to_user_string(),
                        "check": evaluation.check_name,
                        "severity": evaluation.severity.value if evaluation.severity else "ERROR",
                        "description": evaluation.description,
                    }
                )
        elif kind == dg.DagsterEventType.RUN_FAILURE:
            data = event.event_specific_data
            run_failure = _error_text(data.error) if data and data.error else event.message
    for step in steps:
        not_built = [a for a in planned.get(step["step"], []) if a not in built]
        step["assets_not_built"] = not_built[:MAX_ASSETS_LISTED]
        step["assets_not_built_count"] = len(not_built)
    reason = reason or run_failure
    parts = [f"step {s['step']}: {short(s['message']) if s['message'] else ''}" for s in steps]
    parts += [f"check {c['check']} on {c['asset']} failed ({c['severity']})" for c in checks]
    if not parts and reason:
        parts.append(reason.splitlines()[0])
    night = run.tags.get(PARTITION_TAG)
    return {
        "run_id": run.run_id,
        "job": run.job_name,
        "extract_date": night,
        "failed_at": datetime.now(UTC).replace(tzinfo=None).isoformat(timespec="seconds"),
        "summary": f"night {night} failed: " + "; ".join(parts or ["see the run's logs"]),
        "reason": reason,
        "failed_steps": steps,
        "failed_checks": checks,
        "failed_files": files,
        "tags": {k: v for k, v in run.tags.items() if not k.startswith(".")},
        "warehouse": str(published),
        "published_unchanged": True,
    }


def write_record(record: dict, directory: Path) -> Path | None:
    """Write the record; None when this run was already recorded (by the CLI or the sensor)."""
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{record['extract_date'] or 'unknown'}_{record['run_id']}.json"
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
    except FileExistsError:
        return None
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        json.dump(record, handle, indent=2, default=str)
        handle.write("\n")
    return path


def call_hooks(record: dict, path: Path, command: str = "", webhook: str = "") -> list[str]:
    """Run the configured command and/or POST to the webhook; returns what happened, in words.
    A hook that fails is reported, never raised: the failure record is already on disk."""
    outcomes = []
    payload = json.dumps(record, default=str).encode("utf-8")
    if command:
        try:
            done = subprocess.run(
                command,
                shell=True,
                input=payload,
                env={**os.environ, "CLOSECREDIT_FAILURE_RECORD": str(path)},
                timeout=HOOK_TIMEOUT,
                capture_output=True,
                check=False,
            )
            outcomes.append(f"failure command exited {done.returncode}")
        except (OSError, subprocess.TimeoutExpired) as exc:
            outcomes.append(f"failure command could not run: {exc}")
    if webhook:
        request = urllib.request.Request(
            webhook, data=payload, headers={"Content-Type": "application/json"}, method="POST"
        )
        try:
            with urllib.request.urlopen(request, timeout=HOOK_TIMEOUT) as response:
                outcomes.append(f"failure webhook answered {response.status}")
        except Exception as exc:
            outcomes.append(f"failure webhook failed: {exc}")
    return outcomes


def handle_failed_run(
    instance: dg.DagsterInstance, run: dg.DagsterRun, settings: Settings, reason: str | None = None
) -> tuple[Path | None, dict, list[str]]:
    """Record a failed run once and call the hooks. Returns (record path or None if it had been
    recorded already, the record, hook outcomes)."""
    record = failure_record(instance, run, settings.published, reason)
    path = write_record(record, settings.failures_dir)
    if path is None:
        return None, record, []
    return path, record, call_hooks(record, path, settings.failure_command, settings.failure_webhook)
