"""The journey layer (issue 3): its dbt unit tests, the session rules against a reference state
machine, and one small demo night end to end (journeys, privacy, stitch rate, unmapped share)."""

from __future__ import annotations

import csv
import hashlib
import hmac
import json
import random
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from pathlib import Path

import duckdb
import pytest

from orchestration.core import privacy
from orchestration.night.landing import complete_extract_dates, ensure_raw_tables, land_night

JOURNEY_FOLDERS = (
    "models/intermediate/web",
    "models/intermediate/identity",
    "models/intermediate/touches",
    "models/intermediate/journeys",
    "models/intermediate/quality",
    "models/marts/journeys",
    "models/marts/dimensions",
)
JOURNEY_MARTS = (
    "fct_touchpoints",
    "fct_journeys",
    "dim_opportunities",
    "dim_accounts",
    "dim_channels",
    "dim_campaigns",
    "dim_partners",
)
TEST_SECRET = "journey-test-secret"
EMAIL_SHAPE = r"[^@\s]+@[^@\s]+\.[^@\s]+"


@pytest.fixture(scope="module", autouse=True)
def person_key_env() -> Iterator[bytes]:
    """A known secret (read by the dbt-duckdb plugin) for every dbt call of this module."""
    with pytest.MonkeyPatch.context() as env:
        env.setenv(privacy.SECRET_ENV, TEST_SECRET)
        yield TEST_SECRET.encode()


def _select_all(*folders: str, prefix: str = "") -> list[str]:
    return ["--select", *(f"{prefix}{folder}" for folder in folders)]


def test_journey_unit_tests_pass(run_dbt, tmp_path):
    """Every dbt unit test of the journey models, against a fresh warehouse (parents built empty)."""
    database = tmp_path / "unit.duckdb"
    with duckdb.connect(str(database)) as con:
        ensure_raw_tables(con)
    run_dbt(
        [
            "build",
            "--empty",
            "--exclude-resource-type",
            "unit_test",
            *_select_all(*JOURNEY_FOLDERS, prefix="+"),
        ],
        database,
    )
    result = run_dbt(
        ["test", "--select", *(f"{folder},test_type:unit" for folder in JOURNEY_FOLDERS)], database
    )
    unit_tests = [r for r in result.result.results if r.node.resource_type == "unit_test"]
    print(f"{len(unit_tests)} journey unit tests passed")
    assert len(unit_tests) >= 20
    assert {str(getattr(r.status, "value", r.status)) for r in unit_tests} == {"pass"}


# --- sessions against a reference state machine ----------------------------------------------------------

UTMS = [None, None, None, ("google", "cpc", "a"), ("google", "cpc", "b"), ("hubspot", "email", "n")]
REFERRERS = [
    None,
    None,
    "https://www.brightwave.example/x",
    "https://www.google.com/",
    "https://bing.com/",
    "https://www.google.com/q",
]
GAPS_MINUTES = [0, 1, 5, 10, 29, 30, 31, 45, 200]


def _host(url: str | None) -> str | None:
    if not url:
        return None
    host = url.split("://", 1)[1].split("/", 1)[0].lower()
    return host.removeprefix("www.")


def _reference_session_starts(events: list[tuple]) -> list[str]:
    """docs/models.md's session rule, as a plain state machine over one anonymous id."""
    starts, first_utm, first_referrer, previous = [], None, None, None
    for event_id, at, utm, referrer in events:
        utm_key = "|".join(utm) if utm else None
        host = _host(referrer)
        external = host if host and host != "brightwave.example" else None
        if previous is None or at > previous + timedelta(minutes=30):
            start = True
        else:
            start = (utm_key is not None and utm_key != first_utm) or (
                external is not None and external != first_referrer
            )
        if start:
            first_utm, first_referrer = utm_key, external
            starts.append(event_id)
        previous = at
    return starts


