"""From all rows an object ever has to the rows of each nightly extract file.

A `Source` holds every row version of one contract object (its contract columns as text) and, per
extract night, the row indices of that night's file in file order. The selection follows the
contract's semantics: delta/upsert (rows changed since the previous night, latest version per key;
the first night is a full snapshot), snapshot (the full current list), append (the day's rows).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from orchestration.core.contract import ContractObject, get_object

from . import lazy
from .plan import Plan


@dataclass
class Source:
    obj: ContractObject
    columns: dict[str, pa.Array | lazy.Lazy]
    nights: list[np.ndarray]

    def __post_init__(self) -> None:
        expected = self.obj.column_names
        if sorted(self.columns) != sorted(expected):
            missing = sorted(set(expected) - set(self.columns))
            extra = sorted(set(self.columns) - set(expected))
            raise AssertionError(
                f"{self.obj.qualified_name}: columns differ from the contract: missing {missing}, extra {extra}"
            )
        lengths = {len(a) for a in self.columns.values()}
        if len(lengths) != 1:
            raise AssertionError(f"{self.obj.qualified_name}: columns of different lengths {lengths}")

    @property
    def n_rows(self) -> int:
        return len(next(iter(self.columns.values())))

    def take(self, rows: np.ndarray) -> pa.Table:
        """These row versions with exactly the contract columns, in contract order, as text."""
        names = self.obj.column_names
        return pa.Table.from_arrays([lazy.take(self.columns[c], rows) for c in names], names=names)

    def table(self, night: int) -> pa.Table:
        """The night's whole file (small objects; the writer streams large ones chunk by chunk)."""
        return self.take(self.nights[night])


def source(
    system: str, name: str, columns: dict[str, pa.Array | lazy.Lazy], nights: list[np.ndarray]
) -> Source:
    return Source(get_object(system, name), columns, nights)


def delta_nights(
    plan: Plan, ts: np.ndarray, eid: np.ndarray, gone: np.ndarray | None = None, snapshot: bool = False
) -> list[np.ndarray]:
    """Per night: the latest version of each key changed in the night (all history on night 0).

    snapshot=True: every key's latest version so far, every night (minus keys whose latest
    version is `gone`). Rows come out ordered by version time, then key.
    """
    ts = np.asarray(ts, dtype=np.int64)
    eid = np.asarray(eid, dtype=np.int64)
    seq = np.arange(len(ts))
    order = np.lexsort((seq, ts, eid))
    out = []
    for k in range(plan.days):
        lo = np.iinfo(np.int64).min if (k == 0 or snapshot) else plan.cutoffs[k - 1]
        hi = plan.cutoffs[k]
        sel = order[(ts[order] >= lo) & (ts[order] < hi)]
        e = eid[sel]
        last = np.ones(len(sel), dtype=bool)
        if len(sel) > 1:
            last[:-1] = e[1:] != e[:-1]
        rows = sel[last]
        if gone is not None:
            rows = rows[~gone[rows]]
        rows = rows[np.lexsort((eid[rows], ts[rows]))]
        out.append(rows)
    return out


def append_nights(plan: Plan, night: np.ndarray, order_key: np.ndarray) -> list[np.ndarray]:
    """Rows by the night they arrive in (night >= days: not yet arrived), ordered by order_key."""
    night = np.asarray(night)
    order = np.lexsort((np.arange(len(night)), order_key, night))
    sorted_night = night[order]
    out = []
    for k in range(plan.days):
        lo, hi = np.searchsorted(sorted_night, [k, k + 1])
        out.append(order[lo:hi])
    return out
