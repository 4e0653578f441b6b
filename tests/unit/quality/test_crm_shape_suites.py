"""The raw suites of the CRM shape not in use (var crm_source) are skipped with that reason, never
run against tables nothing lands, and never failed."""

from __future__ import annotations

from datetime import date

import duckdb

from orchestration.core.contract import get_object
from orchestration.quality.results import SKIPPED
from orchestration.quality.run import validate_raw_object

NIGHT = date(2026, 11, 26)


def test_the_suites_of_the_crm_shape_not_in_use_are_skipped_with_that_reason():
    with duckdb.connect() as con:  # holds no raw table: a suite that ran would fail on it
        hubspot, gx_result = validate_raw_object(con, get_object("hubspot", "deal"), NIGHT)
        salesforce, _ = validate_raw_object(
            con, get_object("crm", "opportunity"), NIGHT, overrides={"crm_source": "hubspot"}
        )
    assert (hubspot.status, gx_result) == (SKIPPED, None)
    assert hubspot.skipped_reason == "hubspot.deal is a hubspot object and crm_source is salesforce"
    assert salesforce.status == SKIPPED
    assert salesforce.skipped_reason == "crm.opportunity is a salesforce object and crm_source is hubspot"
    assert hubspot.suite == "raw.hubspot.deal" and hubspot.target == "hubspot.deal"
