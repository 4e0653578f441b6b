"""Every extract file format lands the same raw rows: `.csv`, `.csv.gz`, `.parquet` and `.jsonl`
(docs/contract.md, "Files"). Per format: every column text, `_row_number` in file order,
re-landing the same file changes nothing, a missing column and an unreadable file fail with the
file named. DuckDB in a tmp folder, no dbt; the files are written by the demo's converter
(orchestration/demo/formats.py) from one CSV, so the CSV is the reference."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from orchestration.core.contract import FILE_FORMATS, get_object
from orchestration.demo.formats import convert_file
from orchestration.night.landing import ensure_raw_tables, land_object
from tests.contract_rows import raw_table, valid_row, write_csv

NIGHT = date(2026, 11, 25)
ACCOUNT = get_object("crm", "account")
FORMATS = [pytest.param(f, id=f.lstrip(".")) for f in FILE_FORMATS]


def rows(count: int = 4) -> list[dict[str, str]]:
    out = [valid_row(ACCOUNT, n) for n in range(1, count + 1)]
    out[1]["name"] = ""  # an empty field is NULL in every format
    out[2]["name"] = 'Quote "and" comma, new\nline'
    out[3]["number_of_employees"] = "1.50"  # kept exactly as written
    return out


def write_object(root: Path, file_format: str, header: list[str] | None = None, data=None) -> Path:
    """The account file of NIGHT in `file_format`, converted from a CSV."""
    path = root / NIGHT.isoformat() / ACCOUNT.relative_path
    write_csv(path, header or ACCOUNT.column_names, rows() if data is None else data)
    return convert_file(path, file_format)


def land(con, root: Path):
    ensure_raw_tables(con, [ACCOUNT])
    return land_object(con, ACCOUNT, root, NIGHT)


def landed(con) -> list[tuple]:
    columns = ", ".join(f'"{c}"' for c in ACCOUNT.column_names)
    return con.execute(
        f"select _row_number, {columns} from {raw_table(ACCOUNT)} order by _row_number"
    ).fetchall()


@pytest.fixture
def csv_reference(tmp_path) -> list[tuple]:
    root = tmp_path / "csv"
    write_object(root, ".csv")
    with duckdb.connect(str(tmp_path / "csv.duckdb")) as con:
        assert land(con, root).status == "landed"
        return landed(con)


@pytest.mark.parametrize("file_format", FORMATS)
def test_every_format_lands_the_rows_of_the_csv_as_text_in_file_order(tmp_path, file_format, csv_reference):
    root = tmp_path / "extracts"
    path = write_object(root, file_format)
    assert path.name == f"account{file_format}"
    with duckdb.connect(str(tmp_path / "w.duckdb")) as con:
        result = land(con, root)
        assert (result.status, result.row_count) == ("landed", 4), result.message
        assert result.source_file == f"{NIGHT.isoformat()}/crm/account{file_format}"
        assert landed(con) == csv_reference
        assert [r[0] for r in landed(con)] == [1, 2, 3, 4]
        types = {r[0]: r[1] for r in con.execute(f"describe {raw_table(ACCOUNT)}").fetchall()}
        assert {types[c] for c in ACCOUNT.column_names} == {"VARCHAR"}
        names = {r[0]: r[2] for r in landed(con)}
        assert names[2] is None and names[4] == valid_row(ACCOUNT, 4)["name"]
        assert landed(con)[3][ACCOUNT.column_names.index("number_of_employees") + 1] == "1.50"


@pytest.mark.parametrize("file_format", FORMATS)
def test_landing_the_same_file_again_changes_nothing(tmp_path, file_format):
    root = tmp_path / "extracts"
    write_object(root, file_format)
    with duckdb.connect(str(tmp_path / "w.duckdb")) as con:
        land(con, root)
        before = con.execute(f"select * from {raw_table(ACCOUNT)} order by _row_number").fetchall()
        again = land(con, root)
        assert (again.status, again.row_count) == ("unchanged", 4)
        assert con.execute(f"select * from {raw_table(ACCOUNT)} order by _row_number").fetchall() == before


@pytest.mark.parametrize("file_format", FORMATS)
def test_a_missing_column_fails_naming_the_file_and_the_column(tmp_path, file_format):
    root = tmp_path / "extracts"
    header = [c for c in ACCOUNT.column_names if c != "website"]
    write_object(root, file_format, header=header)
    with duckdb.connect(str(tmp_path / "w.duckdb")) as con:
        result = land(con, root)
        assert result.status == "failed"
        assert f"{NIGHT.isoformat()}/crm/account{file_format}" in result.message
        assert "'website'" in result.message
        assert landed(con) == []


@pytest.mark.parametrize("file_format", FORMATS)
def test_an_unreadable_file_fails_naming_it(tmp_path, file_format):
    root = tmp_path / "extracts"
    path = root / NIGHT.isoformat() / "crm" / f"account{file_format}"
    path.parent.mkdir(parents=True)
    # Not UTF-8 text, not gzip, not Parquet, not JSON.
    path.write_bytes(b"\xff\xfe\x00garbage\x81\n\x00\xff")
    with duckdb.connect(str(tmp_path / "w.duckdb")) as con:
        result = land(con, root)
    assert result.status == "failed"
    assert result.message.startswith(f"{NIGHT.isoformat()}/crm/account{file_format}: ")
    assert "Traceback" not in result.message


def test_two_files_for_one_object_fail_naming_both(tmp_path):
    root = tmp_path / "extracts"
    write_object(root, ".parquet")
    write_object(root, ".csv")
    with duckdb.connect(str(tmp_path / "w.duckdb")) as con:
        result = land(con, root)
        assert result.status == "failed"
        assert "2026-11-25/crm/account.csv and 2026-11-25/crm/account.parquet" in result.message
        assert landed(con) == []


def test_a_typed_parquet_file_lands_as_text_and_its_empty_strings_as_null(tmp_path):
    root = tmp_path / "extracts"
    path = root / NIGHT.isoformat() / "crm" / "account.parquet"
    path.parent.mkdir(parents=True)
    columns = {c: pa.array(["x", ""], pa.string()) for c in ACCOUNT.column_names}
    columns["number_of_employees"] = pa.array([12, None], pa.int64())
    columns["is_deleted"] = pa.array([True, False])
    pq.write_table(pa.table(columns), path)
    with duckdb.connect(str(tmp_path / "w.duckdb")) as con:
        assert land(con, root).status == "landed"
        got = con.execute(
            f"select number_of_employees, is_deleted, name from {raw_table(ACCOUNT)} order by _row_number"
        ).fetchall()
    assert got == [("12", "true", "x"), (None, "false", None)]


def test_a_jsonl_file_keeps_numbers_as_written_and_a_missing_key_is_null(tmp_path):
    root = tmp_path / "extracts"
    path = root / NIGHT.isoformat() / "crm" / "account.jsonl"
    path.parent.mkdir(parents=True)
    first = {c: "x" for c in ACCOUNT.column_names} | {"number_of_employees": 1.50, "is_deleted": False}
    second = {"ID": "2", "system_modstamp": None}  # keys matched case-insensitively; the rest NULL
    path.write_text(
        json.dumps(first).replace("1.5", "1.50") + "\n\n" + json.dumps(second) + "\n", encoding="utf-8"
    )
    with duckdb.connect(str(tmp_path / "w.duckdb")) as con:
        result = land(con, root)
        assert (result.status, result.row_count) == ("landed", 2), result.message
        got = con.execute(
            f"select _row_number, id, number_of_employees, is_deleted, name from {raw_table(ACCOUNT)} "
            "order by _row_number"
        ).fetchall()
    assert got == [(1, "x", "1.50", "false", "x"), (2, "2", None, None, None)]


def _full(**values) -> str:
    return json.dumps({c: "x" for c in ACCOUNT.column_names} | values)


@pytest.mark.parametrize(
    ("second_line", "expected"),
    [
        ("[1, 2]", "line 2 is not a JSON object"),
        ('{"id": ', "line 2 is not JSON (Expecting value)"),
        (_full(id={"nested": 1}), "line 2, column 'id' holds a JSON dict, not a value"),
    ],
    ids=["array", "broken", "nested"],
)
def test_a_bad_jsonl_line_fails_naming_the_file_and_line(tmp_path, second_line, expected):
    root = tmp_path / "extracts"
    path = root / NIGHT.isoformat() / "crm" / "account.jsonl"
    path.parent.mkdir(parents=True)
    path.write_text(_full() + "\n" + second_line + "\n", encoding="utf-8")
    with duckdb.connect(str(tmp_path / "w.duckdb")) as con:
        result = land(con, root)
        assert result.status == "failed"
        assert result.message == f"{NIGHT.isoformat()}/crm/account.jsonl: {expected}"
        assert landed(con) == []
