"""orchestration/night/landing.py: extract folders land as text in raw tables, and nothing is lost there.

DuckDB in a tmp folder, no dbt. Per-object cases are parametrised over the contract.
"""

from __future__ import annotations

import csv
import io
import re
import shutil
from datetime import date
from pathlib import Path

import duckdb
import pytest

from orchestration.core.contract import crm_sources, get_object, load_contract, objects_in_use
from orchestration.night.landing import (
    LANDING_LOG,
    METADATA_COLUMNS,
    complete_extract_dates,
    ensure_raw_tables,
    land_night,
    land_object,
)
from tests.contract_rows import contract_params, raw_table, valid_row, write_csv, write_night

NIGHT = date(2026, 11, 25)
NEXT_NIGHT = date(2026, 11, 26)
ROWS_PER_OBJECT = 3
ACCOUNT = get_object("crm", "account")


def night_rows(count: int = ROWS_PER_OBJECT, start: int = 1) -> dict[str, list[dict[str, str]]]:
    return {o.qualified_name: [valid_row(o, n) for n in range(start, start + count)] for o in load_contract()}


def source_file(obj, night: date = NIGHT) -> str:
    return f"{night.isoformat()}/{obj.relative_path}"


def raw_rows(con, obj, night: date | None = None) -> list[tuple]:
    where = "" if night is None else f" where _extract_date = '{night.isoformat()}'"
    return con.execute(
        f"select * from {raw_table(obj)}{where} order by _extract_date, _row_number"
    ).fetchall()


def raw_dicts(con, obj, night: date | None = None) -> list[dict]:
    where = "" if night is None else f" where _extract_date = '{night.isoformat()}'"
    cursor = con.execute(f"select * from {raw_table(obj)}{where} order by _extract_date, _row_number")
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def log_rows(con) -> list[tuple]:
    return con.execute(
        f"select * from {LANDING_LOG} order by extract_date, system, object, status"
    ).fetchall()


def log_for(con, obj, night: date = NIGHT) -> list[tuple]:
    return con.execute(
        f"select status, row_count, message, file_sha256 from {LANDING_LOG} "
        "where extract_date = ? and system = ? and object = ? order by status",
        [night, obj.system, obj.name],
    ).fetchall()


def land_one(con, obj, root: Path, night: date = NIGHT):
    """Land a single object (faster than a whole night when the test is about one object)."""
    ensure_raw_tables(con, [obj])
    return land_object(con, obj, root, night)


def by_object(night_landing) -> dict:
    return {o.object_name: o for o in night_landing.objects}


