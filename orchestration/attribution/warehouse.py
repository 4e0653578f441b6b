"""Run the data-driven models listed in var('attribution_models') (markov, shapley) on the
warehouse's journeys and write the result.

Reads the journey models dbt built, fits and credits with the engine, and replaces the content
of `attribution.data_driven_credits` and `attribution.markov_removal_effects` (and
`attribution.model_fit`: which model fits, `run_model_fit`) (tables the dbt
on-run-start hook creates from the `attribution` source's columns, the schema this module
writes too), which the credit marts read as a source. Rules come from the dbt vars
(`project_vars`, overridable per run) so SQL and Python read the same settings.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import duckdb
import pandas as pd

from orchestration.attribution.engine import data_driven_credits
from orchestration.attribution.fitset import select_fit_journeys
from orchestration.attribution.listing import attribution_models, data_driven_models, engine_output_columns
from orchestration.attribution.model_fit import (
    Recommendation,
    holdout_mask,
    recommend_model,
    resolve_signal_model,
    score_models,
)
from orchestration.core.contract import PROJECT_DIR
from orchestration.core.dbt_vars import project_vars

BUILD_SCHEMA = "main"
OUTPUT_SCHEMA = "attribution"


@dataclass
class DataDrivenSummary:
    as_of_date: date
    path_transform: str
    models: tuple[str, ...]
    fitted_journeys: int
    converting_journeys: int
    credited_deals: int
    credit_rows: int
    channels: int
    recommendation: Recommendation | None = None


def run_data_driven_attribution(
    con: duckdb.DuckDBPyConnection, as_of_date: date, overrides: dict | None = None
) -> DataDrivenSummary:
    settings = project_vars(overrides)
    transform = str(settings["path_transform"])
    models = data_driven_models(overrides)
    journeys = _journeys(con)
    outcomes = select_fit_journeys(
        journeys,
        as_of_date=as_of_date,
        lookback_days=int(settings["lookback_days"]),
        credited_deal_types=[t.lower() for t in settings["credited_deal_types"]],
    )
    credited = con.execute(f"select opportunity_id as journey_id from {BUILD_SCHEMA}.int_credited_deals").df()
    touches = con.execute(
        f"select opportunity_id as journey_id, touch_position as position, channel, touch_id "
        f"from {BUILD_SCHEMA}.int_journey_touches"
    ).df()
    wanted = set(outcomes["journey_id"]) | set(credited["journey_id"])
    touches = touches[touches["journey_id"].isin(wanted)].reset_index(drop=True)
    result = data_driven_credits(
        touches[["journey_id", "position", "channel"]],
        outcomes,
        credited["journey_id"].tolist(),
        transform,
        models=models,
    )
    touch_ids = touches[["journey_id", "position", "touch_id"]]
    frames = [
        credits.merge(touch_ids, on=["journey_id", "position"], how="left", validate="one_to_one")
        .rename(columns={"journey_id": "opportunity_id", "fraction": "credit_fraction"})
        .assign(attribution_model=model, credit_fraction=lambda f: f["credit_fraction"].astype("float64"))
        for model, credits in result.credits().items()
    ]
    run_columns = {"as_of_date": as_of_date, "path_transform": transform}
    credits = _output_frame("data_driven_credits", frames, run_columns)
    effects = _output_frame(
        "markov_removal_effects",
        [result.markov_fit.removal_effects] if result.markov_fit is not None else [],
        run_columns,
    )
    con.execute("begin transaction")
    try:
        for table, frame in (("data_driven_credits", credits), ("markov_removal_effects", effects)):
            con.execute(f"delete from {OUTPUT_SCHEMA}.{table}")
            con.register("engine_output", frame)
            con.execute(f"insert into {OUTPUT_SCHEMA}.{table} by name select * from engine_output")
            con.unregister("engine_output")
        con.execute("commit")
    except BaseException:
        con.execute("rollback")
        raise
    recommendation = run_model_fit(con, as_of_date, overrides)
    return DataDrivenSummary(
        recommendation=recommendation,
        as_of_date=as_of_date,
        path_transform=transform,
        models=models,
        fitted_journeys=len(outcomes),
        converting_journeys=int(outcomes["converted"].sum()),
        credited_deals=len(credited),
        credit_rows=len(credits),
        channels=len(effects),
    )


def _journeys(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Every opportunity with a close date, as `select_fit_journeys` reads them."""
    return con.execute(
        f"select opportunity_id as journey_id, close_date, lower(opportunity_type) as type, "
        f"coalesce(is_closed or is_won, false) as is_closed, coalesce(is_won, false) as is_won "
        f"from {BUILD_SCHEMA}.int_journey_opportunities where close_date is not null"
    ).df()


