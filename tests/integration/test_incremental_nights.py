"""Incremental nights equal a full refresh: five demo nights built one by one (the incremental
models process only what each night brings) give every mart and every intermediate table row for
row what a `--full-refresh` build of the same landed data gives.

The demo's nights carry late web events, a re-sent event per night, restated spend and soft
deletes; the test plants what a tiny demo may lack (an opportunity whose stage and amount change,
a person identified only after their first sessions, a late event that re-opens an old session)
by editing copies of the extract files, and checks each case is really in the landed data. From
the second night on the nights run with changed vars (a shorter session timeout and lookback): the
second night must rebuild in full (the night's own rule, full_refresh_reason, decides), the later
ones build incrementally under the new vars."""

from __future__ import annotations

import csv
import shutil
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import duckdb
import pytest

from orchestration.attribution.warehouse import run_data_driven_attribution
from orchestration.core.contract import PROJECT_DIR
from orchestration.core.dbt_args import build_args
from orchestration.core.dbt_vars import project_vars
from orchestration.demo import generate
from orchestration.demo.formats import convert_night
from orchestration.night.build_vars import full_refresh_reason
from orchestration.night.landing import land_night
from tests.compare_marts import BUILD_STATE_TABLES, differences, snapshot
from tests.dbt_invocation import dbt_test_environment, release_dbt_duckdb, with_profile_vars

SEED, SCALE, NIGHTS = 7, 0.01, 5
ENGINE_OUTPUT = "source:attribution+"
# Equality is about the data; dbt's data tests run in every other night test.
NOT_BUILT = "resource_type:test"
# Different by nature: the watermarks the incremental build keeps.
NOT_COMPARED = BUILD_STATE_TABLES
# The vars of the second night on: sessions split sooner (the demo's clicks within a session are
# up to 6 minutes apart, so 2 minutes re-sessionises every device), journeys look back less far.
CHANGED_VARS = {"session_timeout_minutes": 2, "lookback_days": 300}
INCREMENTAL_MODELS = (
    "base_web__events",
    "int_web_events_classified",
    "int_web_sessions",
    "int_web_touches",
    "int_touches_unioned",
    "int_touches_classified",
)
LATE_ANONYMOUS_ID = "incremental-test-device"
DATABASE_NAME = "incremental.duckdb"
# The file-format proof: the same nights, each in another format (CSV stays the reference).
NIGHT_FORMATS = (".jsonl", ".parquet", ".csv.gz", ".jsonl", ".parquet")


class Dbt:
    """dbt in-process with one parsed manifest for every call (the test parses once)."""

    def __init__(self, work: Path):
        from dbt.cli.main import dbtRunner

        self.work = work
        self.runner = dbtRunner
        self.manifest = None

    def __call__(self, args: list[str], database: Path) -> None:
        args = with_profile_vars(args, database)
        with dbt_test_environment():
            try:
                result = self.runner(manifest=self.manifest).invoke(
                    [*args, *self._paths(), "--no-use-colors"]
                )
            finally:
                release_dbt_duckdb()
        failures = [
            f"{r.node.unique_id}: {r.message}"
            for r in (getattr(result.result, "results", None) or [])
            if str(getattr(r.status, "value", r.status)) in {"error", "fail", "runtime error"}
        ]
        assert result.success, f"dbt {' '.join(args)} failed: {result.exception} {failures}"

    def _paths(self) -> list[str]:
        return [
            *("--project-dir", str(PROJECT_DIR), "--profiles-dir", str(PROJECT_DIR)),
            *("--target-path", str(self.work / "target"), "--log-path", str(self.work / "logs")),
            "--quiet",
        ]

    def parse(self, database: Path) -> None:
        with dbt_test_environment():
            result = self.runner().invoke([*with_profile_vars(["parse"], database), *self._paths()])
        assert result.success, result.exception
        self.manifest = result.result


def build_night(
    dbt: Dbt, database: Path, night: date, *, full_refresh: bool = False, overrides: dict | None = None
) -> None:
    """What a night does between landing and publishing: dbt, the engine, dbt again."""
    options = dict(full_refresh=full_refresh, overrides=overrides, unit_tests=False)
    dbt(build_args(night, exclude=f"{ENGINE_OUTPUT} {NOT_BUILT}", **options), database)
    with duckdb.connect(str(database)) as con:
        con.execute("set TimeZone = 'UTC'")
        run_data_driven_attribution(con, night)
    dbt(build_args(night, select=ENGINE_OUTPUT, exclude=NOT_BUILT, **options), database)


