"""Landing: each file of a complete extract folder into a raw table, every column as text.

Nothing is typed, checked or dropped here, so nothing can be lost here: staging decides what each
row becomes. A night's folder is read only once it holds `_SUCCESS`. Landing is idempotent: a file
whose content was already landed for that night is skipped, and a changed file replaces that
night's rows of its object in one transaction.
"""

from __future__ import annotations

import csv
import gzip
import hashlib
import json
import re
import zlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from orchestration.core.contract import FILE_FORMATS, ContractObject, load_contract, objects_in_use
from orchestration.core.dbt_vars import project_vars
from orchestration.core.erasure import (
    ERASED_ROWS,
    ensure_erasure_tables,
    erased_condition,
    has_erasures,
    register_person_key,
)

RAW_SCHEMA = "raw"
LANDING_LOG = f"{RAW_SCHEMA}.landing_log"
SUCCESS_MARKER = "_SUCCESS"
METADATA_COLUMNS = ("_extract_date", "_source_file", "_row_number", "_loaded_at")
_DATE_FOLDER = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_BLOCK_SIZE = 16 << 20  # bytes per CSV read block: bounds memory on large web event files
_BATCH_ROWS = 65_536  # rows per Parquet / JSON-lines batch: the same bound for the other formats


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
        # A column added to the contract later (an optional one) is added to an existing raw table.
        existing = {r[0] for r in con.execute(f"describe {RAW_SCHEMA}.{obj.identifier}").fetchall()}
        for column in (c for c in obj.column_names if c not in existing):
            con.execute(f"alter table {RAW_SCHEMA}.{obj.identifier} add column {_quote(column)} varchar")
    ensure_erasure_tables(con)
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


def file_format(path: Path) -> str:
    """The format of an extract file, by its suffix (one of FILE_FORMATS)."""
    for suffix in sorted(FILE_FORMATS, key=len, reverse=True):
        if path.name.endswith(suffix):
            return suffix
    raise LandingError(f"{path.name}: not one of the extract formats {', '.join(FILE_FORMATS)}")


def object_file(extracts_root: Path, obj: ContractObject, extract_date: date) -> Path | None:
    """The object's one file of the night in any format, None when there is none; two files for the
    same object (`opportunity.csv` and `opportunity.parquet`) are an error naming both."""
    folder = extracts_root / extract_date.isoformat()
    found = [folder / relative for relative in obj.relative_paths if (folder / relative).exists()]
    if len(found) > 1:
        names = " and ".join(p.relative_to(extracts_root).as_posix() for p in found)
        raise LandingError(f"{names}: two files for {obj.qualified_name} tonight; keep one")
    return found[0] if found else None


def _checked_names(raw_names: list[str], source_file: str, what: str = "header column") -> list[str]:
    names = [normalise_header(n) for n in raw_names]
    seen = set()
    for position, name in enumerate(names, start=1):
        if not name:
            raise LandingError(f"{source_file}: {what} {position} has no name")
        if name in seen:
            raise LandingError(f"{source_file}: header names column {name!r} twice")
        seen.add(name)
    return names


def _open_text(path: Path):
    """A CSV file as text, gunzipped when it is a `.csv.gz` (a byte-order mark is dropped)."""
    if path.name.endswith(".gz"):
        return gzip.open(path, "rt", encoding="utf-8-sig", newline="")
    return path.open(encoding="utf-8-sig", newline="")


_GZIP_ERRORS = (gzip.BadGzipFile, EOFError, zlib.error)


def read_header(path: Path, source_file: str) -> list[str]:
    """The column names of an extract file, normalised: a CSV's header row, a Parquet file's
    schema, the keys of a JSON-lines file's objects in order of first appearance."""
    kind = file_format(path)
    if kind == ".parquet":
        return _checked_names(_parquet_file(path, source_file).schema_arrow.names, source_file, "column")
    if kind == ".jsonl":
        return _jsonl_keys(path, source_file)
    try:
        with _open_text(path) as handle:
            header = next(csv.reader(handle), None)
    except UnicodeDecodeError as exc:
        raise LandingError(f"{source_file}: not UTF-8 text ({exc.reason} at byte {exc.start})") from exc
    except _GZIP_ERRORS as exc:
        raise LandingError(f"{source_file}: not a readable gzip file ({exc})") from exc
    if not header:
        raise LandingError(f"{source_file}: empty file, no header row")
    return _checked_names(header, source_file)


