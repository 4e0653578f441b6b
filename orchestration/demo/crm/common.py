"""What every CRM object shares: Salesforce-style ids, timestamp styles, the row-version finish
(system_modstamp, is_deleted, the nights), and `Crm`, the state the objects are built in, in order."""

from __future__ import annotations

import zlib
from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa

from .. import fmt, lazy
from ..fmt import HOUR, NA
from ..nights import Source, delta_nights, source
from ..plan import Plan, weighted_choice
from ..world import World

PREFIX = {
    "account": "001",
    "contact": "003",
    "lead": "00Q",
    "opportunity": "006",
    "campaign": "701",
    "campaign_member": "00v",
    "task": "00T",
    "event": "00U",
    "user": "005",
    "opportunity_contact_role": "00K",
    "opportunity_history": "008",
}
FRESH = 10**10  # numbers from base + FRESH on are never used by a real record (dirty rows, orphans)
TS_STYLE_WEIGHTS = (0.80, 0.08, 0.05, 0.05, 0.01, 0.01)


def id_base(prefix: str) -> int:
    return 62**5 * (2 + zlib.crc32(prefix.encode()) % 30)


def crm_ids(name: str, idx: np.ndarray) -> pa.Array:
    prefix = PREFIX[name]
    return fmt.sf_ids(prefix, id_base(prefix) + np.asarray(idx, dtype=np.int64))


def fresh_ids(prefix: str, counter: np.ndarray) -> pa.Array:
    """Well-formed ids that no real record has (for dirty copies and orphan references)."""
    return fmt.sf_ids(prefix, id_base(prefix) + FRESH + np.asarray(counter, dtype=np.int64))


def ref(ids: pa.Array, idx: np.ndarray) -> pa.Array:
    """ids[idx], null where idx < 0."""
    idx = np.asarray(idx, dtype=np.int64)
    return ids.take(pa.array(idx, mask=idx < 0))


def styles(r: np.random.Generator, n: int) -> np.ndarray:
    return weighted_choice(r, TS_STYLE_WEIGHTS, n)


def finish(
    plan: Plan,
    name: str,
    r: np.random.Generator,
    cols: dict,
    ts: np.ndarray,
    eid: np.ndarray,
    deleted: np.ndarray,
    ts_cols: dict[str, np.ndarray],
    odd_bools: float = 0.01,
) -> Source:
    """Add timestamps (row style), system_modstamp and is_deleted; select the nights."""
    row_styles = styles(r, len(ts)).astype(np.int8)
    for col, values in ts_cols.items():
        cols[col] = lazy.rows(fmt.timestamps, values, row_styles)
    cols["system_modstamp"] = lazy.rows(fmt.timestamps, ts, row_styles)
    cols["is_deleted"] = lazy.codes(fmt.BOOL_SPELLINGS, fmt.boolean_codes(deleted, r, odd_bools))
    return source("crm", name, cols, delta_nights(plan, ts, eid))


def forced_times(plan: Plan, r: np.random.Generator) -> np.ndarray:
    """One time inside each later extract date (for changes every delta night must carry)."""
    if plan.days < 2:
        return np.zeros(0, dtype=np.int64)
    return plan.cutoffs[:-1] + r.integers(HOUR, 22 * HOUR, plan.days - 1)


# touch_ref_obj codes: the id table of the CRM row behind a touch
MEMBER, TASK, EVENT = 0, 1, 2


@dataclass
class Crm:
    """The CRM while it is built: objects are added in a fixed order because they share the one
    random stream `r` (the order is what keeps a seed's bytes)."""

    plan: Plan
    w: World
    outcome: dict
    form_time: np.ndarray  # touch uid -> time of its form submit / signup (NA)
    r: np.random.Generator = field(init=False)
    sources: dict[str, Source] = field(default_factory=dict)
    ids: dict[str, pa.Array] = field(default_factory=dict)
    stats: dict = field(default_factory=dict)
    touch_ref_obj: np.ndarray = field(init=False)  # touch uid -> MEMBER / TASK / EVENT (or -1)
    touch_ref_idx: np.ndarray = field(init=False)  # touch uid -> row in that id table
    forced: np.ndarray = field(init=False)  # times every later night must carry a change at
    # per person, set by people.identities
    lead_source: np.ndarray = field(init=False)
    crm_created: np.ndarray = field(init=False)
    active: np.ndarray = field(init=False)
    is_lead: np.ndarray = field(init=False)
    has_contact: np.ndarray = field(init=False)
    lead_of: np.ndarray = field(init=False)
    contact_of: np.ndarray = field(init=False)
    contact_created: np.ndarray = field(init=False)
    person_text: dict[str, pa.Array] = field(default_factory=dict)  # email, first/last name (CRM)
    self_reported: dict = field(default_factory=dict)  # per person: written / true answer (answers.py)

    def __post_init__(self) -> None:
        self.r = self.plan.rng("crm")
        n_t = len(self.w.touches["time"])
        self.touch_ref_obj = np.full(n_t, -1, dtype=np.int64)
        self.touch_ref_idx = np.full(n_t, -1, dtype=np.int64)

    def who(self, person: np.ndarray, t: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(lead index or -1, contact index or -1): the lead before conversion, then the contact."""
        conv = self.w.people["t_conv"]
        lead_of, contact_of = self.lead_of, self.contact_of
        as_lead = (lead_of[person] >= 0) & ((conv[person] == NA) | (t < conv[person]))
        return np.where(as_lead, lead_of[person], -1), np.where(as_lead, -1, contact_of[person])
