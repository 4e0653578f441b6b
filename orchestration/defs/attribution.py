"""The data-driven attribution models (markov, shapley): a Python step between two dbt builds."""

from datetime import date

import dagster as dg

from orchestration.attribution.evaluation import evaluate_models
from orchestration.attribution.warehouse import (
    OUTPUT_SCHEMA,
    load_engine_inputs,
    run_credit_bootstrap,
    run_data_driven_attribution,
)
from orchestration.defs.partitions import WAREHOUSE_POOL, extract_dates
from orchestration.ops.resources import Warehouse, data_failures_not_retried

ENGINE_INPUTS = [
    dg.AssetKey("int_journey_touches"),
    dg.AssetKey("int_journey_opportunities"),
    dg.AssetKey("int_credited_deals"),
    dg.AssetKey("int_credit_rule_based"),
    dg.AssetKey("int_credit_touches"),
]
EVALUATION_TABLE = "marts.fct_model_evaluation"


@dg.multi_asset(
    specs=[
        dg.AssetSpec(
            [OUTPUT_SCHEMA, "data_driven_credits"],
            deps=ENGINE_INPUTS,
            description="markov and shapley credit fractions per credited deal and touch.",
            group_name="attribution",
            kinds={"python", "duckdb"},
        ),
        dg.AssetSpec(
            [OUTPUT_SCHEMA, "markov_removal_effects"],
            deps=ENGINE_INPUTS,
            description="The fitted Markov chain's removal effect per channel and the population view.",
            group_name="attribution",
            kinds={"python", "duckdb"},
        ),
        dg.AssetSpec(
            [OUTPUT_SCHEMA, "credit_replicates"],
            deps=ENGINE_INPUTS,
            description="The bootstrap over deals: credited closes per replicate x close month x "
            "source group x model (markov and shapley refitted per replicate).",
            group_name="attribution",
            kinds={"python", "duckdb"},
        ),
        dg.AssetSpec(
            [OUTPUT_SCHEMA, "model_fit"],
            deps=ENGINE_INPUTS,
            description="Each listed model scored on held-out journeys, and the recommended model.",
            group_name="attribution",
            kinds={"python", "duckdb"},
        ),
    ],
    partitions_def=extract_dates,
    pool=WAREHOUSE_POOL,
)
def data_driven_credits(context: dg.AssetExecutionContext, warehouse: Warehouse):
    """Fits the first-order Markov chain (exact removal effects) and fractribution's Shapley
    counterfactual on tonight's journeys and credits every credited deal: each only when listed in
    var('attribution_models'). Then the bootstrap over deals every model's intervals come from,
    and every listed model scored on held-out journeys with the recommended model
    (`attribution.model_fit`, docs/models.md "Which model fits"). Each step reads the journeys
    loaded once (`inputs`) and writes its own `attribution` table."""
    as_of = date.fromisoformat(context.partition_key)
    overrides = warehouse.settings.overrides
    with data_failures_not_retried(f"data-driven attribution for {as_of}"), warehouse.connect() as con:
        inputs = load_engine_inputs(con, as_of, overrides)
        summary = run_data_driven_attribution(con, as_of, overrides, inputs=inputs)
        bootstrap = run_credit_bootstrap(con, as_of, overrides, inputs=inputs)
    metadata = {
        "models": ", ".join(summary.models) or "none listed in var attribution_models",
        "path_transform": summary.path_transform,
        "fitted_journeys": summary.fitted_journeys,
        "converting_journeys": summary.converting_journeys,
        "credited_deals": summary.credited_deals,
    }
    yield dg.MaterializeResult(asset_key=[OUTPUT_SCHEMA, "data_driven_credits"], metadata=metadata)
    yield dg.MaterializeResult(
        asset_key=[OUTPUT_SCHEMA, "markov_removal_effects"], metadata={"channels": summary.channels}
    )
    yield dg.MaterializeResult(
        asset_key=[OUTPUT_SCHEMA, "credit_replicates"],
        metadata={
            "replicates": bootstrap.replicates,
            "seed": bootstrap.seed,
            "rows": bootstrap.rows,
            "seconds": round(bootstrap.seconds, 2),
        },
    )
    pick = summary.recommendation
    yield dg.MaterializeResult(
        asset_key=[OUTPUT_SCHEMA, "model_fit"],
        metadata={"recommended_model": pick.model, "reason": pick.reason},
    )


@dg.asset(
    key=["fct_model_evaluation"],
    deps=[dg.AssetKey("fct_close_credit")],
    partitions_def=extract_dates,
    group_name="marts",
    kinds={"python", "duckdb"},
    pool=WAREHOUSE_POOL,
)
def model_evaluation(context: dg.AssetExecutionContext, warehouse: Warehouse) -> dg.MaterializeResult:
    """How far each model's source-group shares land from a known truth, per month and fiscal
    quarter (`marts.fct_model_evaluation`). Only where the extracts come with a ground truth (the
    demo's `ground_truth/` beside them); otherwise the table is empty."""
    as_of = date.fromisoformat(context.partition_key)
    truth = warehouse.settings.ground_truth_dir
    with data_failures_not_retried(f"model evaluation for {as_of}"), warehouse.connect() as con:
        if truth is None:
            con.execute(f"drop table if exists {EVALUATION_TABLE}")
            return dg.MaterializeResult(metadata={"ground_truth": "none beside the extracts"})
        evaluation = evaluate_models(
            con,
            truth,
            fiscal_year_start_month=int(warehouse.settings.project_vars()["fiscal_year_start_month"]),
        )
        evaluation["as_of_date"] = as_of
        con.register("evaluation", evaluation)
        con.execute(f"create or replace table {EVALUATION_TABLE} as select * from evaluation")
    quarters = evaluation[evaluation.period_type == "quarter"]
    ranking = quarters.groupby("attribution_model")["deal_mae"].mean().sort_values()
    return dg.MaterializeResult(
        metadata={
            "ground_truth": str(truth),
            "deal_mae_by_model": dg.MetadataValue.json({k: round(v, 4) for k, v in ranking.items()}),
        }
    )
