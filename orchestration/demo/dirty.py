"""Planted dirty rows: a few rows per file that the warehouse must quarantine (or, for orphan ids,
keep). Which kinds an object can get follows the contract's column types and required flags.

A dirty row is an extra row: a copy of a real row of the same file with one value spoiled, written
right before the row it copies. It gets a fresh key where the object has an id key (so it never
shadows a real record, even if it were not quarantined); restatable cost rows keep their key, and
since the dirty copy comes first and is quarantined first, the real row stands. At most
floor(rows * dirty_rate) dirty rows go into a file, so a file never exceeds the rate.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from orchestration.core.contract import ContractObject

from . import fmt
from .crm import PREFIX, fresh_ids

KINDS = (
    "unparseable_timestamp",
    "unparseable_date",
    "negative_amount",
    "out_of_range",
    "non_numeric_amount",
    "unknown_currency",
    "missing_required",
    "orphan_id",
)
BAD_TIMESTAMPS = (
    "yesterday",
    "2026-13-45T25:61:00Z",
    "0000-00-00T00:00:00",
    "next tuesday",
    "not a timestamp",
)
BAD_DATES = ("yesterday", "2026-13-45", "2026-02-30", "0000-00-00", "TBD")
BAD_MONTHS = ("2026-13", "Nov 2026", "yesterday", "0000-00")
NON_NUMERIC = ("12,5O0", "1.2.3", "abc", "12 500 EUR", "$1,200")
BAD_CURRENCIES = ("XXY", "US$", "EURO", "dollars")
TRUTHY = {"true", "1"}

# orphan references per object: column -> id prefix of a record that exists nowhere (None: blank
# the column, so the orphan row cannot be taken for a real person or touch)
ORPHANS: dict[str, dict[str, str | None]] = {
    "crm.opportunity": {"account_id": "001"},
    "crm.contact": {"account_id": "001", "email": None},
    "crm.opportunity_contact_role": {"opportunity_id": "006", "contact_id": "003"},
    "crm.campaign_member": {"campaign_id": "701", "lead_id": "00Q", "contact_id": None},
    "crm.task": {"what_id": "006", "who_id": "00Q", "account_id": None},
    "crm.event": {"what_id": "006", "who_id": "003", "account_id": None},
    "referral.payout": {"opportunity_id": "006"},
    "referral.referral": {"partner_id": "prt_", "referral_code": "code", "email": None},
    "referral.click": {"referral_code": "code", "anonymous_id": "uuid"},
}
# an orphan opportunity stays open, so it never becomes a credited deal nobody can explain
ORPHAN_OVERRIDES = {
    "crm.opportunity": {
        "stage_name": "Prospecting",
        "probability": "10",
        "is_closed": "false",
        "is_won": "false",
    }
}
HEX_KEY_PREFIX = {
    "referral.click": "clk_",
    "referral.referral": "ref_",
    "referral.payout": "po_",
    "referral.partner": "prt_",
}


@dataclass
class Planted:
    row_number: np.ndarray  # 1-based data row in the written file
    column: list[str]
    kind: list[str]


def kinds_for(obj: ContractObject) -> dict[str, list[str]]:
    """Dirty kinds an object can get, with the columns each applies to."""
    out: dict[str, list[str]] = {k: [] for k in KINDS}
    for c in obj.columns:
        if c.type == "timestamp":
            out["unparseable_timestamp"].append(c.name)
        if c.type in ("date", "month"):
            out["unparseable_date"].append(c.name)
        if c.type == "number":
            out["non_numeric_amount"].append(c.name)
            if c.min is not None and c.min >= 0:
                out["negative_amount"].append(c.name)
            if c.max is not None:
                out["out_of_range"].append(c.name)
        if c.type == "currency":
            out["unknown_currency"].append(c.name)
        if c.required:
            out["missing_required"].append(c.name)
    if obj.qualified_name in ORPHANS:
        out["orphan_id"].append(next(iter(ORPHANS[obj.qualified_name])))
    return {k: v for k, v in out.items() if v}


class Planter:
    def __init__(self, rng: np.random.Generator, rate: float) -> None:
        self.rng = rng
        self.rate = rate
        self.counter = 0

    def _fresh(self, n: int) -> np.ndarray:
        c = np.arange(self.counter, self.counter + n)
        self.counter += n
        return c

    def plant(
        self, obj: ContractObject, n: int, rows: Callable[[np.ndarray], pa.Table]
    ) -> tuple[pa.Table | None, np.ndarray, Planted]:
        """Dirty copies for a file of n rows (`rows(idx)` gives rows of it): the copies, the row
        each copy goes right before, and what was planted (1-based rows of the written file)."""
        k = int(np.floor(n * self.rate))
        available = kinds_for(obj)
        if k == 0 or not available:
            return None, np.zeros(0, dtype=np.int64), Planted(np.zeros(0, dtype=np.int64), [], [])
        r = self.rng
        src = np.sort(r.choice(n, k, replace=False))
        copied = rows(src)
        dirty = {c: np.asarray(copied.column(c).to_pylist(), dtype=object) for c in copied.column_names}
        names = list(available)
        kind = np.array(names, dtype=object)[r.integers(0, len(names), k)]
        column = np.empty(k, dtype=object)
        q = obj.qualified_name
        # a fresh key first (ids only), so that a dirty copy never shadows a real record
        if obj.system != "costs":
            key = obj.key[0]
            fresh = self._fresh(k)
            if obj.system == "crm":
                prefix = PREFIX[obj.name]
                dirty[key] = np.asarray(fresh_ids(prefix, fresh).to_pylist(), dtype=object)
            elif q == "web.event":
                dirty[key] = np.asarray(fmt.uuids(fresh + (1 << 40), 0xD1, r).to_pylist(), dtype=object)
            else:
                dirty[key] = np.asarray(
                    fmt.hex_ids(HEX_KEY_PREFIX[q], fresh + (1 << 40), 0xD1).to_pylist(), dtype=object
                )
        for name in names:
            sel_rows = np.flatnonzero(kind == name)
            if not len(sel_rows):
                continue
            cols = available[name]
            chosen = np.array(cols, dtype=object)[r.integers(0, len(cols), len(sel_rows))]
            if name == "missing_required":
                for c in obj.columns:  # a required_if column, on rows where its condition holds
                    if c.required_if and c.required_if in dirty:
                        cond = np.array(
                            [str(v).strip().lower() in TRUTHY for v in dirty[c.required_if][sel_rows]]
                        )
                        chosen = np.where(cond & (r.random(len(sel_rows)) < 0.5), c.name, chosen)
            column[sel_rows] = chosen
            for col in np.unique(chosen.astype(str)):
                sel = sel_rows[chosen == col]
                dirty[col][sel] = self._value(name, obj, col, dirty, sel)
        orphan_rows = np.flatnonzero(kind == "orphan_id")
        if len(orphan_rows):
            for col, prefix in ORPHANS[q].items():
                if col == column[orphan_rows[0]]:
                    continue
                dirty[col][orphan_rows] = self._orphan(prefix, len(orphan_rows))
            for col, value in ORPHAN_OVERRIDES.get(q, {}).items():
                dirty[col][orphan_rows] = value
        dirty_table = pa.table(
            {c: pa.array(dirty[c].tolist(), type=pa.string()) for c in copied.column_names}
        )
        # copy j sits right before row src[j]: src[j] real rows and j copies precede it
        return (
            dirty_table,
            src,
            Planted(src + np.arange(k) + 1, [str(c) for c in column], [str(x) for x in kind]),
        )

    def _orphan(self, prefix: str | None, n: int) -> np.ndarray:
        if prefix is None:
            return np.full(n, None, dtype=object)
        fresh = self._fresh(n) + (1 << 41)
        if prefix == "uuid":
            return np.asarray(fmt.uuids(fresh, 0x0F, self.rng).to_pylist(), dtype=object)
        if prefix == "code":
            return np.asarray(fmt.hex_ids("ZZ", fresh, 0x0F, 8).to_pylist(), dtype=object)
        if prefix == "prt_":
            return np.asarray(fmt.hex_ids("prt_", fresh, 0x0F).to_pylist(), dtype=object)
        return np.asarray(fresh_ids(prefix, fresh).to_pylist(), dtype=object)

    def _value(self, kind: str, obj: ContractObject, col: str, dirty: dict, rows: np.ndarray) -> np.ndarray:
        r = self.rng
        n = len(rows)
        pick = lambda options: np.array(options, dtype=object)[r.integers(0, len(options), n)]  # noqa: E731
        if kind == "unparseable_timestamp":
            return pick(BAD_TIMESTAMPS)
        if kind == "unparseable_date":
            return pick(BAD_MONTHS if obj.column(col).type == "month" else BAD_DATES)
        if kind == "negative_amount":
            return np.array([f"-{v}" for v in np.round(r.uniform(1, 5000, n), 2)], dtype=object)
        if kind == "out_of_range":
            top = obj.column(col).max or 1.0
            return np.array([str(round(top * f, 2)) for f in r.uniform(1.5, 3.0, n)], dtype=object)
        if kind == "non_numeric_amount":
            return pick(NON_NUMERIC)
        if kind == "unknown_currency":
            return pick(BAD_CURRENCIES)
        if kind == "missing_required":
            return np.full(n, None, dtype=object)
        if kind == "orphan_id":
            return self._orphan(ORPHANS[obj.qualified_name][col], n)
        raise ValueError(kind)


def interleave(chunk: pa.Table, start: int, dirty: pa.Table | None, src: np.ndarray) -> pa.Table:
    """Rows start.. of a file (chunk) with the dirty copies that go before them, in file order."""
    if dirty is None:
        return chunk
    chunk = chunk.cast(dirty.schema)  # a file with copies is all text, every chunk of it
    lo, hi = np.searchsorted(src, [start, start + chunk.num_rows])
    if lo == hi:
        return chunk
    n = chunk.num_rows
    combined = pa.concat_tables([chunk, dirty.slice(lo, hi - lo)])
    keys = np.concatenate([2 * np.arange(n) + 1, 2 * (src[lo:hi] - start)])
    return combined.take(pa.array(np.argsort(keys, kind="stable")))
