"""Erasing a person (orchestration/ops/forget.py `erase`, orchestration/core/erasure.py): their raw
rows leave, only their place is kept, the log holds person keys, and the landing keeps them out of
a re-landed extract. DuckDB in a tmp folder, no dbt (tests/e2e/test_forget.py runs the command)."""

from __future__ import annotations

from datetime import date

import duckdb
import pytest

from orchestration.core.contract import get_object, load_contract
from orchestration.core.erasure import identity, identity_sql
from orchestration.core.privacy import person_key
from orchestration.defs.landing import landed_objects
from orchestration.night.landing import land_night
from orchestration.ops.forget import erase
from tests.contract_rows import raw_table, valid_row, write_night

NIGHT = date(2026, 11, 25)
SECRET = "erasure-test-secret"
EMAIL = "jane@example.com"


@pytest.fixture(autouse=True)
def secret(monkeypatch):
    monkeypatch.setenv("CLOSECREDIT_HASH_SECRET", SECRET)


def rows() -> dict[str, list[dict]]:
    """Every object three valid rows; Jane is contact k1, lead L2 (converted into contact k3) and
    device A; the others are strangers."""
    out = {o.qualified_name: [valid_row(o, n) for n in (1, 2, 3)] for o in load_contract()}
    contact, lead = out["crm.contact"], out["crm.lead"]
    contact[0]["email"] = " Jane@Example.com "
    for n, row in enumerate(lead, start=1):
        row["id"] = f"L{n}"  # CRM ids are unique across objects
    lead[1].update(email="JANE@example.com", converted_contact_id="k3")
    events = out["web.event"]
    events[0].update(anonymous_id="A", user_email=EMAIL)
    events[1].update(anonymous_id="A", user_email="")  # stitched to Jane by device A
    events[2].update(anonymous_id="B", user_email="someone@else.example")
    out["crm.campaign_member"][0]["contact_id"] = "k1"
    out["crm.task"][0]["who_id"] = "L2"
    out["referral.referral"][0]["email"] = EMAIL
    out["referral.click"][0]["anonymous_id"] = "A"
    return out


def counts(con) -> dict[str, int]:
    return {
        o.qualified_name: con.execute(f"select count(*) from {raw_table(o)}").fetchone()[0]
        for o in load_contract()
    }


def test_identity_in_python_is_identity_in_sql():
    with duckdb.connect() as con:
        for kind, value in [("email", " Jane@Example.COM "), ("crm_id", " 003k1"), ("anonymous_id", "A ")]:
            sql = con.execute(f"select {identity_sql(kind, '?')}", [value]).fetchone()[0]
            assert sql == identity(kind, value)
        assert con.execute(f"select {identity_sql('email', '?')}", [" "]).fetchone()[0] is None
    assert identity("email", " ") is None


def test_erase_removes_the_persons_rows_and_keeps_only_their_place(tmp_path):
    root = tmp_path / "extracts"
    write_night(root, NIGHT, rows())
    with duckdb.connect(str(tmp_path / "w.duckdb")) as con:
        land_night(con, root, NIGHT)
        before = counts(con)
        _, kinds, removed = erase(con, EMAIL, "ticket 7")
        after = counts(con)
        assert kinds == {"email": 1, "crm_id": 3, "anonymous_id": 1}
        assert removed == {
            "crm.contact": 2,  # k1 (the email) and k3 (the contact lead k2 converted into)
            "crm.lead": 1,
            "crm.campaign_member": 1,
            "crm.task": 1,
            "web.event": 2,  # both of device A's events, with and without the email
            "referral.click": 1,
            "referral.referral": 1,
        }
        assert {k: before[k] - after[k] for k in before if before[k] != after[k]} == removed
        assert con.execute("select id from raw.crm__contact").fetchall() == [("k2",)]
        assert con.execute("select event_id from raw.web__event").fetchall() == [("k3",)]
        places = con.execute(
            "select object, source_file, row_number, erased_by from raw.erased_rows where object = 'event' "
            "order by row_number"
        ).fetchall()
        assert places == [
            ("event", f"{NIGHT}/web/event.csv", 1, "forget"),
            ("event", f"{NIGHT}/web/event.csv", 2, "forget"),
        ]
        log = con.execute(
            "select identity_kind, person_key, reason from raw.erasure_log order by all"
        ).fetchall()
        keys = {r[1] for r in log}
        assert person_key(EMAIL, secret=SECRET.encode()) in keys
        assert {person_key(f"crm:{i}", secret=SECRET.encode()) for i in ("k1", "L2", "k3")} <= keys
        assert person_key("anon:A", secret=SECRET.encode()) in keys
        assert {r[2] for r in log} == {"ticket 7"}
        dumped = str(con.execute("select * from raw.erasure_log").fetchall()) + str(
            con.execute("select * from raw.erased_rows").fetchall()
        )
        assert "jane" not in dumped.lower()


def test_relanding_an_old_extract_keeps_the_person_out(tmp_path):
    root = tmp_path / "extracts"
    write_night(root, NIGHT, rows())
    with duckdb.connect(str(tmp_path / "w.duckdb")) as con:
        land_night(con, root, NIGHT)
        erase(con, EMAIL, None)
        # The exporter re-delivers the night, now with one more contact: the file changed, so it
        # is landed again, and Jane's rows stay out.
        again = rows()
        again["crm.contact"].append(valid_row(get_object("crm", "contact"), 4))
        write_night(root, NIGHT, again)
        landing = {o.object_name: o for o in land_night(con, root, NIGHT).objects}
        assert landing["crm.contact"].status == "landed" and landing["crm.contact"].row_count == 4
        assert sorted(con.execute("select id from raw.crm__contact").fetchall()) == [("k2",), ("k4",)]
        assert con.execute("select count(*) from raw.web__event where anonymous_id = 'A'").fetchone()[0] == 0
        kept_out = con.execute(
            "select row_number, erased_by from raw.erased_rows where object = 'contact' order by 1"
        ).fetchall()
        assert kept_out == [(1, "landing"), (3, "landing")]
        # raw + erased = the file, for every object
        for obj in landed_objects():  # the CRM shape in use
            raw = con.execute(f"select count(*) from {raw_table(obj)}").fetchone()[0]
            erased = con.execute(
                "select count(*) from raw.erased_rows where system = ? and object = ?", [obj.system, obj.name]
            ).fetchone()[0]
            logged = con.execute(
                "select row_count from raw.landing_log where system = ? and object = ? and status = 'landed'",
                [obj.system, obj.name],
            ).fetchone()[0]
            assert raw + erased == logged, obj.qualified_name
