"""The contract as data (`models/staging/_contract__sources.yml`) is well formed, keeps the interface
pinned below, follows the project's naming conventions, is published as the generated
docs/contract.md, and every object has its staging models wired to it."""

from __future__ import annotations

import re

import pytest
import yaml

from orchestration.core import contract as contract_module
from orchestration.core.contract import (
    _SEMANTICS_TEXT,
    _TYPE_TEXT,
    CONTRACT_DOC,
    CONTRACT_FILE,
    LOGICAL_TYPES,
    PROJECT_DIR,
    REGENERATE_COMMAND,
    SEMANTICS,
    _parse,
    get_object,
    load_contract,
    render_markdown,
)
from orchestration.demo.crm.hubspot import SHAPE as HUBSPOT_SHAPE
from orchestration.night.landing import RAW_SCHEMA
from tests.contract_rows import contract_params

STAGING_DIR = PROJECT_DIR / "models" / "staging"
ROW_STATUSES_MODEL = STAGING_DIR / "audit" / "stg_audit__raw_row_statuses.sql"

# The interface customers export to (docs/contract.md, "Extract semantics"), pinned on purpose: a
# change here is a change of the contract, made in the YAML and in this pin together (then
# regenerate docs/contract.md).
CRM_OBJECTS = (
    "account",
    "contact",
    "lead",
    "opportunity",
    "opportunity_contact_role",
    "opportunity_history",
    "campaign",
    "campaign_member",
    "task",
    "event",
    "user",
)
PINNED_SEMANTICS_AND_KEYS = {
    **{f"crm.{name}": ("delta", ("id",)) for name in CRM_OBJECTS},
    "web.event": ("append", ("event_id",)),
    "referral.partner": ("snapshot", ("partner_id",)),
    "referral.click": ("append", ("click_id",)),
    "referral.referral": ("upsert", ("referral_id",)),
    "referral.payout": ("upsert", ("payout_id",)),
    "costs.marketing_spend": ("restatable", ("date", "channel", "utm_source", "utm_campaign", "campaign_id")),
    "costs.sales_cost": ("restatable", ("month", "user_id", "cost_type")),
    "costs.program_cost": ("restatable", ("month", "program")),
    "costs.fx_rate": ("restatable", ("month", "currency_iso_code")),
    # The HubSpot shape (issue 16): the same deltas, Fivetran's key names.
    **{
        f"hubspot.{name}": ("delta", (key,))
        for name, key in (
            ("company", "id"),
            ("contact", "id"),
            ("deal", "deal_id"),
            ("deal_contact", "id"),
            ("deal_stage", "id"),
            ("campaign", "id"),
            ("campaign_contact", "id"),
            ("engagement_call", "id"),
            ("engagement_email", "id"),
            ("engagement_task", "id"),
            ("engagement_note", "id"),
            ("engagement_meeting", "id"),
            ("owner", "owner_id"),
        )
    },
    "hubspot.contact_form_submission": ("append", ("conversion_id",)),
}
# Key columns that may be empty (so they cannot be required): a spend line without a campaign.
NULLABLE_KEY_COLUMNS = {("costs.marketing_spend", "campaign_id")}
# Required beyond every key (docs/contract.md, "Required values and quarantine"), and each money
# column's currency.
PINNED_REQUIRED = {
    *{(f"crm.{name}", "system_modstamp") for name in CRM_OBJECTS},
    *{
        ("crm.opportunity", name)
        for name in (
            "account_id",
            "stage_name",
            "is_closed",
            "is_won",
            "close_date",
            "created_date",
            "currency_iso_code",
        )
    },
    ("web.event", "anonymous_id"),
    ("web.event", "event_type"),
    ("web.event", "occurred_at"),
}
PINNED_REQUIRED_IF = {
    ("crm.opportunity", "amount"): "is_won",
    ("hubspot.deal", "property_amount"): "property_hs_is_closed_won",
}


