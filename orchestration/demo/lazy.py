"""Columns that stay numbers until rows of them are written.

The simulation draws every random number up front (so the streams, and the bytes, do not depend on
how a file is cut into chunks); the text of a large object is formatted only for the rows of the
chunk being written. A column is either a pyarrow array or a `Lazy` column; both answer
`take(col, idx)` (a negative index gives null), the one call the writer and the ground truth use.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
import pyarrow as pa

from . import fmt


class Lazy:
    """n rows whose text `fn(idx)` formats on demand (idx: non-negative int64 row numbers)."""

    __slots__ = ("fn", "n")

    def __init__(self, n: int, fn: Callable[[np.ndarray], pa.Array]) -> None:
        self.n = int(n)
        self.fn = fn

    def __len__(self) -> int:
        return self.n


def take(col: pa.Array | Lazy, idx: np.ndarray) -> pa.Array:
    """col[idx] as a string array; a negative index gives null."""
    idx = np.asarray(idx, dtype=np.int64)
    missing = idx < 0
    if isinstance(col, pa.Array):
        return col.take(pa.array(idx, mask=missing))
    if not missing.any():
        return col.fn(idx)
    if missing.all():
        return fmt.nulls(len(idx))
    present = col.fn(idx[~missing])
    pos = np.full(len(idx), -1, dtype=np.int64)
    pos[~missing] = np.arange(len(present))
    return present.take(pa.array(pos, mask=missing))


def at(col: pa.Array | Lazy, codes: np.ndarray) -> Lazy:
    """Row i is col[codes[i]] (null where codes[i] < 0): a lookup kept as codes, not as text."""
    codes = np.asarray(codes)
    return Lazy(len(codes), lambda idx: take(col, codes[idx]))


def chain(parts: Sequence[pa.Array | Lazy]) -> Lazy:
    """The rows of several columns one after the other."""
    sizes = np.array([len(p) for p in parts], dtype=np.int64)
    starts = np.concatenate([[0], np.cumsum(sizes)])

    def fn(idx: np.ndarray) -> pa.Array:
        part = np.searchsorted(starts, idx, side="right") - 1
        order = np.argsort(part, kind="stable")
        pieces = []
        for p in np.unique(part):
            sel = order[part[order] == p]
            pieces.append(take(parts[p], idx[sel] - starts[p]).cast(pa.string()))
        inverse = np.empty(len(idx), dtype=np.int64)
        inverse[order] = np.arange(len(idx))
        return pa.concat_arrays(pieces).take(pa.array(inverse)) if pieces else fmt.nulls(0)

    return Lazy(int(starts[-1]), fn)


def codes(table: Sequence[str | None], values: np.ndarray) -> Lazy:
    """fmt.take(table, values), formatted on demand."""
    dictionary = fmt.strings(table)
    values = np.asarray(values)
    return Lazy(len(values), lambda idx: fmt.take(dictionary, values[idx]))


def rows(fn: Callable[..., pa.Array], *arrays: np.ndarray, **kwargs) -> Lazy:
    """fn(*arrays, **kwargs) for an elementwise formatter (fmt.timestamps, fmt.dates, ...),
    applied to the rows asked for; arrays (numpy, same length) stay as they are until then."""
    arrays = tuple(np.asarray(a) if a is not None else None for a in arrays)
    n = len(arrays[0])
    return Lazy(n, lambda idx: fn(*(a if a is None else a[idx] for a in arrays), **kwargs))
