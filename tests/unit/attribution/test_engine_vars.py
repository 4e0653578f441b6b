"""The engine reads the run's var overrides (`closecredit run --vars`), not only dbt_project.yml:
an engine var (path_transform) changes the data-driven credits of that run."""

from __future__ import annotations

from datetime import date

import duckdb

from orchestration.attribution.warehouse import (
    OUTPUT_SCHEMA,
    run_credit_bootstrap,
    run_data_driven_attribution,
)
from orchestration.core.settings import Settings
from tests.unit.attribution.stubs import complete_journey_touches, create_engine_outputs, last_touch_credit

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


GROUPS = {"email": "marketing", "search": "marketing", "referral": "community"}


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
        + ", ".join(f"('{o}', date '2026-11-20')" for o, won, _ in JOURNEYS if won)
        + ") t(opportunity_id, close_date)"
    )
    con.execute(
        "create table int_journey_touches as select * from (values "
        + ", ".join(
            f"('{o}', {i + 1}, '{channel}', '{o}-{i + 1}', '{GROUPS[channel]}')"
            for o, _, path in JOURNEYS
            for i, channel in enumerate(path)
        )
        + ") t(opportunity_id, touch_position, channel, touch_id, source_group)"
    )
    complete_journey_touches(con)
    create_engine_outputs(con)
    last_touch_credit(con)
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


def test_the_bootstrap_writes_every_models_replicates_from_the_run_vars():
    """attribution.credit_replicates: B (var) replicates x models x close months x groups; in each
    replicate every model credits the same total (each deal's fractions sum to 1): the sum of the
    credited deals' weights."""
    con = _warehouse()
    settings = Settings(vars_json='{"bootstrap_replicates": 7, "bootstrap_seed": 3}')
    summary = run_credit_bootstrap(con, AS_OF, settings.overrides)
    assert (summary.replicates, summary.seed) == (7, 3)
    assert set(summary.models) == {"last_touch", "markov", "shapley"}
    totals = con.execute(
        f"select replicate, attribution_model, sum(credited_closes) from {OUTPUT_SCHEMA}.credit_replicates "
        "group by all order by all"
    ).fetchall()
    assert len(totals) == 7 * 3
    assert summary.rows == 7 * 3 * 1 * 2  # one close month, two groups
    by_replicate: dict[int, set] = {}
    for replicate, _, total in totals:
        by_replicate.setdefault(replicate, set()).add(round(total, 9))
    assert all(len(values) == 1 for values in by_replicate.values())
    assert len({v for values in by_replicate.values() for v in values}) > 1  # the replicates differ
