"""A night's summary a person can read: rows per layer, quarantine per object, duration."""

from __future__ import annotations

import time
from datetime import date

import duckdb

from orchestration.landing import LANDING_LOG


def _table(headers: list[str], rows: list[tuple]) -> str:
    def cell(value) -> str:
        if isinstance(value, float):
            return f"{value:.2%}"
        return "" if value is None else f"{value:,}" if isinstance(value, int) else str(value)

    lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    lines += ["| " + " | ".join(cell(v) for v in row) + " |" for row in rows]
    return "\n".join(lines)


def night_summary_text(
    con: duckdb.DuckDBPyConnection, extract_date: date, started_at: float | None = None
) -> str:
    per_object = con.execute(
        """
        select
            object_name,
            sum(case when extract_date = $night then landed_rows else 0 end) as landed_tonight,
            sum(landed_rows) as raw_rows,
            sum(staged_rows) as staged,
            sum(superseded_rows) as superseded,
            sum(soft_deleted_rows) as soft_deleted,
            sum(duplicate_rows) as duplicates,
            sum(case when extract_date = $night then quarantined_rows else 0 end) as quarantined_tonight,
            sum(quarantined_rows) as quarantined
        from main.stg_audit__reconciliation
        group by object_name
        order by object_name
        """,
        {"night": extract_date},
    ).fetchall()
    rows = [(*r[:8], (r[7] / r[1]) if r[1] else 0.0, r[8]) for r in per_object]
    totals = [sum(r[i] for r in per_object) for i in range(1, 9)]
    reasons = con.execute(
        """
        select object_name, column_name, reason, count(*) as n
        from main.stg_audit__quarantine
        where extract_date = $night
        group by all
        order by n desc, object_name
        limit 15
        """,
        {"night": extract_date},
    ).fetchall()
    problems = con.execute(
        f"select status, source_file, message from {LANDING_LOG} "
        "where extract_date = $night and status <> 'landed' order by source_file",
        {"night": extract_date},
    ).fetchall()
    duration = f"{time.time() - started_at:.1f} s" if started_at else "n/a"
    parts = [
        f"# closecredit night {extract_date.isoformat()}",
        "",
        f"Duration: {duration}. Rows landed tonight: {totals[0]:,}; raw rows to date: {totals[1]:,}; "
        f"staged (current) rows: {totals[2]:,}; quarantined tonight: {totals[6]:,} (to date {totals[7]:,}).",
        "",
        "## Rows per layer and object",
        "",
        _table(
            [
                "object",
                "landed tonight",
                "raw",
                "staged",
                "superseded",
                "soft-deleted",
                "duplicates",
                "quarantined tonight",
                "quarantined share tonight",
                "quarantined to date",
            ],
            rows,
        ),
    ]
    if reasons:
        parts += [
            "",
            "## Quarantined tonight, by reason",
            "",
            _table(["object", "column", "reason", "rows"], reasons),
        ]
    if problems:
        parts += ["", "## Files not landed tonight", "", _table(["status", "file", "message"], problems)]
    parts += [
        "",
        "Every raw row is staged, superseded, soft-deleted, a duplicate or quarantined (reconciled by dbt).",
    ]
    return "\n".join(parts) + "\n"
