"""Run the data-driven models (markov, shapley) on the warehouse's journeys and write the result.

Reads the journey models dbt built, fits and credits with the engine, and replaces the content
of `attribution.data_driven_credits` and `attribution.markov_removal_effects` (tables the dbt
on-run-start hook creates), which the credit marts read as a source. Rules come from the dbt vars
(`dbt_project.yml`, overridable per run) so SQL and Python read the same settings.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import duckdb
import pandas as pd

from orchestration.attribution.engine import data_driven_credits
from orchestration.attribution.fitset import select_fit_journeys
from orchestration.core.dbt_vars import project_vars

BUILD_SCHEMA = "main"
OUTPUT_SCHEMA = "attribution"


@dataclass
class DataDrivenSummary:
    as_of_date: date
    path_transform: str
    fitted_journeys: int
    converting_journeys: int
    credited_deals: int
    credit_rows: int
    channels: int


def run_data_driven_attribution(
    con: duckdb.DuckDBPyConnection, as_of_date: date, overrides: dict | None = None
) -> DataDrivenSummary:
    settings = project_vars(overrides)
    transform = str(settings["path_transform"])
    journeys = con.execute(
        f"select opportunity_id as journey_id, close_date, lower(opportunity_type) as type, "
        f"coalesce(is_closed or is_won, false) as is_closed, coalesce(is_won, false) as is_won "
        f"from {BUILD_SCHEMA}.int_journey_opportunities where close_date is not null"
    ).df()
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
        touches[["journey_id", "position", "channel"]], outcomes, credited["journey_id"].tolist(), transform
    )
    touch_ids = touches[["journey_id", "position", "touch_id"]]
    frames = []
    for model, credits in (("markov", result.markov), ("shapley", result.shapley)):
        frame = credits.merge(touch_ids, on=["journey_id", "position"], how="left", validate="one_to_one")
        frames.append(
            pd.DataFrame(
                {
                    "opportunity_id": frame["journey_id"],
                    "touch_id": frame["touch_id"],
                    "attribution_model": model,
                    "credit_fraction": frame["fraction"].astype("float64"),
                }
            )
        )
    credits = pd.concat(frames, ignore_index=True)
    effects = result.markov_fit.removal_effects[
        ["channel", "removal_effect", "attributed_conversions", "p_conv_without"]
    ]
    con.execute("begin transaction")
    try:
        con.execute(f"delete from {OUTPUT_SCHEMA}.data_driven_credits")
        con.register("engine_credits", credits)
        con.execute(
            f"insert into {OUTPUT_SCHEMA}.data_driven_credits by name "
            "select *, ?::date as as_of_date, ? as path_transform from engine_credits",
            [as_of_date, transform],
        )
        con.execute(f"delete from {OUTPUT_SCHEMA}.markov_removal_effects")
        con.register("engine_effects", effects)
        con.execute(
            f"insert into {OUTPUT_SCHEMA}.markov_removal_effects by name "
            "select *, ?::date as as_of_date, ? as path_transform from engine_effects",
            [as_of_date, transform],
        )
        con.execute("commit")
    except BaseException:
        con.execute("rollback")
        raise
    return DataDrivenSummary(
        as_of_date=as_of_date,
        path_transform=transform,
        fitted_journeys=len(outcomes),
        converting_journeys=int(outcomes["converted"].sum()),
        credited_deals=len(credited),
        credit_rows=len(credits),
        channels=len(effects),
    )
