"""The demo company in HubSpot shape: the Salesforce-shaped CRM files of every night, rewritten as
the contract's `hubspot` objects (not simulated again), with HubSpot-style numeric ids.

`to_hubspot(extracts, truth)` rewrites `<night>/crm/*.csv` into `<night>/hubspot/*.csv`, maps
every CRM id in the other systems' files and the ground truth, and writes
`ground_truth/id_map.csv` (hubspot_id, salesforce_id, object). Text values are kept as written
(dirty values stay dirty); rows keep their order within each target file, and the planted dirty
rows are re-numbered to the rows they became."""

from __future__ import annotations

import csv
import shutil
from collections.abc import Callable
from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pacsv

from orchestration.core.contract import objects_in_use

from .common import PREFIX

ID_MAP_FILE = "id_map.csv"
# HubSpot ids are numbers; each Salesforce object's ids get their own range (readable, and no two
# objects share an id, as in one HubSpot portal's object types they need not but here do not).
_HUBSPOT_BASE = {name: (k + 1) * 10**9 for k, name in enumerate(PREFIX)}
_KIND_OF_PREFIX = {prefix: name for name, prefix in PREFIX.items()}
LEAD_STAGE, CONTACT_STAGE = "lead", "salesqualifiedlead"  # in / past var('hubspot_lead_lifecycle_stages')
SPLIT_TASK_TYPES = {"Call": "engagement_call", "Email": "engagement_email"}

# hubspot object -> [(salesforce object, row filter, {hubspot column: salesforce column or callable})]
Row = dict[str, str | None]


def _split_first(name: str | None) -> str | None:
    return name.split(" ", 1)[0] if name else None


def _split_last(name: str | None) -> str | None:
    return name.split(" ", 1)[1] if name and " " in name else None


def _what(kind: str) -> Callable[[Row], str | None]:
    return lambda row: row["what_id"] if _kind(row["what_id"]) == kind else None


def _company(row: Row) -> str | None:
    return row["what_id"] if _kind(row["what_id"]) == "account" else row["account_id"]


def _task_file(row: Row) -> str:
    return SPLIT_TASK_TYPES.get(row["type"] or "", "engagement_task")


def _tasks_of(name: str) -> Callable[[Row], bool]:
    """The Salesforce tasks that become HubSpot object `name`."""
    return lambda row: _task_file(row) == name


