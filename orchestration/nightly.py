"""Run the Dagster nightly job for pending extract nights and tell a person what happened."""

from __future__ import annotations

from datetime import date

import dagster as dg
import duckdb

from orchestration.landing import LANDING_LOG, complete_extract_dates, ensure_raw_tables, extract_folders
from orchestration.settings import database_path, extracts_root, summaries_dir


def _pending(root, con) -> list[date]:
    ensure_raw_tables(con)
    landed = {r[0] for r in con.execute(f"select distinct extract_date from {LANDING_LOG}").fetchall()}
    return [d for d in complete_extract_dates(root) if d not in landed]


def failure_report(result: dg.ExecuteInProcessResult) -> list[str]:
    """What failed, in words: failed steps with their messages, and failed blocking checks."""
    lines = []
    for event in result.all_events:
        if event.event_type == dg.DagsterEventType.STEP_FAILURE:
            error = event.step_failure_data.error
            message = error.message.strip() if error else "unknown error"
            lines.append(f"step {event.step_key} failed: {message}")
        elif event.event_type == dg.DagsterEventType.ASSET_CHECK_EVALUATION:
            evaluation = event.event_specific_data
            if not evaluation.passed:
                severity = evaluation.severity.value if evaluation.severity else "ERROR"
                asset = evaluation.asset_key.to_user_string()
                lines.append(f"check {evaluation.check_name} on {asset} failed ({severity})")
    return lines


def run_nights(only: date | None = None, log_level: str = "WARNING") -> int:
    """Land and build each pending night in date order (or the one `only` night)."""
    from orchestration.definitions import NIGHTLY_JOB, defs

    root = extracts_root()
    database = database_path()
    database.parent.mkdir(parents=True, exist_ok=True)
    for night, folder in extract_folders(root).items():
        if not (folder / "_SUCCESS").exists():
            print(f"{night}: {folder} has no _SUCCESS file yet; skipped (not read)")
    if only:
        if only not in complete_extract_dates(root):
            print(f"{only}: no complete extract folder under {root}")
            return 2
        nights = [only]
    else:
        with duckdb.connect(str(database)) as con:
            nights = _pending(root, con)
    if not nights:
        print(f"nothing pending under {root}; the warehouse {database} is up to date")
        return 0

    instance = dg.DagsterInstance.get()
    instance.add_dynamic_partitions("extract_date", [n.isoformat() for n in nights])
    job = defs.resolve_job_def(NIGHTLY_JOB)
    print(f"extracts: {root}\nwarehouse: {database}\nnights to run: {', '.join(map(str, nights))}")
    for night in nights:
        result = job.execute_in_process(
            partition_key=night.isoformat(), instance=instance, raise_on_error=False
        )
        if not result.success:
            print(f"\nnight {night} FAILED (run {result.run_id}); nothing after it was run:")
            for line in failure_report(result):
                print(f"  - {line}")
            return 1
        print()
        print((summaries_dir() / f"{night.isoformat()}.md").read_text(encoding="utf-8"))
    return 0


def print_status() -> int:
    root = extracts_root()
    database = database_path()
    folders = extract_folders(root) if root.is_dir() else {}
    if not database.exists():
        print(f"warehouse {database} does not exist yet; {len(folders)} extract folder(s) under {root}")
        return 0
    with duckdb.connect(str(database), read_only=True) as con:
        landed = con.execute(
            "select extract_date, count(*) filter (where status = 'landed'), "
            "count(*) filter (where status = 'failed'), sum(row_count) "
            f"from {LANDING_LOG} group by 1 order by 1"
        ).fetchall()
    done = {r[0] for r in landed}
    print(f"warehouse: {database}\nextracts: {root}\n")
    for night, files, failed, rows in landed:
        print(f"{night}  landed {files} files, {rows:,} rows" + (f", {failed} FAILED" if failed else ""))
    for night, folder in folders.items():
        if night not in done:
            state = "pending" if (folder / "_SUCCESS").exists() else "incomplete (no _SUCCESS)"
            print(f"{night}  {state}")
    return 0
