"""CRM people and the companies they work for: users (staff), accounts, leads, contacts, and first
of all each person's lead source and CRM creation time, which every later object reads."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from .. import fmt, lazy
from .. import vocab as V
from ..fmt import DAY, HOUR, MINUTE, NA
from ..plan import group_rank, repeat_index, weighted_choice
from ..world import users_of
from .common import Crm, crm_ids, finish, forced_times


def identities(crm: Crm) -> None:
    """Each person's lead source and CRM creation time; who is a lead, who (also) a contact."""
    people, T = crm.w.people, crm.w.touches
    campaigns = crm.w.campaigns
    r = crm.r
    form_time = crm.form_time
    n_p = len(people["kind"])
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

    crm.lead_source, crm.crm_created, crm.active, crm.is_lead = lead_source, crm_created, active, is_lead
    crm.has_contact, crm.lead_of, crm.contact_of = has_contact, lead_of, contact_of
    crm.contact_created = contact_created


def user_versions(crm: Crm) -> None:
    """Staff: a user row when created, a new version when deactivated."""
    users = crm.w.users
    plan, r = crm.plan, crm.r
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
    crm.sources["user"] = finish(
        plan, "user", r, cols, ts, eid, np.zeros(len(eid), bool), {"created_date": users["created"][eid]}
    )

    crm.ids["user"] = user_ids


def account_versions(crm: Crm) -> None:
    """Accounts, with edits over time (owner changes, headcount) and one edit every later night."""
    users = crm.w.users
    companies, accounts = crm.w.companies, crm.w.accounts
    plan, r = crm.plan, crm.r
    user_ids = crm.ids["user"]
    n_acc = len(accounts["owner"])
    account_ids = crm_ids("account", np.arange(n_acc))
    created = accounts["created"]
    n_edits = r.poisson(np.maximum(plan.t_end - created, 0) / DAY / 150)
    ea, _ = repeat_index(n_edits)
    t_edit = created[ea] + (r.random(len(ea)) * (plan.t_end - created[ea])).astype(np.int64)
    forced = forced_times(plan, r)
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
    crm.sources["account"] = finish(
        plan, "account", r, cols, ts, eid, np.zeros(len(eid), bool), {"created_date": created[eid]}
    )
    crm.stats["account_edits"] = len(ea)

    crm.ids["account"] = account_ids
    crm.forced = forced


def lead_versions(crm: Crm) -> None:
    """Leads as versions (created, working, converted / nurturing), and merged-away duplicates."""
    people, T = crm.w.people, crm.w.touches
    companies = crm.w.companies
    plan, r = crm.plan, crm.r
    lead_source, crm_created, is_lead = crm.lead_source, crm.crm_created, crm.is_lead
    has_contact, lead_of, contact_of = crm.has_contact, crm.lead_of, crm.contact_of
    n_p = len(people["kind"])
    account_ids, opp_ids = crm.ids["account"], crm.ids["opportunity"]
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
        "self_reported_source": lazy.at(_answers(crm), vp),
    }
    v_created = np.where(
        vkind >= 4, np.concatenate([np.zeros(len(vp) - 2 * n_dup, np.int64), t_dup, t_dup]), crm_created[vp]
    )
    crm.sources["lead"] = finish(
        plan, "lead", r, cols, vts, veid, vkind == 5, {"created_date": v_created}, 0.02
    )
    crm.stats["duplicate_leads_deleted"] = n_dup

    crm.ids["lead"], crm.ids["contact"] = lead_ids, contact_ids
    crm.person_text = {"email": crm_email, "first_name": first_names, "last_name": last_names}


def contact_versions(crm: Crm) -> None:
    """Contacts (converted leads and people added directly), some with a later title change."""
    people = crm.w.people
    plan, r = crm.plan, crm.r
    lead_source, has_contact, contact_of = crm.lead_source, crm.has_contact, crm.contact_of
    contact_created = crm.contact_created
    account_ids, contact_ids = crm.ids["account"], crm.ids["contact"]
    crm_email, first_names, last_names = (crm.person_text[k] for k in ("email", "first_name", "last_name"))
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
        # a converted lead's answer stays on the lead; a contact added directly carries its own
        "self_reported_source": lazy.at(_answers(crm), np.where(people["is_lead"][vpc], -1, vpc)),
    }
    crm.sources["contact"] = finish(
        plan,
        "contact",
        r,
        cols,
        vts,
        contact_of[vpc],
        np.zeros(len(vpc), bool),
        {"created_date": contact_created[vpc]},
    )


def _answers(crm: Crm) -> pa.Array:
    """Each person's written self-reported answer (null: blank), by person index."""
    return fmt.strings(crm.self_reported["written"])


def pc_title_where(arr: pa.Array, mask: np.ndarray) -> pa.Array:
    return pc.if_else(pa.array(mask), pc.utf8_title(arr), arr)
