"""Tasks and events: the sales, community and marketing activities behind touches (owned by the
role that would do them), plus tasks no touch explains (other roles, open follow-ups, junk) and
onboarding kickoffs after won deals."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from .. import fmt, lazy
from .. import vocab as V
from ..fmt import DAY, HOUR, MINUTE
from ..world import users_of
from .common import EVENT, TASK, Crm, crm_ids, finish, ref, styles


def activities(crm: Crm) -> None:
    a = _touch_activities(crm)
    _tasks(crm, a)
    _events(crm, a)


def _touch_activities(crm: Crm) -> SimpleNamespace:
    """Every activity touch: its owner, type, subject, and who and what it is about."""
    people, T, opps, users = crm.w.people, crm.w.touches, crm.w.opps, crm.w.users
    accounts = crm.w.accounts
    plan = crm.plan
    active = crm.active
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
    lead_i, contact_i = crm.who(np.maximum(ap, 0), at)
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
    return SimpleNamespace(
        act=act,
        ra=ra,
        n_a=n_a,
        kind=kind,
        at=at,
        ap=ap,
        jj=jj,
        owner=owner,
        is_event=is_event,
        atype=atype,
        subject=subject,
        who_lead=who_lead,
        who_contact=who_contact,
        what_opp=what_opp,
        what_acc=what_acc,
        acc_known=acc_known,
        pick=pick,
    )


def _tasks(crm: Crm, a: SimpleNamespace) -> None:
    """Tasks behind touches, plus noise: other-role tasks, open follow-ups, noise-lead tasks
    completed later, junk (soft-deleted)."""
    people, T = crm.w.people, crm.w.touches
    plan, r = crm.plan, crm.r
    (
        act,
        n_a,
        at,
        owner,
        is_event,
        atype,
        subject,
        who_lead,
        who_contact,
        what_opp,
        what_acc,
        acc_known,
        pick,
    ) = (
        a.act,
        a.n_a,
        a.at,
        a.owner,
        a.is_event,
        a.atype,
        a.subject,
        a.who_lead,
        a.who_contact,
        a.what_opp,
        a.what_acc,
        a.acc_known,
        a.pick,
    )
    active, crm_created, is_lead, lead_of, forced = (
        crm.active,
        crm.crm_created,
        crm.is_lead,
        crm.lead_of,
        crm.forced,
    )
    opp_ids, account_ids, user_ids = crm.ids["opportunity"], crm.ids["account"], crm.ids["user"]
    lead_ids, contact_ids = crm.ids["lead"], crm.ids["contact"]
    rn = plan.rng("activity-noise")
    n_other = int(0.10 * n_a) + 1
    n_follow = int(0.08 * n_a) + 1
    pool = np.flatnonzero(active & (people["kind"] < 2) & (crm_created < plan.t_end))
    op = pool[rn.integers(0, len(pool), n_other + n_follow)]
    ot = crm_created[op] + (
        rn.random(len(op)) * np.maximum(np.minimum(people["stop"][op], plan.t_end) - crm_created[op], HOUR)
    ).astype(np.int64)
    ol, oc = crm.who(op, ot)
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
    crm.sources["task"] = finish(plan, "task", r, cols, tt, teid, t_deleted, {"created_date": tcreated})
    crm.touch_ref_obj[T["uid"][act[task_rows]]] = TASK
    crm.touch_ref_idx[T["uid"][act[task_rows]]] = np.arange(n_task_touch)
    crm.stats["junk_tasks_deleted"] = n_junk
    crm.ids["task"] = task_ids


def _events(crm: Crm, a: SimpleNamespace) -> None:
    """Events behind touches (meetings, demos) and onboarding kickoffs after won deals (role Other:
    never a touch, and after the close anyway)."""
    people, T, opps = crm.w.people, crm.w.touches, crm.w.opps
    plan, r = crm.plan, crm.r
    (
        act,
        ra,
        at,
        ap,
        jj,
        owner,
        is_event,
        atype,
        subject,
        who_lead,
        who_contact,
        what_opp,
        what_acc,
        acc_known,
        pick,
    ) = (
        a.act,
        a.ra,
        a.at,
        a.ap,
        a.jj,
        a.owner,
        a.is_event,
        a.atype,
        a.subject,
        a.who_lead,
        a.who_contact,
        a.what_opp,
        a.what_acc,
        a.acc_known,
        a.pick,
    )
    crm_created, won = crm.crm_created, crm.outcome["won"]
    n_opp = len(opps["t_oc"])
    prim = np.flatnonzero(people["primary"])
    opp_ids, account_ids, user_ids = crm.ids["opportunity"], crm.ids["account"], crm.ids["user"]
    lead_ids, contact_ids = crm.ids["lead"], crm.ids["contact"]
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
    kl, kc = crm.who(np.maximum(kp, 0), kt)
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
    ev_styles = styles(r, n_events)
    cols["start_date_time"] = lazy.rows(fmt.timestamps, start, ev_styles)
    cols["end_date_time"] = lazy.rows(fmt.timestamps, start + dur, ev_styles)
    crm.sources["event"] = finish(
        plan,
        "event",
        r,
        cols,
        e_created,
        np.arange(n_events),
        np.zeros(n_events, bool),
        {"created_date": e_created},
    )
    crm.touch_ref_obj[T["uid"][act[ev_rows]]] = EVENT
    crm.touch_ref_idx[T["uid"][act[ev_rows]]] = np.arange(n_ev_touch)
    crm.ids["event"] = ev_ids


def _who(lead_ids: pa.Array, contact_ids: pa.Array, lead: np.ndarray, contact: np.ndarray) -> lazy.Lazy:
    """The lead (before conversion) or the contact an activity is about, formatted on demand."""
    return lazy.Lazy(len(lead), lambda i: pc.coalesce(ref(lead_ids, lead[i]), ref(contact_ids, contact[i])))


def _what(
    opp_ids: pa.Array, account_ids: pa.Array, opp: np.ndarray, acc: np.ndarray, which: np.ndarray
) -> lazy.Lazy:
    """The opportunity (which == 0) or account (1) an activity is about, formatted on demand."""
    opp_or_none = np.where(which == 0, opp, -1)
    acc_or_none = np.where(which == 1, acc, -1)
    return lazy.Lazy(
        len(which), lambda i: pc.coalesce(ref(opp_ids, opp_or_none[i]), ref(account_ids, acc_or_none[i]))
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