_ENGAGEMENT = {
    "id": "id",
    "associated_contact_id": "who_id",
    "associated_deal_id": _what("opportunity"),
    "associated_company_id": _company,
    "property_hubspot_owner_id": "owner_id",
    "property_hs_activity_type": "type",
}
_FINISH = {"property_hs_lastmodifieddate": "system_modstamp", "is_deleted": "is_deleted"}
_CONTACT_COMMON = {
    "id": "id",
    "property_email": "email",
    "property_firstname": "first_name",
    "property_lastname": "last_name",
    "property_lead_source": "lead_source",
    "property_self_reported_source": lambda row: row.get("self_reported_source"),
    "property_createdate": "created_date",
}
SHAPE: dict[str, list[tuple[str, Callable[[Row], bool] | None, dict]]] = {
    "company": [
        (
            "account",
            None,
            {
                "id": "id",
                "property_name": "name",
                "property_website": "website",
                "property_industry": "industry",
                "property_numberofemployees": "number_of_employees",
                "property_country": "billing_country",
                "property_hubspot_owner_id": "owner_id",
                "property_createdate": "created_date",
                **_FINISH,
            },
        )
    ],
    "contact": [
        (
            "contact",
            None,
            {
                **_CONTACT_COMMON,
                "property_associatedcompanyid": "account_id",
                "property_jobtitle": "title",
                "property_lifecyclestage": lambda row: CONTACT_STAGE,
                **_FINISH,
            },
        ),
        (
            "lead",
            None,
            {
                **_CONTACT_COMMON,
                "property_company": "company",
                "property_lifecyclestage": lambda row: LEAD_STAGE,
                "property_hs_lead_status": "status",
                "property_hs_lead_converted": "is_converted",
                "property_hs_lead_converted_date": "converted_date",
                "property_hs_lead_converted_company_id": "converted_account_id",
                "property_hs_lead_converted_contact_id": "converted_contact_id",
                "property_hs_lead_converted_deal_id": "converted_opportunity_id",
                **_FINISH,
            },
        ),
    ],
    "deal": [
        (
            "opportunity",
            None,
            {
                "deal_id": "id",
                "associated_company_id": "account_id",
                "owner_id": "owner_id",
                "property_dealname": "name",
                "property_dealtype": "type",
                "property_amount": "amount",
                "property_deal_currency_code": "currency_iso_code",
                "property_dealstage": "stage_name",
                "property_hs_deal_stage_probability": "probability",
                "property_hs_is_closed": "is_closed",
                "property_hs_is_closed_won": "is_won",
                "property_closedate": "close_date",
                "property_createdate": "created_date",
                "property_lead_source": "lead_source",
                "property_hs_campaign": "campaign_id",
                **_FINISH,
            },
        )
    ],
    "deal_contact": [
        (
            "opportunity_contact_role",
            None,
            {
                "id": "id",
                "deal_id": "opportunity_id",
                "contact_id": "contact_id",
                "property_role": "role",
                "property_is_primary": "is_primary",
                "property_createdate": "created_date",
                **_FINISH,
            },
        )
    ],
    "deal_stage": [
        (
            "opportunity_history",
            None,
            {
                "id": "id",
                "deal_id": "opportunity_id",
                "value": "stage_name",
                "property_amount": "amount",
                "property_closedate": "close_date",
                "property_hs_deal_stage_probability": "probability",
                "date_entered": "created_date",
                **_FINISH,
            },
        )
    ],
    "campaign": [
        (
            "campaign",
            None,
            {
                "id": "id",
                "property_hs_name": "name",
                "property_hs_campaign_type": "type",
                "property_hs_campaign_status": "status",
                "property_hs_start_date": "start_date",
                "property_hs_end_date": "end_date",
                "property_hs_budget_items_sum_amount": "budgeted_cost",
                "property_hs_spend_items_sum_amount": "actual_cost",
                "property_hs_currency_code": "currency_iso_code",
                **_FINISH,
            },
        )
    ],
    "campaign_contact": [
        (
            "campaign_member",
            None,
            {
                "id": "id",
                "campaign_id": "campaign_id",
                "contact_id": lambda row: row["lead_id"] or row["contact_id"],
                "property_status": "status",
                "property_has_responded": "has_responded",
                "property_first_responded_date": "first_responded_date",
                "property_createdate": "created_date",
                **_FINISH,
            },
        )
    ],
    **{
        name: [
            (
                "task",
                _tasks_of(name),
                {
                    **_ENGAGEMENT,
                    "property_hs_title": "subject",
                    "property_hs_status": "status",
                    "property_hs_timestamp": "activity_date",
                    "property_createdate": "created_date",
                    **_FINISH,
                },
            )
        ]
        for name in ("engagement_call", "engagement_email", "engagement_task")
    },
    # The Salesforce-shaped demo logs no notes (no task becomes one): the file has its header only.
    "engagement_note": [
        (
            "task",
            lambda row: False,
            {
                **_ENGAGEMENT,
                "property_hs_timestamp": "activity_date",
                "property_createdate": "created_date",
                **_FINISH,
            },
        )
    ],
    "engagement_meeting": [
        (
            "event",
            None,
            {
                **_ENGAGEMENT,
                "property_hs_meeting_title": "subject",
                "property_hs_meeting_start_time": "start_date_time",
                "property_hs_meeting_end_time": "end_date_time",
                "property_createdate": "created_date",
                **_FINISH,
            },
        )
    ],
    "contact_form_submission": [],  # from the night's web form submits of known contacts
    "owner": [
        (
            "user",
            None,
            {
                "owner_id": "id",
                "first_name": lambda row: _split_first(row["name"]),
                "last_name": lambda row: _split_last(row["name"]),
                "email": "email",
                "role_name": "user_role",
                "is_active": "is_active",
                "created_at": "created_date",
                "updated_at": "system_modstamp",
                "is_deleted": "is_deleted",
            },
        )
    ],
}
# Columns of the other systems and of the ground truth that hold CRM ids.
OTHER_ID_COLUMNS = {
    "referral/payout.csv": ("opportunity_id",),
    "costs/sales_cost.csv": ("user_id",),
    "costs/marketing_spend.csv": ("campaign_id",),
}
TRUTH_ID_COLUMNS = {
    "deals.csv": ("opportunity_id",),
    "deal_source_shares.csv": ("opportunity_id",),
    "journey_touches.csv": ("opportunity_id", "source_id"),
}