# --- planting the cases a tiny demo may lack ---------------------------------------------------


def _rows(path: Path) -> tuple[list[str], list[dict]]:
    with path.open(newline="", encoding="utf-8-sig") as handle:
        reader = csv.DictReader(handle)
        return list(reader.fieldnames), list(reader)


def _append(path: Path, rows: list[dict]) -> None:
    header, existing = _rows(path)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=header)
        writer.writeheader()
        writer.writerows(existing + [{k: row.get(k, "") for k in header} for row in rows])


def plant_cases(extracts: Path, nights: list[date]) -> None:
    first, third, last = (extracts / d.isoformat() for d in (nights[0], nights[2], nights[-1]))
    # An opportunity of the first night comes back two nights later with another stage and amount.
    _, opportunities = _rows(first / "crm" / "opportunity.csv")
    won = next(o for o in opportunities if o["is_won"].lower() == "true" and o["type"] == "New Business")
    changed = dict(
        won,
        stage_name="Negotiation",
        is_won="false",
        is_closed="false",
        amount=str(round(float(won["amount"]) * 1.5, 2)),
        system_modstamp=f"{nights[2].isoformat()}T09:00:00Z",
    )
    _append(third / "crm" / "opportunity.csv", [changed])
    # A device with sessions on the first night is identified by a form on the last night, and a
    # late event of the third night falls inside its first session (re-opens it).
    _, events = _rows(first / "web" / "event.csv")
    template = events[0]
    base = f"{(nights[0]).isoformat()}T"

    def event(i, when, **extra):
        return dict(
            template,
            event_id=f"{LATE_ANONYMOUS_ID}-{i}",
            anonymous_id=LATE_ANONYMOUS_ID,
            event_type=extra.get("event_type", "page_view"),
            occurred_at=when,
            user_email=extra.get("user_email", ""),
            user_agent="Mozilla/5.0 (X11; Linux x86_64)",
            utm_source="",
            utm_medium="",
            utm_campaign="",
            referral_code="",
            referrer_url="",
            page_url="https://www.brightwave.example/pricing",
        )

    _append(first / "web" / "event.csv", [event(1, base + "08:00:00Z"), event(2, base + "08:50:00Z")])
    _append(third / "web" / "event.csv", [event(3, base + "08:25:00Z")])
    _, contacts = _rows(first / "crm" / "contact.csv")
    email = next(c["email"] for c in contacts if c["email"])
    _append(
        last / "web" / "event.csv",
        [event(4, f"{nights[-1].isoformat()}T07:00:00Z", event_type="form_submit", user_email=email)],
    )


