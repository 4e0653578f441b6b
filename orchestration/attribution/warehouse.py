"""Run the data-driven models listed in var('attribution_models') (markov, shapley) on the
warehouse's journeys and write the result.

Reads the journey models dbt built (DuckDB, or Spark through Arrow: `con` is a DuckDB connection
or a SparkSession), fits and credits with the engine, and replaces the content of `attribution.data_driven_credits` and `attribution.markov_removal_effects` (tables the dbt
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
from orchestration.attribution.listing import data_driven_models, engine_output_columns
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


class _DuckDBTables:
    """Reads and writes the engine's tables in a DuckDB build database."""

    def __init__(self, con: duckdb.DuckDBPyConnection):
        self.con = con

    def frame(self, sql: str) -> pd.DataFrame:
        return self.con.execute(sql).df()

    def replace(self, tables: dict[str, pd.DataFrame]) -> None:
        con = self.con
        con.execute("begin transaction")
        try:
            for table, frame in tables.items():
                con.execute(f"delete from {OUTPUT_SCHEMA}.{table}")
                con.register("engine_output", frame)
                con.execute(f"insert into {OUTPUT_SCHEMA}.{table} by name select * from engine_output")
                con.unregister("engine_output")
            con.execute("commit")
        except BaseException:
            con.execute("rollback")
            raise


class _SparkTables:
    """Reads the journeys from Spark through Arrow and overwrites the two output tables (Parquet
    has no transactions: each table is replaced whole by `insertInto(overwrite=True)`)."""

    def __init__(self, spark):
        self.spark = spark

    def frame(self, sql: str) -> pd.DataFrame:
        return self.spark.sql(sql).toArrow().to_pandas()

    def replace(self, tables: dict[str, pd.DataFrame]) -> None:
        for table, frame in tables.items():
            schema = ", ".join(f"{name} {kind}" for name, kind in engine_output_columns()[table])
            rows = frame.astype(object).where(frame.notna(), None).itertuples(index=False, name=None)
            output = self.spark.createDataFrame(list(rows), schema)
            output.write.insertInto(f"{OUTPUT_SCHEMA}.{table}", overwrite=True)


def _tables(con):
    return _DuckDBTables(con) if isinstance(con, duckdb.DuckDBPyConnection) else _SparkTables(con)


def run_data_driven_attribution(con, as_of_date: date, overrides: dict | None = None) -> DataDrivenSummary:
    """`con`: the build database's DuckDB connection, or the night's SparkSession."""
    tables = _tables(con)
    settings = project_vars(overrides)
    transform = str(settings["path_transform"])
    models = data_driven_models(overrides)
    journeys = tables.frame(
        f"select opportunity_id as journey_id, close_date, lower(opportunity_type) as type, "
        f"coalesce(is_closed or is_won, false) as is_closed, coalesce(is_won, false) as is_won "
        f"from {BUILD_SCHEMA}.int_journey_opportunities where close_date is not null"
    )
    outcomes = select_fit_journeys(
        journeys,
        as_of_date=as_of_date,
        lookback_days=int(settings["lookback_days"]),
        credited_deal_types=[t.lower() for t in settings["credited_deal_types"]],
    )
    credited = tables.frame(f"select opportunity_id as journey_id from {BUILD_SCHEMA}.int_credited_deals")
    touches = tables.frame(
        f"select opportunity_id as journey_id, touch_position as position, channel, touch_id "
        f"from {BUILD_SCHEMA}.int_journey_touches"
    )
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
    tables.replace({"data_driven_credits": credits, "markov_removal_effects": effects})
    return DataDrivenSummary(
        as_of_date=as_of_date,
        path_transform=transform,
        models=models,
        fitted_journeys=len(outcomes),
        converting_journeys=int(outcomes["converted"].sum()),
        credited_deals=len(credited),
        credit_rows=len(credits),
        channels=len(effects),
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
