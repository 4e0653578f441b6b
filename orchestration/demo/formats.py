"""Write demo extracts in another file format: every object's CSV of every night becomes a
`.csv.gz`, `.parquet` or `.jsonl` file with the same columns, rows (in file order) and values,
every value text, an empty field NULL — what the landing reads back into the same raw rows.

    closecredit demo --format parquet
"""

from __future__ import annotations

import csv
import gzip
import json
import shutil
from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from orchestration.core.contract import FILE_FORMATS
from orchestration.night.landing import SUCCESS_MARKER

# `--format` names, without the dot: csv, csv.gz, parquet, jsonl
FORMAT_NAMES = {suffix.lstrip("."): suffix for suffix in FILE_FORMATS}


def _read_csv_as_text(path: Path) -> pa.Table:
    # The header row as written (the landing normalises names itself), every column text.
    with path.open(encoding="utf-8-sig", newline="") as handle:
        names = next(csv.reader(handle), [])
    return pacsv.read_csv(
        path,
        read_options=pacsv.ReadOptions(column_names=names, skip_rows=1, use_threads=False),
        parse_options=pacsv.ParseOptions(newlines_in_values=True),
        convert_options=pacsv.ConvertOptions(
            column_types={n: pa.string() for n in names},
            null_values=[""],
            strings_can_be_null=True,
            quoted_strings_can_be_null=True,
        ),
    )


def convert_file(path: Path, file_format: str) -> Path:
    """One CSV as `file_format` (a suffix of FILE_FORMATS) beside it; the CSV is removed."""
    target = path.with_name(path.name.removesuffix(".csv") + file_format)
    if file_format == ".csv":
        return path
    if file_format == ".csv.gz":
        with path.open("rb") as source, gzip.open(target, "wb") as sink:
            shutil.copyfileobj(source, sink)
    else:
        table = _read_csv_as_text(path)
        if file_format == ".parquet":
            pq.write_table(table, target)
        else:
            with target.open("w", encoding="utf-8") as sink:
                for row in table.to_pylist():
                    sink.write(json.dumps(row, ensure_ascii=False) + "\n")
    path.unlink()
    return target


def convert_night(folder: Path, file_format: str) -> int:
    """Every object file of one night's folder in `file_format`; returns how many. A complete
    folder's `_SUCCESS` is written again last, so it is never read half-converted."""
    if file_format not in FILE_FORMATS:
        raise ValueError(f"unknown file format {file_format!r}; choose one of {', '.join(FILE_FORMATS)}")
    marker = folder / SUCCESS_MARKER
    complete = marker.exists()
    if complete:
        marker.unlink()
    paths = sorted(folder.glob("*/*.csv")) if file_format != ".csv" else []
    for path in paths:
        convert_file(path, file_format)
    if complete:
        marker.write_bytes(b"")
    return len(paths)


def convert_extracts(extracts_root: Path, file_format: str) -> int:
    """Every night folder under `extracts_root` in `file_format`; returns how many files."""
    return sum(
        convert_night(folder, file_format)
        for folder in sorted(p for p in extracts_root.iterdir() if p.is_dir())
    )
