"""`closecredit`: run the nightly job, write demo extracts, show status."""

from __future__ import annotations

import argparse
import json
import sys
import time
from datetime import date
from pathlib import Path

from orchestration.core.contract import FILE_FORMATS
from orchestration.core.settings import (
    DATABASE_ENV,
    DEFAULT_EXTRACTS,
    DEMO_DIR,
    ENVIRONMENT,
    EXTRACTS_ENV,
    LOCK_TIMEOUT_ENV,
    TARGETS,
)

DEMO_DEFAULTS = {"scale": 0.05, "days": 3, "seed": 42, "regime": "even"}


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {text!r}") from exc


def _add_location_args(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--extracts",
        type=Path,
        help=f"extracts root holding <YYYY-MM-DD>/<system>/<object>.csv (env {EXTRACTS_ENV}; "
        "default: generated demo extracts)",
    )
    parser.add_argument(
        "--database",
        type=Path,
        help=f"the published warehouse DuckDB file analysts open (env {DATABASE_ENV}); the night "
        "builds in <name>.build.duckdb beside it",
    )


def _settings(args: argparse.Namespace, command: str):
    """The one Settings object of this command: its arguments over the environment. Returns
    (settings, None), or (None, exit code) after saying in one line what is wrong."""
    from orchestration.core.dbt_vars import VarsError, parse_overrides, read_overrides_file
    from orchestration.core.settings import Settings

    values = {"extracts": args.extracts, "database": args.database}
    try:
        if getattr(args, "vars_file", None) or getattr(args, "vars", None):
            overrides = read_overrides_file(args.vars_file) if args.vars_file else {}
            overrides.update(parse_overrides(args.vars) if args.vars else {})
            values["vars_json"] = json.dumps(overrides, sort_keys=True)
        values["lock_timeout"] = getattr(args, "lock_timeout", None)
        values["target"] = getattr(args, "target", None)
        values["spark_master"] = getattr(args, "spark_master", None)
        values["spark_warehouse"] = getattr(args, "spark_warehouse", None)
        return Settings.from_environment(**values), None
    except (VarsError, ValueError) as exc:
        print(f"closecredit {command}: {exc}", file=sys.stderr)
        return None, 2


def cmd_demo(args: argparse.Namespace) -> int:
    from orchestration.demo import generate

    started = time.perf_counter()
    try:
        summary = generate(
            args.out,
            seed=args.seed,
            scale=args.scale,
            days=args.days,
            regime=args.regime,
            dirty_rate=args.dirty_rate,
            community_strength=args.community_strength,
            crm=args.crm,
        )
    except ValueError as exc:  # a bad option (unknown regime, dirty rate >= 1%, ...): say which
        print(f"closecredit demo: {exc}", file=sys.stderr)
        return 2
    if args.format != "csv":
        from orchestration.demo.formats import FORMAT_NAMES, convert_extracts

        convert_extracts(args.out / "extracts", FORMAT_NAMES[args.format])
    print(f"demo extracts written to {args.out / 'extracts'} in {time.perf_counter() - started:.1f} s")
    print(f"ground truth in {args.out / 'ground_truth'}")
    for key in ("nights", "rows"):
        if key in summary:
            print(f"{key}: {summary[key]}")
    return 0


def _ensure_demo_extracts() -> None:
    from orchestration.night.landing import complete_extract_dates

    if DEFAULT_EXTRACTS.is_dir() and complete_extract_dates(DEFAULT_EXTRACTS):
        return
    from orchestration.demo import generate

    print(f"no extracts given: generating demo extracts into {DEFAULT_EXTRACTS} ({DEMO_DEFAULTS})")
    generate(DEMO_DIR, **DEMO_DEFAULTS)


def cmd_run(args: argparse.Namespace) -> int:
    if args.date and (args.start or args.end):
        print("closecredit run: --date cannot be combined with --from/--to", file=sys.stderr)
        return 2
    if args.start and args.end and args.start > args.end:
        print(f"closecredit run: --from {args.start} is after --to {args.end}", file=sys.stderr)
        return 2
    settings, failed = _settings(args, "run")
    if settings is None:
        return failed
    if settings.extracts_root == DEFAULT_EXTRACTS.resolve():
        _ensure_demo_extracts()
    from orchestration.night.run import run_nights

    return run_nights(
        settings,
        only=args.date,
        start=args.start,
        end=args.end,
        log_level="DEBUG" if args.verbose else "WARNING",
        one_by_one=args.one_by_one,
    )


def cmd_status(args: argparse.Namespace) -> int:
    settings, failed = _settings(args, "status")
    if settings is None:
        return failed
    from orchestration.ops.status import print_status

    return print_status(settings)


