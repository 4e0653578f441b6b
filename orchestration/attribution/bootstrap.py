"""Bootstrap over deals: credited closes per replicate x period x source group x model
(docs/costs-and-signals.md, "Uncertainty intervals").

Replicate r gives every opportunity a Poisson(1) weight drawn from hash(seed, r, opportunity_id):
the fitting journeys and the credited deals are resampled together (a deal that is both carries
one weight), and the weights depend on nothing but the id, so any row order or engine gives the
same replicates. Rule-based credit per deal does not change under a reweighting; markov and
shapley are refitted on every replicate (weighted transition counts, weighted path
probabilities). Everything is numpy over (replicates x deals); the only Python loops run over
chunks of replicates and over the few source groups.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from orchestration.attribution._journeys import fit_journeys
from orchestration.attribution.markov import _transition_steps, solve_chains
from orchestration.attribution.paths import TransformedPaths, transform_paths
from orchestration.attribution.shapley import credited_paths, position_fractions

_FNV_OFFSET = np.uint64(0xCBF29CE484222325)
_FNV_PRIME = np.uint64(0x100000001B3)
# Poisson(1) CDF up to k = 19; past it the tail is below 2**-53, the uniform's resolution.
_POISSON_CDF = np.cumsum(np.exp(-1.0) / np.cumprod(np.concatenate(([1.0], np.arange(1.0, 20.0)))))
# Bound on (replicates x cells) held at once, so scale 1 stays within a few hundred MB.
_CHUNK_CELLS = 20_000_000


def _splitmix64(x: np.ndarray) -> np.ndarray:
    with np.errstate(over="ignore"):
        x = x + np.uint64(0x9E3779B97F4A7C15)
        x = (x ^ (x >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        x = (x ^ (x >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        return x ^ (x >> np.uint64(31))


def id_hashes(ids: Sequence | np.ndarray | pd.Index) -> np.ndarray:
    """FNV-1a 64 of each id's UTF-8 bytes, vectorised over the ids (a loop over byte positions)."""
    encoded = np.char.encode(np.asarray(ids).astype(str), "utf-8")
    width = encoded.dtype.itemsize
    data = encoded.view(np.uint8).reshape(len(encoded), width) if len(encoded) else np.zeros((0, 0), np.uint8)
    lengths = np.char.str_len(encoded) if len(encoded) else np.zeros(0, dtype=np.int64)
    h = np.full(len(encoded), _FNV_OFFSET, dtype=np.uint64)
    with np.errstate(over="ignore"):
        for position in range(width):
            inside = lengths > position
            mixed = (h ^ data[:, position].astype(np.uint64)) * _FNV_PRIME
            h = np.where(inside, mixed, h)
    return h


def poisson_weights(hashes: np.ndarray, replicates: Sequence[int] | np.ndarray, seed: int) -> np.ndarray:
    """Poisson(1) weights, shape (len(replicates), len(hashes)), from hash(seed, r, id)."""
    r = np.asarray(replicates, dtype=np.uint64)
    base = _splitmix64(_splitmix64(np.uint64(seed % 2**64) + np.zeros(1, np.uint64)) ^ r)  # per replicate
    mixed = _splitmix64(base[:, None] ^ hashes[None, :])
    uniform = (mixed >> np.uint64(11)).astype(np.float64) * 2.0**-53
    return np.searchsorted(_POISSON_CDF, uniform, side="right").astype(np.float64)


def _sum_by_period(values: np.ndarray, period: np.ndarray, n_periods: int) -> np.ndarray:
    """(B, n, G) per deal -> (B, M, G) summed over the deals of each period."""
    b, _, g = values.shape
    out = np.zeros((b, n_periods, g))
    if period.size == 0:
        return out
    order = np.argsort(period, kind="stable")
    sorted_period = period[order]
    starts = np.flatnonzero(np.r_[True, sorted_period[1:] != sorted_period[:-1]])
    out[:, sorted_period[starts], :] = np.add.reduceat(values[:, order, :], starts, axis=1)
    return out


