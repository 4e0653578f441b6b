"""Benchmark of the attribution engine on one million journeys (issue 4).

Generates the journeys' touch paths directly (no demo night): 4-6 touches each over 15 channels
of skewed popularity, with runs of repeated channels, and a won/lost outcome drawn from a
logistic model of the channels touched. Times one first ("cold") run, then the median of `--runs`
runs (on a VM, the first touch of fresh memory is slow, so the cold run is reported apart):

- transform: `transform_paths` (exposure by default), from the touch table;
- markov: fit (transition counts + exact solve) and credit (per won journey, per touch);
- shapley: P(path) fit and counterfactual credit (per won journey, per touch);

and prints peak memory (tracemalloc peak of one extra run, and the process's max RSS).

When `ChannelAttribution` is importable (a benchmark-only install, never a product dependency:
`pip install ChannelAttribution`), its `markov_model` runs on the same aggregated transformed
paths and the script prints the time ratio and the largest difference in credited conversions
per channel between it (simulated) and ours (exact), with its default settings and with longer
walks and more simulations (its default `max_step` stops walks at the longest observed path).
It needs matplotlib to import; when the import fails the script prints why and skips it.

    python benchmarks/bench_attribution.py [--journeys 1000000] [--runs 3] [--transform exposure]
"""

from __future__ import annotations

import argparse
import contextlib
import io
import resource
import statistics
import sys
import time
import tracemalloc
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from orchestration.attribution import markov_credits, markov_removal_effects, transform_paths
from orchestration.attribution._journeys import credit_journeys, fit_journeys
from orchestration.attribution.markov import _transition_counts
from orchestration.attribution.paths import spread_to_touches
from orchestration.attribution.shapley import path_probabilities, shapley_slot_fractions

CHANNELS = [
    "paid_search",
    "organic_search",
    "direct",
    "email",
    "webinar",
    "events",
    "content_syndication",
    "display",
    "paid_social",
    "organic_social",
    "partner_referral",
    "customer_referral",
    "community",
    "sdr_outbound",
    "ae_meeting",
]


