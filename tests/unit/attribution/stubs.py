"""Stand-ins for the journey models the engine reads, for engine tests without a dbt build."""

from __future__ import annotations

import duckdb


def complete_journey_touches(con: duckdb.DuckDBPyConnection) -> None:
    """Give a stub `int_journey_touches(opportunity_id, touch_position, channel, touch_id,
    source_group)` the other columns the engine and the model fit read: the touch count, the
    milestones (FT = LC = OC the first touch, CW the last), days before close and is_synthetic."""
    con.execute(
        "create or replace table int_journey_touches as select *, "
        "max(touch_position) over (partition by opportunity_id) as touch_count, "
        "touch_position = 1 as is_first_touch, touch_position = 1 as is_lead_creation_touch, "
        "touch_position = 1 as is_opportunity_creation_touch, "
        "touch_position = max(touch_position) over (partition by opportunity_id) as is_closed_won_touch, "
        "3 as days_before_close, false as is_synthetic from int_journey_touches"
    )


def create_engine_outputs(con: duckdb.DuckDBPyConnection) -> None:
    """The engine's output tables, empty, with exactly their declared columns."""
    from orchestration.attribution.listing import engine_output_columns
    from orchestration.attribution.warehouse import OUTPUT_SCHEMA

    con.execute(f"create schema if not exists {OUTPUT_SCHEMA}")
    for table, columns in engine_output_columns().items():
        typed = ", ".join(f"{name} {'varchar' if kind == 'string' else kind}" for name, kind in columns)
        con.execute(f"create table {OUTPUT_SCHEMA}.{table} ({typed})")


def last_touch_credit(con: duckdb.DuckDBPyConnection) -> None:
    """`int_credit_touches` and `int_credit_rule_based` (last_touch only) from the stub journeys,
    for the bootstrap."""
    con.execute(
        "create table int_credit_touches as select opportunity_id, touch_id, source_group "
        "from int_journey_touches"
    )
    con.execute(
        "create table int_credit_rule_based as select opportunity_id, touch_id, 'last_touch' as "
        "attribution_model, case when touch_position = max(touch_position) over (partition by "
        "opportunity_id) then 1.0 else 0.0 end as credit_fraction from int_journey_touches "
        "where opportunity_id in (select opportunity_id from int_credited_deals)"
    )
