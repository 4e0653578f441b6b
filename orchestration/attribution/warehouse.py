"""Run the data-driven models listed in var('attribution_models') (markov, shapley) on the
warehouse's journeys and write the result.

Reads the journey models dbt built (`con` is the build database's DuckDB connection, or the
night's SparkSession: Spark is read through Arrow, `_frame` / `_replace_tables`), fits and credits with the engine, and replaces the content
of `attribution.data_driven_credits` and `attribution.markov_removal_effects` (and
`attribution.model_fit`: which model fits, `run_model_fit`) (tables the dbt
on-run-start hook creates from the `attribution` source's columns, the schema this module
writes too), which the credit marts read as a source. Rules come from the dbt vars
(`project_vars`, overridable per run) so SQL and Python read the same settings.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import date

import duckdb
import numpy as np
import pandas as pd

from orchestration.attribution.bootstrap import bootstrap_credited_closes
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


@dataclass(eq=False)
class EngineInputs:
    """What the Python steps of a night read from the journey layer, loaded once: the fitting
    journeys (`journey_id, converted`), the credited deals (`journey_id, close_date`) and the
    touches of either (`journey_id, position, channel, touch_id, source_group`)."""

    as_of_date: date
    settings: dict
    outcomes: pd.DataFrame
    credited: pd.DataFrame
    touches: pd.DataFrame


def _frame(con, sql: str) -> pd.DataFrame:
    """The rows of `sql` from DuckDB, or from Spark through Arrow."""
    if isinstance(con, duckdb.DuckDBPyConnection):
        return con.execute(sql).df()
    return con.sql(sql).toArrow().to_pandas()


def load_engine_inputs(con, as_of_date: date, overrides: dict | None = None) -> EngineInputs:
    settings = project_vars(overrides)
    outcomes = _fit_journeys(_journeys(con), as_of_date, settings)
    credited = _frame(
        con, f"select opportunity_id as journey_id, close_date from {BUILD_SCHEMA}.int_credited_deals"
    )
    touches = _frame(
        con,
        f"select opportunity_id as journey_id, touch_position as position, channel, touch_id, source_group "
        f"from {BUILD_SCHEMA}.int_journey_touches",
    )
    wanted = set(outcomes["journey_id"]) | set(credited["journey_id"])
    touches = touches[touches["journey_id"].isin(wanted)].reset_index(drop=True)
    return EngineInputs(as_of_date, settings, outcomes, credited, touches)


def run_data_driven_attribution(
    con, as_of_date: date, overrides: dict | None = None, inputs=None
) -> DataDrivenSummary:
    inputs = inputs or load_engine_inputs(con, as_of_date, overrides)
    settings, outcomes, credited, touches = inputs.settings, inputs.outcomes, inputs.credited, inputs.touches
    transform = str(settings["path_transform"])
    models = data_driven_models(overrides)
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
    _replace_tables(con, {"data_driven_credits": credits, "markov_removal_effects": effects})
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


def _replace_tables(con, frames: dict[str, pd.DataFrame]) -> None:
    """Replace the content of engine output tables in one transaction (on Spark, whose Parquet
    tables have no transactions, each table is overwritten whole)."""
    if not isinstance(con, duckdb.DuckDBPyConnection):
        _replace_spark_tables(con, frames)
        return
    con.execute("begin transaction")
    try:
        for table, frame in frames.items():
            con.execute(f"delete from {OUTPUT_SCHEMA}.{table}")
            con.register("engine_output", frame)
            con.execute(f"insert into {OUTPUT_SCHEMA}.{table} by name select * from engine_output")
            con.unregister("engine_output")
        con.execute("commit")
    except BaseException:
        con.execute("rollback")
        raise


def _replace_spark_tables(spark, frames: dict[str, pd.DataFrame]) -> None:
    for table, frame in frames.items():
        schema = ", ".join(f"{name} {kind}" for name, kind in engine_output_columns()[table])
        rows = frame.astype(object).where(frame.notna(), None).itertuples(index=False, name=None)
        output = spark.createDataFrame(list(rows), schema)
        output.write.insertInto(f"{OUTPUT_SCHEMA}.{table}", overwrite=True)


@dataclass
class BootstrapSummary:
    replicates: int
    seed: int
    models: tuple[str, ...]
    rows: int
    seconds: float


def run_credit_bootstrap(
    con, as_of_date: date, overrides: dict | None = None, inputs=None
) -> BootstrapSummary:
    """Credited closes per bootstrap replicate x close month x source group x model (every model
    of var('attribution_models'); markov and shapley refitted per replicate) into
    `attribution.credit_replicates`; the marts take their intervals from it."""
    started = time.perf_counter()
    inputs = inputs or load_engine_inputs(con, as_of_date, overrides)
    settings = inputs.settings
    replicates, seed = int(settings["bootstrap_replicates"]), int(settings["bootstrap_seed"])
    if replicates < 0:
        raise ValueError(f"var bootstrap_replicates must be >= 0, got {replicates}")
    rule_rows = _frame(
        con,
        f"select credit.opportunity_id as journey_id, credit.attribution_model, touches.source_group, "
        f"sum(credit.credit_fraction) as credit "
        f"from {BUILD_SCHEMA}.int_credit_rule_based as credit "
        f"inner join {BUILD_SCHEMA}.int_credit_touches as touches "
        f"on credit.opportunity_id = touches.opportunity_id and credit.touch_id = touches.touch_id "
        f"group by all",
    )
    deals = inputs.credited
    groups = pd.Index(sorted(set(rule_rows["source_group"]) | set(inputs.touches["source_group"].dropna())))
    months = pd.to_datetime(deals["close_date"]).dt.to_period("M").dt.start_time.dt.date
    month_index, month_values = pd.factorize(months, sort=True)
    deal_index = pd.Index(deals["journey_id"])
    rule_credit = {}
    for model, rows in rule_rows.groupby("attribution_model", sort=False):
        credit = np.zeros((len(deals), len(groups)))
        at = deal_index.get_indexer(rows["journey_id"])
        found = at >= 0
        np.add.at(credit, (at[found], groups.get_indexer(rows["source_group"][found])), rows["credit"][found])
        rule_credit[str(model)] = credit
    models = data_driven_models(overrides)
    touches = inputs.touches.assign(group=groups.get_indexer(inputs.touches["source_group"]))
    if (touches["group"] < 0).any():
        bad = touches[touches["group"] < 0].iloc[0]
        raise ValueError(
            f"{BUILD_SCHEMA}.int_journey_touches: touch {bad['touch_id']} of opportunity "
            f"{bad['journey_id']} has no source_group"
        )
    closes = bootstrap_credited_closes(
        deals["journey_id"].to_numpy(),
        month_index,
        len(month_values),
        len(groups),
        rule_credit,
        replicates=replicates,
        seed=seed,
        touches=touches,
        outcomes=inputs.outcomes,
        transform=str(settings["path_transform"]),
        data_driven=models,
    )
    b, m, g = replicates, len(month_values), len(groups)
    frames = [
        pd.DataFrame(
            {
                "replicate": np.repeat(np.arange(1, b + 1), m * g),
                "attribution_model": model,
                "close_month": np.tile(np.repeat(np.asarray(month_values, dtype=object), g), b),
                "source_group": np.tile(np.asarray(groups, dtype=object), b * m),
                "credited_closes": values.reshape(-1),
            }
        )
        for model, values in closes.items()
    ]
    table = _output_frame("credit_replicates", frames, {"as_of_date": as_of_date})
    _replace_tables(con, {"credit_replicates": table})
    return BootstrapSummary(replicates, seed, tuple(closes), len(table), time.perf_counter() - started)


def _fit_journeys(journeys: pd.DataFrame, as_of_date: date, settings: dict) -> pd.DataFrame:
    """The journeys the data-driven models are fitted on (`journey_id, converted`), by the vars."""
    return select_fit_journeys(
        journeys,
        as_of_date=as_of_date,
        lookback_days=int(settings["lookback_days"]),
        credited_deal_types=[t.lower() for t in settings["credited_deal_types"]],
    )


def _journeys(con) -> pd.DataFrame:
    """Every opportunity with a close date, as `select_fit_journeys` reads them."""
    return _frame(
        con,
        f"select opportunity_id as journey_id, close_date, lower(opportunity_type) as type, "
        f"coalesce(is_closed or is_won, false) as is_closed, coalesce(is_won, false) as is_won "
        f"from {BUILD_SCHEMA}.int_journey_opportunities where close_date is not null",
    )


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


def run_model_fit(con, as_of_date: date, overrides: dict | None = None) -> Recommendation:
    """Score every listed model on held-out journeys, pick the recommended model and resolve
    var('signal_model'); replace `attribution.model_fit` (docs/models.md, "Which model fits")."""
    frame, pick = compute_model_fit(con, as_of_date, overrides)
    _replace_tables(con, {MODEL_FIT_TABLE: frame})
    return pick


def compute_model_fit(
    con, as_of_date: date, overrides: dict | None = None
) -> tuple[pd.DataFrame, Recommendation]:
    """The rows of `attribution.model_fit` and the pick, from the journey models (reads only)."""
    settings = project_vars(overrides)
    models = attribution_models(overrides)
    journeys = _journeys(con)
    population = _fit_journeys(journeys, as_of_date, settings).merge(
        journeys[["journey_id", "close_date"]], on="journey_id", how="left", validate="one_to_one"
    )
    held_out = holdout_mask(
        population,
        as_of_date=as_of_date,
        method=str(settings["model_fit_holdout"]),
        weeks=int(settings["model_fit_holdout_weeks"]),
        share=float(settings["model_fit_holdout_share"]),
    )
    touches = _frame(
        con,
        f"select opportunity_id as journey_id, touch_position as position, touch_count as n, channel, "
        f"source_group, is_first_touch as is_ft, is_lead_creation_touch as is_lc, "
        f"is_opportunity_creation_touch as is_oc, is_closed_won_touch as is_cw, days_before_close, "
        f"is_synthetic from {BUILD_SCHEMA}.int_journey_touches",
    ).rename(columns={"source_group": "group"})  # `group` is a keyword both engines quote differently
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
