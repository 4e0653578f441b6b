"""The nightly schedule, the extract arrival sensor and the failure notice, evaluated with built
contexts on a throwaway Dagster instance: which runs they ask for, and which they do not."""

from __future__ import annotations

import json
import os
import threading
from datetime import date, datetime
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import ClassVar

import dagster as dg
import duckdb
import pytest

from orchestration.core.contract import load_contract
from orchestration.core.settings import Settings
from tests.contract_rows import valid_row, write_night

D1, D2, D3 = date(2026, 11, 24), date(2026, 11, 25), date(2026, 11, 26)


@pytest.fixture
def settings(tmp_path) -> Settings:
    """The settings the definitions are built with (no environment read)."""
    return Settings(
        extracts=str(tmp_path / "extracts"),
        database=str(tmp_path / "warehouse" / "closecredit.duckdb"),
        retry_delay=0,
    )


@pytest.fixture
def defs(settings):
    from orchestration.definitions import build_defs

    return build_defs(settings)


@pytest.fixture
def instance():
    from dagster._core.storage.defs_state.base import set_defs_state_storage

    # Leaving `instance_for_test` does not unset the instance as Dagster's current state storage;
    # once the instance is collected, a later definitions load in this process meets a dead weakref.
    with set_defs_state_storage(None), dg.instance_for_test() as instance:
        yield instance


@pytest.fixture
def nights(settings) -> Path:
    """D1 and D2 complete, D3 being written (no _SUCCESS yet); no published warehouse yet."""
    root = settings.extracts_root
    rows = {o.qualified_name: [valid_row(o, 1)] for o in load_contract()}
    write_night(root, D1, rows)
    write_night(root, D2, rows)
    write_night(root, D3, rows, complete=False)
    return root


def _resources(defs) -> dict:
    return {"settings": defs.resources["settings"]}


def _sensor(defs, instance):
    sensor = defs.get_repository_def().get_sensor_def("extract_arrival_sensor")
    with dg.build_sensor_context(instance=instance, definitions=defs, resources=_resources(defs)) as context:
        return sensor(context)


def _schedule(defs, instance):
    schedule = defs.get_repository_def().get_schedule_def("nightly_schedule")
    # Closed on leaving: an evaluation context left open resets Dagster's current state storage
    # whenever it is collected, to an instance that may be gone (later loads in the process fail).
    with dg.build_schedule_context(
        instance=instance,
        scheduled_execution_time=datetime(2026, 11, 27, 2, 0),
        repository_def=defs.get_repository_def(),
        resources=_resources(defs),
    ) as context:
        return schedule(context)


def _record_run(
    defs, instance, night: date, status: dg.DagsterRunStatus, marker: str | None = None, tags=None
):
    """A run record of the nightly job with `status` and `tags`: what the sensor and the schedule
    read. Stored directly, not through `create_run_for_job`, which also stores the run's ~430
    planned materializations and checks (tens of seconds on SQLite) that neither reads."""
    from dagster._core.utils import make_new_run_id

    instance.add_dynamic_partitions("extract_date", [night.isoformat()])
    tags = {"dagster/partition": night.isoformat(), **(tags or {})}
    if marker:
        tags["closecredit/extract_marker"] = marker
    job = defs.resolve_job_def("nightly")
    return instance.add_run(
        dg.DagsterRun(job_name=job.name, run_id=make_new_run_id(), status=status, tags=tags)
    )


def _marker(root: Path, night: date) -> str:
    return str((root / night.isoformat() / "_SUCCESS").stat().st_mtime_ns)


def test_sensor_adds_complete_nights_and_starts_one_catch_up_run(defs, instance, nights):
    result = _sensor(defs, instance)
    assert isinstance(result, dg.SensorResult)
    [request] = result.dynamic_partitions_requests
    assert request.partition_keys == [D1.isoformat(), D2.isoformat()]  # D3 has no _SUCCESS
    [run] = result.run_requests  # one run for both pending nights, built as of the last
    assert run.partition_key == D2.isoformat()
    assert run.run_key == f"{D1.isoformat()}..{D2.isoformat()}@{_marker(nights, D2)}"
    assert run.tags["closecredit/launched_by"] == "sensor"
    assert run.tags["closecredit/extract_marker"] == _marker(nights, D2)
    assert run.tags["closecredit/nights"] == f"{D1}@{_marker(nights, D1)},{D2}@{_marker(nights, D2)}"


