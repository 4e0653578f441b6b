"""`closecredit sql`: the published file, read-only, with schema `marts` on the search path.

`-c "select ..."` runs one query (or several, `;`-separated: the last one's rows are printed) and
prints its rows as a table, CSV or JSON. Without `-c` it is an interactive shell: harlequin when it is
on PATH (installed in an environment of its own, e.g. `pipx install harlequin`: it pins a click the
project's lock cannot take), else a small SQL prompt with the connection ready; SQL piped on
standard input is run as a script."""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import decimal
import json
import re
import shutil
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import TextIO

import duckdb

# Unqualified names find the marts first, then the audit tables (reconciliation, quarantine, ...).
SEARCH_PATH = "marts,audit,main"
FORMATS = ("table", "csv", "json")
MAX_CELL = 60  # characters a table cell shows; csv and json are never cut


class ShellError(Exception):
    """One line for the person at the terminal (no traceback)."""


def connect(database: Path) -> duckdb.DuckDBPyConnection:
    database = Path(database)
    if not database.exists():
        raise ShellError(
            f"no published warehouse at {database}: run `closecredit run` first (or pass --database)"
        )
    try:
        con = duckdb.connect(str(database), read_only=True)
    except duckdb.Error as exc:
        raise ShellError(f"cannot open {database}: {_first_line(exc)}") from exc
    con.execute(f"set search_path = '{SEARCH_PATH}'")
    return con


def _first_line(exc: BaseException) -> str:
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0]


READ_ONLY_REFUSAL = re.compile(
    r'statement of type "(\w+)" on database "[^"]*" which is attached in read-only mode'
)


def run_query(con: duckdb.DuckDBPyConnection, sql: str) -> tuple[list[str], list[tuple]]:
    """Column names and rows of the (last) statement; ([], []) for a statement without rows."""
    try:
        cursor = con.execute(sql)
        if cursor.description is None:
            return [], []
        return [d[0] for d in cursor.description], cursor.fetchall()
    except duckdb.Error as exc:
        refused = READ_ONLY_REFUSAL.search(str(exc))
        if refused:
            raise ShellError(
                f"refused: {refused.group(1)} on the published warehouse, which is read-only (each night "
                "replaces it whole); COPY the rows to a file or into a database of your own"
            ) from exc
        raise ShellError(_first_line(exc)) from exc


