"""CRM objects (Salesforce-shaped) as row versions: every create, change and soft delete is a version
with its system_modstamp; nights.delta_nights turns versions into the snapshot and the deltas."""

from __future__ import annotations

import zlib
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from . import fmt, lazy
from . import vocab as V
from .fmt import DAY, HOUR, MINUTE, NA
from .nights import Source, delta_nights, source
from .plan import Plan, business_time, group_rank, repeat_index, weighted_choice
from .world import World, campaign_at, users_of

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


def _ref(ids: pa.Array, idx: np.ndarray) -> pa.Array:
    """ids[idx], null where idx < 0."""
    idx = np.asarray(idx, dtype=np.int64)
    return ids.take(pa.array(idx, mask=idx < 0))


def _styles(r: np.random.Generator, n: int) -> np.ndarray:
    return weighted_choice(r, TS_STYLE_WEIGHTS, n)


def _finish(
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
    styles = _styles(r, len(ts)).astype(np.int8)
    for col, values in ts_cols.items():
        cols[col] = lazy.rows(fmt.timestamps, values, styles)
    cols["system_modstamp"] = lazy.rows(fmt.timestamps, ts, styles)
    cols["is_deleted"] = lazy.codes(fmt.BOOL_SPELLINGS, fmt.boolean_codes(deleted, r, odd_bools))
    return source("crm", name, cols, delta_nights(plan, ts, eid))


def _forced_times(plan: Plan, r: np.random.Generator) -> np.ndarray:
    """One time inside each later extract date (for changes every delta night must carry)."""
    if plan.days < 2:
        return np.zeros(0, dtype=np.int64)
    return plan.cutoffs[:-1] + r.integers(HOUR, 22 * HOUR, plan.days - 1)


@dataclass
class CrmOut:
    sources: dict[str, Source]
    ids: dict[str, pa.Array]
    touch_source_id: pa.Array  # touch uid -> id of the CRM row that carries it (or null)
    stats: dict


def build_crm(plan: Plan, w: World, outcome: dict, form_time: np.ndarray) -> CrmOut:
    people, T, opps, users = w.people, w.touches, w.opps, w.users
    companies, accounts, campaigns = w.companies, w.accounts, w.campaigns
    n_p = len(people["kind"])
    n_t = len(T["time"])
    r = plan.rng("crm")
    sources: dict[str, Source] = {}
    touch_ref_obj = np.full(n_t, -1, dtype=np.int64)  # which id table; filled below
    touch_ref_idx = np.full(n_t, -1, dtype=np.int64)
    stats: dict = {}

    # ---- people: lead source and CRM creation time --------------------------------------------------
    cre_rows = np.flatnonzero(T["creation"])
    cre_person = T["person"][cre_rows]
    cre_kind = T["kind"][cre_rows]
    cre_time = T["time"][cre_rows]
    lead_source = np.full(n_p, -1, dtype=np.int64)
    crm_created = np.full(n_p, NA, dtype=np.int64)
    for kname in V.KIND_NAMES:
        k = V.K[kname]
        m = cre_kind == k
        if not m.any():
            continue
        pp = cre_person[m]
        if kname in V.FORM_LEAD_SOURCE:
            lead_source[pp] = V.LS[V.FORM_LEAD_SOURCE[kname]]
            ft = form_time[T["uid"][cre_rows[m]]]
            crm_created[pp] = np.where(ft != NA, ft, cre_time[m] + 5 * MINUTE) + r.integers(2, 60, m.sum())
        elif kname.startswith("response_"):
            ctype = campaigns["type"][T["campaign"][cre_rows[m]]]
            ls_of_type = np.array([V.LS[c[5]] for c in V.CAMPAIGN_TYPES])
            lead_source[pp] = ls_of_type[ctype]
            crm_created[pp] = cre_time[m] + r.integers(0, 30, m.sum())
        else:  # a lead-source touch: the creation itself is the touch
            values = V.SOURCE_KIND_VALUES[kname]
            codes = np.array([V.LS[v] for v in values])
            lead_source[pp] = codes[weighted_choice(r, list(values.values()), int(m.sum()))]
            crm_created[pp] = cre_time[m]
            if kname == "source_direct":
                blank = ~people["is_lead"][pp] & (r.random(m.sum()) < 0.5)
                lead_source[pp[blank]] = -1
    active = people["active"]
    is_lead = people["is_lead"] & active
    has_contact = active & (people["t_conv"] != NA)
    lead_of = np.full(n_p, -1, dtype=np.int64)
    lead_of[is_lead] = np.arange(is_lead.sum())
    contact_of = np.full(n_p, -1, dtype=np.int64)
    contact_of[has_contact] = np.arange(has_contact.sum())
    contact_created = np.where(people["is_lead"], people["t_conv"], crm_created)
    people["crm_created"] = crm_created
    people["lead_source"] = lead_source

    # ---- users --------------------------------------------------------------------------------------
    n_u = len(users["role"])
    user_ids = crm_ids("user", np.arange(n_u))
    deact = users["deactivated"] != NA
    eid = np.concatenate([np.arange(n_u), np.flatnonzero(deact)])
    ts = np.concatenate([users["created"], users["deactivated"][deact]])
    is_active = np.concatenate([np.ones(n_u, dtype=bool), np.zeros(deact.sum(), dtype=bool)])
    first = np.array(V.FIRST_NAMES, dtype=object)[users["first"]]
    last = np.array(V.LAST_NAMES, dtype=object)[users["last"]]
    names = fmt.strings(first + " " + last)
    e_idx = eid
    cols = {
        "id": lazy.at(user_ids, e_idx),
        "name": lazy.at(names, e_idx),
        "email": lazy.at(fmt.strings(users["email"]), e_idx),
        "user_role": lazy.codes(V.ROLE_NAMES, users["role"][eid]),
        "is_active": lazy.codes(fmt.BOOL_SPELLINGS, fmt.boolean_codes(is_active, r, 0.05)),
    }
    sources["user"] = _finish(
        plan, "user", r, cols, ts, eid, np.zeros(len(eid), bool), {"created_date": users["created"][eid]}
    )

    # ---- accounts ------------------------------------------------------------------------------------
    n_acc = len(accounts["owner"])
    account_ids = crm_ids("account", np.arange(n_acc))
    created = accounts["created"]
    n_edits = r.poisson(np.maximum(plan.t_end - created, 0) / DAY / 150)
    ea, _ = repeat_index(n_edits)
    t_edit = created[ea] + (r.random(len(ea)) * (plan.t_end - created[ea])).astype(np.int64)
    forced = _forced_times(plan, r)
    if len(forced):
        fa = np.array([r.choice(np.flatnonzero(created < t)) if (created < t).any() else 0 for t in forced])
        ea, t_edit = np.concatenate([ea, fa]), np.concatenate([t_edit, forced])
    eid = np.concatenate([np.arange(n_acc), ea])
    ts = np.concatenate([created, t_edit])
    order = np.lexsort((ts, eid))
    eid, ts = eid[order], ts[order]
    rank = group_rank(eid)
    owner = accounts["owner"][eid].copy()
    aes = users_of(users, "AE")
    change = (rank > 0) & (r.random(len(eid)) < 0.2)
    owner[change] = aes[r.integers(0, len(aes), change.sum())]
    country = companies["country"][eid]
    e_idx = eid
    cols = {
        "id": lazy.at(account_ids, e_idx),
        "name": lazy.at(fmt.strings(companies["name"][:n_acc]), e_idx),
        "website": lazy.at(fmt.concat("https://www.", fmt.strings(companies["domain"][:n_acc])), e_idx),
        "industry": lazy.codes(V.INDUSTRIES, accounts["industry"][eid]),
        "number_of_employees": lazy.rows(
            fmt.integers, np.round(accounts["employees"][eid] * (1 + 0.05 * rank))
        ),
        "billing_country": fmt.take([c[0] for c in V.COUNTRIES], country),
        "owner_id": lazy.at(user_ids, owner),
    }
    sources["account"] = _finish(
        plan, "account", r, cols, ts, eid, np.zeros(len(eid), bool), {"created_date": created[eid]}
    )
    stats["account_edits"] = len(ea)

    # ---- opportunities, their history ----------------------------------------------------------------
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
    hstyles = _styles(r, n_hist)
    sources["opportunity_history"] = source(
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
    sources["opportunity"] = _finish(
        plan, "opportunity", r, cols, ts, eid, deleted, {"created_date": created_all}
    )
    stats["opportunity_edits"] = len(eo)

    # ---- leads -----------------------------------------------------------------------------------------
    lp = np.flatnonzero(is_lead)
    n_leads = len(lp)
    # duplicates of noise leads: created then merged away (soft delete)
    dup_src = lp[(people["kind"][lp] == 1) & (r.random(n_leads) < 0.05)]
    n_dup = len(dup_src)
    lead_ids = crm_ids("lead", np.arange(n_leads + n_dup))
    contact_ids = crm_ids("contact", np.arange(has_contact.sum()))
    # versions: 0 created, 1 working, 2 converted, 3 nurturing / not converted, 4 dup created, 5 dup deleted
    sales_kinds = [V.K[k] for k in ("sales_call", "sales_email", "sales_meeting", "sales_demo")]
    st = np.flatnonzero(np.isin(T["kind"], sales_kinds) & (T["person"] >= 0))
    first_sales = np.full(n_p, np.iinfo(np.int64).max, dtype=np.int64)
    np.minimum.at(first_sales, T["person"][st], T["time"][st])
    conv = people["t_conv"]
    working = (
        is_lead
        & (first_sales > crm_created)
        & (first_sales < np.where(conv != NA, conv, np.iinfo(np.int64).max))
    )
    working &= first_sales < np.iinfo(np.int64).max
    converts = is_lead & (conv != NA)
    noise_lead = is_lead & (people["kind"] == 1)
    t_end_status = crm_created + (r.uniform(10, 120, n_p) * DAY).astype(np.int64)
    vp = np.concatenate(
        [lp, np.flatnonzero(working), np.flatnonzero(converts), np.flatnonzero(noise_lead), dup_src, dup_src]
    )
    vkind = np.concatenate(
        [
            np.zeros(n_leads, int),
            np.ones(working.sum(), int),
            np.full(converts.sum(), 2),
            np.full(noise_lead.sum(), 3),
            np.full(n_dup, 4),
            np.full(n_dup, 5),
        ]
    )
    t_dup = crm_created[dup_src] + r.integers(HOUR, 5 * DAY, n_dup)
    t_dup_gone = t_dup + r.integers(HOUR, 3 * DAY, n_dup)
    vts = np.concatenate(
        [
            crm_created[lp],
            first_sales[working] + MINUTE,
            conv[converts],
            t_end_status[noise_lead],
            t_dup,
            t_dup_gone,
        ]
    )
    veid = np.concatenate(
        [lead_of[vp[: len(vp) - 2 * n_dup]], n_leads + np.arange(n_dup), n_leads + np.arange(n_dup)]
    )
    nurture = r.random(len(vp)) < 0.6
    status = np.select(
        [vkind == 1, vkind == 2, (vkind == 3) & nurture, vkind == 3],
        [1, 2, 3, 4],
        0,
    )
    is_conv = vkind == 2
    prim_person = people["primary"][vp]
    j = np.maximum(people["journey"][vp], 0)
    email = fmt.strings(people["email"])
    odd_case = r.random(n_p) < 0.02
    crm_email = pc_title_where(email, odd_case)
    first = np.array(V.FIRST_NAMES, dtype=object)[people["first"]]
    last = np.array(V.LAST_NAMES, dtype=object)[people["last"]]
    first_names, last_names = fmt.strings(first), fmt.strings(last)
    p_idx = vp
    cols = {
        "id": lazy.at(lead_ids, veid),
        "email": lazy.at(crm_email, p_idx),
        "first_name": lazy.at(first_names, p_idx),
        "last_name": lazy.at(last_names, p_idx),
        "company": lazy.at(fmt.strings(companies["name"]), people["company"][vp]),
        "lead_source": lazy.codes(V.LEAD_SOURCES, lead_source[vp]),
        "status": lazy.codes(V.LEAD_STATUSES, status),
        "is_converted": lazy.codes(fmt.BOOL_SPELLINGS, fmt.boolean_codes(is_conv, r, 0.02)),
        "converted_date": lazy.rows(fmt.dates, np.where(is_conv, conv[vp], NA)),
        "converted_account_id": lazy.at(account_ids, np.where(is_conv, people["account"][vp], -1)),
        "converted_contact_id": lazy.at(contact_ids, np.where(is_conv, contact_of[vp], -1)),
        "converted_opportunity_id": lazy.at(opp_ids, np.where(is_conv & prim_person, j, -1)),
    }
    v_created = np.where(
        vkind >= 4, np.concatenate([np.zeros(len(vp) - 2 * n_dup, np.int64), t_dup, t_dup]), crm_created[vp]
    )
    sources["lead"] = _finish(plan, "lead", r, cols, vts, veid, vkind == 5, {"created_date": v_created}, 0.02)
    stats["duplicate_leads_deleted"] = n_dup

    # ---- contacts ----------------------------------------------------------------------------------------
    cp = np.flatnonzero(has_contact)
    n_c = len(cp)
    edit = r.random(n_c) < 0.10
    c_created = contact_created[cp]
    t_title = c_created + (r.random(n_c) * np.maximum(plan.t_end - c_created, 0)).astype(np.int64)
    vpc = np.concatenate([cp, cp[edit]])
    vts = np.concatenate([c_created, t_title[edit]])
    title = people["title"][vpc].copy()
    title[n_c:] = (title[n_c:] + 1) % len(V.TITLES)
    p_idx = vpc
    cols = {
        "id": lazy.at(contact_ids, contact_of[vpc]),
        "account_id": lazy.at(account_ids, people["account"][vpc]),
        "email": lazy.at(crm_email, p_idx),
        "first_name": lazy.at(first_names, p_idx),
        "last_name": lazy.at(last_names, p_idx),
        "title": lazy.codes(V.TITLES, title),
        "lead_source": lazy.codes(V.LEAD_SOURCES, lead_source[vpc]),
    }
    sources["contact"] = _finish(
        plan,
        "contact",
        r,
        cols,
        vts,
        contact_of[vpc],
        np.zeros(len(vpc), bool),
        {"created_date": contact_created[vpc]},
    )

    # ---- opportunity contact roles ------------------------------------------------------------------------
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
    sources["opportunity_contact_role"] = _finish(
        plan,
        "opportunity_contact_role",
        r,
        cols,
        t_role,
        np.arange(n_r),
        np.zeros(n_r, bool),
        {"created_date": t_role},
    )

    # ---- campaigns ---------------------------------------------------------------------------------------
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
    sources["campaign"] = _finish(plan, "campaign", r, cols, vts, vc, np.zeros(len(vc), bool), {})

    # ---- campaign members ---------------------------------------------------------------------------------
    def who(person: np.ndarray, t: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(lead index or -1, contact index or -1): the lead before conversion, then the contact."""
        as_lead = (lead_of[person] >= 0) & ((conv[person] == NA) | (t < conv[person]))
        return np.where(as_lead, lead_of[person], -1), np.where(as_lead, -1, contact_of[person])

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
    inv_campaign = _campaign_at(campaigns, inv_type, it)
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
    m_lead, m_contact = who(m_person, m_created)
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
    sources["campaign_member"] = _finish(
        plan, "campaign_member", r, cols, m_ts, m_eid, m_deleted, {"created_date": m_created}
    )
    touch_ref_obj[T["uid"][ri]] = 0
    touch_ref_idx[T["uid"][ri]] = np.arange(n_resp)

    # ---- tasks and events ------------------------------------------------------------------------------------
    act = np.flatnonzero(T["category"] == "activity")
    act = act[(T["person"][act] < 0) | active[np.maximum(T["person"][act], 0)]]
    ra = plan.rng("activities")
    n_a = len(act)
    kind = np.array(V.KIND_NAMES, dtype=object)[T["kind"][act]]
    at = T["time"][act]
    ap = T["person"][act]
    aj = T["journey"][act]
    has_j = aj >= 0
    jj = np.maximum(aj, 0)
    after_oc = has_j & (at >= opps["t_oc"][jj])
    acc = np.where(has_j, opps["account"][jj], np.where(ap >= 0, people["account"][np.maximum(ap, 0)], -1))
    opp_owner = opps["owner"][jj]
    acc_owner = np.where(acc >= 0, accounts["owner"][np.maximum(acc, 0)], -1)

    def pick(role: str, n: int) -> np.ndarray:
        pool = users_of(users, role)
        return pool[ra.integers(0, len(pool), n)]

    sdr, ae_any = pick("SDR", n_a), pick("AE", n_a)
    mgr, mkt = pick("Sales Manager", n_a), pick("Marketing", n_a)
    comm = np.where(ra.random(n_a) < 0.5, pick("Partner Manager", n_a), pick("Community Manager", n_a))
    ae_acc = np.where(acc_owner >= 0, acc_owner, ae_any)
    u01 = ra.random(n_a)
    owner = np.select(
        [
            np.isin(kind, ["sales_call", "sales_email"]) & after_oc,
            np.isin(kind, ["sales_call", "sales_email"]),
            (kind == "sales_meeting") & after_oc,
            kind == "sales_meeting",
            (kind == "sales_demo") & after_oc,
            kind == "sales_demo",
            kind == "community_meeting",
        ],
        [
            np.where(u01 < 0.7, opp_owner, sdr),
            sdr,
            np.where(u01 < 0.8, opp_owner, mgr),
            np.where(u01 < 0.5, sdr, ae_acc),
            opp_owner,
            ae_acc,
            comm,
        ],
        mkt,
    )
    is_event = np.select(
        [kind == "sales_meeting", kind == "sales_demo", kind == "community_meeting"],
        [u01 < 0.7, u01 < 0.75, ra.random(n_a) < 0.6],
        False,
    )
    atype = np.select(
        [
            kind == "sales_call",
            kind == "sales_email",
            kind == "sales_meeting",
            kind == "sales_demo",
            kind == "community_meeting",
        ],
        ["Call", "Email", "Meeting", "Demo", np.where(is_event, "Meeting", "Call")],
        np.where(ra.random(n_a) < 0.6, "Email", "Other"),
    ).astype(object)
    subject = _subjects(ra, atype, kind)
    lead_i, contact_i = who(np.maximum(ap, 0), at)
    who_lead = np.where(ap >= 0, lead_i, -1)
    who_contact = np.where(ap >= 0, contact_i, -1)
    what_opp = np.where(ap < 0, jj, np.where(after_oc & (ra.random(n_a) < 0.8), jj, -1))
    what_acc = np.where(
        (what_opp < 0)
        & (ap >= 0)
        & (acc >= 0)
        & (has_j | (people["kind"][np.maximum(ap, 0)] == 2))
        & (ra.random(n_a) < 0.6),
        acc,
        -1,
    )
    acc_known = np.where((acc >= 0) & (at >= accounts["created"][np.maximum(acc, 0)]), acc, -1)

    # noise: other-role tasks, open follow-ups, noise-lead tasks completed later, junk (deleted)
    rn = plan.rng("activity-noise")
    n_other = int(0.10 * n_a) + 1
    n_follow = int(0.08 * n_a) + 1
    pool = np.flatnonzero(active & (people["kind"] < 2) & (crm_created < plan.t_end))
    op = pool[rn.integers(0, len(pool), n_other + n_follow)]
    ot = crm_created[op] + (
        rn.random(len(op)) * np.maximum(np.minimum(people["stop"][op], plan.t_end) - crm_created[op], HOUR)
    ).astype(np.int64)
    ol, oc = who(op, ot)
    noise_leads = np.flatnonzero(is_lead & (people["kind"] == 1) & (crm_created < plan.t_end))
    n_nl = int(0.05 * n_a) + 1 if len(noise_leads) else 0
    nlp = noise_leads[rn.integers(0, max(1, len(noise_leads)), n_nl)] if n_nl else np.zeros(0, np.int64)
    nlt = crm_created[nlp] + rn.integers(HOUR, 20 * DAY, n_nl)
    n_junk = max(plan.days + 1, int(0.003 * n_a))
    jt = rn.integers(plan.t_start + DAY, plan.t_end, n_junk)
    jg = jt + rn.integers(HOUR, 3 * DAY, n_junk)
    if len(forced):
        jt = np.concatenate([jt, plan.cutoffs[: len(forced)] - rn.integers(HOUR, 20 * HOUR, len(forced))])
        jg = np.concatenate([jg, forced])
        n_junk += len(forced)

    task_rows = np.flatnonzero(~is_event)
    n_task_touch = len(task_rows)
    other_users, ae_f, sdr_f = pick("Other", len(op)), pick("AE", len(op)), pick("SDR", len(op))
    n_tasks = n_task_touch + len(op) + n_nl + n_junk
    # versions: every task once, + completion of noise-lead tasks, + deletion of junk
    tt = np.concatenate([at[task_rows], ot, nlt, jt, nlt + rn.integers(DAY, 5 * DAY, n_nl), jg])
    teid = np.concatenate(
        [
            np.arange(n_tasks),
            n_task_touch + len(op) + np.arange(n_nl),
            n_task_touch + len(op) + n_nl + np.arange(n_junk),
        ]
    )
    tcreated = np.concatenate([at[task_rows], ot, nlt, jt, nlt, jt])
    t_status = np.concatenate(
        [
            np.zeros(n_task_touch, int),
            np.zeros(n_other, int),
            np.ones(n_follow, int),
            np.ones(n_nl, int),
            np.zeros(n_junk, int),
            np.zeros(n_nl, int),
            np.zeros(n_junk, int),
        ]
    )
    t_deleted = np.concatenate([np.zeros(len(tt) - n_junk, bool), np.ones(n_junk, bool)])
    due = np.concatenate(
        [
            at[task_rows],
            ot[:n_other],
            ot[n_other:] + rn.integers(2 * DAY, 10 * DAY, n_follow),
            nlt + 3 * DAY,
            jt,
            nlt + 3 * DAY,
            jt,
        ]
    )
    tw_lead = np.concatenate(
        [who_lead[task_rows], ol, lead_of[nlp], np.full(n_junk, -1), lead_of[nlp], np.full(n_junk, -1)]
    )
    tw_contact = np.concatenate(
        [who_contact[task_rows], oc, np.full(n_nl, -1), np.full(2 * n_junk + n_nl, -1)]
    )
    tw_opp = np.concatenate([what_opp[task_rows], np.full(len(tt) - n_task_touch, -1)])
    tw_acc = np.concatenate([what_acc[task_rows], np.full(len(tt) - n_task_touch, -1)])
    t_acc = np.concatenate(
        [
            acc_known[task_rows],
            np.where(people["account"][op] >= 0, people["account"][op], -1),
            np.full(2 * (n_nl + n_junk), -1),
        ]
    )
    junk_owner = pick("Other", n_junk)
    nl_owner = pick("SDR", n_nl)
    t_owner = np.concatenate(
        [
            owner[task_rows],
            other_users[:n_other],
            np.where(rn.random(n_follow) < 0.5, ae_f[n_other:], sdr_f[n_other:]),
            nl_owner,
            junk_owner,
            nl_owner,
            junk_owner,
        ]
    )
    t_type = np.concatenate(
        [
            atype[task_rows],
            np.full(n_other, "Other", dtype=object),
            np.full(n_follow, "Call", dtype=object),
            np.full(n_nl, "Call", dtype=object),
            np.full(n_junk, "Other", dtype=object),
            np.full(n_nl, "Call", dtype=object),
            np.full(n_junk, "Other", dtype=object),
        ]
    )
    t_subject = np.concatenate(
        [
            subject[task_rows],
            np.array(V.SUBJECTS["Other"], dtype=object)[rn.integers(0, len(V.SUBJECTS["Other"]), n_other)],
            np.full(n_follow, "Follow-up call", dtype=object),
            np.full(n_nl, "Call", dtype=object),
            np.full(n_junk, "Test task - please ignore", dtype=object),
            np.full(n_nl, "Call", dtype=object),
            np.full(n_junk, "Test task - please ignore", dtype=object),
        ]
    )
    task_ids = crm_ids("task", np.arange(n_tasks))
    wt = np.where(tw_opp >= 0, 0, np.where(tw_acc >= 0, 1, -1))
    what = _what(opp_ids, account_ids, tw_opp, tw_acc, wt)
    cols = {
        "id": lazy.at(task_ids, teid),
        "who_id": _who(lead_ids, contact_ids, tw_lead, tw_contact),
        "what_id": what,
        "account_id": lazy.at(account_ids, t_acc),
        "owner_id": lazy.at(user_ids, t_owner),
        "type": lazy.rows(fmt.strings, t_type),
        "subject": lazy.rows(fmt.strings, t_subject),
        "status": lazy.codes(V.TASK_STATUSES, t_status),
        "activity_date": lazy.rows(fmt.dates, due),
    }
    sources["task"] = _finish(plan, "task", r, cols, tt, teid, t_deleted, {"created_date": tcreated})
    touch_ref_obj[T["uid"][act[task_rows]]] = 1
    touch_ref_idx[T["uid"][act[task_rows]]] = np.arange(n_task_touch)
    stats["junk_tasks_deleted"] = n_junk

    ev_rows = np.flatnonzero(is_event)
    n_ev_touch = len(ev_rows)
    # onboarding kickoffs after won deals (role Other: never a touch, and after the close anyway)
    won_opps = np.flatnonzero(won & (ra.random(n_opp) < 0.5))
    kt = opps["t_close"][won_opps] + ra.integers(DAY, 14 * DAY, len(won_opps))
    k_created = opps["t_close"][won_opps] + ra.integers(HOUR, DAY, len(won_opps))
    prim_of_opp = np.full(n_opp, -1, dtype=np.int64)
    prim_of_opp[people["journey"][prim]] = prim
    kp = prim_of_opp[won_opps]
    start = np.concatenate([at[ev_rows], kt])
    dur = np.array([30, 45, 60])[ra.integers(0, 3, len(start))] * MINUTE
    p_created = np.where(ap[ev_rows] >= 0, crm_created[np.maximum(ap[ev_rows], 0)], opps["t_oc"][jj[ev_rows]])
    e_created = np.maximum(
        at[ev_rows] - ra.integers(HOUR, 7 * DAY, n_ev_touch), np.maximum(p_created + MINUTE, plan.t_start)
    )
    e_created = np.minimum(e_created, at[ev_rows])
    e_created = np.concatenate([e_created, k_created])
    n_events = len(start)
    ev_ids = crm_ids("event", np.arange(n_events))
    kl, kc = who(np.maximum(kp, 0), kt)
    e_owner = np.concatenate([owner[ev_rows], pick("Other", len(won_opps))])
    cols = {
        "id": ev_ids,
        "who_id": _who(
            lead_ids,
            contact_ids,
            np.concatenate([who_lead[ev_rows], np.where(kp >= 0, kl, -1)]),
            np.concatenate([who_contact[ev_rows], np.where(kp >= 0, kc, -1)]),
        ),
        "what_id": _what(
            opp_ids,
            account_ids,
            np.concatenate([what_opp[ev_rows], won_opps]),
            np.concatenate([what_acc[ev_rows], np.full(len(won_opps), -1)]),
            np.concatenate(
                [
                    np.where(what_opp[ev_rows] >= 0, 0, np.where(what_acc[ev_rows] >= 0, 1, -1)),
                    np.zeros(len(won_opps), int),
                ]
            ),
        ),
        "account_id": lazy.at(account_ids, np.concatenate([acc_known[ev_rows], opps["account"][won_opps]])),
        "owner_id": lazy.at(user_ids, e_owner),
        "type": fmt.strings(
            np.concatenate([atype[ev_rows], np.full(len(won_opps), "Meeting", dtype=object)])
        ),
        "subject": fmt.strings(
            np.concatenate([subject[ev_rows], np.full(len(won_opps), "Onboarding kickoff", dtype=object)])
        ),
    }
    styles = _styles(r, n_events)
    cols["start_date_time"] = lazy.rows(fmt.timestamps, start, styles)
    cols["end_date_time"] = lazy.rows(fmt.timestamps, start + dur, styles)
    sources["event"] = _finish(
        plan,
        "event",
        r,
        cols,
        e_created,
        np.arange(n_events),
        np.zeros(n_events, bool),
        {"created_date": e_created},
    )
    touch_ref_obj[T["uid"][act[ev_rows]]] = 2
    touch_ref_idx[T["uid"][act[ev_rows]]] = np.arange(n_ev_touch)

    # ---- the CRM row behind each touch (ground truth) ------------------------------------------------------
    id_tables = [member_ids, task_ids, ev_ids, lead_ids, contact_ids]
    offsets = np.cumsum([0] + [len(t) for t in id_tables])
    gidx = np.full(n_t, -1, dtype=np.int64)
    for code in range(3):
        m = touch_ref_obj == code
        gidx[m] = offsets[code] + touch_ref_idx[m]
    src_k = np.flatnonzero((T["category"] == "source") & (T["person"] >= 0))
    src_person = T["person"][src_k]
    src_is_lead = lead_of[src_person] >= 0
    gidx[T["uid"][src_k]] = np.where(
        src_is_lead, offsets[3] + lead_of[src_person], offsets[4] + contact_of[src_person]
    )
    gidx[T["uid"][src_k][(lead_of[src_person] < 0) & (contact_of[src_person] < 0)]] = -1
    touch_source_id = pa.concat_arrays(id_tables).take(pa.array(gidx, mask=gidx < 0))

    ids = {
        "account": account_ids,
        "opportunity": opp_ids,
        "user": user_ids,
        "lead": lead_ids,
        "contact": contact_ids,
        "campaign": campaign_ids,
    }
    people["lead_of"] = lead_of
    people["contact_of"] = contact_of
    stats["test_opportunities_deleted"] = n_test
    return CrmOut(sources, ids, touch_source_id, stats)


def pc_title_where(arr: pa.Array, mask: np.ndarray) -> pa.Array:
    return pc.if_else(pa.array(mask), pc.utf8_title(arr), arr)


def _campaign_at(campaigns: dict, ctype: np.ndarray, t: np.ndarray) -> np.ndarray:
    return campaign_at(campaigns, ctype, t)


def _who(lead_ids: pa.Array, contact_ids: pa.Array, lead: np.ndarray, contact: np.ndarray) -> lazy.Lazy:
    """The lead (before conversion) or the contact an activity is about, formatted on demand."""
    return lazy.Lazy(len(lead), lambda i: pc.coalesce(_ref(lead_ids, lead[i]), _ref(contact_ids, contact[i])))


def _what(
    opp_ids: pa.Array, account_ids: pa.Array, opp: np.ndarray, acc: np.ndarray, which: np.ndarray
) -> lazy.Lazy:
    """The opportunity (which == 0) or account (1) an activity is about, formatted on demand."""
    opp_or_none = np.where(which == 0, opp, -1)
    acc_or_none = np.where(which == 1, acc, -1)
    return lazy.Lazy(
        len(which), lambda i: pc.coalesce(_ref(opp_ids, opp_or_none[i]), _ref(account_ids, acc_or_none[i]))
    )


def _subjects(r: np.random.Generator, atype: np.ndarray, kind: np.ndarray) -> np.ndarray:
    out = np.empty(len(atype), dtype=object)
    for t, options in V.SUBJECTS.items():
        m = atype == t
        out[m] = np.array(options, dtype=object)[r.integers(0, len(options), m.sum())]
    cm = kind == "community_meeting"
    out[cm] = np.array(V.COMMUNITY_SUBJECTS, dtype=object)[r.integers(0, len(V.COMMUNITY_SUBJECTS), cm.sum())]
    mk = kind == "marketing_activity"
    out[mk] = np.array(V.MARKETING_SUBJECTS, dtype=object)[r.integers(0, len(V.MARKETING_SUBJECTS), mk.sum())]
    return out
