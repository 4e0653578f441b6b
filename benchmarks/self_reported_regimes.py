"""Do the self-reported answers bring the community share closer to the planted truth? The table of
docs/demo-data.md "Self-reported answers", one night per regime of `closecredit demo`.

    python benchmarks/self_reported_regimes.py --scale 0.05 --days 1 --workdir /tmp/self_reported

Per regime (even, early, late, sales_led): the demo's extracts and ground truth, then the fast night
of benchmarks/model_fit_regimes.py (landing, dbt, engine, dbt; no GX checks, no publish). Over the
credited deals of the build: the planted community share (ground_truth/deal_source_shares.csv),
the community share of credited closes with the self-reported touches (marts.fct_close_credit) and
without them (main.int_credit_without_self_reports, the dark funnel's counterfactual) under the
signal model and under linear, the self_reported model's, the coverage (int_self_report_coverage),
the deals the demo planted as untracked word of mouth, and the dark funnel's untracked share of the
community answers (marts.fct_dark_funnel, quarters summed). Prints a markdown table and its JSON.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import duckdb

BENCHMARKS = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCHMARKS))

from model_fit_regimes import REGIMES, _closecredit, fast_build  # noqa: E402

COMMUNITY_SHARE = """
select {sum_community} / count(distinct credit.opportunity_id)
from {relation} as credit
where credit.attribution_model = $model
"""


def _community_share(con, relation: str, model: str) -> float | None:
    sql = COMMUNITY_SHARE.format(
        relation=relation,
        sum_community="sum(case when credit.source_group = 'community' then credit.credit_fraction else 0 end)",
    )
    return con.execute(sql, {"model": model}).fetchone()[0]


def regime_row(root: Path, regime: str, scale: float, days: int, seed: int) -> dict:
    out = root / regime
    if not (out / "extracts").exists():
        _closecredit(
            "demo", "--out", str(out), "--scale", str(scale), "--days", str(days), "--seed", str(seed),
            "--regime", regime,
        )  # fmt: skip
    database = out / "fast.duckdb"
    if not database.exists():
        fast_build(out, {})
    truth = out / "ground_truth"
    with duckdb.connect(str(database), read_only=True) as con:
        (signal,) = con.execute(
            "select attribution_model from marts.fct_model_fit where is_signal_model"
        ).fetchone()
        deals, truth_share, planted = con.execute(
            "select count(*), avg(shares.community_share), "
            "count(distinct case when touches.opportunity_id is not null then deals.opportunity_id end) "
            "from main.int_credited_deals as deals "
            f"join read_csv_auto('{truth / 'deal_source_shares.csv'}') as shares using (opportunity_id) "
            f"left join (select distinct opportunity_id from read_csv_auto('{truth / 'journey_touches.csv'}') "
            "where kind = 'word_of_mouth') as touches using (opportunity_id)"
        ).fetchone()
        (coverage,) = con.execute(
            "select sum(answered_deals)::double / sum(credited_deals) from main.int_self_report_coverage "
            "where period_type = 'quarter'"
        ).fetchone()
        untracked, community_untracked = con.execute(
            "select sum(untracked_deals)::double / nullif(sum(declared_deals), 0), "
            "sum(case when source_group = 'community' then untracked_deals end)::double "
            "/ nullif(sum(case when source_group = 'community' then declared_deals end), 0) "
            "from marts.fct_dark_funnel where period_type = 'quarter'"
        ).fetchone()
        row = {
            "regime": regime,
            "credited_deals": deals,
            "planted_untracked_deals": planted,
            "coverage": coverage,
            "truth": truth_share,
            "untracked_share": untracked,
            "community_untracked_share": community_untracked,
            "signal_model": signal,
            "self_reported_model": _community_share(con, "marts.fct_close_credit", "self_reported"),
        }
        for label, model in (("signal", signal), ("linear", "linear")):
            row[f"{label}_with"] = _community_share(con, "marts.fct_close_credit", model)
            row[f"{label}_without"] = _community_share(con, "main.int_credit_without_self_reports", model)
    return row


def _pct(value) -> str:
    return "n/a" if value is None else f"{100 * value:.1f} %"


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--scale", type=float, default=0.05)
    parser.add_argument("--days", type=int, default=1)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--workdir", type=Path, required=True)
    parser.add_argument("--regimes", nargs="*", default=list(REGIMES))
    args = parser.parse_args()
    rows = [regime_row(args.workdir, r, args.scale, args.days, args.seed) for r in args.regimes]
    print(
        "| regime | credited deals | planted untracked | coverage | truth | signal model | with answers | "
        "without | linear with | without | self_reported model | untracked share (community) |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        print(
            f"| {r['regime']} | {r['credited_deals']} | {r['planted_untracked_deals']} | {_pct(r['coverage'])} | "
            f"{_pct(r['truth'])} | {r['signal_model']} | {_pct(r['signal_with'])} | {_pct(r['signal_without'])} | "
            f"{_pct(r['linear_with'])} | {_pct(r['linear_without'])} | {_pct(r['self_reported_model'])} | "
            f"{_pct(r['untracked_share'])} ({_pct(r['community_untracked_share'])}) |"
        )
    print(json.dumps(rows, indent=1, default=str))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