def test_a_catch_up_stopped_at_a_night_reruns_the_nights_before_it_and_holds_the_rest(defs, instance, nights):
    tags = {
        "closecredit/nights": f"{D1}@{_marker(nights, D1)},{D2}@{_marker(nights, D2)}",
        "closecredit/stopped_at": D2.isoformat(),
    }
    _record_run(defs, instance, D2, dg.DagsterRunStatus.FAILURE, marker=_marker(nights, D2), tags=tags)
    [run] = _sensor(defs, instance).run_requests
    assert run.partition_key == D1.isoformat() and "closecredit/nights" not in run.tags
    # Without the stop, the run failed on both nights of this delivery: nothing runs again.
    instance.delete_run(instance.get_runs()[0].run_id)
    _record_run(
        defs,
        instance,
        D2,
        dg.DagsterRunStatus.FAILURE,
        marker=_marker(nights, D2),
        tags=tags | {"closecredit/stopped_at": ""},
    )
    assert _sensor(defs, instance).run_requests == []


def test_the_sensor_never_builds_past_a_night_that_failed_on_its_delivery(defs, instance, nights):
    _record_run(defs, instance, D1, dg.DagsterRunStatus.FAILURE, marker=_marker(nights, D1))
    result = _sensor(defs, instance)
    assert result.run_requests == []  # D2 is clean, but would publish D1's rows ungated
    assert "run" in result.skip_reason.skip_message and str(D1) in result.skip_reason.skip_message


def test_sensor_moves_on_once_a_night_succeeded(defs, instance, nights):
    _record_run(defs, instance, D1, dg.DagsterRunStatus.SUCCESS)
    instance.add_dynamic_partitions("extract_date", [D2.isoformat()])
    result = _sensor(defs, instance)
    assert result.dynamic_partitions_requests == []  # both complete nights are known partitions
    assert [r.partition_key for r in result.run_requests] == [D2.isoformat()]


def test_sensor_waits_while_a_night_is_running(defs, instance, nights):
    _record_run(defs, instance, D1, dg.DagsterRunStatus.STARTED)
    result = _sensor(defs, instance)
    assert result.run_requests == []
    assert "still running" in result.skip_reason.skip_message


def test_nothing_for_nights_already_run_and_nothing_for_a_folder_without_success(defs, instance, nights):
    _record_run(defs, instance, D1, dg.DagsterRunStatus.SUCCESS)
    _record_run(defs, instance, D2, dg.DagsterRunStatus.SUCCESS)
    result = _sensor(defs, instance)
    assert result.run_requests == []
    assert result.skip_reason.skip_message.startswith("nothing to run")
    assert isinstance(_schedule(defs, instance), dg.SkipReason)
    # The incomplete D3 is never a partition nor a run, whatever else happened.
    assert D3.isoformat() not in instance.get_dynamic_partitions("extract_date")


def test_a_failed_night_is_not_retried_on_the_same_delivery_but_is_on_a_new_one(defs, instance, nights):
    _record_run(defs, instance, D1, dg.DagsterRunStatus.SUCCESS)
    _record_run(defs, instance, D2, dg.DagsterRunStatus.FAILURE, marker=_marker(nights, D2))
    assert _sensor(defs, instance).run_requests == []
    assert isinstance(_schedule(defs, instance), dg.SkipReason)
    # The exporter re-delivers D2: a new _SUCCESS is a new extract.
    success = nights / D2.isoformat() / "_SUCCESS"
    os.utime(success, ns=(success.stat().st_atime_ns, success.stat().st_mtime_ns + 10**9))
    [run] = _sensor(defs, instance).run_requests
    assert run.partition_key == D2.isoformat()
    assert run.run_key == f"{D2.isoformat()}@{_marker(nights, D2)}"


def test_published_nights_are_not_run_again_even_by_a_fresh_instance(defs, instance, nights, settings):
    published = settings.published
    published.parent.mkdir(parents=True)
    with duckdb.connect(str(published)) as con:
        con.execute("create schema audit")
        con.execute("create table audit.publication_log (as_of_date date, run_id varchar)")
        con.execute("insert into audit.publication_log values (?, 'r1'), (?, 'r2')", [D1, D2])
    result = _sensor(defs, instance)
    assert result.run_requests == []
    assert isinstance(_schedule(defs, instance), dg.SkipReason)


def test_schedule_runs_the_latest_complete_night(defs, instance, nights):
    _record_run(defs, instance, D1, dg.DagsterRunStatus.SUCCESS)
    request = _schedule(defs, instance)
    assert isinstance(request, dg.RunRequest)
    assert request.partition_key == D2.isoformat()
    assert request.run_key == f"{D2.isoformat()}@{_marker(nights, D2)}"
    assert request.tags["closecredit/launched_by"] == "schedule"
    assert D2.isoformat() in instance.get_dynamic_partitions("extract_date")


def test_schedule_catches_up_in_one_run_and_shares_run_keys_with_the_sensor(defs, instance, nights):
    request = _schedule(defs, instance)
    assert request.partition_key == D2.isoformat()
    assert request.tags["closecredit/nights"].startswith(f"{D1}@")
    assert request.run_key == _sensor(defs, instance).run_requests[0].run_key


