"""Staging gives every landed raw row exactly one status, and the staged rows are the current ones.

One scenario warehouse per module (tests/staging_scenario.py): two nights landed with
orchestration.night.landing, then ONE `dbt build` of staging as of night 2. A copy of the landed
warehouse is built as of night 1, and another copy runs the quarantine gate with a zero rate.
The cross-database cast macros are compiled once by dbt and checked value by value in DuckDB.
"""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import duckdb
import pytest

from orchestration.core.contract import ContractObject, objects_in_use
from orchestration.core.dbt_args import build_args, dbt_vars
from orchestration.night.landing import land_night
from orchestration.quality.gate import gate_blocks
from tests.contract_rows import (
    BAD_TEXT,
    NOT_ISO_TEXT,
    TIMESTAMP_WITHOUT_OFFSET,
    UTC_OF_TIMESTAMP_WITHOUT_OFFSET,
    UTC_OF_VALID_TIMESTAMP,
    VALID_TEXT,
    raw_table,
    staged_column,
    write_night,
)
from tests.staging_scenario import (
    EXTRA_COLUMN,
    MONEY_TEXT,
    MONEY_VALUE,
    NIGHT_1,
    NIGHT_2,
    NIGHTS,
    STATUSES,
    dirty_rows,
    expected_counts,
    marker_column,
    role,
    rows_by_night,
    scenario,
)


def contract_params(predicate=None) -> list:
    """The contract objects a Salesforce-shaped night lands (the scenario's stg_ models carry the
    contract columns; the HubSpot shape's are proven equal at the marts, test_hubspot_shape.py)."""
    from tests.contract_rows import contract_params as every_object

    landed = {o.qualified_name for o in objects_in_use("salesforce")}
    return [p for p in every_object(predicate) if p.values[0].qualified_name in landed]


STAGING = "+staging"  # the staging models, their tests, and the seeds they read
GATE_TEST = "quarantined_share_within_limit"


def scenario_args(as_of, *, select: str, max_quarantine_rate: float = 1.0, **more_vars) -> list[str]:
    """build_args with the scenario's quarantine rate: its dirty rows are a big share on purpose."""
    args = build_args(as_of, select=select)
    position = args.index("--vars") + 1
    args[position] = json.dumps(
        {**dbt_vars(as_of), "max_quarantine_rate": max_quarantine_rate, **more_vars}, sort_keys=True
    )
    return args


@dataclass
class Warehouse:
    path: Path
    con: duckdb.DuckDBPyConnection
    landings: dict

    def rows(self, sql: str, params: list | None = None) -> list[tuple]:
        return self.con.execute(sql, params or []).fetchall()

    def dicts(self, sql: str, params: list | None = None) -> list[dict]:
        cursor = self.con.execute(sql, params or [])
        names = [d[0] for d in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]

    def statuses(self, obj: ContractObject) -> dict:
        return {
            (d, n): s
            for d, n, s in self.rows(
                "select extract_date, row_number, row_status from stg_audit__raw_row_statuses "
                "where object_name = ?",
                [obj.qualified_name],
            )
        }

    def staged_at(self, obj: ContractObject, location) -> list[dict]:
        return self.dicts(
            f"select * from {obj.staging_model} where _extract_date = ? and _row_number = ?", list(location)
        )

    def staged_locations(self, obj: ContractObject) -> set:
        return set(self.rows(f"select _extract_date, _row_number from {obj.staging_model}"))

    def columns(self, relation: str) -> list[str]:
        return [r[0] for r in self.rows(f"describe {relation}")]


@pytest.fixture(scope="module")
def scenario_dir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("staging_scenario")


@pytest.fixture(scope="module")
def staging_db(scenario_dir, run_dbt):
    """Both nights landed, copies kept for the other builds, staging built once as of night 2."""
    root = scenario_dir / "extracts"
    for night in NIGHTS:
        write_night(root, night, rows_by_night(night))
    path = scenario_dir / "scenario.duckdb"
    con = duckdb.connect(str(path))
    landings = {night: land_night(con, root, night) for night in NIGHTS}
    con.close()
    shutil.copy(path, scenario_dir / "as_of_night_1.duckdb")

    run_dbt(scenario_args(NIGHT_2, select=STAGING), path)

    shutil.copy(path, scenario_dir / "gate.duckdb")
    con = duckdb.connect(str(path), read_only=True)
    yield Warehouse(path, con, landings)
    con.close()