def _kind(value: str | None) -> str | None:
    """The Salesforce object an id names (by its key prefix), or None for any other value."""
    if not value or len(value) != 18 or not value.isalnum():
        return None
    return _KIND_OF_PREFIX.get(value[:3])


class IdMap:
    """Salesforce id -> HubSpot id, numbered per object in order of first appearance."""

    def __init__(self):
        self.ids: dict[str, str] = {}
        self.kinds: dict[str, str] = {}
        self._next = dict.fromkeys(PREFIX, 0)

    def __call__(self, value: str | None) -> str | None:
        kind = _kind(value)
        if kind is None:
            return value  # not an id (blank, or a value the exporter spoiled): kept as written
        if value not in self.ids:
            self._next[kind] += 1
            self.ids[value] = str(_HUBSPOT_BASE[kind] + self._next[kind])
            self.kinds[value] = kind
        return self.ids[value]


def _read(path: Path) -> tuple[list[str], list[Row], bytes]:
    raw = path.read_bytes()
    bom = raw[:3] if raw.startswith(b"\xef\xbb\xbf") else b""
    text = raw[len(bom) :].decode("utf-8")
    reader = csv.DictReader(text.splitlines(keepends=True))
    rows = [{k: (v if v != "" else None) for k, v in row.items()} for row in reader]
    return list(reader.fieldnames or []), rows, bom


def _write(path: Path, header: list[str], rows: list[Row], bom: bytes = b"") -> None:
    table = pa.table({c: pa.array([r.get(c) for r in rows], type=pa.string()) for c in header})
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as handle:
        handle.write(bom)
        pacsv.write_csv(table, handle, pacsv.WriteOptions(quoting_header="none"))


def _value(row: Row, source, ids: IdMap) -> str | None:
    """One cell: a Salesforce column's value, a value computed from the row, or blank (None: a
    column the row's Salesforce object has no counterpart for), with CRM ids mapped."""
    if source is None:
        return None
    value = source(row) if callable(source) else row[source]
    return ids(value)


def _form_submissions(folder: Path, contact_of_email: dict[str, str]) -> list[Row]:
    """The night's web form submits by an email a contact holds, as HubSpot records them."""
    _, events, _ = _read(folder / "web" / "event.csv")
    rows = []
    for event in events:
        email = (event["user_email"] or "").strip().lower()
        if event["event_type"] == "form_submit" and email in contact_of_email:
            rows.append(
                {
                    "conversion_id": event["event_id"],
                    "contact_id": contact_of_email[email],
                    "form_id": "demo-form",
                    "page_url": event["page_url"],
                    "title": "Contact us",
                    "timestamp": event["occurred_at"],
                }
            )
    return rows


