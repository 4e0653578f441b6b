"""The engine reads the run's var overrides (`closecredit run --vars`), not only dbt_project.yml:
an engine var (path_transform) changes the data-driven credits of that run."""

from __future__ import annotations

from datetime import date

import duckdb

from orchestration.attribution.warehouse import OUTPUT_SCHEMA, run_data_driven_attribution
from orchestration.core.settings import Settings

AS_OF = date(2026, 11, 26)
# (opportunity, won, touches in order): repeats make `exposure` and `first` different paths.
JOURNEYS = [
    ("o1", True, ["search", "email", "search", "search"]),
    ("o2", True, ["email", "search", "email"]),
    ("o3", False, ["search", "search"]),
    ("o4", True, ["referral", "email", "email", "search"]),
    ("o5", False, ["email", "referral", "referral"]),
    ("o6", True, ["search", "referral", "search"]),
]


def _warehouse() -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    con.execute(
        "create table int_journey_opportunities as select * from (values "
        + ", ".join(
            f"('{o}', date '2026-11-20', 'New Business', true, {str(won).lower()})" for o, won, _ in JOURNEYS
        )
        + ") t(opportunity_id, close_date, opportunity_type, is_closed, is_won)"
    )
    con.execute(
        "create table int_credited_deals as select * from (values "
        + ", ".join(f"('{o}')" for o, won, _ in JOURNEYS if won)
        + ") t(opportunity_id)"
    )
    con.execute(
        "create table int_journey_touches as select * from (values "
        + ", ".join(
            f"('{o}', {i + 1}, '{channel}', '{o}-{i + 1}')"
            for o, _, path in JOURNEYS
            for i, channel in enumerate(path)
        )
        + ") t(opportunity_id, touch_position, channel, touch_id)"
    )
    con.execute(f"create schema {OUTPUT_SCHEMA}")
    con.execute(
        f"create table {OUTPUT_SCHEMA}.data_driven_credits (opportunity_id varchar, touch_id varchar, "
        "attribution_model varchar, credit_fraction double, as_of_date date, path_transform varchar)"
    )
    con.execute(
        f"create table {OUTPUT_SCHEMA}.markov_removal_effects (channel varchar, removal_effect double, "
        "attributed_conversions double, p_conv_without double, as_of_date date, path_transform varchar)"
    )
    return con


def _credits(con) -> dict:
    rows = con.execute(
        f"select attribution_model, touch_id, round(credit_fraction, 9), path_transform "
        f"from {OUTPUT_SCHEMA}.data_driven_credits order by all"
    ).fetchall()
    return {(m, t): (f, p) for m, t, f, p in rows}


def test_a_path_transform_override_changes_the_runs_data_driven_credits():
    con = _warehouse()
    default = Settings()
    summary = run_data_driven_attribution(con, AS_OF, default.overrides)
    assert summary.path_transform == default.project_vars()["path_transform"] == "exposure"
    before = _credits(con)
    overridden = Settings(vars_json='{"path_transform": "first"}')
    summary = run_data_driven_attribution(con, AS_OF, overridden.overrides)
    assert summary.path_transform == "first"
    after = _credits(con)
    assert {p for _, p in after.values()} == {"first"}
    assert {k: f for k, (f, _) in after.items()} != {k: f for k, (f, _) in before.items()}