def landed_cases(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """How often each case the test is about occurs in the landed data (every one must)."""
    one = lambda sql: con.execute(sql).fetchone()[0]  # noqa: E731
    return {
        "late web events": one(
            "select count(*) from raw.web__event where try_cast(occurred_at as date) < _extract_date - 1 "
            "and _extract_date > (select min(extract_date) from raw.landing_log)"
        ),
        "re-sent web events": one(
            "select count(*) from (select event_id from raw.web__event group by event_id "
            "having count(distinct _extract_date) > 1)"
        ),
        "restated spend": one(
            "select count(*) from (select date, channel, utm_source, utm_campaign, campaign_id "
            "from raw.costs__marketing_spend group by all having count(distinct _extract_date) > 1)"
        ),
        "opportunity changing stage and amount": one(
            "select count(*) from (select id from raw.crm__opportunity group by id "
            "having count(distinct stage_name) > 1 and count(distinct amount) > 1 "
            "and count(distinct _extract_date) > 1)"
        ),
        "soft deletes after the first night": sum(
            one(
                f"select count(*) from main.{table} where _row_status = 'soft_deleted' "
                "and _extract_date > (select min(extract_date) from raw.landing_log)"
            )
            for (table,) in con.execute(
                "select table_name from information_schema.tables where table_name like 'base_crm__%'"
            ).fetchall()
        ),
        "person identified after their first sessions": one(
            "select count(*) from (select anonymous_id from raw.web__event group by anonymous_id "
            "having min(_extract_date) < min(case when user_email <> '' then _extract_date end))"
        ),
    }


@dataclass
class Scenario:
    work: Path
    extracts: Path
    nights: list[date]
    dbt: Dbt


@pytest.fixture(scope="module")
def scenario(tmp_path_factory) -> Scenario:
    """The one small scenario every equality test of this module builds from."""
    work = tmp_path_factory.mktemp("incremental")
    summary = generate(work / "demo", seed=SEED, scale=SCALE, days=NIGHTS)
    extracts = Path(summary["extracts"])
    nights = [date.fromisoformat(n) for n in summary["nights"]]
    plant_cases(extracts, nights)
    dbt = Dbt(work)
    # The same file name in other folders: the parsed manifest names the database by it.
    dbt.parse(work / DATABASE_NAME)
    return Scenario(work, extracts, nights, dbt)


@pytest.fixture(scope="module")
def nights_built(scenario):
    work, nights, dbt = scenario.work, scenario.nights, scenario.dbt
    incremental, full = work / DATABASE_NAME, work / "full" / DATABASE_NAME
    full.parent.mkdir()
    built_with, full_nights = None, []
    for night in nights:
        with duckdb.connect(str(incremental)) as con:
            land_night(con, scenario.extracts, night)
        overrides = CHANGED_VARS if night > nights[0] else {}
        rebuild, _ = full_refresh_reason(built_with, project_vars(overrides))
        build_night(dbt, incremental, night, full_refresh=rebuild, overrides=overrides)
        built_with = project_vars(overrides)
        full_nights += [night] if rebuild else []
    shutil.copy(incremental, full)
    build_night(dbt, full, nights[-1], full_refresh=True, overrides=CHANGED_VARS)
    return incremental, full, nights, full_nights


def test_every_case_is_in_the_landed_data(nights_built):
    incremental, *_ = nights_built
    with duckdb.connect(str(incremental), read_only=True) as con:
        cases = landed_cases(con)
    assert all(cases.values()), cases


def test_the_big_models_were_built_incrementally(nights_built):
    incremental, _, nights, full_nights = nights_built
    # the first night (nothing built before) and the second (changed vars) rebuild in full
    assert full_nights == nights[:2]
    with duckdb.connect(str(incremental), read_only=True) as con:
        watermarks = dict(
            con.execute(
                "select model_name, count(distinct processed_through) from main._incremental_state group by 1"
            ).fetchall()
        )
        # partitions replaced per night: the full build of night 2 names all, the later nights few
        replaced = {
            (model, night): count
            for model, night, count in con.execute(
                "select model_name, processed_through, count(*) from main._incremental_changes group by all"
            ).fetchall()
        }
    for model in INCREMENTAL_MODELS:
        assert watermarks.get(model) == NIGHTS, watermarks
    for model in INCREMENTAL_MODELS[-3:]:  # the models whose replaced partitions others read
        assert {night for m, night in replaced if m == model} == set(nights[1:]), replaced
        assert all(0 < replaced[model, night] < replaced[model, nights[1]] for night in nights[2:]), replaced


def test_incremental_nights_equal_a_full_refresh(nights_built):
    incremental, full, *_ = nights_built
    schemas = {"marts", "main", "attribution"}
    problems = differences(
        snapshot(incremental, schemas, skipped=NOT_COMPARED), snapshot(full, schemas, skipped=NOT_COMPARED)
    )
    assert not problems, "\n".join(problems)


def test_jsonl_and_parquet_nights_give_the_marts_of_the_csv_nights(scenario, nights_built):
    """The scenario's nights as JSON lines, Parquet and gzipped CSV (every night another format),
    landed and built in full, give every mart and engine table row for row what the CSV nights
    give (the full-refresh build above). Raw rows differ only in `_source_file` (the suffix)."""
    full = nights_built[1]
    extracts = scenario.work / "formats" / "extracts"
    shutil.copytree(scenario.extracts, extracts)
    for night, file_format in zip(scenario.nights, NIGHT_FORMATS, strict=True):
        assert convert_night(extracts / night.isoformat(), file_format) > 0
    database = scenario.work / "formats" / DATABASE_NAME
    with duckdb.connect(str(database)) as con:
        for night in scenario.nights:
            landing = land_night(con, extracts, night)
            assert not landing.failures, [f.message for f in landing.failures]
        suffixes = {
            r[0]
            for r in con.execute(
                "select distinct regexp_extract(source_file, '\\.[a-z.]+$') from raw.landing_log where status = 'landed'"
            ).fetchall()
        }
    assert suffixes == set(NIGHT_FORMATS), suffixes
    build_night(scenario.dbt, database, scenario.nights[-1], full_refresh=True, overrides=CHANGED_VARS)
    schemas = {"marts", "attribution"}
    problems = differences(snapshot(database, schemas), snapshot(full, schemas))
    assert not problems, "\n".join(problems)