@pytest.fixture(scope="module")
def staging_db_as_of_night_1(staging_db, scenario_dir, run_dbt):
    """The same landed raw rows, staging built as of night 1 (night 2 is landed but not visible)."""
    path = scenario_dir / "as_of_night_1.duckdb"
    run_dbt(scenario_args(NIGHT_1, select=STAGING), path)
    con = duckdb.connect(str(path), read_only=True)
    yield Warehouse(path, con, {})
    con.close()


# --- landing of the scenario ------------------------------------------------------------------


@pytest.mark.parametrize("obj", contract_params())
def test_both_nights_landed(staging_db, obj):
    for night in NIGHTS:
        (landing,) = [o for o in staging_db.landings[night].objects if o.object_name == obj.qualified_name]
        assert (landing.status, landing.row_count) == ("landed", expected_counts(obj, night)["landed"]), (
            landing
        )


# --- every raw row, exactly one status --------------------------------------------------------


@pytest.mark.parametrize("obj", contract_params())
def test_every_raw_row_gets_the_status_the_scenario_expects(staging_db, obj):
    actual = staging_db.statuses(obj)
    wrong = [
        (r.night.isoformat(), r.row_number, r.role, r.status, actual.get(r.location))
        for r in scenario()[obj.qualified_name]
        if actual.get(r.location) != r.status
    ]
    assert not wrong, f"(night, row, role, expected, actual): {wrong}"
    assert len(actual) == len(scenario()[obj.qualified_name])


@pytest.mark.parametrize("obj", contract_params())
def test_reconciliation_holds_for_every_night(staging_db, obj):
    reconciliation = {
        r["extract_date"]: r
        for r in staging_db.dicts(
            "select * from stg_audit__reconciliation where object_name = ?", [obj.qualified_name]
        )
    }
    assert set(reconciliation) == set(NIGHTS)
    for night in NIGHTS:
        row, expected = reconciliation[night], expected_counts(obj, night)
        actual = {"landed": row["landed_rows"], **{s: row[f"{s}_rows"] for s in STATUSES}}
        assert actual == expected, night
        assert row["landed_rows"] == row["accounted_rows"] == sum(row[f"{s}_rows"] for s in STATUSES)
        assert row["is_reconciled"] is True
        assert row["is_latest_extract"] is (night == NIGHT_2)


@pytest.mark.parametrize("obj", contract_params())
def test_raw_row_count_equals_the_sum_of_statuses(staging_db, obj):
    # Independently of the reconciliation model: count the raw table itself.
    raw = dict(staging_db.rows(f"select _extract_date, count(*) from {raw_table(obj)} group by 1"))
    outcomes = dict(
        staging_db.rows(
            "select extract_date, count(*) from stg_audit__raw_row_statuses where object_name = ? group by 1",
            [obj.qualified_name],
        )
    )
    assert raw == outcomes == {night: expected_counts(obj, night)["landed"] for night in NIGHTS}


# --- quarantine -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("obj", "row"),
    [
        pytest.param(obj, row, id=f"{obj.qualified_name}:{row.dirty.id}")
        for obj, row in dirty_rows()
        if obj in objects_in_use("salesforce")
    ],
)
def test_dirty_row_is_quarantined_with_its_column_and_reason(staging_db, obj, row):
    quarantined = staging_db.dicts(
        "select * from stg_audit__quarantine where object_name = ? and extract_date = ? and row_number = ?",
        [obj.qualified_name, row.night, row.row_number],
    )
    assert len(quarantined) == 1, quarantined
    (entry,) = quarantined
    assert entry["column_name"] == row.dirty.column
    assert entry["reason"].startswith(row.dirty.reason), entry["reason"]
    assert entry["source_file"] == f"{row.night.isoformat()}/{obj.relative_path}"
    assert staging_db.staged_at(obj, row.location) == [], "a quarantined row reached staging"


@pytest.mark.parametrize("obj", contract_params())
def test_only_dirty_rows_are_quarantined(staging_db, obj):
    quarantined = set(
        staging_db.rows(
            "select extract_date, row_number from stg_audit__quarantine where object_name = ?",
            [obj.qualified_name],
        )
    )
    assert quarantined == {r.location for r in scenario()[obj.qualified_name] if r.dirty}
    assert not staging_db.staged_locations(obj) & quarantined


# --- versions, soft deletes, duplicates -------------------------------------------------------


