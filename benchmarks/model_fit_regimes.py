"""Which model fits, across the demo's regimes: the table of docs/models.md "Across the regimes".

    python benchmarks/model_fit_regimes.py --scale 0.3 --days 1 --workdir /tmp/regimes [--vars JSON]

Per regime (even, early, late, sales_led): `closecredit demo` writes the extracts and the ground
truth, `closecredit run` builds and publishes the night (with --vars, if given). From the published
file: the model fct_model_fit recommends and every model's period-share error against the planted
truth (fct_model_evaluation.share_mae, mean over the fiscal quarters). The pick is then recomputed
from the build database with ground_truth/ moved away (it must not change), and once more with
model_fit_min_journeys 1 (the log-loss rule without the volume fallback), with the night's vars
and with the default hold-out (recent_weeks). Prints a markdown table
and the JSON behind it.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import duckdb

PROJECT_DIR = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(PROJECT_DIR))

from orchestration.attribution.warehouse import compute_model_fit  # noqa: E402

REGIMES = ("even", "early", "late", "sales_led")


def _closecredit(*args: str) -> None:
    subprocess.run([str(PROJECT_DIR / ".venv" / "bin" / "closecredit"), *args], check=True, cwd=PROJECT_DIR)


def _dbt(args: list[str], database: Path, work: Path) -> None:
    from dbt.cli.main import dbtRunner

    from tests.dbt_invocation import dbt_test_environment, release_dbt_duckdb, with_profile_vars

    paths = ["--project-dir", str(PROJECT_DIR), "--profiles-dir", str(PROJECT_DIR)]
    paths += ["--target-path", str(work / "target"), "--log-path", str(work / "logs")]
    with dbt_test_environment(DBT_INDIRECT_SELECTION="cautious"):
        try:
            result = dbtRunner().invoke([*with_profile_vars(args, database), *paths])
        finally:
            release_dbt_duckdb()
    if not result.success:
        raise SystemExit(f"dbt {args[0]} failed: {result.exception}")


def fast_build(out: Path, overrides: dict) -> Path:
    """Landing, dbt (no data tests), the engine, dbt, the evaluation: a night without its GX checks
    and publish step (the integration tests' path), into out/fast.duckdb."""
    from orchestration.attribution.evaluation import evaluate_models
    from orchestration.attribution.warehouse import run_data_driven_attribution
    from orchestration.core.dbt_args import build_args
    from orchestration.night.landing import complete_extract_dates, land_night

    database = out / "fast.duckdb"
    nights = complete_extract_dates(out / "extracts")
    with duckdb.connect(str(database)) as con:
        for night in nights:
            land_night(con, out / "extracts", night)
    as_of = nights[-1]
    skip = "resource_type:test resource_type:unit_test"
    _dbt(build_args(as_of, exclude=f"source:attribution+ {skip}", overrides=overrides), database, out)
    with duckdb.connect(str(database)) as con:
        run_data_driven_attribution(con, as_of, overrides)
    _dbt(build_args(as_of, select="source:attribution+", exclude=skip, overrides=overrides), database, out)
    with duckdb.connect(str(database)) as con:
        evaluation = evaluate_models(con, out / "ground_truth")
        con.register("evaluation", evaluation)
        con.execute("create or replace table marts.fct_model_evaluation as select * from evaluation")
    return database


def regime_row(root: Path, regime: str, scale: float, days: int, overrides: dict, fast: bool) -> dict:
    out = root / regime
    if not (out / "extracts").exists():
        demo = ["demo", "--out", str(out), "--scale", str(scale), "--days", str(days), "--regime", regime]
        _closecredit(*demo)
    database = out / "warehouse.duckdb"
    build = out / "warehouse.build.duckdb"
    started = time.perf_counter()
    if fast:
        database = build = fast_build(out, overrides)
    else:
        run = ["run", "--extracts", str(out / "extracts"), "--database", str(database)]
        _closecredit(*run, *(["--vars", json.dumps(overrides)] if overrides else []))
    seconds = time.perf_counter() - started
    with duckdb.connect(str(database), read_only=True) as con:
        fit = con.execute("select * from marts.fct_model_fit order by model_order").df()
        errors = con.execute(
            "select attribution_model, avg(share_mae) as share_error, sum(deals) as deals "
            "from marts.fct_model_evaluation where period_type = 'quarter' group by 1"
        ).df()
    error = dict(zip(errors["attribution_model"], errors["share_error"], strict=True))
    pick = fit.loc[fit["is_recommended"], "attribution_model"].iloc[0]
    as_of = date.fromisoformat(str(fit["as_of_date"].iloc[0])[:10])
    truth = out / "ground_truth"
    hidden = out / "ground_truth.hidden"
    truth.rename(hidden)  # the pick must not need it
    try:
        with duckdb.connect(str(build), read_only=True) as con:
            _, without_truth = compute_model_fit(con, as_of, overrides)
            _, by_log_loss = compute_model_fit(con, as_of, {**overrides, "model_fit_min_journeys": 1})
            _, by_default = compute_model_fit(con, as_of, {"model_fit_min_journeys": 1})
    finally:
        hidden.rename(truth)
    best = min(error, key=error.get)
    return {
        "regime": regime,
        "night_seconds": round(seconds, 1),
        "held_out": int(fit["held_out_journeys"].iloc[0]),
        "held_out_won": int(fit["held_out_conversions"].iloc[0]),
        "recommended": pick,
        "reason": fit["recommendation_reason"].iloc[0],
        "recommended_error": error.get(pick),
        "pick_without_ground_truth": without_truth.model,
        "log_loss_pick": by_log_loss.model,
        "log_loss_pick_error": error.get(by_log_loss.model),
        "recent_weeks_log_loss_pick": by_default.model,
        "recent_weeks_log_loss_pick_error": error.get(by_default.model),
        "best_model": best,
        "best_error": error[best],
        "w_shaped_error": error.get("w_shaped"),
        "fit": fit[["attribution_model", "log_loss", "auc"]].to_dict("records"),
        "errors": error,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=0.3)
    parser.add_argument("--days", type=int, default=1)
    parser.add_argument("--workdir", type=Path, required=True)
    parser.add_argument("--vars", default="", help="dbt var overrides for the nights (JSON)")
    parser.add_argument("--regimes", nargs="*", default=list(REGIMES))
    parser.add_argument(
        "--fast", action="store_true", help="skip the GX checks and publish (no closecredit run)"
    )
    args = parser.parse_args()
    overrides = json.loads(args.vars) if args.vars else {}
    rows = [regime_row(args.workdir, r, args.scale, args.days, overrides, args.fast) for r in args.regimes]
    print(json.dumps(rows, indent=1, default=str))
    pct = lambda v: "–" if v is None else f"{100 * v:.1f}"  # noqa: E731
    print(
        "| regime | held-out (won) | recommended | its share error | log-loss pick | its error | best model | its error |"
    )
    print("|---|---|---|---|---|---|---|---|")
    for r in rows:
        print(
            f"| {r['regime']} | {r['held_out']} ({r['held_out_won']}) | {r['recommended']} | "
            f"{pct(r['recommended_error'])} | {r['log_loss_pick']} | {pct(r['log_loss_pick_error'])} | "
            f"{r['best_model']} | {pct(r['best_error'])} |"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
