"""Campaigns (planned, active, completed) and their members: responses behind touches, invitations,
late responses and removals."""

from __future__ import annotations

import numpy as np

from .. import fmt, lazy
from .. import vocab as V
from ..fmt import DAY, HOUR, NA
from ..world import campaign_at
from .common import MEMBER, Crm, crm_ids, finish


def campaign_versions(crm: Crm) -> None:
    """Each campaign three times: planned, in progress, completed (with its actual cost)."""
    campaigns = crm.w.campaigns
    plan, r = crm.plan, crm.r
    campaign_ids = crm.ids["campaign"]
    n_cp = len(campaigns["type"])
    vc = np.concatenate([np.arange(n_cp)] * 3)
    vstate = np.repeat(np.arange(3), n_cp)
    vts = np.concatenate([campaigns["created"], campaigns["start"] + 8 * HOUR, campaigns["completed"]])
    ctype = campaigns["type"][vc]
    month_text = fmt.months(fmt.month_index(campaigns["start"]))
    cname = fmt.concat(
        month_text,
        " ",
        fmt.take(V.CAMPAIGN_TYPE_NAMES, campaigns["type"]),
        ": ",
        fmt.take(V.CAMPAIGN_TOPICS, campaigns["topic"]),
    )
    cols = {
        "id": lazy.at(campaign_ids, vc),
        "name": lazy.at(cname, vc),
        "type": lazy.codes(V.CAMPAIGN_TYPE_NAMES, ctype),
        "status": lazy.codes(V.CAMPAIGN_STATUSES, vstate),
        "start_date": lazy.rows(fmt.dates, campaigns["start"][vc]),
        "end_date": lazy.rows(fmt.dates, campaigns["end"][vc]),
        "budgeted_cost": lazy.rows(fmt.numbers, campaigns["budget"][vc]),
        "actual_cost": fmt.numbers(campaigns["actual"][vc], missing=vstate < 2),
        "currency_iso_code": lazy.codes(V.CURRENCIES, campaigns["currency"][vc]),
    }
    crm.sources["campaign"] = finish(plan, "campaign", r, cols, vts, vc, np.zeros(len(vc), bool), {})


def campaign_members(crm: Crm) -> None:
    """Campaign members: the lead before conversion, the contact after."""
    people, T = crm.w.people, crm.w.touches
    campaigns = crm.w.campaigns
    plan, r = crm.plan, crm.r
    active, crm_created = crm.active, crm.crm_created
    campaign_ids, lead_ids, contact_ids = crm.ids["campaign"], crm.ids["lead"], crm.ids["contact"]
    ri = np.flatnonzero((T["category"] == "response") & active[np.maximum(T["person"], 0)])
    rp, rt = T["person"][ri], T["time"][ri]
    n_resp = len(ri)
    rm = plan.rng("campaign-members")
    live = np.flatnonzero(active & (people["kind"] < 2) & (crm_created < plan.t_end))
    n_inv = max(5, 2 * n_resp)
    ip = live[rm.integers(0, len(live), n_inv)]
    stop = np.minimum(people["stop"][ip], plan.t_end)
    it = crm_created[ip] + (rm.random(n_inv) * np.maximum(stop - crm_created[ip], HOUR)).astype(np.int64)
    inv_type = np.array([V.CAMPAIGN_TYPE_NAMES.index(t) for t in ("Email", "Webinar", "Event")])[
        rm.integers(0, 3, n_inv)
    ]
    inv_campaign = campaign_at(campaigns, inv_type, it)
    later = (people["kind"][ip] == 1) & (rm.random(n_inv) < 0.25)
    gone = (people["kind"][ip] == 1) & ~later & (rm.random(n_inv) < 0.03)
    t_later = it + rm.integers(DAY, 10 * DAY, n_inv)
    t_gone_m = it + rm.integers(DAY, 20 * DAY, n_inv)
    # rows: responses, invites, late responses, removals
    m_person = np.concatenate([rp, ip, ip[later], ip[gone]])
    m_eid = np.concatenate(
        [
            np.arange(n_resp),
            n_resp + np.arange(n_inv),
            n_resp + np.flatnonzero(later),
            n_resp + np.flatnonzero(gone),
        ]
    )
    m_ts = np.concatenate([rt, it, t_later[later], t_gone_m[gone]])
    m_created = np.concatenate([rt, it, it[later], it[gone]])
    m_campaign = np.concatenate([T["campaign"][ri], inv_campaign, inv_campaign[later], inv_campaign[gone]])
    responded = np.concatenate(
        [np.ones(n_resp, bool), np.zeros(n_inv, bool), np.ones(later.sum(), bool), np.zeros(gone.sum(), bool)]
    )
    m_deleted = np.concatenate([np.zeros(n_resp + n_inv + later.sum(), bool), np.ones(gone.sum(), bool)])
    resp_time = np.concatenate([rt, np.full(n_inv, NA), t_later[later], np.full(gone.sum(), NA)])
    m_lead, m_contact = crm.who(m_person, m_created)
    resp_status = np.array([c[4] for c in V.CAMPAIGN_TYPES], dtype=object)[campaigns["type"][m_campaign]]
    resp_status[n_resp + n_inv : n_resp + n_inv + later.sum()] = "Responded"
    not_resp = np.array(V.NOT_RESPONDED_STATUSES, dtype=object)[rm.integers(0, 3, len(m_person))]
    m_status = np.where(responded, resp_status, not_resp)
    member_ids = crm_ids("campaign_member", np.arange(n_resp + n_inv))
    cols = {
        "id": lazy.at(member_ids, m_eid),
        "campaign_id": lazy.at(campaign_ids, m_campaign),
        "lead_id": lazy.at(lead_ids, m_lead),
        "contact_id": lazy.at(contact_ids, m_contact),
        "status": lazy.rows(fmt.strings, m_status),
        "has_responded": lazy.codes(fmt.BOOL_SPELLINGS, fmt.boolean_codes(responded, r, 0.01)),
        "first_responded_date": lazy.rows(fmt.dates, resp_time),
    }
    crm.sources["campaign_member"] = finish(
        plan, "campaign_member", r, cols, m_ts, m_eid, m_deleted, {"created_date": m_created}
    )
    crm.touch_ref_obj[T["uid"][ri]] = MEMBER
    crm.touch_ref_idx[T["uid"][ri]] = np.arange(n_resp)

    crm.ids["campaign_member"] = member_ids