def _night(
    folder: Path, ids: IdMap, hubspot_objects: dict, contact_of_email: dict[str, str]
) -> dict[tuple[str, int], tuple[str, int]]:
    """Rewrite one night's CRM files; return (salesforce object, row) -> (hubspot object, row)."""
    crm = folder / "crm"
    moved: dict[tuple[str, int], tuple[str, int]] = {}
    read = {p.stem: _read(p) for p in sorted(crm.glob("*.csv"))}
    for name, parts in SHAPE.items():
        obj = hubspot_objects[name]
        rows: list[Row] = []
        bom = b""
        for sf_object, keep, columns in parts:
            _, sf_rows, sf_bom = read[sf_object]
            bom = bom or sf_bom
            for number, row in enumerate(sf_rows, start=1):
                if keep is not None and not keep(row):
                    continue
                rows.append({c: _value(row, columns.get(c), ids) for c in obj.column_names})
                moved[(sf_object, number)] = (name, len(rows))
        if name == "contact":
            for row in rows:
                if row["property_email"] and row["id"]:
                    contact_of_email.setdefault(row["property_email"].strip().lower(), row["id"])
        if name == "contact_form_submission":
            rows = _form_submissions(folder, contact_of_email)
        _write(folder / obj.relative_path, obj.column_names, rows, bom)
    for relative, columns in OTHER_ID_COLUMNS.items():
        _rewrite_ids(folder / relative, columns, ids)
    shutil.rmtree(crm)
    return moved


def _rewrite_ids(path: Path, columns: tuple[str, ...], ids: IdMap) -> None:
    header, rows, bom = _read(path)
    for row in rows:
        for column in columns:
            row[column] = ids(row[column])
    _write(path, header, rows, bom)


def to_hubspot(extracts: Path, truth: Path, nights: list[str]) -> dict:
    """Rewrite the demo's Salesforce-shaped CRM files of `nights` as HubSpot objects (see module)."""
    hubspot_objects = {o.name: o for o in objects_in_use("hubspot") if o.system == "hubspot"}
    missing = set(hubspot_objects) ^ set(SHAPE)
    if missing:
        raise AssertionError(f"the HubSpot demo shape and the contract differ on {sorted(missing)}")
    ids = IdMap()
    contact_of_email: dict[str, str] = {}
    moved = {night: _night(extracts / night, ids, hubspot_objects, contact_of_email) for night in nights}
    for name, columns in TRUTH_ID_COLUMNS.items():
        _rewrite_ids(truth / name, columns, ids)
    _rewrite_truth_objects(truth / "journey_touches.csv", ids)
    _renumber_planted(truth / "planted_dirty_rows.csv", moved)
    _write(
        truth / ID_MAP_FILE,
        ["hubspot_id", "salesforce_id", "object"],
        [{"hubspot_id": h, "salesforce_id": s, "object": ids.kinds[s]} for s, h in ids.ids.items()],
    )
    return {"ids_mapped": len(ids.ids)}


def _rewrite_truth_objects(path: Path, ids: IdMap) -> None:
    """journey_touches.source_object names the HubSpot object the touch's row is in."""
    kind_to_object = {
        "lead": "hubspot.contact",
        "contact": "hubspot.contact",
        "campaign_member": "hubspot.campaign_contact",
        "event": "hubspot.engagement_meeting",
    }
    header, rows, bom = _read(path)
    hubspot_to_kind = {h: ids.kinds[s] for s, h in ids.ids.items()}
    for row in rows:
        if (row["source_object"] or "").startswith("crm."):
            kind = hubspot_to_kind.get(row["source_id"] or "")
            row["source_object"] = (
                kind_to_object.get(kind, "hubspot.engagement") if kind else row["source_object"]
            )
    _write(path, header, rows, bom)


def _renumber_planted(path: Path, moved: dict) -> None:
    header, rows, bom = _read(path)
    for row in rows:
        if row["system"] != "crm":
            continue
        target = moved[row["extract_date"]].get((row["object"], int(row["row_number"])))
        if target is None:
            raise AssertionError(f"planted dirty row {row} was not written in HubSpot shape")
        row["system"], row["object"], row["row_number"] = "hubspot", target[0], str(target[1])
        row["column"] = next(
            (h for part in SHAPE[target[0]] for h, s in part[2].items() if s == row["column"]),
            row["column"],
        )
    _write(path, header, rows, bom)
