"""Landing: each file of a complete extract folder into a raw table, every column as text.

Nothing is typed, checked or dropped here, so nothing can be lost here: staging decides what each
row becomes. A night's folder is read only once it holds `_SUCCESS`. Landing is idempotent: a file
whose content was already landed for that night is skipped, and a changed file replaces that
night's rows of its object in one transaction.
"""

from __future__ import annotations

import csv
import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.csv as pacsv

from orchestration.core.contract import ContractObject, load_contract, objects_in_use
from orchestration.core.dbt_vars import project_vars

RAW_SCHEMA = "raw"
LANDING_LOG = f"{RAW_SCHEMA}.landing_log"
SUCCESS_MARKER = "_SUCCESS"
METADATA_COLUMNS = ("_extract_date", "_source_file", "_row_number", "_loaded_at")
_DATE_FOLDER = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_BLOCK_SIZE = 16 << 20  # bytes per CSV read block: bounds memory on large web event files


class LandingError(Exception):
    """A file that cannot be landed; the message names the file, and the row or column."""


@dataclass
class ObjectLanding:
    object_name: str
    source_file: str
    status: str  # landed | unchanged | missing | failed
    row_count: int = 0
    message: str = ""


@dataclass
class NightLanding:
    extract_date: date
    folder: Path
    complete: bool
    objects: list[ObjectLanding] = field(default_factory=list)

    @property
    def failures(self) -> list[ObjectLanding]:
        return [o for o in self.objects if o.status == "failed"]

    @property
    def rows_landed(self) -> int:
        return sum(o.row_count for o in self.objects if o.status == "landed")


def extract_folders(extracts_root: Path) -> dict[date, Path]:
    """Every dated folder under the extracts root, complete or not, by date."""
    if not extracts_root.is_dir():
        raise LandingError(f"extracts folder {extracts_root} does not exist")
    return {
        date.fromisoformat(p.name): p
        for p in sorted(extracts_root.iterdir())
        if p.is_dir() and _DATE_FOLDER.match(p.name)
    }


def complete_extract_dates(extracts_root: Path) -> list[date]:
    """Dates whose folder holds `_SUCCESS`, oldest first."""
    return [d for d, p in extract_folders(extracts_root).items() if (p / SUCCESS_MARKER).exists()]


