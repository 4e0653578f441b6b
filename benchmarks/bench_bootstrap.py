"""Benchmark of the bootstrap over deals (issue 14) at a demo scale's size.

A scale-1 demo night holds ~10,000 opportunities and ~190,000 journey touches. This generates
journeys of that size directly (no night): lengths around `--touches / --journeys`, 15 channels
over 4 source groups, a won/lost outcome from the channels touched, 24 close months; credits the
won ones under `--rule-models` rule-based models (random per-deal group credit: their cost does
not depend on the values) and refits markov and shapley per replicate. Prints the wall and CPU time of
`bootstrap_credited_closes` for `--replicates` (default 200) and its peak memory.

    python benchmarks/bench_bootstrap.py [--journeys 10000] [--touches 190000] [--replicates 200]
"""

from __future__ import annotations

import argparse
import sys
import time
import tracemalloc
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from orchestration.attribution.bootstrap import bootstrap_credited_closes


def journeys(n: int, touches: int, seed: int = 1) -> tuple[pd.DataFrame, pd.DataFrame]:
    rng = np.random.default_rng(seed)
    mean = max(touches / n, 1.0)
    length = np.maximum(1, rng.poisson(mean, n))
    ids = np.array([f"006{i:012d}" for i in range(n)], dtype=object)
    journey = np.repeat(np.arange(n), length)
    position = np.arange(journey.size) - np.repeat(np.cumsum(length) - length, length) + 1
    popularity = 1.0 / np.arange(1, 16)
    channel = rng.choice(15, journey.size, p=popularity / popularity.sum())
    group = channel % 4
    score = np.bincount(journey, weights=(channel % 5 == 0).astype(float), minlength=n)
    converted = rng.random(n) < 1 / (1 + np.exp(1.5 - 0.3 * score))
    table = pd.DataFrame(
        {"journey_id": ids[journey], "position": position, "channel": channel.astype(str), "group": group}
    )
    outcomes = pd.DataFrame({"journey_id": ids, "converted": converted})
    return table, outcomes


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--journeys", type=int, default=10_000)
    parser.add_argument("--touches", type=int, default=190_000)
    parser.add_argument("--replicates", type=int, default=200)
    parser.add_argument("--rule-models", type=int, default=11)
    args = parser.parse_args()
    touches, outcomes = journeys(args.journeys, args.touches)
    deals = outcomes[outcomes["converted"]].reset_index(drop=True)
    rng = np.random.default_rng(2)
    period = rng.integers(0, 24, len(deals))
    rule = {f"rule_{i}": rng.dirichlet(np.ones(4), len(deals)) for i in range(args.rule_models)}
    print(
        f"{args.journeys} journeys, {len(touches)} touches, {len(deals)} credited deals, "
        f"{args.rule_models} rule-based models + markov + shapley, {args.replicates} replicates"
    )
    started, cpu = time.perf_counter(), time.process_time()
    bootstrap_credited_closes(
        deals["journey_id"].to_numpy(),
        period,
        24,
        4,
        rule,
        replicates=args.replicates,
        seed=14,
        touches=touches,
        outcomes=outcomes,
        data_driven=("markov", "shapley"),
    )
    wall, cpu = time.perf_counter() - started, time.process_time() - cpu
    tracemalloc.start()
    bootstrap_credited_closes(
        deals["journey_id"].to_numpy(),
        period,
        24,
        4,
        rule,
        replicates=min(args.replicates, 20),
        seed=14,
        touches=touches,
        outcomes=outcomes,
        data_driven=("markov", "shapley"),
    )
    peak = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    # On a shared machine the wall time mostly measures the queue for a core: CPU time is steadier.
    print(f"bootstrap: {wall:.1f} s wall, {cpu:.1f} s CPU; peak traced memory (20 replicates) {peak:.0f} MiB")


if __name__ == "__main__":
    main()