def test_sessions_match_the_reference_state_machine(run_dbt, tmp_path):
    """Random event streams (gaps around 30 minutes, campaigns, internal and external referrers):
    int_web_sessions starts exactly the sessions the state machine of docs/models.md ("Sessions") starts."""
    rng = random.Random(7)
    database = tmp_path / "sessions.duckdb"
    rows, expected = [], {}
    base = datetime(2026, 11, 1, 8, 0)
    for a in range(300):
        at, events = base, []
        for _ in range(rng.randint(1, 12)):
            at += timedelta(minutes=rng.choice(GAPS_MINUTES))
            events.append((f"e{len(rows) + len(events):06d}", at, rng.choice(UTMS), rng.choice(REFERRERS)))
        expected[f"anon-{a:03d}"] = _reference_session_starts(events)
        for event_id, at_, utm, referrer in events:
            source, medium, campaign = utm or (None, None, None)
            rows.append(
                (event_id, f"anon-{a:03d}", "page_view", at_.isoformat() + "Z", "https://www.brightwave.example/p",
                 referrer, source, medium, campaign, "Mozilla/5.0", date(2026, 11, 26), "web/event.csv", len(rows) + 1)
            )  # fmt: skip
    with duckdb.connect(str(database)) as con:
        ensure_raw_tables(con)
        con.executemany(
            "insert into raw.web__event (event_id, anonymous_id, event_type, occurred_at, page_url, referrer_url, "
            "utm_source, utm_medium, utm_campaign, user_agent, _extract_date, _source_file, _row_number) "
            "values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            rows,
        )
    run_dbt(["build", "--exclude-resource-type", "unit_test", "--select", "+int_web_sessions"], database)
    with duckdb.connect(str(database), read_only=True) as con:
        got: dict[str, list[str]] = {}
        for anonymous_id, session_id in con.execute(
            "select anonymous_id, session_id from main.int_web_sessions order by anonymous_id, session_id"
        ).fetchall():
            got.setdefault(anonymous_id, []).append(session_id)
    mismatched = {a: (sorted(s), got.get(a)) for a, s in expected.items() if sorted(s) != got.get(a, [])}
    assert not mismatched, list(mismatched.items())[:3]
    assert sum(map(len, expected.values())) > 600


# --- a small demo night, end to end ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def demo_warehouse(run_dbt, tmp_path_factory) -> tuple[Path, Path]:
    """Demo extracts (scale 0.01, two nights) landed and built through the journey marts."""
    from orchestration.demo import generate

    root = tmp_path_factory.mktemp("demo")
    generate(root, scale=0.01, days=2)
    extracts = root / "extracts"
    database = root / "warehouse.duckdb"
    nights = complete_extract_dates(extracts)
    with duckdb.connect(str(database)) as con:
        for night in nights:
            land_night(con, extracts, night)
    run_dbt(
        [
            "build",
            "--exclude-resource-type",
            "unit_test",
            "--vars",
            json.dumps({"as_of_date": nights[-1].isoformat()}),
            *_select_all(*JOURNEY_FOLDERS, prefix="+"),
        ],
        database,
    )
    return database, root / "ground_truth"


def test_every_won_opportunity_has_a_journey(demo_warehouse):
    database, _ = demo_warehouse
    with duckdb.connect(str(database), read_only=True) as con:
        missing = con.execute(
            """
            select o.opportunity_id
            from main.stg_crm__opportunities as o
            left join marts.fct_journeys as j on o.opportunity_id = j.opportunity_id
            where o.is_won and j.opportunity_id is null
            """
        ).fetchall()
        empty_credited = con.execute(
            "select count(*) from marts.fct_journeys where is_credited_deal and touch_count = 0"
        ).fetchone()[0]
        won = con.execute("select count(*) from marts.fct_journeys where outcome = 'won'").fetchone()[0]
    assert won > 0
    assert missing == []
    assert empty_credited == 0


