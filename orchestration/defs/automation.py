"""When nights run by themselves: a nightly schedule, a sensor for extracts that arrive late (or
after an outage), and a sensor that reports failed nights.

Both the schedule and the arrival sensor start at most one run at a time: ONE catch-up run for
every unloaded night (landed in date order, built and published once as of the last; see
night/catch_up.py). They skip a night that is published, queued or running, that succeeded, or
that already failed on the same delivery (its `_SUCCESS` file), whoever started the earlier run
(the CLI, the UI, the schedule or the sensor); the run ends before such a failed night, so no night
is built past a bad earlier one."""

from __future__ import annotations

from datetime import date

import dagster as dg

from orchestration.core.settings import Settings
from orchestration.defs.partitions import extract_dates
from orchestration.night.catch_up import NIGHTS_TAG, nights_tag, plan
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
    pending = nights.pending()
    markers = {night: extract_marker(nights.root / night.isoformat()) for night in pending}
    held = {}
    for night in pending:
        handled = night_is_handled(instance, night, markers[night])
        if handled:
            held[night] = handled
            reasons.append(f"{night}: {handled}")
    todo, stop = plan([night for night in pending if not _done(held.get(night))], held)
    if stop and todo:
        reasons.append(f"the run ends before {stop}")
    return [(night, markers[night]) for night in todo], complete, "nothing to run: " + "; ".join(reasons[-3:])


def _done(why: str | None) -> bool:
    """A night another run published or is building needs no run and does not hold the others."""
    return bool(why) and not why.endswith("failed on this delivery")


def _run_request(todo: list[tuple[date, str | None]], launched_by: str) -> dg.RunRequest:
    """One run for every night of `todo`: built as of the last, which is its partition."""
    night, marker = todo[-1]
    tags = {MARKER_TAG: marker or "", LAUNCHED_BY_TAG: launched_by}
    if len(todo) > 1:
        tags[NIGHTS_TAG] = nights_tag([n for n, _ in todo], dict(todo))
    return dg.RunRequest(
        partition_key=night.isoformat(),
        run_key=run_key(night, marker)
        if len(todo) == 1
        else f"{todo[0][0].isoformat()}..{run_key(night, marker)}",
        tags=tags,
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
            "default UTC): run the nights not yet loaded: one catch-up run lands them in date order and "
            "builds and publishes once, as of the last."
        ),
    )
    def nightly_schedule(context: dg.ScheduleEvaluationContext, settings: Settings):
        todo, _, why = unloaded_nights(context.instance, settings)
        if not todo:
            return dg.SkipReason(why)
        busy = runs_in_flight(context.instance)
        if busy:
            return dg.SkipReason(f"night {busy[0].tags.get('dagster/partition')} is still running")
        # Schedules cannot return dynamic partition requests: add the nights' partitions here.
        context.instance.add_dynamic_partitions(extract_dates.name, [n.isoformat() for n, _ in todo])
        return _run_request(todo, "schedule")

    @dg.sensor(
        name="extract_arrival_sensor",
        job=nightly_job,
        minimum_interval_seconds=60,
        default_status=dg.DefaultSensorStatus.RUNNING,
        description=(
            "Watches the extracts folder: a night whose _SUCCESS file appears and that is not loaded "
            "yet gets its partition; one catch-up run lands every unloaded night in order and builds "
            "once (one run at a time). Folders without _SUCCESS are never read."
        ),
    )
    def extract_arrival_sensor(context: dg.SensorEvaluationContext, settings: Settings):
        todo, complete, why = unloaded_nights(context.instance, settings)
        known = set(context.instance.get_dynamic_partitions(extract_dates.name))
        new_partitions = [night.isoformat() for night in complete if night.isoformat() not in known]
        partition_requests = [extract_dates.build_add_request(new_partitions)] if new_partitions else []
        busy = runs_in_flight(context.instance)
        if todo and not busy:
            return dg.SensorResult(
                run_requests=[_run_request(todo, "sensor")],
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