class _DataDriven:
    """The replicate-independent structure of markov and shapley for one set of paths."""

    def __init__(
        self,
        paths: TransformedPaths,
        touch_group: np.ndarray,
        n_groups: int,
        outcomes: pd.DataFrame,
        deal_codes: np.ndarray,
    ):
        self.paths = paths
        k = len(paths.channels)
        self.k = k
        self.n_groups = n_groups
        self.hashes = id_hashes(paths.journey_ids)
        # each slot's credit split over the groups of the touches it stands for
        slot_group = np.zeros((paths.slot_channel.size, n_groups))
        has = paths.touch_slot >= 0
        slot = paths.touch_slot[has]
        np.add.at(slot_group, (slot, touch_group[has]), 1.0 / paths.slot_touches[slot])
        self.slot_group = slot_group
        # the fit
        self.fit_codes, self.converted = fit_journeys(paths, outcomes)
        key, step_journey, first_channel, start_journey = _transition_steps(
            paths, self.fit_codes, self.converted
        )
        n_keys = k * (k + 2)
        pair, self.pair_count = np.unique(step_journey * n_keys + key, return_counts=True)
        self.pair_journey, self.pair_key = pair // n_keys, pair % n_keys
        self.start_journey, self.start_channel = start_journey, first_channel
        self.end_node = paths.trie().end_node[self.fit_codes]
        self.n_nodes = paths.trie().n_nodes
        # the credited journeys (deal codes -1: no path, no data-driven credit)
        self.deal_codes = deal_codes
        credited = np.unique(deal_codes[deal_codes >= 0])
        credited = credited[paths.lengths[credited] > 0]
        self.credited = credited
        local = np.full(paths.n_journeys, -1, dtype=np.int64)
        local[credited] = np.arange(credited.size)
        self.local = local
        in_credited = local[paths.slot_journey] >= 0
        slots = np.flatnonzero(in_credited)
        mass = np.zeros((credited.size, k, n_groups))
        np.add.at(mass, (local[paths.slot_journey[slots]], paths.slot_channel[slots]), slot_group[slots])
        self.mass = mass  # per credited journey, channel, group: slot credit mass
        self.slot_count = mass.sum(axis=2)
        self.last_group = slot_group[paths.offsets[credited + 1] - 1] if credited.size else mass[:, 0, :]
        self.shapley_paths = credited_paths(paths, credited)

    def _weighted(self, weights: np.ndarray, index: np.ndarray, keys: np.ndarray, n: int, count=None):
        """(B, n): sum over rows of weights[:, index] (x count) by key."""
        values = weights[:, index] if count is None else weights[:, index] * count
        out = np.zeros((weights.shape[0], n))
        if keys.size == 0:
            return out
        order = np.argsort(keys, kind="stable")
        sorted_keys = keys[order]
        starts = np.flatnonzero(np.r_[True, sorted_keys[1:] != sorted_keys[:-1]])
        out[:, sorted_keys[starts]] = np.add.reduceat(values[:, order], starts, axis=1)
        return out

    def markov(self, weights: np.ndarray) -> np.ndarray:
        """(B, credited journeys, G) of the chains refitted with `weights` (B, journeys of paths)."""
        b, k = weights.shape[0], self.k
        counts = self._weighted(weights, self.pair_journey, self.pair_key, k * (k + 2), self.pair_count)
        start = self._weighted(weights, self.start_journey, self.start_channel, k)
        _, re, _ = solve_chains(counts.reshape(b, k, k + 2), start)
        numerator = np.einsum("bk,jkg->bjg", re, self.mass)
        denominator = re @ self.slot_count.T
        positive = denominator > 0
        share = numerator / np.where(positive, denominator, 1.0)[:, :, None]
        return np.where(positive[:, :, None], share, self.last_group[None])  # all RE 0: the last slot

    def shapley(self, weights: np.ndarray) -> np.ndarray:
        """(B, credited journeys, G) of the path probabilities refitted with `weights`."""
        fit_weights = weights[:, self.fit_codes]
        total = self._weighted(fit_weights, np.arange(self.fit_codes.size), self.end_node, self.n_nodes)
        converted = self._weighted(
            fit_weights * self.converted, np.arange(self.fit_codes.size), self.end_node, self.n_nodes
        )
        probability = np.where(total > 0, converted / np.where(total > 0, total, 1.0), 0.0)
        cp = self.shapley_paths
        fraction = position_fractions(cp, probability)  # (B, positions)
        length = self.paths.lengths[cp.journeys]
        journey_of = np.repeat(np.arange(cp.journeys.size), length)
        index = np.arange(journey_of.size) - np.concatenate(([0], np.cumsum(length)))[journey_of]
        position = cp.flat_offsets[cp.which[journey_of]] + index
        slot = self.paths.offsets[cp.journeys[journey_of]] + index
        out = np.zeros((weights.shape[0], self.credited.size, self.n_groups))
        if journey_of.size == 0:
            return out
        starts = np.flatnonzero(np.r_[True, journey_of[1:] != journey_of[:-1]])
        slot_fraction = fraction[:, position]
        target = self.local[cp.journeys[journey_of[starts]]]
        for g in range(self.n_groups):
            out[:, target, g] = np.add.reduceat(slot_fraction * self.slot_group[slot, g], starts, axis=1)
        return out


