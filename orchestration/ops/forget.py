"""`closecredit forget EMAIL`: erase a person from raw, staging and the marts, and keep them out.

Under the warehouse lock (one writer), in the build database:
1. the person's identities: the email (normalised), the CRM ids of the contacts and leads with
   that email (and the contacts those leads converted into), the anonymous web ids whose events
   carry it (the devices identity stitching links to the person);
2. their person keys go into the erasure log (`raw.erasure_log`, orchestration/core/erasure.py;
   never the email), with the reason and the erasure's id;
3. every raw row a `meta.person` column of the contract links to one of those keys (contacts,
   leads, campaign memberships, contact roles, tasks and events, web events, referral clicks and
   referrals) is deleted; its place (night, file, row) is kept in `raw.erased_rows`, which the
   reconciliation counts as status `erased`;
4. the build vars' record is dropped, so the rebuild is a full refresh (the incremental web models
   hold the erased events too), and the published night is run again: dbt, the engine, the quality
   suites and the publish, as a night does. The new published file replaces the old one.
Limits (backups, extract files, older copies of the published file): docs/privacy.md.
"""

from __future__ import annotations

import sys
import uuid
from datetime import UTC, datetime

from orchestration.core.contract import load_contract
from orchestration.core.erasure import (
    ERASED_ROWS,
    ERASURE_LOG,
    database_secret,
    erased_condition,
    identity,
    identity_sql,
    register_person_key,
)
from orchestration.core.privacy import person_key
from orchestration.core.settings import Settings
from orchestration.night.build_vars import forget_vars
from orchestration.night.landing import RAW_SCHEMA, ensure_raw_tables
from orchestration.night.publish import published_nights
from orchestration.ops.locking import WarehouseBusy, warehouse_lock
from orchestration.ops.resources import open_with_retry

EXIT_USAGE = 2
EXIT_BUSY = 75


def linked_identities(con, email: str) -> set[tuple[str, str]]:
    """(kind, identity) of the email and of every CRM and anonymous id a raw row links to it."""
    found = {("email", identity("email", email))}
    for obj in load_contract():
        emails = [c for c in obj.columns if c.person == "email"]
        others = [c for c in obj.columns if c.person in ("crm_id", "anonymous_id")]
        for match in emails:
            matches = identity_sql("email", f'"{match.name}"')
            for other in others:
                values = con.execute(
                    f'select distinct "{other.name}" from {RAW_SCHEMA}.{obj.identifier} '
                    f"where {matches} = ? and nullif(trim(\"{other.name}\"), '') is not null",
                    [identity("email", email)],
                ).fetchall()
                found |= {(other.person, identity(other.person, v)) for (v,) in values}
    return found


def erase(con, email: str, reason: str | None) -> tuple[str, dict[str, int], dict[str, int]]:
    """Record the person's keys and remove their raw rows; (erasure id, identities per kind, rows
    removed per object). One transaction: a failure leaves raw as it was."""
    ensure_raw_tables(con)
    register_person_key(con)
    secret = database_secret(con)
    erasure_id = str(uuid.uuid4())
    now = datetime.now(UTC).replace(tzinfo=None)
    identities = linked_identities(con, email)
    kinds: dict[str, int] = {}
    removed: dict[str, int] = {}
    con.execute("begin transaction")
    try:
        for kind, value in sorted(identities):
            con.execute(
                f"insert into {ERASURE_LOG} values (?, ?, ?, ?, ?)",
                [erasure_id, kind, person_key(value, secret=secret), reason, now],
            )
            kinds[kind] = kinds.get(kind, 0) + 1
        for obj in load_contract():
            condition = erased_condition(obj, obj.identifier)
            if not condition:
                continue
            table = f"{RAW_SCHEMA}.{obj.identifier}"
            count = con.execute(
                f"insert into {ERASED_ROWS} select _extract_date, ?, ?, _source_file, _row_number, "
                f"'forget', ?::timestamp from {table} where {condition}",
                [obj.system, obj.name, now],
            ).fetchall()[0][0]
            if count:
                con.execute(f"delete from {table} where {condition}")
                removed[obj.qualified_name] = count
        forget_vars(con)  # the next build is a full refresh
        con.execute("commit")
    except BaseException:
        con.execute("rollback")
        raise
    return erasure_id, kinds, removed


def forget(settings: Settings, email: str, reason: str | None = None) -> int:
    normalised = identity("email", email)
    if not normalised or "@" not in normalised:
        print(f"closecredit forget: {email!r} is not an email address", file=sys.stderr)
        return EXIT_USAGE
    if reason and normalised in reason.lower():
        print(
            "closecredit forget: the reason names the email; the erasure log never holds it", file=sys.stderr
        )
        return EXIT_USAGE
    settings.published.parent.mkdir(parents=True, exist_ok=True)
    try:
        with warehouse_lock(
            settings.lock_file,
            timeout=settings.lock_timeout,
            purpose="closecredit forget",
            on_wait=lambda message: print(message, flush=True),
        ):
            with open_with_retry(
                settings.build_database, retries=settings.retries, delay=settings.retry_delay
            ) as con:
                erasure_id, kinds, removed = erase(con, normalised, reason)
            listed = ", ".join(f"{n} {kind.replace('_', ' ')}" for kind, n in sorted(kinds.items()))
            print(f"erasure {erasure_id}: recorded {listed} as person keys in {ERASURE_LOG}")
            if removed:
                rows = ", ".join(f"{obj} {n}" for obj, n in sorted(removed.items()))
                print(f"raw rows removed ({sum(removed.values())}): {rows}")
            else:
                print("no raw row holds this person; later extracts that do are kept out by the landing")
            published = published_nights(settings.published)
            if not published:
                print("nothing published yet: the next night builds without them")
                return 0
            night = max(published)
            print(f"rebuilding night {night} in full and publishing it")
            from orchestration.night.run import run_nights

            return run_nights(settings, only=night)
    except WarehouseBusy as exc:
        print(f"refused: {exc}", file=sys.stderr)
        return EXIT_BUSY