def _marker(obj: ContractObject, staged_row: dict, version: int):
    column = marker_column(obj)
    expected = f"version {version}" if column.type == "text" else float(version)
    return staged_row[column.name], expected


@pytest.mark.parametrize("obj", contract_params(lambda o: o.semantics != "append"))
def test_later_version_wins(staging_db, obj):
    old, new = role(obj, "old_version"), role(obj, "new_version")
    assert staging_db.staged_at(obj, old.location) == []
    (staged,) = staging_db.staged_at(obj, new.location)
    actual, expected = _marker(obj, staged, 2)
    assert actual == expected


@pytest.mark.parametrize("obj", contract_params(lambda o: o.semantics == "delta"))
def test_newest_system_modstamp_wins_whatever_the_extract(staging_db, obj):
    staged = staging_db.staged_locations(obj)
    # Night 2 re-sent an older version: night 1's newer one stays.
    assert role(obj, "stale_winner").location in staged
    assert role(obj, "stale_late").location not in staged
    # Same system_modstamp: the later extract wins.
    assert role(obj, "tie_new").location in staged
    assert role(obj, "tie_old").location not in staged


@pytest.mark.parametrize(
    "obj", contract_params(lambda o: o.semantics in {"upsert", "snapshot", "restatable"})
)
def test_later_row_of_the_same_extract_wins(staging_db, obj):
    staged = staging_db.staged_locations(obj)
    assert role(obj, "same_night_new").location in staged
    assert role(obj, "same_night_old").location not in staged


@pytest.mark.parametrize("obj", contract_params(lambda o: o.semantics == "delta"))
def test_soft_deleted_rows_are_absent_from_staging_but_kept_in_raw(staging_db, obj):
    before, deleted = role(obj, "deleted_before"), role(obj, "soft_delete")
    staged = staging_db.staged_locations(obj)
    assert before.location not in staged
    assert deleted.location not in staged
    raw = staging_db.rows(
        f"select _extract_date, _row_number, is_deleted from {raw_table(obj)} where id = ? order by 1",
        [deleted.values["id"]],
    )
    assert raw == [(*before.location, "false"), (*deleted.location, "true")]
    assert staging_db.statuses(obj)[deleted.location] == "soft_deleted"
    assert "is_deleted" not in staging_db.columns(obj.staging_model)


@pytest.mark.parametrize("obj", contract_params(lambda o: o.semantics == "append"))
def test_resent_rows_appear_once(staging_db, obj):
    (key,) = obj.key
    staged_key = staged_column(obj, key)
    for first, again in (("first_arrival", "resent"), ("twice_a", "twice_b")):
        kept, duplicate = role(obj, first), role(obj, again)
        assert kept.values[key] == duplicate.values[key]
        rows = staging_db.rows(
            f"select _extract_date, _row_number from {obj.staging_model} where {staged_key} = ?",
            [kept.values[key]],
        )
        assert rows == [kept.location], "the first arrival is kept, once"


@pytest.mark.parametrize("obj", contract_params())
def test_staged_keys_are_unique(staging_db, obj):
    key = ", ".join(staged_column(obj, k) for k in obj.key)
    repeated = staging_db.rows(
        f"select {key}, count(*) from {obj.staging_model} group by all having count(*) > 1"
    )
    assert repeated == []


@pytest.mark.parametrize("obj", contract_params())
def test_staged_rows_are_exactly_the_expected_ones(staging_db, obj):
    expected = {r.location for r in scenario()[obj.qualified_name] if r.status == "staged"}
    assert staging_db.staged_locations(obj) == expected


@pytest.mark.parametrize("obj", contract_params(lambda o: o.semantics == "snapshot"))
def test_snapshot_rows_missing_from_the_latest_extract_stay_flagged(staging_db, obj):
    (absent_tonight,) = staging_db.staged_at(obj, role(obj, "offset").location)
    (listed_tonight,) = staging_db.staged_at(obj, role(obj, "new_version").location)
    assert absent_tonight["is_in_latest_extract"] is False
    assert listed_tonight["is_in_latest_extract"] is True


# --- types ------------------------------------------------------------------------------------