def _quote(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


def ensure_raw_tables(
    con: duckdb.DuckDBPyConnection, objects: Iterable[ContractObject] | None = None
) -> None:
    """Create the raw schema, one raw table per contract object, and the landing log."""
    con.execute(f"create schema if not exists {RAW_SCHEMA}")
    for obj in objects or load_contract():
        columns = ", ".join(f"{_quote(c)} varchar" for c in obj.column_names)
        con.execute(
            f"create table if not exists {RAW_SCHEMA}.{obj.identifier} ({columns}, "
            "_extract_date date, _source_file varchar, _row_number bigint, _loaded_at timestamp)"
        )
    con.execute(
        f"create table if not exists {LANDING_LOG} (extract_date date, system varchar, object varchar, "
        "source_file varchar, file_sha256 varchar, status varchar, row_count bigint, message varchar, "
        "landed_at timestamp)"
    )


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def normalise_header(name: str) -> str:
    """Header names are matched to the contract trimmed and lower-cased (BOM removed)."""
    return name.replace("\ufeff", "").strip().lower()


def read_header(path: Path, source_file: str) -> list[str]:
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            header = next(csv.reader(handle), None)
    except UnicodeDecodeError as exc:
        raise LandingError(f"{source_file}: not UTF-8 text ({exc.reason} at byte {exc.start})") from exc
    if not header:
        raise LandingError(f"{source_file}: empty file, no header row")
    names = [normalise_header(n) for n in header]
    seen = set()
    for position, name in enumerate(names, start=1):
        if not name:
            raise LandingError(f"{source_file}: header column {position} has no name")
        if name in seen:
            raise LandingError(f"{source_file}: header names column {name!r} twice")
        seen.add(name)
    return names


def check_contract_columns(obj: ContractObject, header: list[str], source_file: str) -> None:
    reserved = [c for c in header if c in METADATA_COLUMNS]
    if reserved:
        raise LandingError(f"{source_file}: column {reserved[0]!r} is reserved for landing metadata")
    missing = [c for c in obj.column_names if c not in header]
    if missing:
        listed = ", ".join(repr(c) for c in missing)
        raise LandingError(
            f"{source_file}: missing contract column(s) {listed} of {obj.qualified_name} "
            f"(header row has {len(header)} columns); the object was not landed"
        )


def _has_data_rows(path: Path) -> bool:
    """A header-only file (with or without a final newline) has nothing to read."""
    with path.open(encoding="utf-8-sig", newline="") as handle:
        rows = csv.reader(handle)
        next(rows, None)
        return next(rows, None) is not None


def _record_batches(path: Path, header: list[str], source_file: str) -> Iterable[pa.RecordBatch]:
    bad_rows: list[str] = []

    def on_invalid_row(row: pacsv.InvalidRow) -> str:
        # Arrow's number is the file line (header = line 1) while no earlier field spans lines.
        where = f"line {row.number}" if row.number is not None else "a row"
        bad_rows.append(
            f"{source_file}: {where} has {row.actual_columns} fields, the header has {row.expected_columns}"
        )
        return "error"

    try:
        if not _has_data_rows(path):
            return
        reader = pacsv.open_csv(
            path,
            read_options=pacsv.ReadOptions(
                column_names=header, skip_rows=1, block_size=_BLOCK_SIZE, use_threads=False
            ),
            parse_options=pacsv.ParseOptions(newlines_in_values=True, invalid_row_handler=on_invalid_row),
            convert_options=pacsv.ConvertOptions(
                column_types={name: pa.string() for name in header},
                null_values=[""],
                strings_can_be_null=True,
                quoted_strings_can_be_null=True,
            ),
        )
        yield from reader
    except (pa.ArrowInvalid, UnicodeDecodeError) as exc:
        detail = bad_rows[0] if bad_rows else f"{source_file}: unreadable CSV ({exc})"
        raise LandingError(detail) from exc


def land_object(
    con: duckdb.DuckDBPyConnection,
    obj: ContractObject,
    extracts_root: Path,
    extract_date: date,
) -> ObjectLanding:
    """Land one object's file of one night; never raises for bad data, it reports it."""
    path = extracts_root / extract_date.isoformat() / obj.relative_path
    source_file = path.relative_to(extracts_root).as_posix()
    if not path.exists():
        result = ObjectLanding(
            obj.qualified_name, source_file, "missing", 0, f"{source_file}: no file tonight"
        )
        _log(con, obj, extract_date, result, file_sha256=None)
        return result
    sha = _sha256(path)
    previous = con.execute(
        f"select file_sha256, row_count from {LANDING_LOG} "
        "where extract_date = ? and system = ? and object = ? and status = 'landed'",
        [extract_date, obj.system, obj.name],
    ).fetchone()
    if previous and previous[0] == sha:
        return ObjectLanding(obj.qualified_name, source_file, "unchanged", previous[1], "already landed")
    table = f"{RAW_SCHEMA}.{obj.identifier}"
    loaded_at = datetime.now(UTC).replace(tzinfo=None)
    con.execute("begin transaction")
    try:
        header = read_header(path, source_file)
        check_contract_columns(obj, header, source_file)
        existing = {r[0] for r in con.execute(f"describe {table}").fetchall()}
        for extra in (c for c in header if c not in existing):
            # Schema drift: a column the contract does not list is kept in raw, ignored downstream.
            con.execute(f"alter table {table} add column {_quote(extra)} varchar")
        con.execute(f"delete from {table} where _extract_date = ?", [extract_date])
        rows = 0
        for batch in _record_batches(path, header, source_file):
            row_numbers = pa.array(range(rows + 1, rows + batch.num_rows + 1), type=pa.int64())
            batch = batch.append_column("_row_number", row_numbers)
            con.register("landing_batch", batch)
            con.execute(
                f"insert into {table} by name select *, ?::date as _extract_date, ? as _source_file, "
                "?::timestamp as _loaded_at from landing_batch",
                [extract_date, source_file, loaded_at],
            )
            con.unregister("landing_batch")
            rows += batch.num_rows
        result = ObjectLanding(obj.qualified_name, source_file, "landed", rows)
        _log(con, obj, extract_date, result, file_sha256=sha, landed_at=loaded_at)
        con.execute("commit")
        return result
    except LandingError as exc:
        con.execute("rollback")
        result = ObjectLanding(obj.qualified_name, source_file, "failed", 0, str(exc))
        _log(con, obj, extract_date, result, file_sha256=sha)
        return result
    except BaseException:
        con.execute("rollback")
        raise


def _log(con, obj, extract_date, result: ObjectLanding, file_sha256, landed_at=None) -> None:
    # A failed re-landing leaves the earlier landed rows (and their log line) in place.
    status_filter = "" if result.status == "landed" else " and status <> 'landed'"
    con.execute(
        f"delete from {LANDING_LOG} where extract_date = ? and system = ? and object = ?{status_filter}",
        [extract_date, obj.system, obj.name],
    )
    con.execute(
        f"insert into {LANDING_LOG} values (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            extract_date,
            obj.system,
            obj.name,
            result.source_file,
            file_sha256,
            result.status,
            result.row_count,
            result.message or None,
            landed_at or datetime.now(UTC).replace(tzinfo=None),
        ],
    )


def land_night(
    con: duckdb.DuckDBPyConnection, extracts_root: Path, extract_date: date, crm_source: str | None = None
) -> NightLanding:
    """Land every contract object of one night that the CRM shape in use (var `crm_source`, the
    project's unless given) reads; a bad file fails only its own object."""
    folder = extracts_root / extract_date.isoformat()
    night = NightLanding(extract_date, folder, complete=(folder / SUCCESS_MARKER).exists())
    if not night.complete:
        return night
    ensure_raw_tables(con)
    for obj in objects_in_use(crm_source or project_vars()["crm_source"]):
        night.objects.append(land_object(con, obj, extracts_root, extract_date))
    return night
