"""A night's summary a person can read: rows per layer, quarantine per object, duration."""

from __future__ import annotations

import time
from datetime import date
from decimal import Decimal

import duckdb

from orchestration.core.source_groups import source_groups
from orchestration.night.landing import LANDING_LOG

QUARANTINE_REASONS_SHOWN = 15


def _quoted(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def format_number(value, digits: int = 2) -> str:
    """A number as a person reads it: thousands separated, floats rounded to `digits` decimals with
    trailing zeros dropped (37.400000000000006 -> 37.4, 3.0 -> 3); None is n/a."""
    if value is None:
        return "n/a"
    if isinstance(value, Decimal):
        value = float(value)
    if isinstance(value, bool) or not isinstance(value, int | float):
        return str(value)
    if isinstance(value, int):
        return f"{value:,}"
    if value != value:  # NaN
        return "n/a"
    text = f"{value:,.{digits}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def format_share(value: float | None) -> str:
    """A share as a percentage with one decimal (0.3125 -> 31.3%)."""
    return "n/a" if value is None else f"{value:.1%}"


def _table(headers: list[str], rows: list[tuple], *, total_rows: int | None = None, source: str = "") -> str:
    """A Markdown table; floats are shares (percentages), other numbers are formatted. When
    `total_rows` says the rows are the first of more, a line under the table says so (and where
    the rest are, `source`)."""

    def cell(value) -> str:
        if isinstance(value, float):
            return format_share(value)
        return "" if value is None else format_number(value)

    lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    lines += ["| " + " | ".join(cell(v) for v in row) + " |" for row in rows]
    if total_rows is not None and total_rows > len(rows):
        where = f"; all of them in {source}" if source else ""
        lines += ["", f"(the first {len(rows):,} of {total_rows:,} rows{where})"]
    return "\n".join(lines)


def _optional(con: duckdb.DuckDBPyConnection, sql: str) -> list[tuple] | None:
    """Rows of a query on a table a night may not have built yet (None when it does not exist)."""
    try:
        return con.execute(sql).fetchall()
    except duckdb.CatalogException:
        return None


def _number(value: float | None, digits: int = 3) -> str:
    return format_number(value, digits)


def journey_section(con: duckdb.DuckDBPyConnection) -> list[str]:
    rows = _optional(
        con,
        "select session_email_stitch_rate, session_account_stitch_rate, person_account_stitch_rate, "
        "unmapped_share, journey_unmapped_share, bot_events_excluded, touches_per_won_deal_median, "
        "touches_per_won_deal_p90 from main.int_journey_quality",
    )
    if not rows:
        return []
    (session_email, session_account, person_account, unmapped, journey_unmapped, bots, median, p90) = rows[0]
    return [
        "",
        "## Journeys",
        "",
        f"Stitch rate: {_number(session_email)} of sessions to an email, {_number(session_account)} of "
        f"sessions and {_number(person_account)} of people to an account. Unmapped touches: "
        f"{_number(unmapped)} of all, {_number(journey_unmapped)} of journey touches. Bot events "
        f"excluded: {format_number(bots)}. Touches per won deal: median {format_number(median, 1)}, "
        f"p90 {format_number(p90, 1)}.",
    ]


UNCLASSIFIED_ANSWERS_SHOWN = 20


def self_reported_section(con: duckdb.DuckDBPyConnection) -> list[str]:
    """How did you hear about us: coverage, the dark funnel of the latest quarter, and the answers
    no rule of seeds/mappings/self_reported_rules.csv maps (with counts, so users extend the seed)."""
    answers = _optional(
        con,
        "select count(*), sum(case when is_unclassified then 1 else 0 end) from main.int_self_reported_answers",
    )
    if not answers or not answers[0][0]:
        return []
    total, unclassified = answers[0]
    parts = [
        "",
        "## Self-reported source",
        "",
        f"People who answered: {format_number(total)}; answers no rule maps: {format_number(unclassified)}.",
    ]
    funnel = _optional(
        con,
        "select attribution_model, period_start, max(self_report_coverage), "
        "sum(untracked_deals)::double / nullif(sum(declared_deals), 0), "
        "sum(case when source_group = 'community' then untracked_deals end)::double "
        "/ nullif(sum(case when source_group = 'community' then declared_deals end), 0), "
        "max(community_share_with_self_reports), max(community_share_without_self_reports) "
        "from marts.fct_dark_funnel where period_type = 'quarter' "
        "group by attribution_model, period_start order by period_start desc limit 1",
    )
    if funnel:
        model, quarter, coverage, untracked, community_untracked, with_, without = funnel[0]
        parts.append(
            f"Dark funnel, quarter of {quarter.isoformat()}: self-report coverage {format_share(coverage)}; "
            f"answers whose group tracking never saw in the journey {format_share(untracked)} "
            f"(community {format_share(community_untracked)}); community share of credited closes under "
            f"{model} {format_share(with_)} with the answers, {format_share(without)} without."
        )
    if unclassified:
        rows = con.execute(
            "select folded_answer, count(*) as n, count(*) over () as answers from main.int_self_reported_answers "
            "where is_unclassified group by folded_answer order by n desc, folded_answer limit $shown",
            {"shown": UNCLASSIFIED_ANSWERS_SHOWN},
        ).fetchall()
        parts += [
            "",
            "Unclassified answers (add rules to seeds/mappings/self_reported_rules.csv):",
            "",
            _table(
                ["answer (folded)", "people"],
                [(a, n) for a, n, _ in rows],
                total_rows=rows[0][2] if rows else None,
                source="main.int_self_reported_answers",
            ),
        ]
    return parts


def credit_section(con: duckdb.DuckDBPyConnection) -> list[str]:
    groups = source_groups(touch_groups_only=True)
    shares = _optional(
        con,
        "pivot (select attribution_model, source_group, sum(credit_fraction)::double as closes "
        "from marts.fct_close_credit group by attribution_model, source_group) "
        f"on source_group in ({', '.join(_quoted(g) for g in groups)}) using sum(closes) "
        "order by attribution_model",
    )
    if not shares:
        return []
    rows = []
    for model, *closes in shares:
        total = sum(c or 0.0 for c in closes) or 1.0
        rows.append((model, *((c or 0.0) / total for c in closes)))
    parts = [
        "",
        "## Credited closes by source group (share, every credited deal to date)",
        "",
        _table(["model", *groups], rows),
    ]
    evaluation = _optional(
        con,
        "select attribution_model, sum(deals), avg(deal_mae), avg(share_mae) from marts.fct_model_evaluation "
        "where period_type = 'quarter' group by attribution_model order by avg(deal_mae)",
    )
    if evaluation:
        parts += [
            "",
            "## Models against the ground truth (mean absolute error per quarter, lower is better)",
            "",
            _table(
                ["model", "deals", "per-deal share error", "period share error"],
                [(m, int(d), _number(a, 4), _number(b, 4)) for m, d, a, b in evaluation],
            ),
        ]
    return parts


def night_summary_text(
    con: duckdb.DuckDBPyConnection,
    extract_date: date,
    started_at: float | None = None,
    published: dict | None = None,
    quality: str | None = None,
) -> str:
    """`published` is `orchestration.night.publish.read_publication_tables()` of the published file;
    `quality` the night's data-quality section (`orchestration.quality.results.summary_markdown`)."""
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
        select object_name, column_name, reason, count(*) as n, count(*) over () as reasons
        from main.stg_audit__quarantine
        where extract_date = $night
        group by object_name, column_name, reason
        order by n desc, object_name, column_name, reason
        limit $shown
        """,
        {"night": extract_date, "shown": QUARANTINE_REASONS_SHOWN},
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
        f"Duration: {duration}. Rows landed tonight: {format_number(totals[0])}; raw rows to date: "
        f"{format_number(totals[1])}; staged (current) rows: {format_number(totals[2])}; quarantined "
        f"tonight: {format_number(totals[6])} (to date {format_number(totals[7])}).",
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
    if published:
        marts = {k: v for k, v in published["tables"].items() if k.startswith("marts.")}
        parts += [
            "",
            "## Published",
            "",
            f"{published['path']}: as of {published['as_of_date']}, run {published['run_id']}; "
            f"{len(marts)} mart(s), {format_number(sum(marts.values()))} mart rows.",
            "",
            _table(["table", "rows"], sorted(published["tables"].items())),
        ]
    parts += journey_section(con) + self_reported_section(con) + credit_section(con)
    if reasons:
        parts += [
            "",
            "## Quarantined tonight, by reason",
            "",
            _table(
                ["object", "column", "reason", "rows"],
                [r[:4] for r in reasons],
                total_rows=reasons[0][4],
                source="main.stg_audit__quarantine",
            ),
        ]
    if problems:
        parts += ["", "## Files not landed tonight", "", _table(["status", "file", "message"], problems)]
    if quality:
        parts += ["", quality.rstrip()]
    parts += [
        "",
        "Every raw row is staged, superseded, soft-deleted, a duplicate or quarantined (reconciled by dbt).",
    ]
    return "\n".join(parts) + "\n"