def hubspot_mirror(qualified_name: str) -> dict[str, str]:
    """A HubSpot object's columns that stand for a Salesforce column (the demo writes them from
    it, orchestration/demo/crm/hubspot.py): {hubspot column: crm.<object>.<column>}."""
    system, name = qualified_name.split(".", 1)
    if system != "hubspot":
        return {}
    return {
        column: f"crm.{sf_object}.{source}"
        for sf_object, _, columns in HUBSPOT_SHAPE[name]
        for column, source in columns.items()
        if isinstance(source, str)
    }


# HubSpot columns that stand for no Salesforce column, and their types.
HUBSPOT_OWN_TYPES = {
    "property_lifecyclestage": "text",
    "associated_deal_id": "text",
    "associated_company_id": "text",
    "first_name": "text",
    "last_name": "text",
    "contact_id": "text",
    "form_id": "text",
    "page_url": "text",
    "title": "text",
    "timestamp": "timestamp",
}
# Required by the YAML beyond the pin's rule above, and why (keep this list short).
STRICTER_THAN_PIN = {
    ("costs.fx_rate", "rate_to_usd"): "a rate without a value converts nothing",
}

# The naming convention of the contract's columns: a column's name says its logical type, so an
# exporter can tell a type from the header alone. A new column follows it, or this test changes.
TIMESTAMP_NAMES = {"created_date", "system_modstamp", "start_date_time", "end_date_time"}
DATE_NAMES = {
    "close_date",
    "converted_date",
    "activity_date",
    "first_responded_date",
    "start_date",
    "end_date",
}
NUMBER_NAMES = {
    "amount",
    "spend",
    "budgeted_cost",
    "actual_cost",
    "rate_to_usd",
    "commission_rate",
    "probability",
    "number_of_employees",
}
MONEY_NAMES = {"amount", "spend", "budgeted_cost", "actual_cost"}


def conventional_type(qualified_name: str, column: str) -> str:
    """The logical type a column's name implies (currency codes are `currency`); a HubSpot column
    has the type of the Salesforce column it stands for."""
    mirrored = hubspot_mirror(qualified_name)
    if column in mirrored:
        sf_object, sf_column = mirrored[column].rsplit(".", 1)
        return conventional_type(sf_object, sf_column)
    if qualified_name.startswith("hubspot."):
        return HUBSPOT_OWN_TYPES.get(column, "text")
    if column == "currency_iso_code":
        return "currency"
    if column.endswith("_at") or column in TIMESTAMP_NAMES:
        return "timestamp"
    if column in DATE_NAMES or (qualified_name == "costs.marketing_spend" and column == "date"):
        return "date"
    if column == "month":
        return "month"
    if column in NUMBER_NAMES:
        return "number"
    if column.startswith(("is_", "has_")):
        return "boolean"
    return "text"


def required_by_pin(obj) -> set[str]:
    key = {c for c in obj.key if (obj.qualified_name, c) not in NULLABLE_KEY_COLUMNS}
    listed = {c for q, c in PINNED_REQUIRED if q == obj.qualified_name}
    # A HubSpot column is required where the Salesforce column it stands for is.
    listed |= {
        h for h, s in hubspot_mirror(obj.qualified_name).items() if tuple(s.rsplit(".", 1)) in PINNED_REQUIRED
    }
    if obj.qualified_name == "hubspot.contact_form_submission":
        listed.add("timestamp")
    currencies = {c.currency_column for c in obj.columns if c.currency_column}
    return key | listed | currencies


def _model_refs(path) -> list[str]:
    return re.findall(r"""ref\(\s*['"]([^'"]+)['"]\s*\)""", path.read_text(encoding="utf-8"))


def _base_path(obj):
    return STAGING_DIR / obj.system / "base" / f"base_{obj.system}__{obj.plural}.sql"


def _staging_path(obj):
    return STAGING_DIR / obj.system / f"{obj.staging_model}.sql"