def csv_text(header: list[str], rows: list[list[str]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue()


def account_csv(rows: int = 2) -> tuple[list[str], list[list[str]]]:
    header = list(ACCOUNT.column_names)
    return header, [[valid_row(ACCOUNT, n)[c] for c in header] for n in range(1, rows + 1)]


def write_account_file(root: Path, content: bytes | str, night: date = NIGHT) -> str:
    """A complete night whose crm.account file holds exactly `content`; other objects are valid."""
    write_night(root, night, night_rows(2))
    path = root / source_file(ACCOUNT, night)
    path.write_bytes(content.encode("utf-8") if isinstance(content, str) else content)
    return source_file(ACCOUNT, night)


def assert_other_objects_landed(night_landing, failed_object: str, rows: int = 2) -> None:
    for name, landing in by_object(night_landing).items():
        if name != failed_object:
            assert (landing.status, landing.row_count) == ("landed", rows), landing


def land_every_shape(con, root, night) -> dict:
    """Every contract object's landing: the night landed once per CRM shape (var crm_source), the
    objects of every other system taken from the first."""
    outcomes = {}
    for shape in crm_sources():
        for name, landing in by_object(land_night(con, root, night, crm_source=shape)).items():
            outcomes.setdefault(name, landing)
    return outcomes


# --- per object -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def landed_twice(tmp_path_factory):
    """One full night landed, then landed again unchanged; snapshots taken after each landing."""
    root = tmp_path_factory.mktemp("landed_twice") / "extracts"
    write_night(root, NIGHT, night_rows())
    con = duckdb.connect(str(root.parent / "warehouse.duckdb"))
    first = land_every_shape(con, root, NIGHT)
    raw_after_first = {o.qualified_name: raw_rows(con, o) for o in load_contract()}
    log_after_first = log_rows(con)
    second = land_every_shape(con, root, NIGHT)
    yield {
        "con": con,
        "first": first,
        "second": second,
        "raw_after_first": raw_after_first,
        "log_after_first": log_after_first,
    }
    con.close()


@pytest.mark.parametrize("obj", contract_params())
def test_rows_carry_file_row_number_source_file_and_extract_date(landed_twice, obj):
    assert landed_twice["first"][obj.qualified_name].status == "landed"
    rows = raw_dicts(landed_twice["con"], obj)
    written = [valid_row(obj, n) for n in range(1, ROWS_PER_OBJECT + 1)]
    assert [r["_row_number"] for r in rows] == list(range(1, ROWS_PER_OBJECT + 1))
    # _row_number follows the file order: row i of the file is the i-th written row, as text.
    for row, expected in zip(rows, written, strict=True):
        assert {c: row[c] for c in obj.column_names} == expected
    assert {r["_source_file"] for r in rows} == {source_file(obj)}
    assert {r["_extract_date"] for r in rows} == {NIGHT}
    assert all(r["_loaded_at"] is not None for r in rows)


@pytest.mark.parametrize("obj", contract_params())
def test_relanding_the_same_night_is_a_no_op(landed_twice, obj):
    first = landed_twice["first"][obj.qualified_name]
    second = landed_twice["second"][obj.qualified_name]
    assert (first.status, first.row_count) == ("landed", ROWS_PER_OBJECT)
    assert (second.status, second.row_count) == ("unchanged", ROWS_PER_OBJECT)
    # Same rows, same _loaded_at: nothing was deleted and re-inserted.
    assert raw_rows(landed_twice["con"], obj) == landed_twice["raw_after_first"][obj.qualified_name]


def test_relanding_the_same_night_leaves_the_landing_log_alone(landed_twice):
    assert log_rows(landed_twice["con"]) == landed_twice["log_after_first"]


@pytest.mark.parametrize("obj", contract_params())
def test_extra_column_is_kept_in_raw(warehouse, extracts_root, obj):
    rows = [{**valid_row(obj, n), "x_drift": f"drift {n}"} for n in (1, 2)]
    write_night(extracts_root, NIGHT, {obj.qualified_name: rows})
    landing = land_one(warehouse, obj, extracts_root)
    assert (landing.status, landing.row_count) == ("landed", 2), landing.message
    columns = [r[0] for r in warehouse.execute(f"describe {raw_table(obj)}").fetchall()]
    assert "x_drift" in columns
    assert [r["x_drift"] for r in raw_dicts(warehouse, obj)] == ["drift 1", "drift 2"]
    # A later night without the extra column still lands; its rows have no value there.
    write_night(extracts_root, NEXT_NIGHT, {obj.qualified_name: [valid_row(obj, 3)]})
    later = land_one(warehouse, obj, extracts_root, NEXT_NIGHT)
    assert (later.status, later.row_count) == ("landed", 1), later.message
    assert [r["x_drift"] for r in raw_dicts(warehouse, obj, NEXT_NIGHT)] == [None]


@pytest.mark.parametrize("obj", contract_params())
def test_missing_contract_column_fails_only_that_object(warehouse, extracts_root, obj):
    write_night(extracts_root, NIGHT, night_rows(2))
    dropped = [c.name for c in obj.columns if not c.optional][-1]
    header = [c for c in obj.column_names if c != dropped]
    write_csv(extracts_root / source_file(obj), header, [valid_row(obj, n) for n in (1, 2)])

    night = land_night(warehouse, extracts_root, NIGHT, crm_source=obj.crm_source)

    failed = by_object(night)[obj.qualified_name]
    assert failed.status == "failed"
    assert source_file(obj) in failed.message
    assert re.search(rf"\b{dropped}\b", failed.message), failed.message
    assert night.failures == [failed]
    assert raw_rows(warehouse, obj) == []
    assert log_for(warehouse, obj)[0][:3] == ("failed", 0, failed.message)
    assert_other_objects_landed(night, obj.qualified_name)


@pytest.mark.parametrize("obj", contract_params(lambda o: any(c.optional for c in o.columns)))
def test_a_file_without_an_optional_column_lands_with_nulls_there(warehouse, extracts_root, obj):
    optional = [c.name for c in obj.columns if c.optional]
    header = [c for c in obj.column_names if c not in optional]
    write_csv(extracts_root / source_file(obj), header, [valid_row(obj, n) for n in (1, 2)])

    landing = land_one(warehouse, obj, extracts_root)

    assert (landing.status, landing.row_count) == ("landed", 2), landing.message
    assert [[r[c] for c in optional] for r in raw_dicts(warehouse, obj)] == [[None] * len(optional)] * 2


def test_a_raw_table_created_before_an_optional_column_gains_it(warehouse):
    lead = get_object("crm", "lead")
    warehouse.execute("create schema if not exists raw")
    warehouse.execute(f"create table {raw_table(lead)} (id varchar, _extract_date date)")
    ensure_raw_tables(warehouse, [lead])
    columns = [r[0] for r in warehouse.execute(f"describe {raw_table(lead)}").fetchall()]
    assert "self_reported_source" in columns


def test_a_night_lands_the_objects_of_the_crm_shape_in_use(warehouse, extracts_root):
    write_night(extracts_root, NIGHT, night_rows(1))
    for shape in crm_sources():
        landed = set(by_object(land_night(warehouse, extracts_root, NIGHT, crm_source=shape)))
        assert landed == {o.qualified_name for o in objects_in_use(shape)}
        assert {o.crm_source for o in objects_in_use(shape)} == {None, shape}
    # The project's shape unless told (dbt_project.yml, var crm_source).
    assert {o.object_name for o in land_night(warehouse, extracts_root, NIGHT).objects} == {
        o.qualified_name for o in objects_in_use("salesforce")
    }


@pytest.mark.parametrize("obj", contract_params())
def test_changed_file_replaces_that_nights_rows(warehouse, extracts_root, obj):
    write_night(extracts_root, NIGHT, {obj.qualified_name: [valid_row(obj, n) for n in (1, 2, 3)]})
    write_night(extracts_root, NEXT_NIGHT, {obj.qualified_name: [valid_row(obj, n) for n in (7, 8)]})
    assert land_one(warehouse, obj, extracts_root).status == "landed"
    assert land_one(warehouse, obj, extracts_root, NEXT_NIGHT).status == "landed"
    sha_before = log_for(warehouse, obj)[0][3]

    replacement = [valid_row(obj, n) for n in (4, 5)]
    write_night(extracts_root, NIGHT, {obj.qualified_name: replacement})
    relanded = land_one(warehouse, obj, extracts_root)

    assert (relanded.status, relanded.row_count) == ("landed", 2), relanded.message
    rows = raw_dicts(warehouse, obj, NIGHT)
    assert [{c: r[c] for c in obj.column_names} for r in rows] == replacement
    assert [r["_row_number"] for r in rows] == [1, 2]
    assert len(raw_rows(warehouse, obj, NEXT_NIGHT)) == 2, "another night's rows were touched"
    (log,) = log_for(warehouse, obj)
    assert log[:2] == ("landed", 2)
    assert log[3] != sha_before


# --- nights -----------------------------------------------------------------------------------


def test_folder_without_success_marker_is_skipped(warehouse, extracts_root):
    write_night(extracts_root, NIGHT, night_rows(), complete=False)
    night = land_night(warehouse, extracts_root, NIGHT)
    assert night.complete is False
    assert night.objects == []
    assert night.rows_landed == 0
    ensure_raw_tables(warehouse)
    for obj in load_contract():
        assert raw_rows(warehouse, obj) == [], obj.qualified_name
    assert log_rows(warehouse) == []


def test_complete_extract_dates_lists_only_complete_night_folders(extracts_root):
    """Which of them are pending is orchestration.night.pending's one answer (tests/unit/test_settings.py)."""
    complete, incomplete, later = (date(2026, 11, d) for d in (23, 24, 25))
    for night in (complete, later):
        write_night(extracts_root, night, night_rows(1))
    write_night(extracts_root, incomplete, night_rows(1), complete=False)
    (extracts_root / "notes").mkdir()
    (extracts_root / "README.txt").write_text("not a night")
    assert complete_extract_dates(extracts_root) == [complete, later]
    (extracts_root / incomplete.isoformat() / "_SUCCESS").touch()
    assert complete_extract_dates(extracts_root) == [complete, incomplete, later]


def test_a_missing_file_is_reported_and_the_rest_lands(warehouse, extracts_root):
    write_night(extracts_root, NIGHT, night_rows(2))
    (extracts_root / source_file(ACCOUNT)).unlink()
    night = land_night(warehouse, extracts_root, NIGHT)
    missing = by_object(night)["crm.account"]
    assert missing.status == "missing"
    assert source_file(ACCOUNT) in missing.message
    assert night.failures == []
    assert_other_objects_landed(night, "crm.account")


def test_a_failed_relanding_keeps_the_rows_landed_before(warehouse, extracts_root):
    write_night(extracts_root, NIGHT, night_rows(2))
    assert land_night(warehouse, extracts_root, NIGHT).failures == []
    before = raw_rows(warehouse, ACCOUNT)
    header, rows = account_csv(2)
    (extracts_root / source_file(ACCOUNT)).write_text(csv_text(header[:-1], [r[:-1] for r in rows]))

    again = land_night(warehouse, extracts_root, NIGHT)

    assert by_object(again)["crm.account"].status == "failed"
    assert raw_rows(warehouse, ACCOUNT) == before
    assert [r[:2] for r in log_for(warehouse, ACCOUNT)] == [("failed", 0), ("landed", 2)]


def test_a_fixed_file_replaces_the_failure(warehouse, extracts_root):
    write_night(extracts_root, NIGHT, night_rows(2))
    header, rows = account_csv(2)
    good = (extracts_root / source_file(ACCOUNT)).read_bytes()
    (extracts_root / source_file(ACCOUNT)).write_text(csv_text(header[:-1], [r[:-1] for r in rows]))
    assert by_object(land_night(warehouse, extracts_root, NIGHT))["crm.account"].status == "failed"

    (extracts_root / source_file(ACCOUNT)).write_bytes(good)
    again = by_object(land_night(warehouse, extracts_root, NIGHT))

    assert (again["crm.account"].status, again["crm.account"].row_count) == ("landed", 2)
    assert [r[:2] for r in log_for(warehouse, ACCOUNT)] == [("landed", 2)]
    assert len(raw_rows(warehouse, ACCOUNT)) == 2


@pytest.mark.parametrize("reserved", METADATA_COLUMNS)
def test_a_column_named_like_landing_metadata_fails_only_that_object(warehouse, extracts_root, reserved):
    # land_object "never raises for bad data": a header that collides with the columns landing adds
    # must fail its object with a message, not crash the night.
    header, rows = account_csv(2)
    source = write_account_file(extracts_root, csv_text([*header, reserved], [[*r, "x"] for r in rows]))

    night = land_night(warehouse, extracts_root, NIGHT)

    failed = by_object(night)["crm.account"]
    assert failed.status == "failed"
    assert source in failed.message and reserved in failed.message
    assert_other_objects_landed(night, "crm.account")


# --- the CSV dialect --------------------------------------------------------------------------


def test_utf8_bom_is_tolerated(warehouse, extracts_root):
    header, rows = account_csv(2)
    write_account_file(extracts_root, "\ufeff" + csv_text(header, rows))
    landing = land_one(warehouse, ACCOUNT, extracts_root)
    assert (landing.status, landing.row_count) == ("landed", 2), landing.message
    assert [r["id"] for r in raw_dicts(warehouse, ACCOUNT)] == ["k1", "k2"]


def test_rfc4180_quoted_field_with_comma_quote_and_newline_survives(warehouse, extracts_root):
    header, rows = account_csv(2)
    tricky = 'Acme, "the" company\r\nsecond line'
    rows[0][header.index("name")] = tricky
    content = csv_text(header, rows)
    assert '"Acme, ""the"" company' in content  # really quoted as RFC 4180 says
    write_account_file(extracts_root, content)
    landing = land_one(warehouse, ACCOUNT, extracts_root)
    assert (landing.status, landing.row_count) == ("landed", 2), landing.message
    landed = raw_dicts(warehouse, ACCOUNT)
    assert landed[0]["name"] == tricky
    assert [(r["id"], r["_row_number"]) for r in landed] == [("k1", 1), ("k2", 2)]


@pytest.mark.parametrize("empty", ["", '""'], ids=["bare", "quoted"])
def test_empty_field_is_null(warehouse, extracts_root, empty):
    header, rows = account_csv(1)
    text = csv_text(header, rows)
    line = text.splitlines()[1].split(",")
    line[header.index("website")] = empty
    write_account_file(extracts_root, "\r\n".join([",".join(header), ",".join(line)]) + "\r\n")
    landing = land_one(warehouse, ACCOUNT, extracts_root)
    assert landing.status == "landed", landing.message
    (row,) = raw_dicts(warehouse, ACCOUNT)
    assert row["website"] is None
    assert row["name"] == "name 1"


def test_header_names_are_matched_trimmed_and_case_insensitively(warehouse, extracts_root):
    header, rows = account_csv(2)
    shouted = [f"  {name.upper()} " if i % 2 else name.title() for i, name in enumerate(header)]
    write_account_file(extracts_root, csv_text(shouted, rows))
    landing = land_one(warehouse, ACCOUNT, extracts_root)
    assert (landing.status, landing.row_count) == ("landed", 2), landing.message
    landed = raw_dicts(warehouse, ACCOUNT)
    assert [{c: r[c] for c in header} for r in landed] == [dict(zip(header, r, strict=True)) for r in rows]


def test_a_header_naming_a_column_twice_fails_the_object(warehouse, extracts_root):
    header, rows = account_csv(1)
    source = write_account_file(extracts_root, csv_text([*header, "ID"], [[*rows[0], "again"]]))
    night = land_night(warehouse, extracts_root, NIGHT)
    failed = by_object(night)["crm.account"]
    assert failed.status == "failed"
    assert source in failed.message and "'id'" in failed.message
    assert_other_objects_landed(night, "crm.account")


@pytest.mark.parametrize("fields", ["too_many", "too_few"])
def test_a_row_with_the_wrong_number_of_fields_fails_the_object(warehouse, extracts_root, fields):
    header, rows = account_csv(3)
    rows[1] = [*rows[1], "surplus"] if fields == "too_many" else rows[1][:-2]
    source = write_account_file(extracts_root, csv_text(header, rows))

    night = land_night(warehouse, extracts_root, NIGHT)

    failed = by_object(night)["crm.account"]
    assert failed.status == "failed"
    assert source in failed.message
    assert "line 3" in failed.message  # the header is line 1, the bad row line 3
    assert raw_rows(warehouse, ACCOUNT) == []
    assert_other_objects_landed(night, "crm.account")


@pytest.mark.parametrize("where", ["header", "first_row", "deep_in_file"])
def test_a_file_that_is_not_utf8_fails_the_object_with_a_clear_message(warehouse, extracts_root, where):
    header, rows = account_csv(1)
    head = csv_text(header, []).encode()
    good_row = csv_text([], rows).encode()
    latin1_row = csv_text([], [[*rows[0][:1], "Société Générale", *rows[0][2:]]]).encode("latin-1")
    if where == "header":
        content = "name_é,".encode("latin-1") + head
    elif where == "first_row":
        content = head + latin1_row
    else:  # beyond any buffer that reads only the beginning of the file
        content = head + good_row * 20_000 + latin1_row
    source = write_account_file(extracts_root, content)

    night = land_night(warehouse, extracts_root, NIGHT)

    failed = by_object(night)["crm.account"]
    assert failed.status == "failed"
    assert source in failed.message
    assert "utf-8" in failed.message.lower() or "utf8" in failed.message.lower(), failed.message
    assert raw_rows(warehouse, ACCOUNT) == []
    assert_other_objects_landed(night, "crm.account")


@pytest.mark.parametrize("newline", ["\r\n", ""], ids=["with_newline", "without_newline"])
def test_a_header_only_file_lands_no_rows(warehouse, extracts_root, newline):
    write_account_file(extracts_root, ",".join(ACCOUNT.column_names) + newline)
    night = land_night(warehouse, extracts_root, NIGHT)
    landing = by_object(night)["crm.account"]
    assert (landing.status, landing.row_count) == ("landed", 0), landing.message
    assert_other_objects_landed(night, "crm.account")


def test_an_empty_file_fails_the_object(warehouse, extracts_root):
    source = write_account_file(extracts_root, b"")
    night = land_night(warehouse, extracts_root, NIGHT)
    failed = by_object(night)["crm.account"]
    assert failed.status == "failed"
    assert source in failed.message
    assert_other_objects_landed(night, "crm.account")


def test_landing_reads_a_copied_extracts_root(warehouse, tmp_path, extracts_root):
    # _source_file is relative to the extracts root, so moving the root does not change it.
    write_night(extracts_root, NIGHT, night_rows(1))
    moved = tmp_path / "elsewhere" / "extracts"
    shutil.copytree(extracts_root, moved)
    land_night(warehouse, moved, NIGHT)
    assert {r["_source_file"] for r in raw_dicts(warehouse, ACCOUNT)} == {source_file(ACCOUNT)}
