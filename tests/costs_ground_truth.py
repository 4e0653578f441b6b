"""Cost per close against the demo's ground truth (issue 5).

The demo generator writes, beside the extracts, the true share of each source group in every won
deal (`ground_truth/deal_source_shares.csv`; `docs/demo-data.md`). Summing those shares per period
gives the *true* credited closes of each group, and dividing the group's cost (from
`fct_cost_per_close`, the same under every model) by them gives the true cost per close. Put beside
each model's numbers, it shows how far each model's cost per close — and so the investment signals
read from it — is from the truth.

`cost_per_close_vs_truth` is pure (data frames in, a data frame out); `ground_truth_check` reads the
mart from a DuckDB warehouse and the ground-truth files from the demo folder.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from orchestration.core.periods import period_starts
from orchestration.core.source_groups import source_groups

GROUND_TRUTH = "ground_truth"
TRUTH_MODEL = "ground_truth"
# The demo's truth has one `<group>_share` column per touch group.
TRUE_SHARE_COLUMNS = {group: f"{group}_share" for group in source_groups()}
KEY = ["period_type", "period_start", "source_group"]
COLUMNS = [
    "period_type",
    "period_start",
    "source_group",
    "attribution_model",
    "cost",
    "credited_closes",
    "cost_per_close",
    "true_credited_closes",
    "true_cost_per_close",
    "cost_per_close_error",
]


def true_credited_closes(
    shares: pd.DataFrame,
    deals: pd.DataFrame | None = None,
    *,
    period_types: Sequence[str] = ("month", "quarter"),
    fiscal_year_start_month: int = 1,
    credited_deal_types: Iterable[str] = ("New Business",),
) -> pd.DataFrame:
    """Per period (by close date) and source group, the sum of the true shares of the credited deals
    (won, type in credited_deal_types, case-insensitive): the credited closes a perfect model would
    give. `shares` is deal_source_shares.csv; `deals` (deals.csv) gives each deal's type — without
    it every won deal counts."""
    won = shares.copy()
    if deals is not None:
        credited = {t.strip().lower() for t in credited_deal_types}
        types = deals.set_index("opportunity_id")["type"].astype(str).str.strip().str.lower()
        won = won[won["opportunity_id"].map(types).isin(credited)]
    long = won.melt(
        id_vars=["opportunity_id", "close_date"],
        value_vars=list(TRUE_SHARE_COLUMNS.values()),
        var_name="share_column",
        value_name="share",
    )
    long["source_group"] = long["share_column"].map({v: k for k, v in TRUE_SHARE_COLUMNS.items()})
    frames = []
    for period_type in period_types:
        bucketed = long.assign(
            period_type=period_type,
            period_start=period_starts(long["close_date"], period_type, fiscal_year_start_month).values,
        )
        frames.append(
            bucketed.groupby(KEY, as_index=False)["share"]
            .sum()
            .rename(columns={"share": "true_credited_closes"})
        )
    return pd.concat(frames, ignore_index=True)


def cost_per_close_vs_truth(
    cost_per_close: pd.DataFrame,
    truth: pd.DataFrame,
    *,
    models: Sequence[str] | None = None,
    period_type: str | None = "quarter",
) -> pd.DataFrame:
    """Each model's cost per close beside the true one, per period and source group.

    `cost_per_close` holds fct_cost_per_close rows (period_type, period_start, source_group,
    attribution_model, cost, credited_closes); `truth` is `true_credited_closes(...)`. The result
    has one row per period x group x model, plus one per period x group with attribution_model
    `ground_truth` (its credited closes and cost per close are the true ones):
    cost, credited_closes, cost_per_close (NaN when credited closes are 0), true_credited_closes,
    true_cost_per_close, cost_per_close_error = cost_per_close / true_cost_per_close - 1 (NaN when
    either is undefined or the true one is 0). Groups with cost and no credit (product,
    unallocated) are kept: their cost per close is undefined under every model and the truth.
    """
    mart = cost_per_close.copy()
    mart["period_start"] = pd.to_datetime(mart["period_start"]).dt.date
    if period_type is not None:
        mart = mart[mart["period_type"] == period_type]
    if models is not None:
        mart = mart[mart["attribution_model"].isin(list(models))]
    truth = truth.copy()
    truth["period_start"] = pd.to_datetime(truth["period_start"]).dt.date
    if period_type is not None:
        truth = truth[truth["period_type"] == period_type]

    costs = mart.groupby(KEY, as_index=False)["cost"].first()
    periods = costs[["period_type", "period_start"]].drop_duplicates()
    groups = pd.DataFrame({"source_group": sorted(set(costs["source_group"]) | set(TRUE_SHARE_COLUMNS))})
    grid = periods.merge(groups, how="cross").merge(costs, on=KEY, how="left")
    grid["cost"] = grid["cost"].fillna(0.0)
    grid = grid.merge(truth[[*KEY, "true_credited_closes"]], on=KEY, how="left")
    grid["true_credited_closes"] = grid["true_credited_closes"].fillna(0.0)
    grid["true_cost_per_close"] = _divide(grid["cost"], grid["true_credited_closes"])

    modelled = mart[[*KEY, "attribution_model", "credited_closes"]].merge(grid, on=KEY, how="left")
    modelled["cost_per_close"] = _divide(modelled["cost"], modelled["credited_closes"])
    truth_rows = grid.assign(
        attribution_model=TRUTH_MODEL,
        credited_closes=grid["true_credited_closes"],
        cost_per_close=grid["true_cost_per_close"],
    )
    out = pd.concat([truth_rows, modelled], ignore_index=True)
    out["cost_per_close_error"] = _divide(out["cost_per_close"], out["true_cost_per_close"]) - 1.0
    order = {TRUTH_MODEL: 0}
    out["_model_order"] = out["attribution_model"].map(order).fillna(1)
    out = out.sort_values(
        ["period_type", "period_start", "source_group", "_model_order", "attribution_model"]
    )
    return out[COLUMNS].reset_index(drop=True)


def ground_truth_check(
    con,
    demo_dir: Path,
    *,
    models: Sequence[str] | None = None,
    period_type: str | None = "quarter",
    fiscal_year_start_month: int = 1,
    credited_deal_types: Iterable[str] = ("New Business",),
    mart: str = "marts.fct_cost_per_close",
) -> pd.DataFrame:
    """`cost_per_close_vs_truth` for a demo warehouse: the mart read through `con` (DuckDB), the true
    shares from `<demo_dir>/ground_truth/`. Pass the fiscal year and credited deal types the
    warehouse was built with (the project's defaults otherwise)."""
    truth_dir = Path(demo_dir) / GROUND_TRUTH
    shares = pd.read_csv(truth_dir / "deal_source_shares.csv", dtype={"opportunity_id": str})
    deals = pd.read_csv(
        truth_dir / "deals.csv", dtype={"opportunity_id": str}, usecols=["opportunity_id", "type"]
    )
    truth = true_credited_closes(
        shares,
        deals,
        period_types=[period_type] if period_type else ("month", "quarter"),
        fiscal_year_start_month=fiscal_year_start_month,
        credited_deal_types=credited_deal_types,
    )
    cost_per_close = con.execute(
        f"select period_type, period_start, source_group, attribution_model, cost, credited_closes from {mart}"
    ).df()
    return cost_per_close_vs_truth(cost_per_close, truth, models=models, period_type=period_type)


def pivot_cost_per_close(check: pd.DataFrame, period_start, *, period_type: str = "quarter") -> pd.DataFrame:
    """One period of `cost_per_close_vs_truth` as a table: source groups down, models across
    (ground truth first), cost per close in the cells — the closing note's view."""
    rows = check[
        (check["period_type"] == period_type) & (check["period_start"] == pd.Timestamp(period_start).date())
    ]
    table = rows.pivot(index="source_group", columns="attribution_model", values="cost_per_close")
    first = [TRUTH_MODEL] if TRUTH_MODEL in table.columns else []
    return table[first + [c for c in table.columns if c != TRUTH_MODEL]]


def _divide(numerator: pd.Series, denominator: pd.Series) -> pd.Series:
    """numerator / denominator, NaN where the denominator is 0 or missing (never an infinity)."""
    num = numerator.astype(float).to_numpy()
    den = denominator.astype(float).to_numpy()
    out = np.full(len(num), np.nan)
    ok = np.isfinite(den) & (den != 0)
    out[ok] = num[ok] / den[ok]
    return pd.Series(out, index=numerator.index)