# --- the file parses --------------------------------------------------------------------------


def test_contract_file_parses_into_objects():
    objects = load_contract()
    assert objects, f"{CONTRACT_FILE} holds no objects"
    names = [o.qualified_name for o in objects]
    assert len(names) == len(set(names)), "an object is listed twice"
    assert {o.semantics for o in objects} <= SEMANTICS
    assert {c.type for o in objects for c in o.columns} <= LOGICAL_TYPES


def test_contract_holds_exactly_the_pinned_objects():
    assert {o.qualified_name for o in load_contract()} == set(PINNED_SEMANTICS_AND_KEYS)


def test_every_source_lands_in_the_raw_schema():
    document = yaml.safe_load(CONTRACT_FILE.read_text(encoding="utf-8"))
    assert {source["schema"] for source in document["sources"]} == {RAW_SCHEMA}


def test_unknown_logical_type_is_refused():
    document = {
        "sources": [
            {
                "name": "crm",
                "config": {"meta": {"semantics": "delta"}},
                "tables": [
                    {
                        "name": "account",
                        "identifier": "crm__account",
                        "config": {"meta": {"plural": "accounts", "key": ["id"]}},
                        "columns": [{"name": "id", "data_type": "varchar"}],
                    }
                ],
            }
        ]
    }
    with pytest.raises(ValueError, match=r"crm\.account\.id has unknown data_type 'varchar'"):
        _parse(document)


def test_missing_semantics_is_refused():
    document = {
        "sources": [
            {
                "name": "web",
                "tables": [
                    {
                        "name": "event",
                        "identifier": "web__event",
                        "config": {"meta": {"plural": "events", "key": ["event_id"]}},
                        "columns": [{"name": "event_id", "data_type": "text"}],
                    }
                ],
            }
        ]
    }
    with pytest.raises(ValueError, match=r"web\.event has no valid semantics"):
        _parse(document)


def test_table_semantics_override_the_sources():
    document = {
        "sources": [
            {
                "name": "referral",
                "config": {"meta": {"semantics": "upsert"}},
                "tables": [
                    {
                        "name": "partner",
                        "identifier": "referral__partner",
                        "config": {
                            "meta": {"plural": "partners", "key": ["partner_id"], "semantics": "snapshot"}
                        },
                        "columns": [{"name": "partner_id", "data_type": "text"}],
                    }
                ],
            }
        ]
    }
    (partner,) = _parse(document)
    assert partner.semantics == "snapshot"


def test_get_object_and_column_lookups():
    opportunity = get_object("crm", "opportunity")
    assert opportunity.qualified_name == "crm.opportunity"
    assert opportunity.column("amount").currency_column == "currency_iso_code"
    with pytest.raises(KeyError):
        get_object("crm", "no_such_object")
    with pytest.raises(KeyError):
        opportunity.column("no_such_column")


# --- per object -------------------------------------------------------------------------------


@pytest.mark.parametrize("obj", contract_params())
def test_semantics_and_key_match_the_pin(obj):
    assert (obj.semantics, obj.key) == PINNED_SEMANTICS_AND_KEYS[obj.qualified_name]


@pytest.mark.parametrize("obj", contract_params())
def test_names_follow_the_conventions(obj):
    assert obj.identifier == f"{obj.system}__{obj.name}"
    assert obj.staging_model == f"stg_{obj.system}__{obj.plural}"
    assert obj.relative_path == f"{obj.system}/{obj.name}.csv"
    assert len(obj.column_names) == len(set(obj.column_names)), "a column is listed twice"
    assert all(re.fullmatch(r"[a-z][a-z0-9_]*", c) for c in obj.column_names)


@pytest.mark.parametrize("obj", contract_params())
def test_key_columns_exist_and_are_required(obj):
    assert obj.key, f"{obj.qualified_name} has no key"
    for name in obj.key:
        column = obj.column(name)  # KeyError if the key names a column the object lacks
        if (obj.qualified_name, name) in NULLABLE_KEY_COLUMNS:
            continue
        assert column.required, f"{obj.qualified_name}: key column {name!r} is not required"


