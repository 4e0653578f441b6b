"""CRM objects (Salesforce-shaped) as row versions: every create, change and soft delete is a version
with its system_modstamp; nights.delta_nights turns versions into the snapshot and the deltas.

One module per concern, built in this order (they share one random stream, so the order is part of
what keeps a seed's bytes): people.py (who each person is in the CRM, users, accounts),
opportunities.py (deals, their history, contact roles), campaigns.py (campaigns, members),
activities.py (tasks, events); common.py holds ids and what every object shares."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from ..nights import Source
from ..plan import Plan
from ..world import World
from . import activities, answers, campaigns, opportunities, people
from .common import EVENT, MEMBER, PREFIX, TASK, Crm, fresh_ids

__all__ = ["PREFIX", "CrmOut", "build_crm", "fresh_ids"]


@dataclass
class CrmOut:
    sources: dict[str, Source]
    ids: dict[str, pa.Array]
    touch_source_id: pa.Array  # touch uid -> id of the CRM row that carries it (or null)
    stats: dict
    self_reported: dict  # per person: the written and the true "How did you hear about us?" answer


def build_crm(plan: Plan, w: World, outcome: dict, form_time: np.ndarray) -> CrmOut:
    crm = Crm(plan, w, outcome, form_time)
    people.identities(crm)
    answers.answers(crm)  # its own random stream: the shared one is not advanced
    people.user_versions(crm)
    people.account_versions(crm)
    opportunities.opportunity_versions(crm)
    people.lead_versions(crm)
    people.contact_versions(crm)
    opportunities.contact_roles(crm)
    campaigns.campaign_versions(crm)
    campaigns.campaign_members(crm)
    activities.activities(crm)
    touch_source_id = _touch_source_id(crm)
    w.people["lead_of"] = crm.lead_of
    w.people["contact_of"] = crm.contact_of
    keep = ("account", "opportunity", "user", "lead", "contact", "campaign")
    return CrmOut(crm.sources, {k: crm.ids[k] for k in keep}, touch_source_id, crm.stats, crm.self_reported)


def _touch_source_id(crm: Crm) -> pa.Array:
    """The CRM row behind each touch (ground truth): member, task or event; lead or contact."""
    T = crm.w.touches
    n_t = len(T["time"])
    lead_of, contact_of = crm.lead_of, crm.contact_of
    id_tables = [crm.ids[k] for k in ("campaign_member", "task", "event", "lead", "contact")]
    offsets = np.cumsum([0] + [len(t) for t in id_tables])
    gidx = np.full(n_t, -1, dtype=np.int64)
    for code in (MEMBER, TASK, EVENT):
        m = crm.touch_ref_obj == code
        gidx[m] = offsets[code] + crm.touch_ref_idx[m]
    src_k = np.flatnonzero((T["category"] == "source") & (T["person"] >= 0))
    src_person = T["person"][src_k]
    src_is_lead = lead_of[src_person] >= 0
    gidx[T["uid"][src_k]] = np.where(
        src_is_lead, offsets[3] + lead_of[src_person], offsets[4] + contact_of[src_person]
    )
    gidx[T["uid"][src_k][(lead_of[src_person] < 0) & (contact_of[src_person] < 0)]] = -1

    return pa.concat_arrays(id_tables).take(pa.array(gidx, mask=gidx < 0))
