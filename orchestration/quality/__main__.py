"""Run the quality suites on a night already in the warehouse, outside a nightly run.

    .venv/bin/python -m orchestration.quality                      # the latest landed night, every suite
    .venv/bin/python -m orchestration.quality --date 2026-11-26 --object crm.opportunity
    .venv/bin/python -m orchestration.quality --marts              # the mart suites only

Prints each suite's status and what failed (with sample rows), saves the results and rebuilds the
Data Docs, exactly as the nightly asset checks do. Exit status 1 when a blocking expectation
failed. The warehouse is opened read-only (the build database the night writes, if it exists).
"""

from __future__ import annotations

import argparse
import sys
from datetime import date
from pathlib import Path

import duckdb

from orchestration.core.contract import get_object, load_contract
from orchestration.core.settings import DATABASE_ENV, EXTRACTS_ENV, Settings
from orchestration.night.landing import LANDING_LOG
from orchestration.quality.config import CRITICAL, WARNING


def _warehouse_file(settings: Settings) -> Path:
    return settings.build_database if settings.build_database.exists() else settings.published


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m orchestration.quality",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--date", type=date.fromisoformat, help="extract night (default: the latest landed)")
    parser.add_argument("--database", type=Path, help=f"the warehouse file (env {DATABASE_ENV})")
    parser.add_argument(
        "--extracts", type=Path, help=f"extracts root, for the header check (env {EXTRACTS_ENV})"
    )
    parser.add_argument(
        "--object", action="append", default=[], help="system.object (repeatable); default: all"
    )
    parser.add_argument(
        "--marts", action="store_true", help="run the mart suites (only them, unless --object)"
    )
    parser.add_argument("--no-docs", action="store_true", help="do not rebuild the Data Docs")
    args = parser.parse_args(argv)
    settings = Settings.from_environment(extracts=args.extracts, database=args.database)
    published = settings.published
    database = _warehouse_file(settings)
    if not database.exists():
        print(f"no warehouse at {published}: run a night first (make run)", file=sys.stderr)
        return 2
    extracts = settings.extracts_root

    from orchestration.quality.docs import build_data_docs
    from orchestration.quality.run import run_mart_night, run_raw_night

    with duckdb.connect(str(database), read_only=True) as con:
        night = args.date
        if night is None:
            landed = con.execute(f"select max(extract_date) from {LANDING_LOG}").fetchall()[0][0]
            if landed is None:
                print(f"{database} has no landed night", file=sys.stderr)
                return 2
            night = landed
        outcomes = []
        if args.object or not args.marts:
            objects = [get_object(*name.split(".", 1)) for name in args.object] or list(load_contract())
            outcomes += run_raw_night(con, night, objects=objects, extracts_root=extracts, database=published)
        if args.marts:
            outcomes += run_mart_night(con, night, database=published)
    blocked = False
    for outcome in outcomes:
        print(
            f"{outcome.status:>8}  {outcome.suite}  ({outcome.rows_validated:,} rows, {outcome.seconds:.1f} s)"
        )
        for severity in (CRITICAL, WARNING):
            if outcome.failures(severity):
                print("          " + outcome.message(severity).replace("\n", "\n          "))
        blocked |= not outcome.check_passed(CRITICAL)
    if not args.no_docs:
        print(f"\nData Docs: {build_data_docs(published)}")
    return 1 if blocked else 0


if __name__ == "__main__":
    sys.exit(main())
