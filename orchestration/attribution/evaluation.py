"""How far each model's source-group shares land from a known truth (the demo's ground truth).

The demo generator writes, beside its extracts, each won deal's true share per touch group
(seeds/mappings/source_groups.csv). For every period (month and fiscal quarter of the close) and model:

- `deal_mae`: the mean over the period's deals and the touch groups of |model share - true share|
  (how wrong the model is about one deal);
- `share_mae`: the mean over the touch groups of |model's share of the period's credited closes -
  the true share| (how wrong the budget picture is).

Only deals present in both the truth and the credit mart are compared (`deals` says how many).
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd

from orchestration.core.periods import PERIOD_TYPES, period_starts
from orchestration.core.source_groups import source_groups

TRUTH_FILE = "deal_source_shares.csv"


def load_truth(ground_truth_dir: Path) -> pd.DataFrame:
    truth = pd.read_csv(ground_truth_dir / TRUTH_FILE, dtype={"opportunity_id": str})
    shares = truth.melt(
        id_vars=["opportunity_id"],
        value_vars=[f"{g}_share" for g in source_groups()],
        var_name="source_group",
        value_name="true_share",
    )
    shares["source_group"] = shares["source_group"].str.removesuffix("_share")
    return shares


def evaluate_models(
    con: duckdb.DuckDBPyConnection,
    ground_truth_dir: Path,
    *,
    fiscal_year_start_month: int = 1,
    schema: str = "marts",
) -> pd.DataFrame:
    """Per period and model: deals compared, deal_mae, share_mae (see the module docstring)."""
    truth = load_truth(ground_truth_dir)
    credit = con.execute(
        f"""
        select opportunity_id, attribution_model, source_group, close_date, sum(credit_fraction) as share
        from {schema}.fct_close_credit
        group by all
        """
    ).df()
    deals = credit[["opportunity_id", "attribution_model", "close_date"]].drop_duplicates()
    grid = deals.merge(pd.DataFrame({"source_group": source_groups()}), how="cross")
    model_shares = grid.merge(
        credit, on=["opportunity_id", "attribution_model", "close_date", "source_group"], how="left"
    )
    model_shares["share"] = model_shares["share"].fillna(0.0)
    compared = model_shares.merge(truth, on=["opportunity_id", "source_group"], how="inner")
    compared["close_date"] = pd.to_datetime(compared["close_date"])
    compared["abs_error"] = (compared["share"] - compared["true_share"]).abs()
    frames = []
    for period_type in PERIOD_TYPES:
        period = compared.assign(
            period_type=period_type,
            period_start=period_starts(compared["close_date"], period_type, fiscal_year_start_month).values,
        )
        keys = ["period_type", "period_start", "attribution_model"]
        per_deal = period.groupby(keys).agg(
            deals=("opportunity_id", "nunique"), deal_mae=("abs_error", "mean")
        )
        sums = period.groupby([*keys, "source_group"])[["share", "true_share"]].sum()
        totals = sums.groupby(level=keys).transform("sum")
        share_error = (sums["share"] / totals["share"] - sums["true_share"] / totals["true_share"]).abs()
        per_deal["share_mae"] = share_error.groupby(level=keys).mean()
        frames.append(per_deal.reset_index())
    return pd.concat(frames, ignore_index=True).sort_values(["period_type", "period_start", "deal_mae"])