def _json_value(value):
    if isinstance(value, dt.date | dt.datetime | dt.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return float(value)
    if isinstance(value, dt.timedelta):
        return value.total_seconds()
    if isinstance(value, bytes):
        return value.hex()
    return value


def _cell(value) -> str:
    if value is None:
        return "NULL"
    if isinstance(value, float):
        text = f"{value:.6g}" if abs(value) < 1e15 else repr(value)
    else:
        text = str(_json_value(value))
    text = text.replace("\n", " ")
    return text if len(text) <= MAX_CELL else text[: MAX_CELL - 1] + "…"


def render(columns: Sequence[str], rows: Sequence[tuple], fmt: str, out: TextIO) -> None:
    if fmt == "csv":
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(columns)
        writer.writerows([["" if v is None else _json_value(v) for v in row] for row in rows])
    elif fmt == "json":
        json.dump(
            [{c: _json_value(v) for c, v in zip(columns, row, strict=True)} for row in rows],
            out,
            indent=2,
            default=str,
        )
        out.write("\n")
    else:
        cells = [[_cell(v) for v in row] for row in rows]
        widths = [max([len(c), *(len(r[i]) for r in cells)]) for i, c in enumerate(columns)]
        numeric = [
            all(isinstance(row[i], int | float | decimal.Decimal) or row[i] is None for row in rows)
            for i in range(len(columns))
        ]

        def line(values):
            return " | ".join(
                v.rjust(w) if num else v.ljust(w) for v, w, num in zip(values, widths, numeric, strict=True)
            ).rstrip()

        out.write(line(columns) + "\n")
        out.write("-+-".join("-" * w for w in widths) + "\n")
        for row in cells:
            out.write(line(row) + "\n")
        out.write(f"({len(rows)} row{'s' if len(rows) != 1 else ''})\n")


def run_one(database: Path, sql: str, fmt: str, out: TextIO | None = None) -> None:
    out = out or sys.stdout
    with connect(database) as con:
        columns, rows = run_query(con, sql)
    if columns:
        render(columns, rows, fmt, out)


def _statements(lines):
    """Complete `;`-terminated statements from an iterable of lines (dot commands on their own)."""
    buffer: list[str] = []
    for line in lines:
        if not buffer and line.strip().startswith("."):
            yield line.strip()
            continue
        buffer.append(line)
        text = "\n".join(buffer).strip()
        if text.endswith(";"):
            yield text
            buffer = []
    rest = "\n".join(buffer).strip()
    if rest:
        yield rest


def _dot_command(con, command: str, out: TextIO) -> bool:
    """`.tables`, `.schema NAME`, `.quit`; False when the shell should stop."""
    name, _, arg = command.partition(" ")
    if name in (".quit", ".exit", ".q"):
        return False
    if name == ".tables":
        render(
            *run_query(
                con,
                "select table_schema, table_name from information_schema.tables "
                "where table_catalog = current_database() order by 1, 2",
            ),
            "table",
            out,
        )
    elif name == ".schema" and arg.strip():
        table = arg.strip().split(".")[-1]
        render(
            *run_query(
                con,
                "select column_name, data_type from information_schema.columns "
                f"where table_name = '{table.replace(chr(39), '')}' order by ordinal_position",
            ),
            "table",
            out,
        )
    else:
        out.write(".tables | .schema TABLE | .quit; anything else is SQL ending with ;\n")
    return True


def run_script(con, lines, out: TextIO, err: TextIO, fmt: str = "table") -> int:
    """Run statements one by one; an error is one line on `err` and the script goes on."""
    status = 0
    for statement in _statements(lines):
        if statement.startswith("."):
            if not _dot_command(con, statement, out):
                break
            continue
        try:
            columns, rows = run_query(con, statement)
        except ShellError as exc:
            err.write(f"{exc}\n")
            status = 1
            continue
        if columns:
            render(columns, rows, fmt, out)
    return status


def _prompt_lines(banner: str):
    with contextlib.suppress(ImportError):
        import readline  # noqa: F401  (line editing and history for input())
    print(banner)
    prompt = "closecredit> "
    while True:
        try:
            line = input(prompt)
        except EOFError:
            print()
            return
        prompt = (
            "closecredit> " if line.strip().endswith(";") or line.strip().startswith(".") else "       ...> "
        )
        yield line


def _harlequin(database: Path) -> int | None:
    """Hand the terminal to harlequin (optional extra), read-only, with the same search path."""
    harlequin = shutil.which("harlequin") or (
        str(Path(sys.executable).with_name("harlequin"))
        if Path(sys.executable).with_name("harlequin").exists()
        else None
    )
    if harlequin is None:
        return None
    import subprocess

    with tempfile.NamedTemporaryFile("w", suffix=".sql", delete=False) as init:
        init.write(f"set search_path = '{SEARCH_PATH}';\n")
    try:
        return subprocess.call(
            [harlequin, "-a", "duckdb", "--read-only", "--init-path", init.name, str(database)]
        )
    finally:
        Path(init.name).unlink(missing_ok=True)


def interactive(database: Path, *, plain: bool = False) -> int:
    database = Path(database)
    if sys.stdin.isatty() and not plain:
        status = _harlequin(database)
        if status is not None:
            return status
    with connect(database) as con:
        if not sys.stdin.isatty():
            return run_script(con, sys.stdin.read().splitlines(), sys.stdout, sys.stderr)
        as_of = con.execute("select max(as_of_date) from marts._publication").fetchone()[0]
        banner = (
            f"{database} (read-only), marts as of {as_of}; schema marts is on the search path.\n"
            "SQL ends with ; — .tables lists the tables, .quit (or Ctrl-D) leaves."
        )
        return run_script(con, _prompt_lines(banner), sys.stdout, sys.stderr)