def cmd_forget(args: argparse.Namespace) -> int:
    settings, failed = _settings(args, "forget")
    if settings is None:
        return failed
    from orchestration.ops.forget import forget

    return forget(settings, args.email, args.reason)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="closecredit", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    run = sub.add_parser(
        "run",
        help="land every pending night in date order (or one --date, or the missing nights of "
        "--from/--to), build and publish once as of the last, then print the summary",
    )
    run.add_argument(
        "--one-by-one",
        action="store_true",
        help="build and publish each pending night on its own, instead of once as of the last",
    )
    run.add_argument("--date", type=_date, help="run this extract date only (re-runs it if already loaded)")
    run.add_argument(
        "--from",
        dest="start",
        metavar="DATE",
        type=_date,
        help="backfill: run the missing nights from this date on",
    )
    run.add_argument(
        "--to",
        dest="end",
        metavar="DATE",
        type=_date,
        help="backfill: run the missing nights up to this date",
    )
    run.add_argument(
        "--lock-timeout",
        type=float,
        help=f"seconds to wait while another run holds the warehouse, then give up with exit code 75 "
        f"(env {LOCK_TIMEOUT_ENV}; default 600; 0 = refuse at once)",
    )
    run.add_argument(
        "--vars",
        metavar="JSON",
        help='override dbt vars for this run, e.g. \'{"path_transform": "first", "lookback_days": 180}\' '
        f"(env {ENVIRONMENT['vars_json']}); a run whose vars differ from the last build rebuilds in full",
    )
    run.add_argument("--vars-file", type=Path, metavar="FILE", help="dbt var overrides from a YAML/JSON file")
    run.add_argument(
        "--target",
        choices=TARGETS,
        help=f"the engine to build on (env {ENVIRONMENT['target']}; default duckdb; spark: docs/spark.md)",
    )
    run.add_argument(
        "--spark-master",
        metavar="MASTER",
        help=f"the Spark target's master, e.g. local[2] (env {ENVIRONMENT['spark_master']}; default: every core)",
    )
    run.add_argument(
        "--spark-warehouse",
        type=Path,
        metavar="FOLDER",
        help=f"the Spark target's table folder (env {ENVIRONMENT['spark_warehouse']}; default: "
        "spark/warehouse beside --database)",
    )
    run.add_argument("--verbose", action="store_true", help="print Dagster's and dbt's logs")
    _add_location_args(run)
    run.set_defaults(func=cmd_run)

    demo = sub.add_parser("demo", help="write a demo company's nightly extracts and its ground truth")
    demo.add_argument("--out", type=Path, default=DEMO_DIR, help="folder for extracts/ and ground_truth/")
    demo.add_argument("--scale", type=float, default=DEMO_DEFAULTS["scale"], help="1 = 10,000 opportunities")
    demo.add_argument("--days", type=int, default=DEMO_DEFAULTS["days"], help="nightly extract folders")
    demo.add_argument("--seed", type=int, default=DEMO_DEFAULTS["seed"])
    demo.add_argument("--regime", default=DEMO_DEFAULTS["regime"], help="causal story of the closes")
    demo.add_argument("--dirty-rate", type=float, default=0.002, help="share of planted dirty rows")
    demo.add_argument("--community-strength", type=float, default=1.0, help="word-of-mouth strength")
    demo.add_argument(
        "--format",
        default="csv",
        choices=[suffix.lstrip(".") for suffix in FILE_FORMATS],
        help="the extract files' format (default csv)",
    )
    demo.add_argument(
        "--crm", choices=("salesforce", "hubspot"), default="salesforce", help="the CRM's export shape"
    )
    demo.set_defaults(func=cmd_demo)

    status = sub.add_parser(
        "status", help="what is published, what is pending, who holds the warehouse, the last runs"
    )
    _add_location_args(status)
    status.set_defaults(func=cmd_status)

    forget = sub.add_parser(
        "forget",
        help="erase a person (by email) from raw, staging and the marts, keep them out of later "
        "landings, rebuild and publish (docs/privacy.md)",
    )
    forget.add_argument("email", help="the person's email address")
    forget.add_argument("--reason", help="why (kept in the erasure log; must not name the person)")
    forget.add_argument(
        "--lock-timeout", type=float, help=f"seconds to wait for a running night (env {LOCK_TIMEOUT_ENV})"
    )
    _add_location_args(forget)
    forget.set_defaults(func=cmd_forget)

    from orchestration.analysts.commands import add_commands  # sql, export, docs

    add_commands(sub, _add_location_args)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
