"""Opportunities with their stage history, rep edits in between, soft-deleted test deals, and the
contacts' roles on them."""

from __future__ import annotations

import numpy as np

from .. import fmt, lazy
from .. import vocab as V
from ..fmt import DAY, HOUR, MINUTE
from ..nights import delta_nights, source
from ..plan import business_time, repeat_index
from .common import Crm, crm_ids, finish, styles


def opportunity_versions(crm: Crm) -> None:
    """Opportunity history (one row per stage) and opportunity versions (stages and rep edits)."""
    people, T, opps = crm.w.people, crm.w.touches, crm.w.opps
    companies, accounts, campaigns = crm.w.companies, crm.w.accounts, crm.w.campaigns
    plan, r = crm.plan, crm.r
    outcome, forced, lead_source = crm.outcome, crm.forced, crm.lead_source
    account_ids, user_ids = crm.ids["account"], crm.ids["user"]
    n_acc = len(accounts["owner"])
    n_opp = len(opps["t_oc"])
    opp_ids_all = crm_ids("opportunity", np.arange(n_opp + max(1, round(n_opp * 0.002))))
    opp_ids = opp_ids_all.slice(0, n_opp)
    won = outcome["won"]
    n_changes = np.where(won, 6, opps["lost_stage"] + 2)
    oi, pos = repeat_index(n_changes)
    last = pos == n_changes[oi] - 1
    stage = np.where(last, np.where(won[oi], 5, 6), pos)
    cycle = opps["t_close"] - opps["t_oc"]
    middle = (pos > 0) & ~last
    mid_rows = np.flatnonzero(middle)
    u = r.random(len(mid_rows))
    u_sorted = u[np.lexsort((u, oi[mid_rows]))]
    t_stage = np.where(pos == 0, opps["t_oc"][oi], opps["t_close"][oi]).astype(np.int64)
    t_stage[mid_rows] = opps["t_oc"][oi[mid_rows]] + (u_sorted * cycle[oi[mid_rows]]).astype(np.int64)
    t_stage[mid_rows] = business_time(
        r, t_stage[mid_rows], opps["t_oc"][oi[mid_rows]] + HOUR, opps["t_close"][oi[mid_rows]] - HOUR
    )
    t_stage = np.maximum.accumulate(t_stage + oi.astype(np.int64) * (1 << 40)) - oi.astype(np.int64) * (
        1 << 40
    )
    amount = np.where(stage >= 3, opps["amount"][oi], opps["amount0"][oi])
    close = np.where(stage >= 4, opps["t_close"][oi], opps["planned_close"][oi])
    prob = np.array(V.STAGE_PROBABILITY)[stage]
    n_hist = len(oi)
    hist_ids = crm_ids("opportunity_history", np.arange(n_hist))
    hstyles = styles(r, n_hist)
    crm.sources["opportunity_history"] = source(
        "crm",
        "opportunity_history",
        {
            "id": hist_ids,
            "opportunity_id": lazy.at(opp_ids, oi),
            "stage_name": lazy.codes(V.STAGES, stage),
            "amount": lazy.rows(fmt.numbers, amount),
            "close_date": lazy.rows(fmt.dates, close),
            "probability": lazy.rows(fmt.integers, prob),
            "created_date": lazy.rows(fmt.timestamps, t_stage, hstyles),
            "system_modstamp": lazy.rows(fmt.timestamps, t_stage, hstyles),
            "is_deleted": lazy.codes(fmt.BOOL_SPELLINGS, fmt.boolean_codes(np.zeros(n_hist, bool))),
        },
        delta_nights(plan, t_stage, np.arange(n_hist)),
    )
    # edits between stage changes (a rep overrides the probability): re-sent rows, newer modstamp
    end = np.minimum(opps["t_close"] + 20 * DAY, plan.t_end)
    n_ed = r.poisson(np.maximum(end - opps["t_oc"], 0) / DAY / 30 * opps["n_edits_rate"])
    eo, _ = repeat_index(n_ed)
    t_ed = opps["t_oc"][eo] + (r.random(len(eo)) * (end - opps["t_oc"])[eo]).astype(np.int64)
    if len(forced):
        fo = []
        for t in forced:
            open_then = np.flatnonzero((opps["t_oc"] < t - DAY) & (opps["t_close"] > t))
            anyopp = np.flatnonzero(opps["t_oc"] < t - DAY)
            fo.append(r.choice(open_then) if len(open_then) else (r.choice(anyopp) if len(anyopp) else 0))
        eo, t_ed = np.concatenate([eo, fo]), np.concatenate([t_ed, forced])
    v_opp = np.concatenate([oi, eo])
    v_ts = np.concatenate([t_stage, t_ed])
    v_is_stage = np.concatenate([np.ones(n_hist, bool), np.zeros(len(eo), bool)])
    order = np.lexsort((~v_is_stage, v_ts, v_opp))
    v_opp, v_ts, v_is_stage = v_opp[order], v_ts[order], v_is_stage[order]
    src = np.concatenate([np.arange(n_hist), np.full(len(eo), -1)])[order]
    idx = np.arange(len(v_opp))
    last_stage_row = np.maximum.accumulate(np.where(v_is_stage, idx, 0))
    hist_row = src[last_stage_row]
    v_stage = stage[hist_row]
    v_prob = prob[hist_row].copy()
    tweak = ~v_is_stage & (v_stage < 5)
    v_prob[tweak] = np.clip(v_prob[tweak] + r.choice([-10, -5, 5, 10], tweak.sum()), 5, 95)
    closed = v_stage >= 5
    # the journey's campaign: first campaign response before the opportunity
    resp = np.flatnonzero((T["category"] == "response") & (T["journey"] >= 0))
    resp = resp[T["time"][resp] < opps["t_oc"][T["journey"][resp]]]
    opp_campaign = np.full(n_opp, -1, dtype=np.int64)
    opp_campaign[T["journey"][resp][::-1]] = T["campaign"][resp][::-1]  # earliest wins
    prim = np.flatnonzero(people["primary"])
    opp_lead_source = np.full(n_opp, -1, dtype=np.int64)
    opp_lead_source[people["journey"][prim]] = lead_source[prim]
    campaign_ids = crm_ids("campaign", np.arange(len(campaigns["type"])))
    opp_name = fmt.concat(
        fmt.strings(companies["name"][opps["account"]]), " - ", fmt.take(V.OPP_TYPES, opps["type"])
    )
    e_idx = v_opp
    cols = {
        "id": lazy.at(opp_ids, e_idx),
        "account_id": lazy.at(account_ids, opps["account"][v_opp]),
        "owner_id": lazy.at(user_ids, opps["owner"][v_opp]),
        "name": lazy.at(opp_name, e_idx),
        "type": lazy.codes(V.OPP_TYPES, opps["type"][v_opp]),
        "amount": lazy.rows(fmt.numbers, amount[hist_row]),
        "currency_iso_code": lazy.codes(V.CURRENCIES, opps["currency"][v_opp]),
        "stage_name": lazy.codes(V.STAGES, v_stage),
        "probability": lazy.rows(fmt.integers, v_prob),
        "is_closed": lazy.codes(fmt.BOOL_SPELLINGS, fmt.boolean_codes(closed, r, 0.01)),
        "is_won": lazy.codes(fmt.BOOL_SPELLINGS, fmt.boolean_codes(v_stage == 5, r, 0.01)),
        "close_date": lazy.rows(fmt.dates, close[hist_row]),
        "lead_source": lazy.codes(V.LEAD_SOURCES, opp_lead_source[v_opp]),
        "campaign_id": lazy.at(campaign_ids, opp_campaign[v_opp]),
    }
    v_created = opps["t_oc"][v_opp]
    v_deleted = np.zeros(len(v_opp), dtype=bool)
    # a few test opportunities, created and soft-deleted
    n_test = len(opp_ids_all) - n_opp
    t_test = r.integers(plan.t_start + DAY, plan.t_end - DAY, n_test)
    t_gone = t_test + r.integers(HOUR, 2 * DAY, n_test)
    test_acc = r.integers(0, n_acc, n_test)
    te = np.concatenate([np.arange(n_test), np.arange(n_test)])
    test = {
        "id": lazy.at(opp_ids_all, n_opp + te),
        "account_id": lazy.at(account_ids, test_acc[te]),
        "owner_id": lazy.at(user_ids, accounts["owner"][test_acc[te]]),
        "name": fmt.const("TEST - do not use", 2 * n_test),
        "type": fmt.const("New Business", 2 * n_test),
        "amount": fmt.const("1", 2 * n_test),
        "currency_iso_code": fmt.const("USD", 2 * n_test),
        "stage_name": fmt.const("Prospecting", 2 * n_test),
        "probability": fmt.const("10", 2 * n_test),
        "is_closed": fmt.const("false", 2 * n_test),
        "is_won": fmt.const("false", 2 * n_test),
        "close_date": lazy.rows(fmt.dates, t_test[te] + 30 * DAY),
        "lead_source": fmt.nulls(2 * n_test),
        "campaign_id": fmt.nulls(2 * n_test),
    }
    cols = {k: lazy.chain([cols[k], test[k]]) for k in cols}
    ts = np.concatenate([v_ts, t_test, t_gone])
    eid = np.concatenate([v_opp, n_opp + te])
    created_all = np.concatenate([v_created, t_test[te]])
    deleted = np.concatenate([v_deleted, np.zeros(n_test, bool), np.ones(n_test, bool)])
    crm.sources["opportunity"] = finish(
        plan, "opportunity", r, cols, ts, eid, deleted, {"created_date": created_all}
    )
    crm.stats["opportunity_edits"] = len(eo)

    crm.stats["test_opportunities_deleted"] = n_test
    crm.ids["opportunity"], crm.ids["campaign"] = opp_ids, campaign_ids