@pytest.mark.parametrize("obj", contract_params(lambda o: any(c.required_if for c in o.columns)))
def test_required_if_points_at_a_boolean_column_of_the_same_object(obj):
    for column in obj.columns:
        if column.required_if:
            assert column.required_if in obj.column_names, f"{obj.qualified_name}.{column.name}"
            assert obj.column(column.required_if).type == "boolean", f"{obj.qualified_name}.{column.name}"
            assert not column.required, f"{obj.qualified_name}.{column.name}: required and required_if"


@pytest.mark.parametrize("obj", contract_params(lambda o: any(c.currency_column for c in o.columns)))
def test_currency_column_points_at_a_currency_column(obj):
    for column in obj.columns:
        if column.currency_column:
            assert column.type == "number", f"{obj.qualified_name}.{column.name} is money, not a number"
            assert column.currency_column in obj.column_names, f"{obj.qualified_name}.{column.name}"
            assert obj.column(column.currency_column).type == "currency", (
                f"{obj.qualified_name}.{column.name}"
            )


@pytest.mark.parametrize("obj", contract_params(lambda o: "currency_iso_code" in o.column_names))
def test_money_columns_name_their_currency(obj):
    money = [c for c in obj.columns if c.name in MONEY_NAMES]
    for column in money:
        assert column.currency_column == "currency_iso_code", f"{obj.qualified_name}.{column.name}"


@pytest.mark.parametrize("obj", contract_params())
def test_bounds_are_on_numbers_and_ordered(obj):
    for column in obj.columns:
        if column.min is not None or column.max is not None:
            assert column.type == "number", f"{obj.qualified_name}.{column.name}"
        if column.min is not None and column.max is not None:
            assert column.min < column.max, f"{obj.qualified_name}.{column.name}"


@pytest.mark.parametrize("obj", contract_params())
def test_every_column_has_the_type_its_name_implies(obj):
    wrong = {
        c.name: (c.type, conventional_type(obj.qualified_name, c.name))
        for c in obj.columns
        if c.type != conventional_type(obj.qualified_name, c.name)
    }
    assert not wrong, f"{obj.qualified_name}: column: (contract type, type its name implies) {wrong}"


@pytest.mark.parametrize("obj", contract_params())
def test_required_columns_are_those_pinned(obj):
    # Key columns are checked by test_key_columns_exist_and_are_required.
    required = {c.name for c in obj.columns if c.required}
    expected = required_by_pin(obj)
    missing = expected - required - set(obj.key)
    extra = {c for c in required - expected if (obj.qualified_name, c) not in STRICTER_THAN_PIN}
    assert not missing, f"{obj.qualified_name}: not required but should be: {missing}"
    assert not extra, f"{obj.qualified_name}: required, but the pin does not say so: {extra}"


@pytest.mark.parametrize("obj", contract_params())
def test_required_if_is_the_pinned_one(obj):
    conditional = {c.name: c.required_if for c in obj.columns if c.required_if}
    expected = {c: flag for (q, c), flag in PINNED_REQUIRED_IF.items() if q == obj.qualified_name}
    assert conditional == expected


# --- the published contract, docs/contract.md -------------------------------------------------


def test_contract_doc_is_the_generated_one():
    committed = CONTRACT_DOC.read_text(encoding="utf-8") if CONTRACT_DOC.exists() else ""
    assert committed == render_markdown(), (
        f"{CONTRACT_DOC.relative_to(PROJECT_DIR)} differs from {CONTRACT_FILE.relative_to(PROJECT_DIR)}: "
        f"regenerate it with `{REGENERATE_COMMAND}` and commit it"
    )