def check_contract_columns(obj: ContractObject, header: list[str], source_file: str) -> None:
    reserved = [c for c in header if c in METADATA_COLUMNS]
    if reserved:
        raise LandingError(f"{source_file}: column {reserved[0]!r} is reserved for landing metadata")
    # An optional column may be absent: `insert by name` leaves it NULL.
    missing = obj.missing_from(header)
    if missing:
        listed = ", ".join(repr(c) for c in missing)
        raise LandingError(
            f"{source_file}: missing contract column(s) {listed} of {obj.qualified_name} "
            f"(the file has {len(header)} columns); the object was not landed"
        )


def _has_data_rows(path: Path) -> bool:
    """A header-only file (with or without a final newline) has nothing to read."""
    with _open_text(path) as handle:
        rows = csv.reader(handle)
        next(rows, None)
        return next(rows, None) is not None


def _csv_batches(path: Path, header: list[str], source_file: str) -> Iterable[pa.RecordBatch]:
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
            pa.input_stream(str(path), compression="detect"),
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
    except (pa.ArrowInvalid, UnicodeDecodeError, *_GZIP_ERRORS) as exc:
        detail = bad_rows[0] if bad_rows else f"{source_file}: unreadable CSV ({exc})"
        raise LandingError(detail) from exc


def _parquet_file(path: Path, source_file: str) -> pq.ParquetFile:
    try:
        return pq.ParquetFile(path)
    except (pa.ArrowException, OSError) as exc:
        raise LandingError(f"{source_file}: unreadable Parquet file ({exc})") from exc


def _as_text(column: pa.Array, name: str, source_file: str) -> pa.Array:
    """A Parquet column as text, as a CSV would have written it: Arrow's text of each value
    (`true`, `12.5`, `2026-11-26 09:15:00`), an empty string as NULL."""
    if pa.types.is_nested(column.type):
        raise LandingError(f"{source_file}: column {name!r} is a {column.type}, not a value per row")
    try:
        text = column if column.type == pa.string() else pc.cast(column, pa.string())
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError) as exc:
        raise LandingError(
            f"{source_file}: column {name!r} ({column.type}) has no text form ({exc})"
        ) from exc
    return pc.if_else(pc.equal(text, ""), pa.scalar(None, pa.string()), text)


def _parquet_batches(path: Path, header: list[str], source_file: str) -> Iterable[pa.RecordBatch]:
    parquet = _parquet_file(path, source_file)
    try:
        for batch in parquet.iter_batches(batch_size=_BATCH_ROWS, use_threads=False):
            columns = [_as_text(batch.column(i), header[i], source_file) for i in range(batch.num_columns)]
            yield pa.RecordBatch.from_arrays(columns, names=header)
    except (pa.ArrowException, OSError) as exc:
        raise LandingError(f"{source_file}: unreadable Parquet file ({exc})") from exc


def _json_text(value, line: int, key: str, source_file: str) -> str | None:
    """A JSON value as the text a CSV would hold: numbers exactly as written, true/false, null and
    the empty string as NULL; an object or an array is not a value of one column."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return value
    raise LandingError(
        f"{source_file}: line {line}, column {key!r} holds a JSON {type(value).__name__}, not a value"
    )


def _jsonl_objects(path: Path, source_file: str) -> Iterable[tuple[int, dict]]:
    """(line number, object) of each non-blank line, numbers kept as their text."""
    try:
        with path.open(encoding="utf-8-sig") as handle:
            for line_number, line in enumerate(handle, start=1):
                if not line.strip():
                    continue
                try:
                    record = json.loads(line, parse_int=str, parse_float=str, parse_constant=str)
                except json.JSONDecodeError as exc:
                    raise LandingError(f"{source_file}: line {line_number} is not JSON ({exc.msg})") from exc
                if not isinstance(record, dict):
                    raise LandingError(f"{source_file}: line {line_number} is not a JSON object")
                yield line_number, record
    except UnicodeDecodeError as exc:
        raise LandingError(f"{source_file}: not UTF-8 text ({exc.reason} at byte {exc.start})") from exc


def _jsonl_keys(path: Path, source_file: str) -> list[str]:
    """Every key of the file's objects, normalised, in order of first appearance; a key missing
    from one object is NULL there."""
    keys: dict[str, None] = {}
    for line_number, record in _jsonl_objects(path, source_file):
        names = [normalise_header(key) for key in record]
        if "" in names:
            raise LandingError(f"{source_file}: line {line_number} has a key with no name")
        if len(set(names)) < len(names):
            twice = next(n for n in names if names.count(n) > 1)
            raise LandingError(f"{source_file}: line {line_number} names column {twice!r} twice")
        keys.update(dict.fromkeys(names))
    return list(keys)


def _jsonl_batches(path: Path, header: list[str], source_file: str) -> Iterable[pa.RecordBatch]:
    columns: dict[str, list] = {name: [] for name in header}
    size = 0
    for line_number, record in _jsonl_objects(path, source_file):
        values = {normalise_header(k): v for k, v in record.items()}  # unique: _jsonl_keys checked
        for name in header:
            columns[name].append(_json_text(values.get(name), line_number, name, source_file))
        size += 1
        if size == _BATCH_ROWS:
            yield pa.RecordBatch.from_pydict(columns, schema=pa.schema([(n, pa.string()) for n in header]))
            columns, size = {name: [] for name in header}, 0
    if size:
        yield pa.RecordBatch.from_pydict(columns, schema=pa.schema([(n, pa.string()) for n in header]))


def _record_batches(path: Path, header: list[str], source_file: str) -> Iterable[pa.RecordBatch]:
    """The file's rows in file order, every column text, in bounded batches."""
    kind = file_format(path)
    if kind == ".parquet":
        return _parquet_batches(path, header, source_file)
    if kind == ".jsonl":
        return _jsonl_batches(path, header, source_file)
    return _csv_batches(path, header, source_file)


