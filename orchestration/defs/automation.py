"""When nights run by themselves: a nightly schedule, a sensor for extracts that arrive late (or
after an outage), and a sensor that reports failed nights.

Both the schedule and the arrival sensor start at most one night at a time, oldest unloaded first,
so nights are always built in date order; they skip a night that is published, queued or running,
that succeeded, or that already failed on the same delivery (its `_SUCCESS` file), whoever started
the earlier run (the CLI, the UI, the schedule or the sensor)."""

from __future__ import annotations

from datetime import date

import dagster as dg

from orchestration.core.settings import Settings
from orchestration.defs.partitions import extract_dates
from orchestration.night.pending import ExtractsLayoutError, read_nights
from orchestration.ops.failures import handle_failed_run
from orchestration.ops.runs import (
    LAUNCHED_BY_TAG,
    MARKER_TAG,
    extract_marker,
    night_is_handled,
    run_key,
    runs_in_flight,
)


def unloaded_nights(
    instance: dg.DagsterInstance, settings: Settings
) -> tuple[list[tuple[date, str | None]], list[date], str]:
    """(nights to run, oldest first, with their delivery marker; every complete night; why none):
    the pending nights (`read_nights`) that no run of the instance has handled."""
    try:
        # An unreadable published file counts as publishing nothing: the instance's runs decide.
        nights = read_nights(settings.extracts_root, settings.published, unreadable_published_ok=True)
    except ExtractsLayoutError as exc:
        return [], [], str(exc)
    complete = nights.complete
    if not complete:
        return [], [], f"no complete extract folder (with _SUCCESS) under {nights.root}"
    reasons = [f"{night} published" for night in complete if night in nights.published]
    todo = []
    for night in nights.pending():
        marker = extract_marker(nights.root / night.isoformat())
        handled = night_is_handled(instance, night, marker)
        if handled:
            reasons.append(f"{night}: {handled}")
            continue
        todo.append((night, marker))
    return todo, complete, "nothing to run: " + "; ".join(reasons[-3:])


def _run_request(night: date, marker: str | None, launched_by: str) -> dg.RunRequest:
    return dg.RunRequest(
        partition_key=night.isoformat(),
        run_key=run_key(night, marker),
        tags={MARKER_TAG: marker or "", LAUNCHED_BY_TAG: launched_by},
    )


def build_automation(settings: Settings, nightly_job) -> tuple[list, list]:
    """(schedules, sensors) of the nightly job; the schedule's cron and time zone are settings."""

    @dg.schedule(
        name="nightly_schedule",
        cron_schedule=settings.schedule_cron,
        execution_timezone=settings.schedule_timezone,
        job=nightly_job,
        default_status=dg.DefaultScheduleStatus.RUNNING,
        description=(
            "Every night (CLOSECREDIT_SCHEDULE_CRON, default 02:00, in CLOSECREDIT_SCHEDULE_TIMEZONE, "
            "default UTC): run the latest complete extract. After an outage it runs the oldest night "
            "not yet loaded first, so nights are built in order; the arrival sensor catches up the rest."
        ),
    )
    def nightly_schedule(context: dg.ScheduleEvaluationContext, settings: Settings):
        todo, _, why = unloaded_nights(context.instance, settings)
        if not todo:
            return dg.SkipReason(why)
        busy = runs_in_flight(context.instance)
        if busy:
            return dg.SkipReason(f"night {busy[0].tags.get('dagster/partition')} is still running")
        night, marker = todo[0]
        # Schedules cannot return dynamic partition requests: add the night's partition here.
        context.instance.add_dynamic_partitions(extract_dates.name, [night.isoformat()])
        return _run_request(night, marker, "schedule")

    @dg.sensor(
        name="extract_arrival_sensor",
        job=nightly_job,
        minimum_interval_seconds=60,
        default_status=dg.DefaultSensorStatus.RUNNING,
        description=(
            "Watches the extracts folder: a night whose _SUCCESS file appears and that is not loaded "
            "yet gets its partition and a run (one at a time, oldest first). Folders without _SUCCESS "
            "are never read."
        ),
    )
    def extract_arrival_sensor(context: dg.SensorEvaluationContext, settings: Settings):
        todo, complete, why = unloaded_nights(context.instance, settings)
        known = set(context.instance.get_dynamic_partitions(extract_dates.name))
        new_partitions = [night.isoformat() for night in complete if night.isoformat() not in known]
        partition_requests = [extract_dates.build_add_request(new_partitions)] if new_partitions else []
        busy = runs_in_flight(context.instance)
        if todo and not busy:
            night, marker = todo[0]
            return dg.SensorResult(
                run_requests=[_run_request(night, marker, "sensor")],
                dynamic_partitions_requests=partition_requests,
            )
        if busy and todo:
            why = f"night {busy[0].tags.get('dagster/partition')} is still running; next: {todo[0][0]}"
        return dg.SensorResult(dynamic_partitions_requests=partition_requests, skip_reason=why)

    @dg.run_failure_sensor(
        name="nightly_failure_notice",
        monitored_jobs=[nightly_job],
        default_status=dg.DefaultSensorStatus.RUNNING,
        minimum_interval_seconds=30,
        description=(
            "A failed night writes its failure record (failures/<date>_<run id>.json beside the "
            "warehouse) and calls CLOSECREDIT_FAILURE_COMMAND / CLOSECREDIT_FAILURE_WEBHOOK if set."
        ),
    )
    def nightly_failure_notice(context: dg.RunFailureSensorContext, settings: Settings):
        path, record, outcomes = handle_failed_run(context.instance, context.dagster_run, settings)
        if path is None:
            context.log.info(f"run {context.dagster_run.run_id} was already recorded")
        else:
            context.log.info(f"{record['summary']} — recorded in {path}; {'; '.join(outcomes) or 'no hook'}")

    return [nightly_schedule], [extract_arrival_sensor, nightly_failure_notice]
