"""The self-reported source end to end at its smallest: one night of contract rows whose one
credited deal's lead answered "A friend told me about you", landed and built by dbt up to the
touchpoints and the credit (the answer's mapping, the touch and the model rules have dbt unit
tests beside the models: models/intermediate/touches, journeys and credit)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import duckdb
import pytest

from orchestration.core.contract import get_object
from orchestration.core.dbt_args import build_args
from orchestration.night.landing import land_night
from tests.contract_rows import valid_row, write_night

NIGHT = date(2026, 3, 31)
MODELS = ["legacy_handoff", "linear", "self_reported"]  # no data-driven model: the engine is not run


def _row(system: str, name: str, **values: str) -> dict[str, str]:
    row = valid_row(get_object(system, name), 1)
    row.update(values)
    return row


ROWS = {
    "crm.account": [_row("crm", "account", id="001A", owner_id="005U", created_date="2026-01-01T00:00:00Z")],
    "crm.user": [_row("crm", "user", id="005U", user_role="AE", is_active="true")],
    "crm.lead": [
        _row(
            "crm",
            "lead",
            id="00QL",
            email="ann@acme.example",
            lead_source="Web",
            self_reported_source="A friend told me about you",
            is_converted="true",
            converted_date="2026-03-02",
            converted_account_id="001A",
            converted_contact_id="003C",
            converted_opportunity_id="006O",
            created_date="2026-03-01T09:00:00Z",
            system_modstamp="2026-03-02T09:00:00Z",
        )
    ],
    "crm.contact": [
        _row(
            "crm",
            "contact",
            id="003C",
            account_id="001A",
            email="ann@acme.example",
            lead_source="Web",
            self_reported_source="",
            created_date="2026-03-02T09:00:00Z",
            system_modstamp="2026-03-02T09:00:00Z",
        )
    ],
    "crm.opportunity": [
        _row(
            "crm",
            "opportunity",
            id="006O",
            account_id="001A",
            owner_id="005U",
            type="New Business",
            amount="1000",
            currency_iso_code="USD",
            stage_name="Closed Won",
            probability="100",
            is_closed="true",
            is_won="true",
            close_date="2026-03-20",
            created_date="2026-03-02T10:00:00Z",
            lead_source="Web",
            campaign_id="",
            system_modstamp="2026-03-20T09:00:00Z",
        )
    ],
    "crm.opportunity_contact_role": [
        _row(
            "crm",
            "opportunity_contact_role",
            id="00KR",
            opportunity_id="006O",
            contact_id="003C",
            role="Decision Maker",
            is_primary="true",
            created_date="2026-03-02T10:00:00Z",
        )
    ],
    "costs.fx_rate": [_row("costs", "fx_rate", month="2026-03", currency_iso_code="USD", rate_to_usd="1")],
}


@pytest.fixture(scope="module")
def night(run_dbt, tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("self_reported")
    write_night(root / "extracts", NIGHT, ROWS)
    database = root / "warehouse.duckdb"
    with duckdb.connect(str(database)) as con:
        landing = land_night(con, root / "extracts", NIGHT)
        assert not landing.failures, [f.message for f in landing.failures]
    run_dbt(
        [
            *build_args(
                NIGHT, select="+fct_touchpoints +fct_close_credit", overrides={"attribution_models": MODELS}
            ),
            "--exclude-resource-type",
            "unit_test",
        ],
        database,
    )
    return database


def _rows(database: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(database), read_only=True) as con:
        return con.execute(sql).fetchall()


def test_the_answer_is_a_self_reported_community_touch(night):
    touches = _rows(
        night,
        "select touch_kind, channel, source_group, is_first_touch from marts.fct_touchpoints "
        "where opportunity_id = '006O' order by touch_position",
    )
    assert ("self_reported", "word_of_mouth", "community", False) in touches
    # the lead-source touch (Web, direct) stays, and it is FT: the answer is never a milestone
    assert touches[0] == ("lead_source", "direct", "direct", True)


def test_the_self_reported_model_gives_community_the_whole_deal(night):
    shares = _rows(
        night,
        "select source_group, sum(credit_fraction) from marts.fct_close_credit "
        "where opportunity_id = '006O' and attribution_model = 'self_reported' "
        "group by source_group having sum(credit_fraction) > 0",
    )
    assert shares == [("community", pytest.approx(1.0))]