def locate_object_file(obj: ContractObject, extracts_root: Path, extract_date: date) -> Path | ObjectLanding:
    """The object's file of the night, or the `failed` (two files, unknown format) or `missing`
    result the landing records instead; the DuckDB and Spark landings share it."""
    source_file = f"{extract_date.isoformat()}/{obj.relative_path}"
    try:
        path = object_file(extracts_root, obj, extract_date)
    except LandingError as exc:
        return ObjectLanding(obj.qualified_name, source_file, "failed", 0, str(exc))
    if path is None:
        return ObjectLanding(obj.qualified_name, source_file, "missing", 0, f"{source_file}: no file tonight")
    return path


def land_object(
    con: duckdb.DuckDBPyConnection,
    obj: ContractObject,
    extracts_root: Path,
    extract_date: date,
) -> ObjectLanding:
    """Land one object's file of one night; never raises for bad data, it reports it."""
    path = locate_object_file(obj, extracts_root, extract_date)
    if isinstance(path, ObjectLanding):
        _log(con, obj, extract_date, path, file_sha256=None)
        return path
    source_file = path.relative_to(extracts_root).as_posix()
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
    # Rows of an erased person (closecredit forget) stay out of raw; only their place is recorded.
    erased = erased_condition(obj, "landing_batch") if has_erasures(con) else None
    if erased:
        register_person_key(con)
    con.execute("begin transaction")
    try:
        header = read_header(path, source_file)
        if not header and file_format(path) == ".jsonl":
            header = obj.column_names  # an empty JSON-lines file: no rows, so no column is missing
        check_contract_columns(obj, header, source_file)
        existing = {r[0] for r in con.execute(f"describe {table}").fetchall()}
        for extra in (c for c in header if c not in existing):
            # Schema drift: a column the contract does not list is kept in raw, ignored downstream.
            con.execute(f"alter table {table} add column {_quote(extra)} varchar")
        con.execute(f"delete from {table} where _extract_date = ?", [extract_date])
        con.execute(
            f"delete from {ERASED_ROWS} where extract_date = ? and system = ? and object = ?",
            [extract_date, obj.system, obj.name],
        )
        rows = 0
        for batch in _record_batches(path, header, source_file):
            row_numbers = pa.array(range(rows + 1, rows + batch.num_rows + 1), type=pa.int64())
            batch = batch.append_column("_row_number", row_numbers)
            con.register("landing_batch", batch)
            if erased:
                con.execute(
                    f"insert into {ERASED_ROWS} select ?::date, ?, ?, ?, _row_number, 'landing', "
                    f"?::timestamp from landing_batch where {erased}",
                    [extract_date, obj.system, obj.name, source_file, loaded_at],
                )
            con.execute(
                f"insert into {table} by name select *, ?::date as _extract_date, ? as _source_file, "
                f"?::timestamp as _loaded_at from landing_batch where not {erased or 'false'}",
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