@pytest.mark.parametrize("obj", contract_params(lambda o: any(c.type == "timestamp" for c in o.columns)))
def test_timestamps_with_an_offset_become_utc(staging_db, obj):
    timestamps = [c.name for c in obj.columns if c.type == "timestamp"]
    (with_offset,) = staging_db.staged_at(obj, role(obj, "offset").location)
    (without_offset,) = staging_db.staged_at(obj, role(obj, "no_offset").location)
    assert {c: with_offset[c] for c in timestamps} == dict.fromkeys(timestamps, UTC_OF_VALID_TIMESTAMP)
    assert {c: without_offset[c] for c in timestamps} == dict.fromkeys(
        timestamps, UTC_OF_TIMESTAMP_WITHOUT_OFFSET
    )


@pytest.mark.parametrize("obj", contract_params(lambda o: any(c.currency_column for c in o.columns)))
def test_money_keeps_its_cents(staging_db, obj):
    (staged,) = staging_db.staged_at(obj, role(obj, "money").location)
    money = [c.name for c in obj.columns if c.currency_column]
    assert {c: staged[c] for c in money} == {c: pytest.approx(MONEY_VALUE, abs=1e-6) for c in money}


@pytest.mark.parametrize("obj", contract_params())
def test_staging_model_has_the_contract_columns_and_no_extra_column(staging_db, obj):
    expected = [staged_column(obj, c) for c in obj.column_names if c != "is_deleted"]
    if obj.semantics == "snapshot":
        expected.append("is_in_latest_extract")
    expected += ["_extract_date", "_source_file", "_row_number"]
    assert staging_db.columns(obj.staging_model) == expected


@pytest.mark.parametrize("obj", contract_params())
def test_extra_column_is_kept_in_raw_and_ignored_downstream(staging_db, obj):
    assert EXTRA_COLUMN in staging_db.columns(raw_table(obj))
    notes = staging_db.rows(
        f"select count({EXTRA_COLUMN}) from {raw_table(obj)} where _extract_date = ?", [NIGHT_2]
    )
    assert notes == [(expected_counts(obj, NIGHT_2)["landed"],)]
    assert EXTRA_COLUMN not in staging_db.columns(f"base_{obj.system}__{obj.plural}")


# --- as of an earlier night, and the quarantine gate ------------------------------------------


@pytest.mark.parametrize("obj", contract_params())
def test_as_of_night_1_gives_night_1s_answer(staging_db_as_of_night_1, obj):
    night_1 = [r for r in scenario()[obj.qualified_name] if r.night == NIGHT_1]
    expected = {r.location: "quarantined" if r.dirty else "staged" for r in night_1}
    assert staging_db_as_of_night_1.statuses(obj) == expected
    assert staging_db_as_of_night_1.staged_locations(obj) == {
        location for location, status in expected.items() if status == "staged"
    }
    nights = staging_db_as_of_night_1.rows(
        "select extract_date, is_latest_extract from stg_audit__reconciliation where object_name = ?",
        [obj.qualified_name],
    )
    assert nights == [(NIGHT_1, True)]


@pytest.mark.parametrize("min_rows", [1, 10])
def test_the_quarantine_gate_blocks_as_its_macro_says(staging_db, scenario_dir, run_dbt, min_rows):
    """A zero rate: with quarantine_gate_min_rows 1 every object with a quarantined row tonight
    blocks; with 10, only those with 10 such rows or a file of bad rows only. The objects expected
    to block are the ones the same macro (rendered for GX) says block on the scenario's counts."""
    gate_vars = {"max_quarantine_rate": 0.0, "quarantine_gate_min_rows": min_rows}
    result = run_dbt(
        scenario_args(NIGHT_2, select=GATE_TEST, **gate_vars),
        scenario_dir / "gate.duckdb",
        expect_success=False,
    )
    results = [r for r in result.result.results if r.node.resource_type != "operation"]  # not hooks
    outcomes = {r.node.name: str(getattr(r.status, "value", r.status)) for r in results}
    counts = {o.qualified_name: expected_counts(o, NIGHT_2) for o in objects_in_use("salesforce")}
    with duckdb.connect() as con:
        blocked = [
            name
            for name, c in counts.items()
            if gate_blocks(con, c["quarantined"], c["landed"], {**dbt_vars(NIGHT_2), **gate_vars})
        ]
    if min_rows == 1:
        assert blocked == [name for name, c in counts.items() if c["quarantined"]]
    else:
        assert len(blocked) < len([c for c in counts.values() if c["quarantined"]])
    assert outcomes == {GATE_TEST: "fail" if blocked else "pass"}
    assert results[0].failures == len(blocked)
    assert result.success == (not blocked)


