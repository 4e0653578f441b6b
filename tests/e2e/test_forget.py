"""`closecredit forget EMAIL` end to end: a person of the demo leaves raw, staging, the marts and
the published file (their CRM records, the web events stitched to them, their referrals), the
reconciliation counts their rows as `erased`, the erasure log holds person keys only, and
re-landing an old extract (re-delivered in other formats) does not bring them back.

A copy of the shared `backfill` site (D1, D2 published) with its own copy of the extracts, since
the test re-delivers D1. Under xdist this module has a test process of its own (tests/conftest.py,
OWN_GROUP), which builds `backfill` once more while the other process runs the other nights."""

from __future__ import annotations

import shutil
from dataclasses import dataclass

import duckdb
import pytest

from orchestration.core.privacy import person_key
from orchestration.demo.formats import convert_file
from tests.e2e.conftest import Site

pytestmark = pytest.mark.e2e
SECRET = b"closecredit-e2e"  # the e2e sites' CLOSECREDIT_HASH_SECRET
REASON = "erasure request 2026-11-27"


@dataclass
class Person:
    email: str
    contact_ids: set
    anonymous_ids: set


def _person(site: Site) -> Person:
    """A contact of the demo whose web events carry their email and who has touches in the marts."""
    with duckdb.connect(str(site.build_database), read_only=True) as con:
        candidates = [
            r[0]
            for r in con.execute(
                "select lower(trim(c.email)) from raw.crm__contact c join raw.web__event e "
                "on lower(trim(e.user_email)) = lower(trim(c.email)) group by 1 order by count(*) desc, 1"
            ).fetchall()
        ]
    with duckdb.connect(str(site.database), read_only=True) as con:
        in_marts = {
            r[0] for r in con.execute("select distinct person_key from marts.fct_touchpoints").fetchall()
        }
    email = next(e for e in candidates if person_key(e, secret=SECRET) in in_marts)
    with duckdb.connect(str(site.build_database), read_only=True) as con:
        contacts = {
            r[0]
            for r in con.execute(
                "select id from raw.crm__contact where lower(trim(email)) = ? union "
                "select id from raw.crm__lead where lower(trim(email)) = ?",
                [email, email],
            ).fetchall()
        }
        devices = {
            r[0]
            for r in con.execute(
                "select distinct anonymous_id from raw.web__event where lower(trim(user_email)) = ?", [email]
            ).fetchall()
        }
    return Person(email, contacts, devices)


def _holding(database, values: set[str], schemas: set[str]) -> list[str]:
    """schema.table.column of every text cell (trimmed, any case) equal to one of `values`."""
    lowered = sorted(v.lower() for v in values)
    found = []
    with duckdb.connect(str(database), read_only=True) as con:
        columns = con.execute(
            "select table_schema, table_name, column_name from information_schema.columns "
            "where data_type = 'VARCHAR' and table_catalog = current_database()"
        ).fetchall()
        for schema, table, column in columns:
            if schema not in schemas:
                continue
            hits = con.execute(
                f'select count(*) from "{schema}"."{table}" where lower(trim("{column}")) in '
                f"(select unnest(?::varchar[]))",
                [lowered],
            ).fetchone()[0]
            if hits:
                found.append(f"{schema}.{table}.{column}: {hits}")
    return found


@dataclass
class Forgotten:
    site: Site
    person: Person
    done: object
    relanded: object = None


@pytest.fixture(scope="module")
def forgotten(backfill, tmp_path_factory) -> Forgotten:
    base, _ = backfill
    root = tmp_path_factory.mktemp("forget")
    shutil.copytree(base.extracts, root / "extracts")
    shutil.copytree(base.database.parent, root / "warehouse")
    site = Site(root, root / "extracts", dict(base.env_extra))
    person = _person(site)
    done = site.run("forget", f"  {person.email.upper()} ", "--reason", REASON)
    return Forgotten(site, person, done)