def test_no_mart_column_holds_an_email(demo_warehouse):
    """Every text (and text array) column of every mart is scanned for email-shaped values."""
    database, _ = demo_warehouse
    with duckdb.connect(str(database), read_only=True) as con:
        columns = con.execute(
            """
            select table_name, column_name, data_type
            from information_schema.columns
            where table_schema = 'marts' and (data_type like 'VARCHAR%')
            order by table_name, column_name
            """
        ).fetchall()
        tables = {t for t, _, _ in columns}
        assert set(JOURNEY_MARTS) <= tables
        offenders = []
        for table, column, data_type in columns:
            value = f"array_to_string(\"{column}\", ' ')" if data_type.endswith("[]") else f'"{column}"'
            hits = con.execute(
                f"select count(*) from marts.\"{table}\" where regexp_matches({value}, '{EMAIL_SHAPE}')"
            ).fetchone()[0]
            if hits:
                offenders.append((table, column, hits))
    assert offenders == []


def test_person_keys_are_hmac_of_the_identity(demo_warehouse, person_key_env):
    database, _ = demo_warehouse
    with duckdb.connect(str(database), read_only=True) as con:
        rows = con.execute(
            """
            select j.person_identity, t.person_key
            from main.int_journey_touches as j
            inner join marts.fct_touchpoints as t
                on j.opportunity_id = t.opportunity_id and j.touch_id = t.touch_id
            where j.person_identity is not null
            """
        ).fetchall()
    assert rows
    for identity, key in rows:
        assert key == hmac.new(person_key_env, identity.encode(), hashlib.sha256).hexdigest()


def test_journeys_match_the_demo_ground_truth(demo_warehouse):
    """The generator's ground truth lists every touch of every journey with its source group: the
    journey layer finds (nearly) all of them, in the same group, and invents none."""
    database, ground_truth = demo_warehouse
    kinds = {
        "web.event": "web_session",
        "referral.click": "referral_click",
        "referral.referral": "referral",
        "crm.campaign_member": "campaign_member",
        "crm.task": "task",
        "crm.event": "event",
        "crm.lead": "lead_source",
        "crm.contact": "lead_source",
    }
    with (ground_truth / "journey_touches.csv").open(encoding="utf-8") as handle:
        truth = {
            (row["opportunity_id"], f"{kinds[row['source_object']]}:{row['source_id']}"): row["source_group"]
            for row in csv.DictReader(handle)
            if row["source_object"] != "untracked"  # word of mouth no tracking saw: no raw row
        }
    with duckdb.connect(str(database), read_only=True) as con:
        mine = {
            (opportunity_id, touch_id): group
            for opportunity_id, touch_id, group in con.execute(
                "select opportunity_id, touch_id, source_group from marts.fct_touchpoints where not is_synthetic "
                # what buyers answered is declared, not a planted touch of the ground truth
                "and touch_kind <> 'self_reported'"
            ).fetchall()
        }
    found = truth.keys() & mine.keys()
    invented = mine.keys() - truth.keys()
    recall = len(found) / len(truth)
    print(f"ground-truth touches found: {len(found)}/{len(truth)} ({recall:.2%}); invented: {len(invented)}")
    assert recall >= 0.98
    assert len(invented) <= 0.01 * len(mine)
    assert [k for k in found if truth[k] != mine[k]] == []


def test_journey_quality_is_computed(demo_warehouse):
    database, _ = demo_warehouse
    with duckdb.connect(str(database), read_only=True) as con:
        quality = con.execute("select * from main.int_journey_quality").fetchdf()
    assert len(quality) == 1
    q = quality.iloc[0]
    print(
        f"\nsession stitch rate (email / account): {q.session_email_stitch_rate:.1%} / "
        f"{q.session_account_stitch_rate:.1%}; people linked to an account: {q.person_account_stitch_rate:.1%}\n"
        f"unmapped share: {q.unmapped_share:.2%} of touches, {q.journey_unmapped_share:.2%} of journey touches\n"
        f"bot events excluded: {q.bot_events_excluded}; touches per won deal: median "
        f"{q.touches_per_won_deal_median}, p90 {q.touches_per_won_deal_p90}"
    )
    assert q.bot_events_excluded > 0
    assert 0 < q.session_account_stitch_rate <= q.session_email_stitch_rate <= 1
    assert q.unmapped_share < 0.05
    assert q.journey_unmapped_share == 0
    assert q.won_opportunities == q.won_opportunities_with_touches