def _output_frame(table: str, frames: list[pd.DataFrame], run_columns: dict) -> pd.DataFrame:
    """The rows of one engine output table with exactly its declared columns, in order."""
    columns = [name for name, _ in engine_output_columns()[table]]
    rows = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
    rows = rows.assign(**{k: v for k, v in run_columns.items() if k in columns})
    missing = [c for c in columns if c not in rows.columns]
    if frames and missing:
        raise ValueError(f"attribution.{table}: the engine gave no column(s) {missing}")
    return rows.reindex(columns=columns)


MODEL_FIT_TABLE = "model_fit"
CUSTOM_WEIGHTS_SEED = PROJECT_DIR / "seeds" / "attribution" / "attribution_custom_weights.csv"


def run_model_fit(
    con: duckdb.DuckDBPyConnection, as_of_date: date, overrides: dict | None = None
) -> Recommendation:
    """Score every listed model on held-out journeys, pick the recommended model and resolve
    var('signal_model'); replace `attribution.model_fit` (docs/models.md, "Which model fits")."""
    frame, pick = compute_model_fit(con, as_of_date, overrides)
    con.execute("begin transaction")
    try:
        con.execute(f"delete from {OUTPUT_SCHEMA}.{MODEL_FIT_TABLE}")
        con.register("model_fit_output", frame)
        con.execute(f"insert into {OUTPUT_SCHEMA}.{MODEL_FIT_TABLE} by name select * from model_fit_output")
        con.unregister("model_fit_output")
        con.execute("commit")
    except BaseException:
        con.execute("rollback")
        raise
    return pick


def compute_model_fit(
    con: duckdb.DuckDBPyConnection, as_of_date: date, overrides: dict | None = None
) -> tuple[pd.DataFrame, Recommendation]:
    """The rows of `attribution.model_fit` and the pick, from the journey models (reads only)."""
    settings = project_vars(overrides)
    models = attribution_models(overrides)
    journeys = _journeys(con)
    population = select_fit_journeys(
        journeys,
        as_of_date=as_of_date,
        lookback_days=int(settings["lookback_days"]),
        credited_deal_types=[t.lower() for t in settings["credited_deal_types"]],
    ).merge(journeys[["journey_id", "close_date"]], on="journey_id", how="left", validate="one_to_one")
    held_out = holdout_mask(
        population,
        as_of_date=as_of_date,
        method=str(settings["model_fit_holdout"]),
        weeks=int(settings["model_fit_holdout_weeks"]),
        share=float(settings["model_fit_holdout_share"]),
    )
    touches = con.execute(
        f"select opportunity_id as journey_id, touch_position as position, touch_count as n, channel, "
        f'source_group as "group", is_first_touch as is_ft, is_lead_creation_touch as is_lc, '
        f"is_opportunity_creation_touch as is_oc, is_closed_won_touch as is_cw, days_before_close, "
        f"is_synthetic from {BUILD_SCHEMA}.int_journey_touches"
    ).df()
    seed = pd.read_csv(CUSTOM_WEIGHTS_SEED)
    fit = score_models(
        touches,
        population[["journey_id", "converted"]],
        held_out,
        models,
        path_transform=settings["path_transform"],
        half_life_days=float(settings["half_life_days"]),
        custom_weights=dict(zip(seed["stage"], seed["weight"], strict=True)) if "custom" in models else None,
    )
    pick = recommend_model(fit, models, int(settings["model_fit_min_journeys"]))
    signal_model = resolve_signal_model(str(settings["signal_model"]), pick.model, models)
    frame = fit.assign(
        is_recommended=fit["attribution_model"] == pick.model,
        is_signal_model=fit["attribution_model"] == signal_model,
        recommendation_reason=pick.reason,
        holdout_method=str(settings["model_fit_holdout"]),
        as_of_date=as_of_date,
    )
    return _output_frame(MODEL_FIT_TABLE, [frame], {"as_of_date": as_of_date}), pick
