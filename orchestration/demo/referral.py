"""Referral program exports (PartnerStack/Rewardful-shaped): partners (nightly full list), referral
records and payouts (upserts: a row comes again with a new status or paid_at). Clicks are in web.py
because a click and the session it opens share the visitor's device."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from . import fmt
from . import vocab as V
from .fmt import DAY, HOUR, NA
from .nights import Source, delta_nights, source
from .plan import Plan
from .world import World, sample_partners


@dataclass
class ReferralOut:
    sources: dict[str, Source]
    touch_record_id: pa.Array  # touch uid -> referral_id of its record (or null)
    stats: dict


def build_referral(plan: Plan, w: World, outcome: dict, opp_ids: pa.Array) -> ReferralOut:
    r = plan.rng("referral")
    partners, T, people, opps, companies = w.partners, w.touches, w.people, w.opps, w.companies
    n_pt = len(partners["type"])
    n_t = len(T["time"])
    partner_ids = fmt.hex_ids("prt_", np.arange(n_pt), 0x9A27)
    codes = fmt.strings(partners["code"])

    # ---- partners: full list every night; a dropped partner disappears ------------------------------
    new = ~partners["established"]
    vp = np.concatenate([np.arange(n_pt), np.flatnonzero(new), np.flatnonzero(partners["dropped"] != NA)])
    vts = np.concatenate(
        [
            partners["created"],
            partners["created"][new] + 7 * DAY,
            partners["dropped"][partners["dropped"] != NA],
        ]
    )
    status = np.concatenate(
        [np.where(new, 1, 0), np.zeros(new.sum(), int), np.full((partners["dropped"] != NA).sum(), 2)]
    )
    gone = status == 2
    p = pa.array(vp)
    cols = {
        "partner_id": partner_ids.take(p),
        "name": fmt.strings(partners["name"]).take(p),
        "partner_type": fmt.take(V.PARTNER_TYPE_NAMES, partners["type"][vp]),
        "commission_rate": fmt.numbers(partners["commission"][vp]),
        "referral_code": codes.take(p),
        "status": fmt.take(("active", "pending", "inactive"), status),
        "created_at": fmt.timestamps(partners["created"][vp]),
    }
    sources = {
        "partner": source("referral", "partner", cols, delta_nights(plan, vts, vp, gone=gone, snapshot=True))
    }

    # ---- referral records -------------------------------------------------------------------------------
    ri = np.flatnonzero((T["kind"] == V.K["referral_record"]) & people["active"][np.maximum(T["person"], 0)])
    n_touch = len(ri)
    n_extra = max(2, round(0.3 * n_touch))
    rx = plan.rng("referral-extra")
    extra_partner = sample_partners(rx, partners, n_extra, sites_only=False)
    extra_t = rx.integers(plan.t_start, plan.t_end, n_extra)
    extra_company = len(w.accounts["owner"]) + rx.integers(
        0, len(companies["name"]) - len(w.accounts["owner"]), n_extra
    )
    n_rec = n_touch + n_extra
    rec_partner = np.concatenate([T["partner"][ri], extra_partner])
    rec_t = np.concatenate([T["time"][ri], extra_t])
    rec_person = np.concatenate([T["person"][ri], np.full(n_extra, -1)])
    rec_company = np.concatenate([people["company"][T["person"][ri]], extra_company])
    j = np.concatenate([T["journey"][ri], np.full(n_extra, -1)])
    jj = np.maximum(j, 0)
    in_j = j >= 0
    t_oc, t_close = opps["t_oc"][jj], opps["t_close"][jj]
    qualified = np.where(rec_t < t_oc, t_oc, rec_t + r.integers(DAY, 5 * DAY, n_rec))
    q_ok = in_j & (qualified < t_close)
    final = np.where(outcome["won"][jj], 2, 3)
    u = r.random(n_rec)
    noise_q = ~in_j & (u < 0.4)
    noise_r = ~in_j & (u >= 0.4) & (u < 0.8)
    t_q = np.where(in_j, qualified, rec_t + r.integers(2 * DAY, 20 * DAY, n_rec))
    t_r = rec_t + r.integers(2 * DAY, 30 * DAY, n_rec)
    # versions: submitted; qualified; converted / rejected
    v_rec = np.concatenate(
        [np.arange(n_rec), np.flatnonzero(q_ok | noise_q), np.flatnonzero(in_j), np.flatnonzero(noise_r)]
    )
    v_ts = np.concatenate([rec_t, t_q[q_ok | noise_q], t_close[in_j], t_r[noise_r]])
    v_status = np.concatenate(
        [np.zeros(n_rec, int), np.ones((q_ok | noise_q).sum(), int), final[in_j], np.full(noise_r.sum(), 3)]
    )
    emails = fmt.strings(people["email"])
    generic = fmt.concat(
        fmt.take(("ops", "hello", "team", "growth"), r.integers(0, 4, n_rec)),
        "@",
        fmt.strings(companies["domain"]).take(pa.array(rec_company)),
    )
    person_email = emails.take(pa.array(np.maximum(rec_person, 0)))
    rec_email = pc.if_else(pa.array(rec_person >= 0), person_email, generic)
    rec_email = pc.if_else(pa.array(r.random(n_rec) < 0.03), pc.utf8_upper(rec_email), rec_email)
    referral_ids = fmt.hex_ids("ref_", np.arange(n_rec), 0x4EF)
    v = pa.array(v_rec)
    cols = {
        "referral_id": referral_ids.take(v),
        "referral_code": codes.take(pa.array(rec_partner[v_rec])),
        "partner_id": partner_ids.take(pa.array(rec_partner[v_rec])),
        "email": rec_email.take(v),
        "company": fmt.strings(companies["name"]).take(pa.array(rec_company[v_rec])),
        "referred_at": fmt.timestamps(rec_t[v_rec]),
        "status": fmt.take(V.REFERRAL_STATUSES, v_status),
    }
    sources["referral"] = source("referral", "referral", cols, delta_nights(plan, v_ts, v_rec))
    touch_rec = np.full(n_t, -1, dtype=np.int64)
    touch_rec[T["uid"][ri]] = np.arange(n_touch)
    touch_record_id = referral_ids.take(pa.array(touch_rec, mask=touch_rec < 0))

    # ---- payouts ---------------------------------------------------------------------------------------
    # a won deal pays the partner of its journey's last click/record: commission (affiliate,
    # reseller), reward (customer advocate), bounty (community partner); community partners also get
    # a bounty per qualified referral record
    ref_t = np.flatnonzero(
        np.isin(T["kind"], [V.K["referral_click"], V.K["referral_record"]]) & (T["journey"] >= 0)
    )
    last_partner = np.full(len(opps["t_oc"]), -1, dtype=np.int64)
    last_partner[T["journey"][ref_t]] = T["partner"][ref_t]  # touches sorted by time: the last wins
    paid_opp = np.flatnonzero(outcome["won"] & (last_partner >= 0))
    pp = last_partner[paid_opp]
    ptype = np.array(V.PARTNER_TYPE_NAMES, dtype=object)[partners["type"][pp]]
    kind = np.where(
        np.isin(ptype, ["affiliate", "reseller"]), 0, np.where(ptype == "customer_advocate", 2, 1)
    )
    amount = np.where(
        kind == 0,
        np.round(partners["commission"][pp] * opps["amount"][paid_opp], 2),
        np.where(kind == 2, 250.0, 150.0),
    )
    currency = np.where(kind == 0, opps["currency"][paid_opp], 0)
    earned = opps["t_close"][paid_opp] + HOUR
    qb = np.flatnonzero(
        (partners["type"][rec_partner] == V.PARTNER_TYPE_NAMES.index("community")) & (q_ok | noise_q)
    )
    b_earned = t_q[qb]
    po_partner = np.concatenate([pp, rec_partner[qb]])
    po_opp = np.concatenate([paid_opp, np.full(len(qb), -1)])
    po_amount = np.concatenate([amount, np.full(len(qb), 100.0)])
    po_currency = np.concatenate([currency, np.zeros(len(qb), int)])
    po_kind = np.concatenate([kind, np.ones(len(qb), int)])
    po_earned = np.concatenate([earned, b_earned])
    mi = fmt.month_index(po_earned)
    paid_at = fmt.month_start(mi + 1) + 14 * DAY + 10 * HOUR + r.integers(0, 4 * HOUR, len(mi))
    n_po = len(po_partner)
    vpo = np.concatenate([np.arange(n_po), np.arange(n_po)])
    vts = np.concatenate([po_earned, paid_at])
    paid = np.concatenate([np.full(n_po, NA), paid_at])
    v = pa.array(vpo)
    cols = {
        "payout_id": fmt.hex_ids("po_", np.arange(n_po), 0x9A10).take(v),
        "partner_id": partner_ids.take(pa.array(po_partner[vpo])),
        "opportunity_id": opp_ids.take(pa.array(po_opp[vpo], mask=po_opp[vpo] < 0)),
        "amount": fmt.numbers(po_amount[vpo]),
        "currency_iso_code": fmt.take(V.CURRENCIES, po_currency[vpo]),
        "payout_type": fmt.take(V.PAYOUT_TYPES, po_kind[vpo]),
        "earned_at": fmt.timestamps(po_earned[vpo]),
        "paid_at": fmt.timestamps(paid),
    }
    sources["payout"] = source("referral", "payout", cols, delta_nights(plan, vts, vpo))
    return ReferralOut(sources, touch_record_id, {"partners": n_pt, "referrals": n_rec, "payouts": n_po})
