"""var('attribution_models') decides which data-driven models the engine computes and writes, and
the engine writes exactly the output schema the `attribution` source declares."""

from __future__ import annotations

from datetime import date

import duckdb
import pytest

from orchestration.attribution import data_driven_credits
from orchestration.attribution.listing import attribution_models, data_driven_models, engine_output_columns
from orchestration.attribution.warehouse import OUTPUT_SCHEMA, run_data_driven_attribution
from tests.unit.attribution import reference as ref
from tests.unit.attribution.stubs import complete_journey_touches

AS_OF = date(2026, 3, 16)
WITHOUT_SHAPLEY = {
    "attribution_models": ["legacy_handoff", "linear", "markov"],
}


def test_the_engine_models_follow_the_var():
    assert data_driven_models() == ("markov", "shapley")
    assert data_driven_models(WITHOUT_SHAPLEY) == ("markov",)
    assert data_driven_models({"attribution_models": ["legacy_handoff", "w_shaped"]}) == ()
    assert attribution_models(WITHOUT_SHAPLEY) == ("legacy_handoff", "linear", "markov")
    with pytest.raises(ValueError, match="non-empty list"):
        attribution_models({"attribution_models": "markov"})


def test_a_model_not_asked_for_is_not_computed():
    journeys, won = ref.expand([("AB", 2, 1), ("B", 1, 2)])
    outcomes = ref.outcomes_table(won)
    only_shapley = data_driven_credits(ref.touches_table(journeys), outcomes, outcomes, models=["shapley"])
    assert only_shapley.markov is None and only_shapley.markov_fit is None
    assert set(only_shapley.credits()) == {"shapley"}
    with pytest.raises(ValueError, match="unknown data-driven model"):
        data_driven_credits(ref.touches_table(journeys), outcomes, outcomes, models=["linear"])


def _warehouse() -> duckdb.DuckDBPyConnection:
    """The engine's inputs as dbt would build them (two won deals, one lost), and its output
    tables created from the declared schema, as the on-run-start hook does."""
    con = duckdb.connect()
    con.execute(
        "create table main.int_journey_opportunities as select * from (values "
        "('o1', date '2026-03-01', 'New Business', true, true), ('o2', date '2026-03-02', 'New Business', true, true), "
        "('o3', date '2026-03-03', 'New Business', true, false)) "
        "as t(opportunity_id, close_date, opportunity_type, is_closed, is_won)"
    )
    con.execute(
        "create table main.int_credited_deals as select * from (values ('o1', date '2026-11-20'), "
        "('o2', date '2026-11-20')) as t(opportunity_id, close_date)"
    )
    con.execute(
        "create table main.int_journey_touches as select * from (values "
        "('o1', 1, 'email', 't1', 'marketing'), ('o1', 2, 'sales_call', 't2', 'sales'), "
        "('o2', 1, 'email', 't3', 'marketing'), ('o3', 1, 'sales_call', 't4', 'sales')) "
        "as t(opportunity_id, touch_position, channel, touch_id, source_group)"
    )
    complete_journey_touches(con)
    con.execute(f"create schema {OUTPUT_SCHEMA}")
    types = {"string": "varchar"}
    for table, columns in engine_output_columns().items():
        ddl = ", ".join(f"{name} {types.get(kind, kind)}" for name, kind in columns)
        con.execute(f"create table {OUTPUT_SCHEMA}.{table} ({ddl})")
    return con


def _models_written(con) -> set[str]:
    return {
        m
        for (m,) in con.execute(
            f"select distinct attribution_model from {OUTPUT_SCHEMA}.data_driven_credits"
        ).fetchall()
    }


def test_dropping_a_model_from_the_var_drops_it_from_the_engine_output():
    con = _warehouse()
    run_data_driven_attribution(con, AS_OF)
    assert _models_written(con) == {"markov", "shapley"}
    summary = run_data_driven_attribution(con, AS_OF, WITHOUT_SHAPLEY)
    assert _models_written(con) == {"markov"}
    assert summary.models == ("markov",)
    assert summary.credit_rows == 3  # markov only: one row per touch of o1 and o2
    assert con.execute(f"select count(*) from {OUTPUT_SCHEMA}.markov_removal_effects").fetchone()[0] == 2


def test_without_markov_there_are_no_removal_effects():
    con = _warehouse()
    run_data_driven_attribution(con, AS_OF, {"attribution_models": ["legacy_handoff", "shapley"]})
    assert _models_written(con) == {"shapley"}
    assert con.execute(f"select count(*) from {OUTPUT_SCHEMA}.markov_removal_effects").fetchone()[0] == 0


# Scores of a model that cannot be scored (legacy_handoff's AUC, self_reported) and the note.
MAY_BE_NULL = {"model_fit": ("log_loss", "auc", "note")}


def test_the_engine_writes_the_declared_columns_only():
    con = _warehouse()
    run_data_driven_attribution(con, AS_OF)
    for table, columns in engine_output_columns().items():
        described = con.execute(f"describe {OUTPUT_SCHEMA}.{table}").fetchall()
        assert [row[0] for row in described] == [name for name, _ in columns]
        required = [n for n, _ in columns if n not in MAY_BE_NULL.get(table, ())]
        nulls = con.execute(
            f"select count(*) from {OUTPUT_SCHEMA}.{table} where "
            + " or ".join(f"{n} is null" for n in required)
        ).fetchone()[0]
        assert nulls == 0, f"{table} has rows with an undeclared or unfilled column"