def test_schedule_skips_while_a_night_is_running(defs, instance, nights):
    _record_run(defs, instance, D1, dg.DagsterRunStatus.STARTING)
    skip = _schedule(defs, instance)
    assert isinstance(skip, dg.SkipReason)


def test_schedule_and_sensor_without_extracts_folder(defs, instance):
    assert "does not exist" in _schedule(defs, instance).skip_message
    assert _sensor(defs, instance).run_requests == []


def test_schedule_and_sensor_name_the_layout_of_a_root_without_night_folders(defs, instance, settings):
    (settings.extracts_root / "crm").mkdir(parents=True)  # objects straight under the root
    assert "holds no <YYYY-MM-DD> night folder" in _schedule(defs, instance).skip_message
    result = _sensor(defs, instance)
    assert result.run_requests == [] and "<YYYY-MM-DD>" in result.skip_reason.skip_message


# --- failure notice ---------------------------------------------------------------------------


class _Hook(BaseHTTPRequestHandler):
    received: ClassVar[list] = []

    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        _Hook.received.append((self.headers["Content-Type"], json.loads(body)))
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def webhook():
    server = HTTPServer(("127.0.0.1", 0), _Hook)
    _Hook.received = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/closecredit", _Hook.received
    server.shutdown()
    server.server_close()


def test_a_failed_night_is_recorded_once_and_calls_webhook_and_command(instance, tmp_path, webhook):
    """A night with a missing contract column fails at landing (no retry: it is bad data); the
    run-failure sensor writes the record naming step, asset and file, POSTs it and runs the command."""
    url, received = webhook
    root = tmp_path / "extracts"
    obj = next(o for o in load_contract() if o.qualified_name == "crm.opportunity")
    rows = {o.qualified_name: [valid_row(o, 1)] for o in load_contract()}
    write_night(root, D1, rows)
    path = root / D1.isoformat() / obj.relative_path
    lines = path.read_text(encoding="utf-8").splitlines()
    header = lines[0].split(",")
    dropped = header.index("stage_name")
    path.write_text(
        "\n".join(",".join(v for i, v in enumerate(line.split(",")) if i != dropped) for line in lines)
        + "\n",
        encoding="utf-8",
    )
    warehouse = tmp_path / "warehouse" / "closecredit.duckdb"
    command_out = tmp_path / "hook.json"
    from orchestration.definitions import build_defs

    # The hooks come from the environment like every setting: read once, by Settings.
    settings = Settings.from_environment(
        {
            "CLOSECREDIT_EXTRACTS": str(root),
            "CLOSECREDIT_DATABASE": str(warehouse),
            "CLOSECREDIT_FAILURE_WEBHOOK": url,
            "CLOSECREDIT_FAILURE_COMMAND": (
                f"cat > {command_out}; echo $CLOSECREDIT_FAILURE_RECORD >> {command_out}.path"
            ),
            "CLOSECREDIT_RETRY_DELAY": "0",
        }
    )
    defs = build_defs(settings)

    instance.add_dynamic_partitions("extract_date", [D1.isoformat()])
    result = defs.resolve_job_def("nightly").execute_in_process(
        partition_key=D1.isoformat(), instance=instance, raise_on_error=False
    )
    assert not result.success
    kinds = [e.event_type for e in result.all_events]
    assert dg.DagsterEventType.STEP_RESTARTED not in kinds  # data failures are not retried
    run = instance.get_run_by_id(result.run_id)
    failure_event = next(e for e in result.all_events if e.event_type == dg.DagsterEventType.RUN_FAILURE)

    sensor = defs.get_repository_def().get_sensor_def("nightly_failure_notice")
    context = dg.build_run_status_sensor_context(
        sensor_name="nightly_failure_notice",
        dagster_event=failure_event,
        dagster_instance=instance,
        dagster_run=run,
        resources=_resources(defs),
    ).for_run_failure()
    sensor(context)

    [record_file] = (warehouse.parent / "failures").glob("*.json")
    record = json.loads(record_file.read_text(encoding="utf-8"))
    assert record["run_id"] == run.run_id
    assert record["extract_date"] == D1.isoformat()
    [step] = record["failed_steps"]
    assert step["step"] == "raw_extracts"
    assert "raw/crm/opportunity" in step["assets_not_built"]
    assert record["failed_files"] == [f"{D1.isoformat()}/{obj.relative_path}"]
    assert "stage_name" in record["summary"] and obj.relative_path in record["summary"]

    [(content_type, posted)] = received
    assert content_type == "application/json"
    assert posted["run_id"] == run.run_id and posted["failed_files"] == record["failed_files"]
    assert json.loads(command_out.read_text(encoding="utf-8"))["run_id"] == run.run_id
    assert Path(f"{command_out}.path").read_text(encoding="utf-8").strip() == str(record_file)

    # The CLI path and the sensor both see failed runs: the second one does not notify again.
    sensor(context)
    assert len(received) == 1
    assert not warehouse.exists()  # nothing was published
