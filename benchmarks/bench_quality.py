"""Seconds and peak memory of the data-quality suites at a demo scale.

    python benchmarks/bench_quality.py                 # scale 1
    python benchmarks/bench_quality.py --scale 0.1 --chunk-rows 50000

Builds a warehouse in a temporary folder with, at scale 1, the sizes of a scale-1 demo night:
the raw web events of a first extract (2 million rows, a year of history) and the marts (10,000
opportunities: ~190,000 touchpoints, ~2,300 credited deals x ~24 touches x 13 models in
fct_close_credit, ~715,000 rows). The rows are synthetic but shaped like the real ones (the same
columns and text lengths), so the suites run in full. Each phase runs in a fresh process, so the
peak RSS printed is that phase's own (GX, pandas and DuckDB's buffer pool together).
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(PROJECT_DIR))

NIGHT = date(2026, 11, 26)
from orchestration.attribution.listing import attribution_models  # noqa: E402

MODELS = attribution_models()


def _peak_mib() -> float:
    return (
        max(
            resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
            resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss,
        )
        / 1024
    )


def build_warehouse(database: Path, scale: float) -> dict:
    import duckdb

    from orchestration.core.contract import get_object
    from orchestration.night.landing import LANDING_LOG, ensure_raw_tables

    events = int(2_000_000 * scale)
    opportunities = int(10_000 * scale)
    credited = int(opportunities * 0.23)
    con = duckdb.connect(str(database))
    ensure_raw_tables(con)
    web = get_object("web", "event")
    con.execute(
        f"""
        insert into raw.{web.identifier} by name
        select
            'evt_' || lpad(i::varchar, 12, '0') as event_id,
            'anon_' || (i % {max(1, events // 4)})::varchar as anonymous_id,
            case when i % 40 = 0 then 'person' || (i % 9000) || '@example.com' end as user_email,
            case when i % 40 = 0 then 'identify' else ['page_view', 'page_view', 'signup'][1 + i % 3] end as event_type,
            strftime(timestamp '2025-11-26 00:00:00' + to_seconds((i * 15.7)::bigint), '%Y-%m-%dT%H:%M:%SZ')
                as occurred_at,
            'https://www.brightwave.example/blog/what-is-w-shaped-attribution?utm_source=google&i=' || i as page_url,
            case when i % 3 = 0 then 'https://www.google.com/' end as referrer_url,
            case when i % 3 = 0 then 'google' end as utm_source,
            case when i % 3 = 0 then 'cpc' end as utm_medium,
            case when i % 3 = 0 then 'ps_generic' end as utm_campaign,
            case when i % 3 = 0 then 'ad_0' || (i % 9) end as utm_content,
            case when i % 3 = 0 then 'multi touch attribution' end as utm_term,
            case when i % 50 = 0 then 'REF' || (i % 300) end as referral_code,
            'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Safari/537.36'
                as user_agent,
            ['US', 'GB', 'DE', 'FR'][1 + i % 4] as ip_country,
            DATE '{NIGHT.isoformat()}' as _extract_date,
            '{NIGHT.isoformat()}/web/event.csv' as _source_file,
            i + 1 as _row_number,
            now()::timestamp as _loaded_at
        from range({events}) as t(i)
        """
    )
    con.execute(
        f"insert into {LANDING_LOG} values (?, 'web', 'event', ?, 'sha', 'landed', ?, null, now()::timestamp)",
        [NIGHT, f"{NIGHT.isoformat()}/web/event.csv", events],
    )
    con.execute("create schema marts")
    models = ", ".join(f"('{m}')" for m in MODELS)
    con.execute(
        f"""
        create table marts.fct_close_credit as
        with deals as (
            select d, 1 + (d * 7919) % 47 as touches from range({credited}) as t(d)
        )
        select
            '0065g0000U' || lpad(d::varchar, 8, '0') as opportunity_id,
            'web_session:' || md5(d::varchar || '-' || k::varchar) as touch_id,
            m as attribution_model,
            'web_session' as touch_kind,
            DATE '{NIGHT.isoformat()}' - (k * 3)::integer as touch_date,
            ['paid_search', 'email', 'community', 'direct'][1 + k % 4] as channel,
            ['marketing', 'marketing', 'community', 'direct'][1 + k % 4] as source_group,
            false as is_synthetic,
            false as is_owner_touch,
            k + 1 as touch_position,
            k * 3 as days_before_close,
            DATE '{NIGHT.isoformat()}' as close_date,
            1.0 / touches as credit_fraction,
            25000.0 / touches as credited_revenue,
            true as is_amount_converted,
            DATE '{NIGHT.isoformat()}' as as_of_date
        from deals, range(47) as tt(k), (values {models}) as mm(m)
        where k < touches
        """
    )
    con.execute(
        f"""
        create table marts.fct_journeys as
        select
            '0065g0000U' || lpad(d::varchar, 8, '0') as opportunity_id,
            '0015g0000A' || lpad((d // 3)::varchar, 8, '0') as account_id,
            'New Business' as opportunity_type,
            case when d < {credited} then 'won' when d % 2 = 0 then 'lost' else 'open' end as outcome,
            d < {credited} as is_credited_deal,
            19 as touch_count,
            ['paid_search', 'email', 'direct'] as channel_path,
            DATE '{NIGHT.isoformat()}' as as_of_date
        from range({opportunities}) as t(d)
        """
    )
    con.execute(
        """
        create table marts.fct_touchpoints as
        select
            md5(j.opportunity_id || k::varchar) as touchpoint_id,
            j.opportunity_id,
            'web_session:' || md5(substr(j.opportunity_id, 11)::integer::varchar || '-' || k::varchar) as touch_id,
            j.account_id,
            'web_session' as touch_kind,
            ['paid_search', 'email', 'community', 'direct'][1 + k % 4] as channel,
            ['marketing', 'marketing', 'community', 'direct'][1 + k % 4] as source_group,
            k + 1 as touch_position,
            k * 3 as days_before_close,
            'person' as link,
            md5('person-' || j.opportunity_id) as person_key
        from marts.fct_journeys as j, range(19) as tt(k)
        """
    )
    con.execute(
        "create table marts.dim_opportunities as select opportunity_id, account_id, outcome from marts.fct_journeys"
    )
    con.execute("create table marts.dim_accounts as select distinct account_id from marts.fct_journeys")
    con.execute(
        "create table marts.dim_channels as select * from (values ('paid_search', 'marketing'), ('email', 'marketing'), "
        "('community', 'community'), ('direct', 'direct')) as t(channel, source_group)"
    )
    sizes = {
        name: con.execute(f"select count(*) from {name}").fetchall()[0][0]
        for name in (
            "raw.web__event",
            "marts.fct_close_credit",
            "marts.fct_touchpoints",
            "marts.fct_journeys",
        )
    }
    con.close()
    return sizes


def phase(name: str, database: Path, scale: float, chunk_rows: int) -> dict:
    import duckdb

    started = time.perf_counter()
    result: dict = {}
    if name == "build":
        result["rows"] = build_warehouse(database, scale)
    else:
        from orchestration.core.contract import get_object
        from orchestration.quality.run import run_mart_night, run_raw_night

        con = duckdb.connect(str(database), read_only=True)
        if name == "raw":
            (outcome,) = run_raw_night(
                con, NIGHT, objects=[get_object("web", "event")], database=database, chunk_rows=chunk_rows
            )
            outcomes = [outcome]
        else:
            outcomes = run_mart_night(con, NIGHT, database=database, chunk_rows=chunk_rows)
        con.close()
        result["suites"] = {o.suite: o.status for o in outcomes}
        result["rows"] = sum(o.rows_validated for o in outcomes)
        result["chunks"] = sum(o.chunks for o in outcomes)
    result["seconds"] = round(time.perf_counter() - started, 2)
    result["peak_mib"] = round(_peak_mib(), 1)
    return result


def run_in_child(name: str, database: Path, scale: float, chunk_rows: int) -> dict:
    out = subprocess.run(
        [
            sys.executable,
            __file__,
            "--phase",
            name,
            "--database",
            str(database),
            "--scale",
            str(scale),
            "--chunk-rows",
            str(chunk_rows),
        ],
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--chunk-rows", type=int, default=100_000)
    parser.add_argument("--phase", help=argparse.SUPPRESS)
    parser.add_argument("--database", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.phase:
        print(json.dumps(phase(args.phase, args.database, args.scale, args.chunk_rows)))
        return
    with tempfile.TemporaryDirectory(prefix="closecredit-bench-quality-") as work:
        database = Path(work) / "warehouse" / "closecredit.duckdb"
        database.parent.mkdir()
        built = run_in_child("build", database, args.scale, args.chunk_rows)
        print(
            f"scale {args.scale:g}, chunks of {args.chunk_rows:,} rows; warehouse built in {built['seconds']} s:"
        )
        for table, rows in built["rows"].items():
            print(f"  {table:<26} {rows:>12,} rows")
        print(f"\n{'phase':<34}{'rows validated':>16}{'chunks':>8}{'seconds':>10}{'peak RSS MiB':>14}")
        for name, label in (("raw", "raw web.event night (1 suite)"), ("marts", "marts (every mart suite)")):
            result = run_in_child(name, database, args.scale, args.chunk_rows)
            print(
                f"{label:<34}{result['rows']:>16,}{result['chunks']:>8}{result['seconds']:>10}{result['peak_mib']:>14}"
            )
            statuses = ", ".join(f"{suite} {status}" for suite, status in result["suites"].items())
            print(f"  {statuses}")


if __name__ == "__main__":
    main()
