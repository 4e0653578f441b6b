"""First-order Markov chain, removal effect (Anderl et al. 2014), exact (docs/models.md, "markov").

States: `start`, one per channel, `conv`, `null`. Each fitted journey's transformed path
c1 ... cL adds the transitions start -> c1, c1 -> c2, ..., cL -> conv (won) or cL -> null (lost);
transition probabilities are the counts normalised per state. With Q the channel -> channel
block, r the channel -> conv column and s the start distribution, the absorption probability in
`conv` is P = s . x with (I - Q) x = r, solved directly (numpy LAPACK; no simulation).

Removing channel c sends every transition into c to `null`. The conversions that survive are
exactly those whose walk never visits c, so (strong Markov property at the first visit of c)

    P(-c) = P - h(c) * x(c),   h(c) = probability of ever visiting c from start
                                    = (s G)(c) / G(c, c),  G = (I - Q)^-1,

and RE(c) = 1 - P(-c) / P = h(c) x(c) / P. This is the same number as re-solving the chain with
c's in-transitions redirected (the unit tests check it against that literal re-solve), but costs
one factorisation for all channels instead of one solve per channel, and has no cancellation
for small removal effects.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from orchestration.attribution._journeys import credit_journeys, fit_journeys
from orchestration.attribution.paths import TransformedPaths, spread_to_touches


@dataclass(eq=False)
class MarkovFit:
    """A fitted chain and its removal effects.

    - `removal_effects`: one row per channel of the paths (sorted by name): `channel,
      removal_effect, p_conv_without` (P(-c)) and `attributed_conversions` = total conversions x
      RE(c) / sum RE (the population view ChannelAttribution reports);
    - `transitions`: `from_state, to_state, transitions, probability` (states `start`, channels,
      `conv`, `null`);
    - `p_conv`: P(conv) from start; `total_conversions`, `n_journeys`: of the fitted journeys;
    - `re`: removal effects aligned with `channels` (the engine's form).
    """

    channels: pd.Index
    re: np.ndarray
    p_conv: float
    total_conversions: int
    n_journeys: int
    removal_effects: pd.DataFrame
    transitions: pd.DataFrame


def _transition_steps(
    paths: TransformedPaths, journeys: np.ndarray, converted: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Every transition of the fitted journeys: `(key, journey)` of channel -> (channel | conv |
    null) steps, key = from * (K + 2) + to, and `(first channel, journey)` of the start steps."""
    k = len(paths.channels)
    lengths = paths.lengths[journeys]
    nonempty = lengths > 0
    journeys, converted, lengths = journeys[nonempty], converted[nonempty], lengths[nonempty]
    first = paths.offsets[journeys]
    last = first + lengths - 1
    fitted = np.zeros(paths.n_journeys, dtype=bool)
    fitted[journeys] = True
    steps = fitted[paths.slot_journey]  # slots of fitted journeys ...
    steps[last] = False  # ... but their last: each goes to the next slot
    step = np.flatnonzero(steps)
    channel = paths.slot_channel
    to_state = np.concatenate((channel[step + 1], np.where(converted, k, k + 1)))
    from_state = np.concatenate((channel[step], channel[last]))
    step_journey = np.concatenate((paths.slot_journey[step], journeys))
    return from_state * (k + 2) + to_state, step_journey, channel[first], journeys


def _transition_counts(
    paths: TransformedPaths, journeys: np.ndarray, converted: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Counts channel -> (channel | conv | null), shape (K, K + 2), and start -> channel, (K,)."""
    k = len(paths.channels)
    key, _, first_channel, _ = _transition_steps(paths, journeys, converted)
    counts = np.bincount(key, minlength=k * (k + 2)).reshape(k, k + 2)
    return counts, np.bincount(first_channel, minlength=k)


def _solve(counts: np.ndarray, start: np.ndarray) -> tuple[float, np.ndarray, np.ndarray]:
    """P(conv), removal effects and P(-c) of the chain given by transition counts."""
    p_conv, re, p_without = solve_chains(counts[None], start[None])
    return float(p_conv[0]), re[0], p_without[0]


def solve_chains(counts: np.ndarray, start: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """`_solve` for a stack of chains (the bootstrap's replicates): counts (B, K, K + 2) and start
    (B, K) -> P(conv) (B,), removal effects (B, K) and P(-c) (B, K). A chain with no start or no
    conversion has every RE 0."""
    b, k = start.shape
    if k == 0:
        return np.zeros(b), np.zeros((b, 0)), np.zeros((b, 0))
    counts = counts.astype(np.float64)
    out = counts.sum(axis=2)
    visited = out > 0
    denominator = np.where(visited, out, 1.0)
    q = np.where(visited[:, :, None], counts[:, :, :k] / denominator[:, :, None], 0.0)
    r = np.where(visited, counts[:, :, k] / denominator, 0.0)
    total = start.sum(axis=1).astype(np.float64)
    s = start / np.where(total > 0, total, 1.0)[:, None]
    a = np.eye(k)[None] - q
    x = np.linalg.solve(a, r[:, :, None])[:, :, 0]  # absorption probability in conv from each channel
    p_conv = np.einsum("bk,bk->b", s, x)
    g = np.linalg.inv(a)  # expected visits
    visits = np.einsum("bk,bkj->bj", s, g)
    reach = np.clip(visits / np.diagonal(g, axis1=1, axis2=2), 0.0, 1.0)  # P(ever visit c)
    through = reach * x  # P(convert and visit c)
    alive = (total > 0) & (p_conv > 0.0)
    safe = np.where(alive, p_conv, 1.0)
    re = np.where(alive[:, None], np.clip(through / safe[:, None], 0.0, 1.0), 0.0)
    p_without = np.where(alive[:, None], p_conv[:, None] - through, 0.0)
    return np.where(alive, p_conv, 0.0), re, p_without


def markov_removal_effects(paths: TransformedPaths, outcomes) -> MarkovFit:
    """Fit the chain on `outcomes` (`journey_id, converted`: the fitting journeys) and return RE.

    Only the listed journeys are fitted (select them with `select_fit_journeys`); a listed
    journey without touches is skipped. With no conversion every RE is 0.
    """
    journeys, converted = fit_journeys(paths, outcomes)
    counts, start = _transition_counts(paths, journeys, converted)
    p_conv, re, p_without = _solve(counts, start)
    k = len(paths.channels)
    fitted = paths.lengths[journeys] > 0
    total_conversions = int(converted[fitted].sum())
    total_re = re.sum()
    attributed = total_conversions * re / total_re if total_re > 0 else np.zeros(k)
    removal_effects = pd.DataFrame(
        {
            "channel": paths.channels,
            "removal_effect": re,
            "p_conv_without": p_without,
            "attributed_conversions": attributed,
        }
    )
    states = np.asarray([*map(str, paths.channels), "conv", "null"], dtype=object)
    full = np.vstack((np.concatenate((start, [0, 0]))[None, :], counts))
    out = full.sum(axis=1, keepdims=True)
    prob = np.divide(full, out, out=np.zeros(full.shape), where=out > 0)
    src, dst = np.nonzero(full)
    from_states = np.concatenate((["start"], states[:k]))
    transitions = pd.DataFrame(
        {
            "from_state": from_states[src],
            "to_state": states[dst],
            "transitions": full[src, dst],
            "probability": prob[src, dst],
        }
    )
    return MarkovFit(
        channels=paths.channels,
        re=re,
        p_conv=p_conv,
        total_conversions=total_conversions,
        n_journeys=int(fitted.sum()),
        removal_effects=removal_effects,
        transitions=transitions,
    )


def _re_by_code(paths: TransformedPaths, removal_effects) -> np.ndarray:
    if isinstance(removal_effects, MarkovFit):
        if removal_effects.channels.equals(paths.channels):
            return removal_effects.re
        removal_effects = removal_effects.removal_effects
    table = pd.DataFrame(removal_effects)
    re = pd.Series(table["removal_effect"].to_numpy(dtype=np.float64), index=pd.Index(table["channel"]))
    if re.index.duplicated().any():
        raise ValueError("removal_effects: channel must be unique")
    values = re.reindex(paths.channels).to_numpy()
    return np.nan_to_num(values, nan=0.0)  # a channel the fit never saw has RE 0


def markov_slot_fractions(paths: TransformedPaths, re: np.ndarray, journeys: np.ndarray) -> np.ndarray:
    """Fraction per slot of `journeys` (codes); other slots 0. All-zero RE -> last slot 100%."""
    fraction = np.zeros(paths.slot_channel.size)
    lengths = paths.lengths[journeys]
    journeys = journeys[lengths > 0]
    if journeys.size == 0:
        return fraction
    slot_in = np.zeros(paths.n_journeys, dtype=bool)
    slot_in[journeys] = True
    slots = np.flatnonzero(slot_in[paths.slot_journey])
    weight = re[paths.slot_channel[slots]]
    journey_of = paths.slot_journey[slots]
    total = np.bincount(journey_of, weights=weight, minlength=paths.n_journeys)
    positive = total[journey_of] > 0
    fraction[slots[positive]] = weight[positive] / total[journey_of[positive]]
    zero = journeys[total[journeys] <= 0]
    fraction[paths.offsets[zero + 1] - 1] = 1.0
    return fraction


def markov_credits(paths: TransformedPaths, removal_effects, journeys) -> pd.DataFrame:
    """Split each credited journey's close among its path positions in proportion to RE.

    `removal_effects`: a `MarkovFit` or a table `channel, removal_effect` (channels missing from
    it count as RE 0). `journeys`: which journeys to credit (see `credit_journeys`: a table with
    `journey_id` and optional `converted`, or a list of ids). A channel on two positions counts
    twice; a path whose REs are all 0 gives 100% to its last position. Each position's fraction is
    divided evenly among the touches it stands for.

    Returns one row per original touch of the credited journeys: `journey_id, position, channel,
    path_position, fraction` (fraction 0 for touches standing for nothing).
    """
    codes = credit_journeys(paths, journeys)
    fraction = markov_slot_fractions(paths, _re_by_code(paths, removal_effects), codes)
    return spread_to_touches(paths, fraction, codes)
