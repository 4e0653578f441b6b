"""The analysts' subcommands of `closecredit`: sql, export, docs (wired in orchestration/cli.py)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from orchestration.core.settings import Settings


def _database(args: argparse.Namespace) -> Path:
    """The published file: `--database`, else the environment, else the default (one resolver)."""
    return Settings.from_environment(database=args.database).published


def cmd_sql(args: argparse.Namespace) -> int:
    from orchestration.analysts.shell import ShellError, interactive, run_one

    try:
        if args.command_text is not None:
            run_one(_database(args), args.command_text, args.format)
            return 0
        return interactive(_database(args), plain=args.plain)
    except ShellError as exc:
        print(f"closecredit sql: {exc}", file=sys.stderr)
        return 1


def cmd_export(args: argparse.Namespace) -> int:
    from orchestration.analysts.export import export
    from orchestration.analysts.shell import ShellError

    database = _database(args)
    out = args.out or database.parent / "export" / args.format
    try:
        written = export(database, out, args.format)
    except ShellError as exc:
        print(f"closecredit export: {exc}", file=sys.stderr)
        return 1
    for name, (path, rows) in written.items():
        print(f"{name}: {rows} rows -> {path}")
    print(f"{len(written)} tables written to {out}")
    return 0


def cmd_docs(args: argparse.Namespace) -> int:
    from orchestration.analysts.dbt_docs import DocsError, build_docs

    try:
        path = build_docs(_database(args), args.out)
    except DocsError as exc:
        print(f"closecredit docs: {exc}", file=sys.stderr)
        return 1
    print(f"dbt docs (one static file, opens offline): {path}")
    return 0


def add_commands(sub, add_location_args) -> None:
    from orchestration.analysts.shell import FORMATS

    sql = sub.add_parser(
        "sql",
        help="query the published warehouse read-only (schema marts on the search path): "
        '-c "select ..." for one query, else an interactive shell',
    )
    sql.add_argument("-c", dest="command_text", metavar="SQL", help="run this SQL, print its rows, exit")
    sql.add_argument("--format", choices=FORMATS, default="table", help="output of -c (default table)")
    sql.add_argument(
        "--plain", action="store_true", help="the built-in prompt even when harlequin is installed"
    )
    add_location_args(sql)
    sql.set_defaults(func=cmd_sql)

    export = sub.add_parser(
        "export", help="write every published table as Parquet (or CSV) files for BI tools"
    )
    export.add_argument("--format", choices=("parquet", "csv"), default="parquet")
    export.add_argument("--out", type=Path, help="folder (default: export/<format>/ beside the warehouse)")
    add_location_args(export)
    export.set_defaults(func=cmd_export)

    docs = sub.add_parser(
        "docs", help="build the dbt docs (lineage, every mart column, tests) as one static HTML file"
    )
    docs.add_argument(
        "--out", type=Path, help="the HTML file (default: docs/index.html beside the warehouse)"
    )
    add_location_args(docs)
    docs.set_defaults(func=cmd_docs)
