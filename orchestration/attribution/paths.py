"""Paths and path transforms (docs/models.md, "Paths and transforms"), vectorised over all journeys at once.

A journey's *path* is its ordered touch channels. A transform turns it into a shorter (or equal)
list of *path positions*; each original touch stands for at most one path position, and "a path
position's credit is divided evenly among the touches it stands for". Which touches a position
stands for (docs/decisions.md, "Attribution engine"):

| transform | path | touches a position stands for |
|---|---|---|
| `unique` | as is | itself |
| `exposure` | consecutive repeats collapsed | the run of repeats it collapsed |
| `first` | each channel's first occurrence | every occurrence of that channel |
| `frequency` | as `first`; the count is reported | every occurrence of that channel (= the count) |
| `remove_if_not_all(list)` | listed channels dropped, unless nothing else is left (then as is) | itself; a dropped touch stands for nothing (0) |
| `trim_long_path(n)` | the last n touches | itself; an earlier touch stands for nothing (0) |

Internally a path position is a *slot*: slots of journey j are `offsets[j]:offsets[j + 1]`, in
path order. Nothing here loops over journeys: every step is a numpy operation over all touches,
and the only Python loops run over path *depth* (the longest path's length), never over rows.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from orchestration.attribution._table import as_frame, factorize, int_array

TRANSFORMS = ("unique", "exposure", "first", "frequency", "remove_if_not_all", "trim_long_path")
DEFAULT_TRANSFORM = "exposure"


def parse_transform(transform: Any, params: Any = None) -> tuple[str, tuple]:
    """Normalise a transform spec to `(name, params)`.

    Accepted: `"exposure"`; `"trim_long_path(5)"`; `"remove_if_not_all(direct, unclassified)"`;
    `("trim_long_path", 5)`; `{"name": "remove_if_not_all", "params": ["direct"]}`; or a name with
    `params` given separately (an int for trim_long_path, a channel or a list of channels for
    remove_if_not_all). Returned params: `()` for the plain transforms, `(n,)` for trim_long_path,
    the tuple of channels for remove_if_not_all.
    """
    if isinstance(transform, dict):
        transform, params = transform.get("name"), transform.get("params", params)
    elif isinstance(transform, list | tuple):
        transform, params = transform[0], (transform[1] if len(transform) == 2 else list(transform[1:]))
    if not isinstance(transform, str):
        raise ValueError(f"path transform must be a name, got {transform!r}")
    name = transform.strip()
    match = re.fullmatch(r"([a-z_]+)\s*\((.*)\)", name, flags=re.DOTALL)
    if match:
        if params is not None:
            raise ValueError(f"path transform {transform!r}: params given twice")
        name = match.group(1)
        inner = [p.strip().strip("'\"") for p in match.group(2).split(",")]
        params = [p for p in inner if p]
    if name not in TRANSFORMS:
        raise ValueError(f"unknown path transform {name!r}; expected one of {', '.join(TRANSFORMS)}")
    if name == "trim_long_path":
        if isinstance(params, list | tuple):
            if len(params) != 1:
                raise ValueError("trim_long_path takes exactly one parameter, n")
            params = params[0]
        whole = isinstance(params, int | np.integer) and not isinstance(params, bool)
        n = int(params) if whole or (isinstance(params, str) and params.strip().isdigit()) else 0
        if n < 1:
            raise ValueError(f"trim_long_path(n) needs an integer n >= 1, got {params!r}")
        return name, (n,)
    if name == "remove_if_not_all":
        if params is None or (isinstance(params, list | tuple) and not params):
            raise ValueError("remove_if_not_all needs a list of channels")
        channels = (params,) if isinstance(params, str) else tuple(str(p) for p in params)
        return name, channels
    if params not in (None, (), []):
        raise ValueError(f"path transform {name!r} takes no parameters, got {params!r}")
    return name, ()


@dataclass(eq=False)
class _Trie:
    """Every distinct path prefix is a node (root 0 = the empty path); a path is its end node.

    Exact (no hashing of whole paths): node ids come from factorising (parent node, channel)
    pairs level by level, so two slots share a node iff their prefixes are equal.
    """

    n_channels: int
    slot_node: np.ndarray  # node of the prefix ending at each slot
    end_node: np.ndarray  # per journey (0 for an empty path)
    n_nodes: int
    child_keys: pd.Index  # parent * n_channels + channel of nodes 1..n_nodes-1 (position p -> node p + 1)

    def child(self, parent: np.ndarray, channel: np.ndarray) -> np.ndarray:
        """The node one step below `parent` along `channel`, or -1 when no path has that prefix."""
        found = self.child_keys.get_indexer(parent * self.n_channels + channel)
        return np.where(found >= 0, found + 1, -1)


def _build_trie(offsets: np.ndarray, slot_channel: np.ndarray, n_channels: int) -> _Trie:
    lengths = np.diff(offsets)
    n_paths = lengths.size
    k = max(n_channels, 1)
    order = np.argsort(-lengths, kind="stable")  # longest first: depth d is active for a prefix
    neg_sorted = -lengths[order]
    slot_node = np.zeros(slot_channel.size, dtype=np.int64)
    keys = []
    next_id = 1
    prev = np.zeros(n_paths, dtype=np.int64)
    max_len = int(lengths.max()) if n_paths else 0
    for depth in range(max_len):
        active = int(np.searchsorted(neg_sorted, -depth, side="left"))  # paths longer than depth
        slots = offsets[order[:active]] + depth
        pair = prev[:active] * k + slot_channel[slots]
        local, uniques = pd.factorize(pair)
        ids = local.astype(np.int64) + next_id
        slot_node[slots] = ids
        keys.append(np.asarray(uniques, dtype=np.int64))
        next_id += len(uniques)
        prev = ids
    end_node = np.zeros(n_paths, dtype=np.int64)
    nonempty = lengths > 0
    end_node[nonempty] = slot_node[offsets[1:][nonempty] - 1]
    child_keys = pd.Index(np.concatenate(keys) if keys else np.zeros(0, dtype=np.int64))
    return _Trie(k, slot_node, end_node, next_id, child_keys)


@dataclass(eq=False)
class TransformedPaths:
    """Transformed paths of many journeys, and which original touches each position stands for.

    Arrays (numpy, int64) are the engine's working form; `touch_map()` and `path_positions()`
    give the same as tables.

    - `journey_ids[j]`: the journey of code j (order of first appearance in the input);
    - `channels[c]`: the channel of code c (sorted by name);
    - `touch_*`: one entry per original touch, sorted by (journey code, position);
      `touch_slot` is the slot the touch stands for, -1 when it stands for nothing;
    - `offsets`: slots of journey j are `offsets[j]:offsets[j + 1]` in path order;
      `slot_channel`, `slot_touches` (how many touches a slot stands for; `frequency`'s count).
    """

    transform: str
    params: tuple
    journey_ids: pd.Index
    channels: pd.Index
    touch_journey: np.ndarray
    touch_position: np.ndarray
    touch_channel: np.ndarray
    touch_slot: np.ndarray
    offsets: np.ndarray
    slot_channel: np.ndarray
    slot_touches: np.ndarray
    _trie: _Trie | None = field(default=None, repr=False)
    _slot_journey: np.ndarray | None = field(default=None, repr=False)

    @property
    def n_journeys(self) -> int:
        return len(self.journey_ids)

    @property
    def lengths(self) -> np.ndarray:
        """Number of path positions per journey."""
        return np.diff(self.offsets)

    @property
    def slot_journey(self) -> np.ndarray:
        """Journey code of each slot."""
        if self._slot_journey is None:
            self._slot_journey = np.repeat(np.arange(self.n_journeys, dtype=np.int64), self.lengths)
        return self._slot_journey

    @property
    def slot_position(self) -> np.ndarray:
        """1-based path position of each slot."""
        return np.arange(self.slot_channel.size, dtype=np.int64) - self.offsets[self.slot_journey] + 1

    def trie(self) -> _Trie:
        if self._trie is None:
            self._trie = _build_trie(self.offsets, self.slot_channel, len(self.channels))
        return self._trie

    def journey_codes(self, journey_ids) -> np.ndarray:
        """Codes of the given journey ids; -1 for a journey with no touch here."""
        return np.asarray(self.journey_ids.get_indexer(pd.Index(journey_ids)), dtype=np.int64)

    def touch_map(self) -> pd.DataFrame:
        """One row per original touch: `journey_id, position, channel, path_position, share`.

        `path_position` (1-based, nullable) is the position the touch stands for, NA when none;
        `share` is the part of that position's credit the touch gets (1 / touches it stands for).
        """
        slot = self.touch_slot
        has = slot >= 0
        path_position = np.zeros(slot.size, dtype=np.int64)
        path_position[has] = slot[has] - self.offsets[self.touch_journey[has]] + 1
        share = np.zeros(slot.size)
        share[has] = 1.0 / self.slot_touches[slot[has]]
        return pd.DataFrame(
            {
                "journey_id": self.journey_ids.take(self.touch_journey),
                "position": self.touch_position,
                "channel": self.channels.take(self.touch_channel),
                "path_position": pd.arrays.IntegerArray(path_position, ~has),
                "share": share,
            }
        )

    def path_positions(self) -> pd.DataFrame:
        """One row per path position: `journey_id, path_position, channel, touch_count`."""
        return pd.DataFrame(
            {
                "journey_id": self.journey_ids.take(self.slot_journey),
                "path_position": self.slot_position,
                "channel": self.channels.take(self.slot_channel),
                "touch_count": self.slot_touches,
            }
        )

    def path_strings(self, separator: str = " > ") -> np.ndarray:
        """Each journey's transformed path as one string (diagnostics, ChannelAttribution input)."""
        import pyarrow as pa
        import pyarrow.compute as pc

        names = pa.array(np.asarray(self.channels, dtype=object).astype(str))
        values = names.take(pa.array(self.slot_channel)) if len(names) else pa.array([], pa.string())
        lists = pa.ListArray.from_arrays(pa.array(self.offsets.astype(np.int32)), values)
        return np.asarray(pc.binary_join(lists, separator).to_numpy(zero_copy_only=False), dtype=object)


def _normalised_touches(touches) -> tuple[pd.Index, pd.Index, np.ndarray, np.ndarray, np.ndarray]:
    frame = as_frame(touches, ("journey_id", "position", "channel"), "touches")
    journey, journey_ids = factorize(frame["journey_id"], "touches.journey_id", sort=False)
    channel, channels = factorize(frame["channel"], "touches.channel", sort=True)
    position = int_array(frame["position"], "touches.position")
    n = journey.size
    if n > 1:
        same = journey[1:] == journey[:-1]
        in_order = bool(np.all(journey[1:] >= journey[:-1])) and bool(
            np.all(position[1:][same] > position[:-1][same])
        )
    else:
        in_order = True
    if not in_order:
        order = np.lexsort((position, journey))
        journey, position, channel = journey[order], position[order], channel[order]
    counts = np.bincount(journey, minlength=len(journey_ids))
    starts = np.concatenate(([0], np.cumsum(counts)[:-1]))
    expected = np.arange(n, dtype=np.int64) - starts[journey] + 1
    if not np.array_equal(position, expected):
        bad = int(np.flatnonzero(position != expected)[0])
        raise ValueError(
            "touches.position must run 1..n within each journey without gaps or repeats "
            f"(journey {journey_ids[journey[bad]]!r}, position {position[bad]})"
        )
    return journey_ids, channels, journey, position, channel


def transform_paths(touches, transform: Any = DEFAULT_TRANSFORM, params: Any = None) -> TransformedPaths:
    """Apply a path transform to every journey of `touches` (`journey_id, position, channel`).

    `transform` / `params`: see `parse_transform`. Positions must run 1..n within each journey
    (any row order). Returns the transformed paths and the touch -> path position mapping.
    """
    name, params = parse_transform(transform, params)
    journey_ids, channels, journey, position, channel = _normalised_touches(touches)
    n = journey.size
    n_journeys = len(journey_ids)
    first_in_journey = np.ones(n, dtype=bool)
    if n > 1:
        first_in_journey[1:] = journey[1:] != journey[:-1]

    if name == "unique":
        keep = np.ones(n, dtype=bool)
        slot = np.arange(n, dtype=np.int64)
    elif name == "exposure":
        keep = first_in_journey.copy()
        if n > 1:
            keep[1:] |= channel[1:] != channel[:-1]
        slot = np.cumsum(keep, dtype=np.int64) - 1
    elif name in ("first", "frequency"):
        # (journey, channel) pairs factorised in touch order: the codes number the first
        # occurrences 0, 1, 2, ... in order, which is exactly the index of the kept slot.
        slot, _ = pd.factorize(journey * max(len(channels), 1) + channel)
        slot = slot.astype(np.int64)
        keep = np.ones(n, dtype=bool)
        if n > 1:
            running = np.maximum.accumulate(slot)
            keep[1:] = running[1:] > running[:-1]
    else:
        if name == "remove_if_not_all":
            listed = channels.get_indexer(pd.Index(list(params)))
            removed = np.isin(channel, listed[listed >= 0])
            others = np.bincount(journey, weights=~removed, minlength=n_journeys)
            keep = ~removed | (others[journey] == 0)
        else:  # trim_long_path
            lengths = np.bincount(journey, minlength=n_journeys)
            keep = position > lengths[journey] - params[0]
        slot = np.where(keep, np.cumsum(keep, dtype=np.int64) - 1, -1)

    kept = np.flatnonzero(keep)
    slot_channel = channel[kept]
    offsets = np.zeros(n_journeys + 1, dtype=np.int64)
    np.cumsum(np.bincount(journey[kept], minlength=n_journeys), out=offsets[1:])
    slot_touches = np.bincount(slot[slot >= 0], minlength=kept.size).astype(np.int64)
    return TransformedPaths(
        transform=name,
        params=params,
        journey_ids=journey_ids,
        channels=channels,
        touch_journey=journey,
        touch_position=position,
        touch_channel=channel,
        touch_slot=slot,
        offsets=offsets,
        slot_channel=slot_channel,
        slot_touches=slot_touches,
    )


def spread_to_touches(
    paths: TransformedPaths, slot_fraction: np.ndarray, journeys: np.ndarray
) -> pd.DataFrame:
    """Credits per original touch of `journeys` (codes) from fractions per slot.

    A touch gets its slot's fraction divided by the number of touches the slot stands for; a
    touch standing for nothing gets 0. Rows: `journey_id, position, channel, path_position,
    fraction`, sorted by journey code then position.
    """
    selected = np.zeros(paths.n_journeys, dtype=bool)
    selected[journeys] = True
    rows = np.flatnonzero(selected[paths.touch_journey])
    slot = paths.touch_slot[rows]
    journey = paths.touch_journey[rows]
    has = slot >= 0
    fraction = np.zeros(rows.size)
    fraction[has] = slot_fraction[slot[has]] / paths.slot_touches[slot[has]]
    path_position = np.zeros(rows.size, dtype=np.int64)
    path_position[has] = slot[has] - paths.offsets[journey[has]] + 1
    return pd.DataFrame(
        {
            "journey_id": paths.journey_ids.take(journey),
            "position": paths.touch_position[rows],
            "channel": paths.channels.take(paths.touch_channel[rows]),
            "path_position": pd.arrays.IntegerArray(path_position, ~has),
            "fraction": fraction,
        },
        copy=False,
    )