def test_forget_removes_the_person_from_raw_staging_and_the_published_marts(forgotten, extracts):
    site, person, done = forgotten.site, forgotten.person, forgotten.done
    assert done.returncode == 0, done.stdout + done.stderr
    assert "raw rows removed" in done.stdout and f"rebuilding night {extracts.complete[1]}" in done.stdout
    identities = {person.email, *person.contact_ids, *person.anonymous_ids}
    assert person.contact_ids and person.anonymous_ids
    # Nowhere in raw, staging or intermediate tables of the build database...
    assert _holding(site.build_database, identities, {"raw", "main", "attribution"}) == []
    # ...nor in the published file, where the person's touches carried their key.
    assert _holding(site.database, identities, {"marts", "audit"}) == []
    key = person_key(person.email, secret=SECRET)
    with duckdb.connect(str(site.database), read_only=True) as con:
        assert (
            con.execute("select count(*) from marts.fct_touchpoints where person_key = ?", [key]).fetchone()[
                0
            ]
            == 0
        )
        assert (
            con.execute("select max(as_of_date) from marts._publication").fetchone()[0]
            == extracts.complete[1]
        )
        erased, unreconciled = con.execute(
            "select sum(erased_rows), count(*) filter (where not is_reconciled) from audit.reconciliation"
        ).fetchone()
    assert erased > 0 and unreconciled == 0
    # The night is still the night: every other person is still there.
    with duckdb.connect(str(site.database), read_only=True) as con:
        assert con.execute("select count(distinct person_key) from marts.fct_touchpoints").fetchone()[0] > 0


def test_the_erasure_log_holds_person_keys_never_the_email(forgotten):
    site, person = forgotten.site, forgotten.person
    with duckdb.connect(str(site.build_database), read_only=True) as con:
        log = con.execute("select identity_kind, person_key, reason from raw.erasure_log").fetchall()
        erased_rows = con.execute("select count(*), min(erased_by) from raw.erased_rows").fetchone()
    assert {r[0] for r in log} == {"email", "crm_id", "anonymous_id"}
    keys = {r[1] for r in log}
    assert person_key(person.email, secret=SECRET) in keys
    assert {person_key(f"crm:{i}", secret=SECRET) for i in person.contact_ids} <= keys
    assert {person_key(f"anon:{i}", secret=SECRET) for i in person.anonymous_ids} <= keys
    assert {r[2] for r in log} == {REASON}
    assert _holding(site.build_database, {person.email}, {"raw"}) == []
    assert erased_rows[0] > 0 and erased_rows[1] == "forget"


def test_relanding_an_old_extract_does_not_bring_the_person_back(forgotten, extracts):
    site, person = forgotten.site, forgotten.person
    d1 = extracts.complete[0]
    folder = site.extracts / d1.isoformat()
    # The exporter re-delivers D1, now as JSON lines and Parquet: new files, so they are landed again.
    convert_file(folder / "crm" / "contact.csv", ".jsonl")
    convert_file(folder / "web" / "event.csv", ".parquet")
    (folder / "_SUCCESS").write_bytes(b"")
    done = site.run("run", "--date", d1.isoformat())
    assert done.returncode == 0, done.stdout + done.stderr
    identities = {person.email, *person.contact_ids, *person.anonymous_ids}
    assert _holding(site.build_database, identities, {"raw", "main", "attribution"}) == []
    assert _holding(site.database, identities, {"marts", "audit"}) == []
    with duckdb.connect(str(site.build_database), read_only=True) as con:
        relanded = dict(
            con.execute(
                "select object, count(*) from raw.erased_rows where erased_by = 'landing' and extract_date = ? "
                "group by 1",
                [d1],
            ).fetchall()
        )
        files = {
            r[0]
            for r in con.execute(
                "select source_file from raw.landing_log where extract_date = ?", [d1]
            ).fetchall()
        }
    assert relanded.get("contact", 0) > 0 or relanded.get("event", 0) > 0, relanded
    assert f"{d1.isoformat()}/crm/contact.jsonl" in files and f"{d1.isoformat()}/web/event.parquet" in files
    with duckdb.connect(str(site.database), read_only=True) as con:
        unreconciled = con.execute(
            "select count(*) from audit.reconciliation where not is_reconciled"
        ).fetchone()[0]
    assert unreconciled == 0
