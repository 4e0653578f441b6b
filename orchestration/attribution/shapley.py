"""Google fractribution's counterfactual "Shapley" model (docs/models.md, "shapley").

- P(path) = conversions / (conversions + non-conversions) over the fitted journeys whose
  (transformed) path is exactly `path`; a path no fitted journey has gets P = 0.
- For position i: mc(i) = max(P(path) - P(path without position i), 0); fractions = mc / sum mc.
  The counterfactual path is the path with that one position deleted, as is: it is looked up,
  not transformed again (under `exposure` A > B > A without B is A > A, which no exposure path
  is, so its P is 0 -- as in fractribution).
- A path of one distinct channel gives that channel 100% (split evenly over its positions);
  if every mc(i) is 0, the last position (CW) gets 100%.

Work is per distinct credited path, not per journey: paths are identified exactly by a prefix
trie (see `paths._Trie`), and each counterfactual is found by walking the trie from the node of
the prefix before position i along the positions after it, one depth level at a time for all
counterfactuals together.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from orchestration.attribution._journeys import credit_journeys, fit_journeys
from orchestration.attribution.paths import TransformedPaths, spread_to_touches


def path_probabilities(paths: TransformedPaths, journeys: np.ndarray, converted: np.ndarray) -> np.ndarray:
    """P(path) per trie node (0 where no fitted journey ends)."""
    trie = paths.trie()
    end = trie.end_node[journeys]
    total = np.bincount(end, minlength=trie.n_nodes)
    conversions = np.bincount(end, weights=converted.astype(np.float64), minlength=trie.n_nodes)
    return np.divide(conversions, total, out=np.zeros(trie.n_nodes), where=total > 0)


@dataclass(eq=False)
class CreditedPaths:
    """The distinct paths of the credited journeys and every position's counterfactual node: the
    part of the Shapley credit that does not depend on the fit (the bootstrap reuses it for every
    replicate). Positions are flat over the distinct paths (`flat_offsets`)."""

    journeys: np.ndarray  # credited journey codes with a path
    which: np.ndarray  # distinct path of each of them
    nodes: np.ndarray  # end node of each distinct path
    length: np.ndarray
    flat_offsets: np.ndarray
    path_of: np.ndarray  # distinct path of each position
    single: np.ndarray  # per distinct path: one distinct channel
    walk: np.ndarray  # positions of the multi-channel paths
    counterfactual: np.ndarray  # node of each walked position's counterfactual path (-1: none)


def credited_paths(paths: TransformedPaths, journeys: np.ndarray) -> CreditedPaths:
    trie = paths.trie()
    journeys = journeys[paths.lengths[journeys] > 0]
    nodes, first, which = np.unique(trie.end_node[journeys], return_index=True, return_inverse=True)
    representative = journeys[first]
    length = paths.lengths[representative]
    start = paths.offsets[representative]
    n_paths = nodes.size
    flat_offsets = np.concatenate(([0], np.cumsum(length)))
    path_of = np.repeat(np.arange(n_paths), length)
    index = np.arange(path_of.size) - flat_offsets[path_of]  # 0-based position in the path
    slot = start[path_of] + index
    channel = paths.slot_channel
    differs = channel[slot] != channel[start][path_of]
    single = np.bincount(path_of, weights=differs, minlength=n_paths) == 0

    # counterfactual of every position of the multi-channel paths
    walk = np.flatnonzero(~single[path_of])
    node = np.where(index[walk] == 0, 0, trie.slot_node[np.maximum(slot[walk] - 1, 0)])
    cursor = slot[walk] + 1
    stop = (start + length)[path_of[walk]]
    active = np.flatnonzero(cursor < stop)
    while active.size:
        node[active] = trie.child(node[active], channel[cursor[active]])
        cursor[active] += 1
        active = active[(node[active] >= 0) & (cursor[active] < stop[active])]
    return CreditedPaths(
        journeys=journeys,
        which=np.asarray(which).reshape(-1),
        nodes=nodes,
        length=length,
        flat_offsets=flat_offsets,
        path_of=path_of,
        single=single,
        walk=walk,
        counterfactual=node,
    )


def position_fractions(credited: CreditedPaths, probability: np.ndarray) -> np.ndarray:
    """Fraction of every position of the distinct paths given P per trie node: `probability`
    (n_nodes,) -> (n_positions,), or a stack (B, n_nodes) -> (B, n_positions)."""
    probability = np.asarray(probability, dtype=np.float64)
    batch = probability.shape[:-1]
    n_paths, n_positions = credited.nodes.size, credited.path_of.size
    node = credited.counterfactual
    walk_path = credited.path_of[credited.walk]
    p_counterfactual = np.where(node >= 0, probability[..., np.maximum(node, 0)], 0.0)
    p_path = probability[..., credited.nodes][..., walk_path]
    contribution = np.zeros((*batch, n_positions))
    contribution[..., credited.walk] = np.maximum(p_path - p_counterfactual, 0.0)
    total = np.zeros((*batch, n_paths))
    if n_positions:
        total = np.add.reduceat(contribution, credited.flat_offsets[:-1], axis=-1) if n_paths else total
    total_of = total[..., credited.path_of]
    share = total_of > 0
    fraction = np.where(share, contribution / np.where(share, total_of, 1.0), 0.0)
    length_of = credited.length[credited.path_of]
    is_single = credited.single[credited.path_of]
    fraction = np.where(is_single, 1.0 / np.maximum(length_of, 1), fraction)
    last = credited.flat_offsets[1:] - 1
    fallback = ~credited.single & (total <= 0)  # CW: the last position
    last_value = fraction[..., last]
    fraction[..., last] = np.where(fallback, 1.0, last_value)
    return fraction


def shapley_slot_fractions(
    paths: TransformedPaths, probability: np.ndarray, journeys: np.ndarray
) -> np.ndarray:
    """Fraction per slot of `journeys` (codes), given P per trie node; other slots 0."""
    fraction = np.zeros(paths.slot_channel.size)
    credited = credited_paths(paths, journeys)
    if credited.journeys.size == 0:
        return fraction
    path_fraction = position_fractions(credited, probability)
    # every credited journey takes its distinct path's fractions
    path_of_journey = np.full(paths.n_journeys, -1, dtype=np.int64)
    path_of_journey[credited.journeys] = credited.which
    slots = np.flatnonzero(path_of_journey[paths.slot_journey] >= 0)
    journey_of = paths.slot_journey[slots]
    fraction[slots] = path_fraction[
        credited.flat_offsets[path_of_journey[journey_of]] + slots - paths.offsets[journey_of]
    ]
    return fraction


def shapley_credits(paths: TransformedPaths, outcomes, journeys) -> pd.DataFrame:
    """Fit P(path) on `outcomes` (`journey_id, converted`) and credit `journeys`.

    `journeys`: a table with `journey_id` and optional `converted` (only converted rows are
    credited) or a list of ids. Returns one row per original touch of the credited journeys:
    `journey_id, position, channel, path_position, fraction`.
    """
    fit_codes, converted = fit_journeys(paths, outcomes)
    probability = path_probabilities(paths, fit_codes, converted)
    codes = credit_journeys(paths, journeys)
    return spread_to_touches(paths, shapley_slot_fractions(paths, probability, codes), codes)