def contact_roles(crm: Crm) -> None:
    """A role on its opportunity for each journey contact (not on deals without roles)."""
    people, opps = crm.w.people, crm.w.opps
    plan, r = crm.plan, crm.r
    has_contact, contact_of, contact_created = crm.has_contact, crm.contact_of, crm.contact_created
    opp_ids, contact_ids = crm.ids["opportunity"], crm.ids["contact"]
    jp = np.flatnonzero(has_contact & (people["journey"] >= 0))
    jp = jp[~opps["no_roles"][people["journey"][jp]]]
    t_role = np.maximum(contact_created[jp], opps["t_oc"][people["journey"][jp]]) + r.integers(
        1, 10 * MINUTE, len(jp)
    )
    role = np.where(
        people["primary"][jp], r.integers(0, 2, len(jp)), r.integers(2, len(V.CONTACT_ROLES), len(jp))
    )
    n_r = len(jp)
    cols = {
        "id": crm_ids("opportunity_contact_role", np.arange(n_r)),
        "opportunity_id": lazy.at(opp_ids, people["journey"][jp]),
        "contact_id": lazy.at(contact_ids, contact_of[jp]),
        "role": lazy.codes(V.CONTACT_ROLES, role),
        "is_primary": lazy.codes(fmt.BOOL_SPELLINGS, fmt.boolean_codes(people["primary"][jp], r, 0.01)),
    }
    crm.sources["opportunity_contact_role"] = finish(
        plan,
        "opportunity_contact_role",
        r,
        cols,
        t_role,
        np.arange(n_r),
        np.zeros(n_r, bool),
        {"created_date": t_role},
    )