def test_contract_doc_is_read_from_the_yaml():
    document = yaml.safe_load(CONTRACT_FILE.read_text(encoding="utf-8"))
    web = next(s for s in document["sources"] if s["name"] == "web")
    web["tables"][0]["columns"].append(
        {"name": "session_hint", "data_type": "number", "config": {"meta": {"required": True, "min": 0}}}
    )
    text = render_markdown(document)
    assert "| `session_hint` | number | required, >= 0 |" in text
    assert "`session_hint`" in text.split("## Types", 1)[1].split("## Required", 1)[0], "types table"
    assert "`session_hint`" not in render_markdown()


@pytest.mark.parametrize("obj", contract_params())
def test_contract_doc_lists_every_column_with_its_rules(obj):
    text = render_markdown()
    section = text.split(f"#### {obj.qualified_name}\n", 1)[1].split("\n#### ", 1)[0]
    assert f"**{obj.semantics}**" in section
    for column in obj.columns:
        row = next((line for line in section.splitlines() if line.startswith(f"| `{column.name}` |")), None)
        assert row is not None, f"{obj.qualified_name}.{column.name} missing from docs/contract.md"
        rules = row.split("|")[3]
        assert f"| {column.type} |" in row
        assert ("required" in rules) == (column.required or bool(column.required_if)), row
        assert ("key" in rules) == (column.name in obj.key), row


def test_every_type_and_semantics_is_explained():
    assert set(_TYPE_TEXT) == LOGICAL_TYPES
    assert set(_SEMANTICS_TEXT) == SEMANTICS


def test_check_command_names_the_regenerate_command(tmp_path, monkeypatch, capsys):
    stale = tmp_path / "contract.md"
    stale.write_text("an old contract\n", encoding="utf-8")
    monkeypatch.setattr(contract_module, "CONTRACT_DOC", stale)
    assert contract_module.main(["--check"]) == 1
    assert REGENERATE_COMMAND in capsys.readouterr().out
    assert contract_module.main(["--markdown"]) == 0
    assert contract_module.main(["--check"]) == 0
    assert stale.read_text(encoding="utf-8") == render_markdown()


# --- staging models wired to the contract ------------------------------------------------------


@pytest.mark.parametrize("obj", contract_params())
def test_base_model_exists_and_reads_its_object(obj):
    path = _base_path(obj)
    assert path.is_file(), f"missing {path.relative_to(PROJECT_DIR)}"
    call = rf"base_raw_object\(\s*['\"]{obj.system}['\"]\s*,\s*['\"]{obj.name}['\"]\s*\)"
    assert re.search(call, path.read_text(encoding="utf-8")), (
        f"{path.name} does not read {obj.qualified_name}"
    )


@pytest.mark.parametrize("obj", contract_params())
def test_staging_model_exists_and_reads_its_base_model(obj):
    path = _staging_path(obj)
    assert path.is_file(), f"missing {path.relative_to(PROJECT_DIR)}"
    call = (
        rf"staged_rows\(\s*['\"]{obj.system}['\"]\s*,\s*['\"]{obj.name}['\"]\s*,"
        rf"\s*ref\(\s*['\"]base_{obj.system}__{obj.plural}['\"]\s*\)\s*\)"
    )
    assert re.search(call, path.read_text(encoding="utf-8")), (
        f"{path.name} does not stage {obj.qualified_name}"
    )


def test_every_base_model_belongs_to_a_contract_object():
    expected = {_base_path(o) for o in load_contract()}
    found = set(STAGING_DIR.glob("*/base/base_*.sql"))
    assert found - expected == set(), "base models without a contract object"


def test_raw_row_statuses_refs_every_base_model_and_nothing_else():
    refs = _model_refs(ROW_STATUSES_MODEL)
    expected = {f"base_{o.system}__{o.plural}" for o in load_contract()}
    assert len(refs) == len(set(refs)), f"a base model is referenced twice: {sorted(refs)}"
    assert set(refs) == expected, (
        f"missing: {sorted(expected - set(refs))}; not a base model: {sorted(set(refs) - expected)}"
    )