def test_a_catch_up_build_gates_every_night_it_landed(staging_db, scenario_dir, run_dbt):
    """A run that landed night 1 and night 2 and builds as of night 2 (CLOSECREDIT_GATE_FROM, macro
    gated_extract): the gate test fails for every object and night with a blocking share, not only
    each object's latest night, so a bad night 1 is not hidden by night 2."""
    from orchestration.core.dbt_args import GATE_FROM_ENV, dbt_environment

    gate_vars = {"max_quarantine_rate": 0.0, "quarantine_gate_min_rows": 1}
    with dbt_environment({GATE_FROM_ENV: NIGHT_1.isoformat()}):
        result = run_dbt(
            scenario_args(NIGHT_2, select=GATE_TEST, **gate_vars),
            scenario_dir / "gate.duckdb",
            expect_success=False,
        )
    (gate,) = [r for r in result.result.results if r.node.resource_type != "operation"]
    with duckdb.connect() as con:
        blocked = {
            night: [
                o.qualified_name
                for o in objects_in_use("salesforce")
                if gate_blocks(
                    con,
                    expected_counts(o, night)["quarantined"],
                    expected_counts(o, night)["landed"],
                    {**dbt_vars(NIGHT_2), **gate_vars},
                )
            ]
            for night in NIGHTS
        }
    assert blocked[NIGHT_1], "the scenario's night 1 has objects the gate blocks"
    assert gate.failures == len(blocked[NIGHT_1]) + len(blocked[NIGHT_2])


# --- the cast macros, value by value ----------------------------------------------------------

CAST_TYPES = ("timestamp", "date", "month", "number", "boolean", "currency", "text")
CAST_MARK = "-- cast_logical:"
CAST_CASES = [
    ("timestamp", VALID_TEXT["timestamp"], UTC_OF_VALID_TIMESTAMP),
    ("timestamp", TIMESTAMP_WITHOUT_OFFSET, UTC_OF_TIMESTAMP_WITHOUT_OFFSET),
    ("timestamp", "2026-11-20T09:15:00Z", datetime(2026, 11, 20, 9, 15)),
    ("timestamp", "2026-11-20T01:15:00-08:00", datetime(2026, 11, 20, 9, 15)),
    ("date", "2026-11-20", date(2026, 11, 20)),
    ("month", "2026-11", date(2026, 11, 1)),
    ("month", " 2026-11 ", date(2026, 11, 1)),
    ("number", "0.5", 0.5),
    ("number", "-3", -3.0),
    ("number", MONEY_TEXT, pytest.approx(MONEY_VALUE, abs=1e-6)),
    ("boolean", "true", True),
    ("boolean", "TRUE", True),
    ("boolean", "1", True),
    ("boolean", "False", False),
    ("boolean", "0", False),
    ("currency", " eur ", "EUR"),
    ("text", " kept as is ", " kept as is "),
    # Unparseable text is NULL (staging then quarantines the row), never an error.
    *[(kind, bad, None) for kind, bad in BAD_TEXT.items() if kind != "currency"],
    ("month", "2026-13", None),
    *[(kind, lenient, None) for kind, lenient in NOT_ISO_TEXT.items()],
]


@pytest.fixture(scope="module")
def cast_sql(scenario_dir, run_dbt) -> dict[str, str]:
    """`select cast_logical('raw_text', <type>) as value from cast_inputs`, compiled by dbt, per type."""
    inline = "\n".join(
        f"{CAST_MARK}{kind}\nselect {{{{ cast_logical('raw_text', '{kind}') }}}} as value from cast_inputs"
        for kind in CAST_TYPES
    )
    result = run_dbt(["compile", "--inline", inline], scenario_dir / "casts.duckdb")
    compiled = result.result.results[0].node.compiled_code
    parts = (part.split("\n", 1) for part in compiled.split(CAST_MARK)[1:])
    return {kind.strip(): sql for kind, sql in parts}


@pytest.fixture(scope="module")
def cast_con():
    con = duckdb.connect()
    con.execute("set TimeZone = 'UTC'")  # as profiles.yml sets it
    yield con
    con.close()


@pytest.mark.parametrize(
    ("kind", "text", "expected"), [pytest.param(*case, id=f"{case[0]}:{case[1]!r}") for case in CAST_CASES]
)
def test_cast_logical(cast_sql, cast_con, kind, text, expected):
    cast_con.execute("create or replace temp table cast_inputs as select ?::varchar as raw_text", [text])
    (value,) = cast_con.execute(cast_sql[kind]).fetchone()
    assert value == expected