def bootstrap_credited_closes(
    deal_ids: Sequence | np.ndarray,
    deal_period: np.ndarray,
    n_periods: int,
    n_groups: int,
    rule_credit: Mapping[str, np.ndarray],
    *,
    replicates: int,
    seed: int,
    touches: pd.DataFrame | None = None,
    outcomes: pd.DataFrame | None = None,
    transform="exposure",
    data_driven: Sequence[str] = (),
    first_replicate: int = 1,
) -> dict[str, np.ndarray]:
    """Credited closes per replicate, period and source group for every model: model -> (B, M, G).

    - `deal_ids` (n,): the credited deals; `deal_period` (n,): their period code in 0..M-1;
    - `rule_credit`: rule-based model -> (n, G) credit of each deal per group (fixed per deal);
    - `touches` (`journey_id, position, channel, group` with group a code in 0..G-1) of every
      journey fitted or credited, `outcomes` (`journey_id, converted`: the fitting journeys) and
      `transform`: for the `data_driven` models (markov, shapley), refitted per replicate;
    - replicates are numbered `first_replicate .. first_replicate + replicates - 1`; the weight of a
      deal in replicate r is `poisson_weights(id_hashes([id]), [r], seed)`.
    """
    deal_ids = np.asarray(deal_ids, dtype=object)
    deal_period = np.asarray(deal_period, dtype=np.int64)
    n = deal_ids.size
    if deal_period.shape != (n,) or (n and (deal_period.min() < 0 or deal_period.max() >= n_periods)):
        raise ValueError(f"deal_period must give each of the {n} deals a period in 0..{n_periods - 1}")
    for model, credit in rule_credit.items():
        if np.shape(credit) != (n, n_groups):
            raise ValueError(
                f"rule_credit[{model!r}] must have shape ({n}, {n_groups}), got {np.shape(credit)}"
            )
    unknown = set(data_driven) - {"markov", "shapley"}
    if unknown:
        raise ValueError(f"unknown data-driven model(s) {sorted(unknown)}; expected markov or shapley")
    deal_hashes = id_hashes(deal_ids)
    structure = None
    if data_driven:
        if touches is None or outcomes is None:
            raise ValueError("the data-driven models need touches and outcomes")
        paths = transform_paths(touches[["journey_id", "position", "channel"]], transform)
        keyed = pd.DataFrame(
            {"journey_id": paths.journey_ids.take(paths.touch_journey), "position": paths.touch_position}
        ).merge(touches[["journey_id", "position", "group"]], on=["journey_id", "position"], how="left")
        if keyed["group"].isna().any():
            raise ValueError("touches.group has null values")
        touch_group = keyed["group"].to_numpy(dtype=np.int64)
        structure = _DataDriven(
            paths, touch_group, n_groups, outcomes, paths.journey_codes(pd.Index(deal_ids))
        )

    # rule-based: (B, n) @ (n, M * G)
    spread = np.zeros((n, n_periods * n_groups))
    cols = deal_period[:, None] * n_groups + np.arange(n_groups)[None, :]
    rows = np.repeat(np.arange(n)[:, None], n_groups, axis=1)
    result = {model: np.zeros((replicates, n_periods, n_groups)) for model in (*rule_credit, *data_driven)}
    cells = max(n, 1) * max(n_groups, 1) * 4 + (structure.paths.slot_channel.size if structure else 0) * 4
    chunk = max(1, min(replicates, _CHUNK_CELLS // max(cells, 1)))
    for begin in range(0, replicates, chunk):
        ids = np.arange(first_replicate + begin, first_replicate + min(begin + chunk, replicates))
        block = slice(begin, begin + ids.size)
        weights = poisson_weights(deal_hashes, ids, seed)
        for model, credit in rule_credit.items():
            spread[rows, cols] = credit
            result[model][block] = (weights @ spread).reshape(ids.size, n_periods, n_groups)
        if structure is None:
            continue
        journey_weights = poisson_weights(structure.hashes, ids, seed)
        has_path = structure.local[np.maximum(structure.deal_codes, 0)]
        has_path = np.where(structure.deal_codes >= 0, has_path, -1)
        with_path = np.flatnonzero(has_path >= 0)
        for model in data_driven:
            journey_credit = (
                structure.markov(journey_weights) if model == "markov" else structure.shapley(journey_weights)
            )
            per_deal = np.zeros((ids.size, n, n_groups))
            per_deal[:, with_path, :] = journey_credit[:, has_path[with_path], :]
            result[model][block] = _sum_by_period(weights[:, :, None] * per_deal, deal_period, n_periods)
    return result


def interval_ranks(replicates: int, level: float) -> tuple[int, int]:
    """1-based ranks of the central interval's bounds among the sorted replicates (nearest rank),
    as macros/marts/interval_bounds.sql states them: low = max(1, ceil(B (1 - level) / 2)), high
    = B + 1 - low."""
    low = max(1, int(np.ceil(round(replicates * (1.0 - level) / 2.0, 6))))
    return low, replicates + 1 - low


def interval(values: np.ndarray, level: float) -> tuple[np.ndarray, np.ndarray]:
    """Bounds of the central interval over axis 0 (the replicates); +inf sorts last."""
    b = values.shape[0]
    low, high = interval_ranks(b, level)
    ordered = np.sort(values, axis=0)
    return ordered[low - 1], ordered[high - 1]
