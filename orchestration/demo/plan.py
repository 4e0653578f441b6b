"""Parameters and timeline of one demo run, plus small vectorised array helpers."""

from __future__ import annotations

import zlib
from dataclasses import dataclass, field
from datetime import date, timedelta

import numpy as np

from .fmt import DAY, HOUR

DEFAULT_LAST_DATE = date(2026, 11, 26)
EPOCH = date(1970, 1, 1)


def epoch_seconds(day: date) -> int:
    return (day - EPOCH).days * DAY


@dataclass
class Plan:
    seed: int
    scale: float
    days: int
    history_days: int
    first_date: date
    regime: str
    dirty_rate: float
    community_strength: float
    extract_dates: list[date] = field(init=False)
    cutoffs: np.ndarray = field(init=False)  # end (exclusive, UTC) of each extract date
    t_start: int = field(init=False)  # start of the history (UTC)
    t_end: int = field(init=False)  # end of the last extract date
    span_days: int = field(init=False)

    def __post_init__(self) -> None:
        self.extract_dates = [self.first_date + timedelta(days=k) for k in range(self.days)]
        self.cutoffs = np.array([epoch_seconds(d) + DAY for d in self.extract_dates], dtype=np.int64)
        self.t_start = epoch_seconds(self.first_date) - self.history_days * DAY
        self.t_end = int(self.cutoffs[-1])
        self.span_days = self.history_days + self.days

    def rng(self, name: str) -> np.random.Generator:
        """An independent, named random stream: adding a stream never shifts another one."""
        return np.random.default_rng([self.seed, zlib.crc32(name.encode())])

    def count(self, per_year: float, minimum: int = 1) -> int:
        """A per-year count at scale 1, scaled and stretched over the simulated span."""
        return max(minimum, round(per_year * self.scale * self.span_days / 365))

    def night_of(self, t: np.ndarray) -> np.ndarray:
        """Index of the extract a change at time t first appears in (0 = the snapshot), or days."""
        return np.searchsorted(self.cutoffs, np.asarray(t, dtype=np.int64), side="right")


# --- array helpers ---------------------------------------------------------------------------------


def group_starts(groups: np.ndarray) -> np.ndarray:
    """For sorted group labels: True where a new group starts."""
    g = np.asarray(groups)
    start = np.ones(len(g), dtype=bool)
    if len(g) > 1:
        start[1:] = g[1:] != g[:-1]
    return start


def group_rank(groups: np.ndarray) -> np.ndarray:
    """0-based position of each row within its group (groups sorted)."""
    n = len(groups)
    idx = np.arange(n)
    first = np.maximum.accumulate(np.where(group_starts(groups), idx, 0)) if n else idx
    return idx - first


def group_cummax(groups: np.ndarray, values: np.ndarray) -> np.ndarray:
    """Running maximum within each group (groups sorted, dense non-negative labels ascending)."""
    if not len(values):
        return values.copy()
    dense = np.cumsum(group_starts(groups)) - 1
    big = np.int64(1) << np.int64(41)
    shifted = values.astype(np.int64) + dense.astype(np.int64) * big
    return np.maximum.accumulate(shifted) - dense.astype(np.int64) * big


def repeat_index(counts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(owner index, position within owner) for counts per owner."""
    counts = np.asarray(counts, dtype=np.int64)
    owner = np.repeat(np.arange(len(counts)), counts)
    starts = np.cumsum(counts) - counts
    return owner, np.arange(len(owner)) - np.repeat(starts, counts)


def weighted_choice(rng: np.random.Generator, weights, size: int) -> np.ndarray:
    w = np.asarray(weights, dtype=np.float64)
    total = w.sum()
    if size == 0:
        return np.zeros(0, dtype=np.int64)
    if total <= 0:
        raise ValueError("all weights are zero")
    return rng.choice(len(w), size=size, p=w / total)


def business_time(rng: np.random.Generator, t: np.ndarray, lo, hi, center: float = 15.0, spread: float = 3.0):
    """Move each time to a working hour (UTC, centred on European afternoon / US morning) of its
    own day; where that leaves [lo, hi], keep the original time (clipped into [lo, hi])."""
    t = np.asarray(t, dtype=np.int64)
    day = np.floor_divide(t, DAY) * DAY
    hour = np.mod(rng.normal(center, spread, len(t)), 24.0)
    moved = day + (hour * HOUR).astype(np.int64)
    inside = (moved >= lo) & (moved <= hi)
    return np.where(inside, moved, np.clip(t, lo, hi)).astype(np.int64)


def unique_suffix(values: list[str] | np.ndarray) -> np.ndarray:
    """Append 2, 3, ... to repeated strings so that every value is unique (first keeps its text)."""
    import pandas as pd

    s = pd.Series(np.asarray(values, dtype=object))
    dup = s.groupby(s, sort=False).cumcount().to_numpy()
    out = s.to_numpy(dtype=object).copy()
    mask = dup > 0
    if mask.any():
        out[mask] = (pd.Series(out[mask]) + pd.Series(dup[mask] + 1).astype(str)).to_numpy(dtype=object)
    return out