def generate(n_journeys: int, seed: int = 7) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Touch table (`journey_id, position, channel`) and outcomes (`journey_id, converted`)."""
    rng = np.random.default_rng(seed)
    k = len(CHANNELS)
    lengths = rng.integers(4, 7, n_journeys)
    n = int(lengths.sum())
    journey = np.repeat(np.arange(n_journeys, dtype=np.int64), lengths)
    starts = np.concatenate(([0], np.cumsum(lengths)[:-1]))
    position = np.arange(n, dtype=np.int64) - starts[journey] + 1
    popularity = 1.0 / np.arange(1, k + 1) ** 0.9
    fresh = rng.choice(k, size=n, p=popularity / popularity.sum())
    repeat = (rng.random(n) < 0.3) & (position > 1)  # runs of the same channel
    source = np.maximum.accumulate(np.where(repeat, 0, np.arange(n)))
    channel = fresh[source]
    effect = rng.uniform(-0.4, 0.6, k)
    logit = -1.4 + np.bincount(journey, weights=effect[channel], minlength=n_journeys) / 2
    converted = rng.random(n_journeys) < 1.0 / (1.0 + np.exp(-logit))
    touches = pd.DataFrame(
        {
            "journey_id": journey,
            "position": position,
            "channel": pd.array(np.asarray(CHANNELS, dtype=object)[channel], dtype="str"),
        }
    )
    outcomes = pd.DataFrame({"journey_id": np.arange(n_journeys, dtype=np.int64), "converted": converted})
    return touches, outcomes


def literal_removal_effects(paths, outcomes) -> np.ndarray:
    """RE by the definition: per channel, redirect its in-transitions to null and re-solve."""
    codes, converted = fit_journeys(paths, outcomes)
    counts, start = _transition_counts(paths, codes, converted)
    k = start.size
    out = counts.sum(axis=1, keepdims=True).astype(np.float64)
    q = np.divide(counts[:, :k], out, out=np.zeros((k, k)), where=out > 0)
    r = np.divide(counts[:, k], out[:, 0], out=np.zeros(k), where=out[:, 0] > 0)
    s = start / start.sum()
    p = s @ np.linalg.solve(np.eye(k) - q, r)
    re = np.zeros(k)
    for c in range(k):
        q_c, s_c = q.copy(), s.copy()
        q_c[:, c] = 0.0
        s_c[c] = 0.0
        re[c] = 1.0 - (s_c @ np.linalg.solve(np.eye(k) - q_c, r)) / p
    return re


def _max_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def run_once(touches: pd.DataFrame, outcomes: pd.DataFrame, transform: str) -> tuple[dict[str, float], dict]:
    timings: dict[str, float] = {}
    t0 = time.perf_counter()
    paths = transform_paths(touches, transform)
    t1 = time.perf_counter()
    fit = markov_removal_effects(paths, outcomes)
    t2 = time.perf_counter()
    markov = markov_credits(paths, fit, outcomes)
    t3 = time.perf_counter()
    fit_codes, converted = fit_journeys(paths, outcomes)
    probability = path_probabilities(paths, fit_codes, converted)
    codes = credit_journeys(paths, outcomes)
    shapley = spread_to_touches(paths, shapley_slot_fractions(paths, probability, codes), codes)
    t4 = time.perf_counter()
    timings.update(
        transform=t1 - t0,
        markov_fit=t2 - t1,
        markov_credit=t3 - t2,
        shapley=t4 - t3,
        total=t4 - t0,
    )
    return timings, {"paths": paths, "fit": fit, "markov": markov, "shapley": shapley}


CA_SETTINGS = (
    ("default settings", {}),
    ("max_step=1000, nsim_start=1e6", {"max_step": 1000, "nsim_start": 1e6}),
)


def channel_attribution(paths, outcomes: pd.DataFrame, fit, runs: int, ours: dict[str, float]) -> None:
    """ChannelAttribution's markov_model on the same aggregated paths, against our exact result."""
    try:
        with contextlib.redirect_stdout(io.StringIO()):
            import ChannelAttribution as ca
    except Exception as error:  # not installed, or its import fails (it needs matplotlib)
        print(f"ChannelAttribution: skipped ({type(error).__name__}: {error})")
        return
    codes, converted = fit_journeys(paths, outcomes)
    frame = pd.DataFrame({"path": paths.path_strings()[codes], "conv": converted.astype(np.int64)})
    frame["null"] = 1 - frame["conv"]
    t0 = time.perf_counter()
    aggregated = frame.groupby("path", sort=False, as_index=False)[["conv", "null"]].sum()
    t_aggregate = time.perf_counter() - t0
    print(
        f"ChannelAttribution markov_model (order 1, ncore 1) on the same {len(aggregated):,} aggregated "
        f"transformed paths (aggregating them for it: {t_aggregate:.2f} s, not counted below):"
    )
    our_conversions = fit.removal_effects.set_index("channel")["attributed_conversions"]
    our_re = fit.removal_effects.set_index("channel")["removal_effect"]
    for label, settings in CA_SETTINGS:
        times = []
        for _ in range(runs):
            t0 = time.perf_counter()
            with contextlib.redirect_stdout(io.StringIO()):
                result = ca.markov_model(
                    aggregated,
                    "path",
                    "conv",
                    var_null="null",
                    order=1,
                    out_more=True,
                    verbose=False,
                    flg_pro=False,
                    **settings,
                )
            times.append(time.perf_counter() - t0)
        t_ca = statistics.median(times)
        theirs = result["result"].set_index("channel_name")["total_conversions"]
        joined = pd.concat({"ours": our_conversions, "theirs": theirs}, axis=1).fillna(0.0)
        diff = (joined["ours"] - joined["theirs"]).abs()
        re_theirs = result["removal_effects"].set_index("channel_name")["removal_effect"]
        re_diff = (our_re - re_theirs).abs().max()
        worst = diff.idxmax()
        print(f"  {label}: {t_ca:.3f} s (median of {runs})")
        print(
            f"    time ratio ChannelAttribution / ours: {t_ca / ours['markov_fit']:.1f}x our markov fit, "
            f"{t_ca / ours['markov_all']:.1f}x our transform + markov fit + per-touch credit"
        )
        print(
            f"    largest |difference| in credited conversions: {diff.max():,.1f} of "
            f"{joined.loc[worst, 'ours']:,.1f} ({worst}, {diff.max() / joined.loc[worst, 'ours']:.2%}); "
            f"largest |difference| in removal effect: {re_diff:.4f}; total conversions "
            f"ours {our_conversions.sum():,.1f}, theirs {theirs.sum():,.1f}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--journeys", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--transform", default="exposure")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--no-channel-attribution", action="store_true")
    args = parser.parse_args()

    t0 = time.perf_counter()
    touches, outcomes = generate(args.journeys, args.seed)
    print(
        f"generated {args.journeys:,} journeys, {len(touches):,} touches, {len(CHANNELS)} channels, "
        f"{outcomes['converted'].mean():.1%} won, in {time.perf_counter() - t0:.1f} s"
    )
    rss_input = _max_rss_mib()
    cold, out = run_once(touches, outcomes, args.transform)  # first run: the process's memory is fresh
    runs = []
    for _ in range(args.runs):
        timings, out = run_once(touches, outcomes, args.transform)
        runs.append(timings)
    paths = out["paths"]
    distinct = np.unique(paths.trie().end_node).size
    print(
        f"transform {args.transform!r}: {paths.slot_channel.size:,} path positions, "
        f"{distinct:,} distinct paths; {out['fit'].n_journeys:,} journeys fitted, "
        f"{out['markov']['journey_id'].nunique():,} won journeys credited ({len(out['markov']):,} touch rows)"
    )
    print(f"seconds: median of {args.runs} runs after a first (cold) run; the cold run alone")
    for stage in ("transform", "markov_fit", "markov_credit", "shapley", "total"):
        values = [r[stage] for r in runs]
        print(
            f"  {stage:<14} {statistics.median(values):7.3f}   "
            f"(runs: {', '.join(f'{v:.3f}' for v in values)}; cold: {cold[stage]:.3f})"
        )
    del out
    tracemalloc.start()
    run_once(touches, outcomes, args.transform)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(f"peak memory of one run (tracemalloc, numpy/pandas allocations): {peak / 2**20:,.0f} MiB")
    print(
        f"process max RSS: {rss_input:,.0f} MiB after generating the input, "
        f"{_max_rss_mib():,.0f} MiB after all runs"
    )

    _, out = run_once(touches, outcomes, args.transform)
    fit = out["fit"]
    literal = literal_removal_effects(paths, outcomes)
    print(
        "markov: max |RE - RE re-solved per channel by the definition|: "
        f"{np.abs(fit.re - literal).max():.1e} (RE from {fit.re.min():.3f} to {fit.re.max():.3f})"
    )
    for model in ("markov", "shapley"):
        sums = out[model].groupby("journey_id")["fraction"].sum()
        print(f"{model}: max |sum of fractions - 1| over credited journeys: {np.abs(sums - 1).max():.2e}")
    if args.no_channel_attribution:
        return
    ours = {
        "markov_fit": statistics.median(r["markov_fit"] for r in runs),
        "markov_all": statistics.median(r["transform"] + r["markov_fit"] + r["markov_credit"] for r in runs),
    }
    channel_attribution(paths, outcomes, fit, args.runs, ours)


if __name__ == "__main__":
    main()
