"""The demo company's world: staff, partners, campaigns, accounts, opportunities, people and the
touches of every person over time. Outcomes (won/lost) come later, from regimes.py.

All tables are dicts of numpy arrays (one row per entity); times are int64 UTC seconds; NA marks
a missing time. Nothing here formats text: web.py, crm/, referral.py and costs.py turn the world
into contract rows.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from . import vocab as V
from .fmt import DAY, HOUR, MINUTE, NA
from .plan import (
    Plan,
    business_time,
    group_cummax,
    group_rank,
    repeat_index,
    unique_suffix,
    weighted_choice,
)

SPACING = 3 * HOUR  # minimum time between two touches of one person (keeps sessions apart)
MAX_PER_PHASE = 30
# Share of community-origin deals that came by word of mouth no tracking saw: a friend or a
# colleague told the buyer, no referral link, partner code or community session carried it. Their
# people's community touches keep their time and causal weight (the truth is unchanged) but leave
# no raw row: `word_of_mouth` touches; a community creation becomes a lead-source record.
UNTRACKED_WORD_OF_MOUTH_RATE = 0.4

Table = dict[str, np.ndarray]


@dataclass
class World:
    plan: Plan
    users: Table
    partners: Table
    campaigns: Table
    companies: Table  # name pool: accounts first, then companies of leads that never convert
    accounts: Table
    opps: Table
    people: Table
    touches: Table


# --- staff ----------------------------------------------------------------------------------------


def _emails(first: np.ndarray, last: np.ndarray, domains: np.ndarray) -> np.ndarray:
    first_names = np.array(V.FIRST_NAMES, dtype=object)[first]
    last_names = np.array(V.LAST_NAMES, dtype=object)[last]
    local = np.char.lower((first_names + "." + last_names).astype(str))
    local = unique_suffix(np.char.add(local, np.char.add("@", domains.astype(str))))
    return np.asarray(local, dtype=object)


def build_users(plan: Plan) -> Table:
    r = plan.rng("users")
    counts = [max(minimum, round(n * plan.scale)) for _, n, minimum, _ in V.USER_ROLES]
    role = np.repeat(np.arange(len(counts)), counts)
    created = plan.t_start - (r.uniform(60, 1200, len(role)) * DAY).astype(np.int64)
    hired = r.random(len(role)) < 0.1
    hire_hi = max(plan.t_start + DAY, plan.t_end - 30 * DAY)
    created = np.where(hired, r.integers(plan.t_start, hire_hi, len(role)), created)
    if plan.days >= 2:  # a new SDR starts on the second extract date: a user delta
        role = np.append(role, V.R["SDR"])
        created = np.append(created, plan.cutoffs[0] + 9 * HOUR + int(r.integers(0, 8 * HOUR)))
    n = len(role)
    deactivated = np.full(n, NA, dtype=np.int64)
    leave = (r.random(n) < 0.04) & (created < plan.t_end - 60 * DAY)
    lo = np.maximum(created, plan.t_start) + 30 * DAY
    deactivated[leave] = (lo[leave] + r.random(leave.sum()) * (plan.t_end - lo[leave])).astype(np.int64)
    first = r.integers(len(V.FIRST_NAMES), size=n)
    last = r.integers(len(V.LAST_NAMES), size=n)
    return {
        "role": role,
        "first": first,
        "last": last,
        "email": _emails(first, last, np.full(n, V.STAFF_DOMAIN, dtype=object)),
        "created": created.astype(np.int64),
        "deactivated": deactivated,
        "currency": weighted_choice(r, (0.65, 0.25, 0.10), n),
        "salary_factor": r.uniform(0.85, 1.2, n),
    }


def users_of(users: Table, role: str) -> np.ndarray:
    return np.flatnonzero(users["role"] == V.R[role])


# --- partners and campaigns ---------------------------------------------------------------------------


def build_partners(plan: Plan) -> Table:
    r = plan.rng("partners")
    n = max(4, round(120 * plan.scale))
    shares = [p[1] for p in V.PARTNER_TYPES]
    ptype = np.concatenate([np.arange(4), weighted_choice(r, shares, n - 4)])
    r.shuffle(ptype)
    words = np.array(V.PARTNER_NAME_WORDS, dtype=object)
    org_name = words[np.arange(n) % len(words)]
    round_no = np.arange(n) // len(words)
    org_name = np.where(round_no > 0, org_name + " " + (round_no + 1).astype(str).astype(object), org_name)
    person = (
        np.array(V.FIRST_NAMES, dtype=object)[r.integers(len(V.FIRST_NAMES), size=n)]
        + " "
        + np.array(V.LAST_NAMES, dtype=object)[r.integers(len(V.LAST_NAMES), size=n)]
    )
    advocate = ptype == V.PARTNER_TYPE_NAMES.index("customer_advocate")
    name = np.where(advocate, person, org_name)
    slug = np.array([s for s in np.char.lower(name.astype(str))], dtype=object)
    slug = np.char.replace(np.char.replace(slug.astype(str), " ", ""), ".", "")
    code = np.char.add(
        np.char.upper(np.char.ljust(slug, 6, "X").astype("U6")), (np.arange(n) + 10).astype(str)
    )
    lo = np.array([p[2] for p in V.PARTNER_TYPES])[ptype]
    hi = np.array([p[3] for p in V.PARTNER_TYPES])[ptype]
    commission = np.round(lo + r.random(n) * (hi - lo), 2)
    created = plan.t_start - (r.uniform(0, 700, n) * DAY).astype(np.int64)
    new = r.random(n) < 0.15
    new[: min(n, 4)] = False  # one established partner of each type at least
    created = np.where(new, r.integers(plan.t_start, plan.t_end, n), created)
    dropped = np.full(n, NA, dtype=np.int64)
    drop = (r.random(n) < 0.06) & ~new
    dropped[drop] = r.integers(plan.t_start, plan.t_end, drop.sum())
    candidates = np.flatnonzero(~new & ~drop)
    if plan.days >= 2 and len(candidates) >= 3:  # one partner leaves the program on the 2nd night
        dropped[candidates[-1]] = plan.cutoffs[0] + int(r.integers(HOUR, 20 * HOUR))
    return {
        "type": ptype,
        "name": name.astype(object),
        "slug": slug.astype(object),
        "code": code.astype(object),
        "site": np.where(advocate, None, np.char.add(np.char.add("https://www.", slug), ".example")).astype(
            object
        ),
        "commission": commission,
        "created": created.astype(np.int64),
        "dropped": dropped,
        "established": ~new,
    }


def build_campaigns(plan: Plan) -> Table:
    r = plan.rng("campaigns")
    t0 = (plan.t_start // DAY) * DAY - 30 * DAY
    t1 = plan.t_end + 120 * DAY
    out: dict[str, list] = {k: [] for k in ("type", "start", "end", "budget", "actual", "currency", "topic")}
    for ti, (_, _, per_year, budget, _, _) in enumerate(V.CAMPAIGN_TYPES):
        n = max(2, round(per_year * plan.scale * plan.span_days / 365))
        length = max(1, (t1 - t0) // DAY // n)
        start = t0 + np.arange(n) * length * DAY
        out["type"].append(np.full(n, ti))
        out["start"].append(start)
        out["end"].append(start + (length - 1) * DAY)
        b = np.round(budget * r.uniform(0.7, 1.3, n), -1)
        out["budget"].append(b)
        out["actual"].append(np.round(b * r.uniform(0.8, 1.1, n), 2))
        eur = (V.CAMPAIGN_TYPE_NAMES[ti] == "Event") & (r.random(n) < 0.3)
        out["currency"].append(np.where(eur, 1, 0))
        out["topic"].append((np.arange(n) + ti) % len(V.CAMPAIGN_TOPICS))
    table = {k: np.concatenate(v) for k, v in out.items()}
    table["created"] = (
        table["start"] - 21 * DAY + (r.uniform(9, 17, len(table["start"])) * HOUR).astype(np.int64)
    )
    table["completed"] = table["end"] + DAY + (r.uniform(9, 17, len(table["start"])) * HOUR).astype(np.int64)
    return table


def campaign_at(campaigns: Table, ctype: np.ndarray, t: np.ndarray) -> np.ndarray:
    """The campaign of each type running at each time (campaigns of a type tile the timeline)."""
    out = np.empty(len(t), dtype=np.int64)
    for ti in np.unique(ctype):
        mask = ctype == ti
        idx = np.flatnonzero(campaigns["type"] == ti)
        pos = np.searchsorted(campaigns["start"][idx], t[mask], side="right") - 1
        out[mask] = idx[np.clip(pos, 0, len(idx) - 1)]
    return out


# --- companies, accounts, opportunities -------------------------------------------------------------


def build_companies(plan: Plan, n_accounts: int, n_other: int) -> Table:
    r = plan.rng("companies")
    a, b, s = len(V.COMPANY_WORDS_A), len(V.COMPANY_WORDS_B), len(V.COMPANY_SUFFIX)
    n = n_accounts + n_other
    pool = a * b * s
    combo = r.permutation(pool)[: min(n, pool)]
    if n > pool:
        combo = np.concatenate([combo, r.integers(0, pool, n - pool)])
    ia, ib, isx = combo // (b * s), (combo // s) % b, combo % s
    wa = np.array(V.COMPANY_WORDS_A, dtype=object)[ia]
    wb = np.array(V.COMPANY_WORDS_B, dtype=object)[ib]
    name = unique_suffix((wa + " " + wb + " " + np.array(V.COMPANY_SUFFIX, dtype=object)[isx]).astype(str))
    domain = unique_suffix(np.char.lower((wa + wb).astype(str)))
    return {
        "name": np.asarray(name, dtype=object),
        "domain": np.char.add(np.asarray(domain, dtype=str), ".example").astype(object),
        "country": weighted_choice(r, [c[3] for c in V.COUNTRIES], n),
    }


def build_accounts(plan: Plan, users: Table, n_accounts: int) -> Table:
    r = plan.rng("accounts")
    aes = users_of(users, "AE")
    return {
        "industry": r.integers(len(V.INDUSTRIES), size=n_accounts),
        "employees": np.clip(np.round(r.lognormal(np.log(250), 1.3, n_accounts)), 5, 200_000).astype(
            np.int64
        ),
        "owner": aes[r.integers(len(aes), size=n_accounts)],
        "created": np.full(n_accounts, NA, dtype=np.int64),  # set once journeys are known
    }


def build_opps(plan: Plan, users: Table, accounts: Table, companies: Table) -> Table:
    r = plan.rng("opportunities")
    n_acc = len(accounts["owner"])
    n = plan.count(10_000, 4)
    n_with = min(n_acc - 1 if n_acc > 3 else n_acc, max(1, round(n * 0.45)), n)
    with_opps = r.permutation(n_acc)[:n_with]
    weights = 1.0 / (np.arange(n_with) + 1.0) ** 0.6
    account = np.concatenate([with_opps, with_opps[weighted_choice(r, weights, n - n_with)]])
    account = account[r.permutation(n)]
    t_oc = r.integers(plan.t_start + 10 * DAY, plan.t_end, n)
    t_oc = business_time(r, t_oc, plan.t_start + 10 * DAY, plan.t_end - HOUR)
    otype = weighted_choice(r, V.OPP_TYPE_WEIGHTS, n)
    # the earliest opportunity of an account is New Business
    order = np.lexsort((t_oc, account))
    first = np.ones(n, dtype=bool)
    first[order[1:]] = account[order[1:]] != account[order[:-1]]
    otype[first] = 0
    median_cycle = np.array([45.0, 30.0, 25.0])[otype]
    cycle = np.clip(r.lognormal(np.log(median_cycle), 0.55), 7, 240)
    t_close = t_oc + (cycle * DAY).astype(np.int64)
    t_close = business_time(r, t_close, t_oc + 7 * DAY, t_close + DAY)
    median_amount = np.array([25_000.0, 12_000.0, 30_000.0])[otype]
    amount0 = np.round(np.clip(r.lognormal(np.log(median_amount), 0.8), 2_000, 500_000), -2)
    amount1 = np.round(amount0 * r.uniform(0.8, 1.25, n), -2)
    slip = np.where(r.random(n) < 0.5, 0, (r.uniform(5, 45, n) * DAY).astype(np.int64))
    planned_close = np.maximum(t_close - slip, t_oc + 7 * DAY)
    aes = users_of(users, "AE")
    owner = np.where(r.random(n) < 0.8, accounts["owner"][account], aes[r.integers(len(aes), size=n)])
    opps_per_account = np.bincount(account, minlength=n_acc)
    no_roles = (opps_per_account[account] == 1) & (r.random(n) < 0.10)
    cs = plan.community_strength
    ow = np.array(V.ORIGIN_WEIGHTS) * np.array([1.0, 1.0, cs, 1.0])
    currency_of_country = np.array([V.CURRENCIES.index(c[2]) for c in V.COUNTRIES])
    return {
        "account": account,
        "type": otype,
        "t_oc": t_oc.astype(np.int64),
        "t_close": t_close.astype(np.int64),
        "planned_close": planned_close.astype(np.int64),
        "amount0": amount0,
        "amount": amount1,
        "currency": currency_of_country[companies["country"][account]],
        "owner": owner,
        "no_roles": no_roles,
        "origin": weighted_choice(r, ow, n),
        "lost_stage": weighted_choice(r, (0.25, 0.25, 0.2, 0.2, 0.1), n),  # last open stage of a lost deal
        "n_edits_rate": r.uniform(0.5, 1.5, n),
    }


# --- people -------------------------------------------------------------------------------------------

# people["kind"]: 0 journey (on a deal), 1 noise (a lead that never converts), 2 prospect


def build_people(plan: Plan, opps: Table, accounts: Table, companies: Table) -> Table:
    r = plan.rng("people")
    n_opp = len(opps["t_oc"])
    k = 1 + np.minimum(r.poisson(0.8, n_opp), 4)
    journey, pos = repeat_index(k)
    n_j = len(journey)
    primary = pos == 0
    is_lead = primary | (r.random(n_j) < 0.6)
    t_oc = opps["t_oc"][journey]
    t_close = opps["t_close"][journey]
    cycle = t_close - t_oc
    # primary: lead created a days before the opportunity, first touch b days before the lead
    a = np.clip(r.lognormal(np.log(14), 1.0, n_j), 1, 150) * DAY
    a = np.minimum(a, np.maximum((t_oc - plan.t_start) * 0.9, 0.2 * DAY))
    t_lc_primary = business_time(r, (t_oc - a).astype(np.int64), plan.t_start + HOUR, t_oc - 2 * HOUR)
    t_lc = t_lc_primary[np.flatnonzero(primary)][journey]  # the journey's first lead creation
    sec_lead = ~primary & is_lead
    sec_contact = ~primary & ~is_lead
    t_create = t_lc_primary.copy()
    hi = t_oc + 0.6 * cycle
    t_create[sec_lead] = (t_lc + r.random(n_j) * (hi - t_lc))[sec_lead].astype(np.int64)
    t_create[sec_contact] = (t_oc + HOUR + r.random(n_j) * 0.7 * cycle)[sec_contact].astype(np.int64)
    t_create = np.where(primary, t_create, business_time(r, t_create, t_lc, t_close - 3 * HOUR))
    b = np.minimum(r.exponential(21, n_j), 120) * DAY
    b = np.minimum(b, np.maximum(t_create - plan.t_start - HOUR, 0))
    b = np.minimum(b, np.maximum(330 * DAY - (t_close - t_create), 0))
    b = np.where(primary, b, np.where(sec_lead, np.minimum(r.uniform(0, 30, n_j) * DAY, b), 0))
    pre_start = (t_create - b).astype(np.int64)
    conv = np.maximum(t_create + r.uniform(2 * HOUR, 10 * DAY, n_j), t_oc + r.uniform(0, 0.3, n_j) * cycle)
    conv = np.minimum(conv, t_close - HOUR).astype(np.int64)
    conv = np.where(primary, t_oc, np.where(sec_contact, t_create, conv))
    jp = {
        "kind": np.zeros(n_j, dtype=np.int64),
        "journey": journey,
        "account": opps["account"][journey],
        "company": opps["account"][journey],
        "primary": primary,
        "is_lead": is_lead,
        "origin": opps["origin"][journey],
        "pre_start": pre_start,
        "t_create": t_create.astype(np.int64),
        "t_conv": conv.astype(np.int64),
        "t_oc": t_oc,
        "stop": t_close,
        "rates": np.where(primary[:, None], [[0.07, 0.15, 0.18]], [[0.03, 0.08, 0.10]]),
    }
    # leads that never become anything
    n_noise = plan.count(20_000, 5)
    n_acc = len(accounts["owner"])
    t_c = r.integers(plan.t_start + HOUR, plan.t_end, n_noise)
    t_c = business_time(r, t_c, plan.t_start + HOUR, plan.t_end - HOUR)
    pre = np.minimum(r.exponential(20, n_noise) * DAY, t_c - plan.t_start).astype(np.int64)
    cs = plan.community_strength
    ow = np.array(V.ORIGIN_WEIGHTS) * np.array([1.0, 1.0, cs, 1.0])
    noise = {
        "kind": np.ones(n_noise, dtype=np.int64),
        "journey": np.full(n_noise, -1),
        "account": np.full(n_noise, -1),
        "company": n_acc + r.integers(0, len(companies["name"]) - n_acc, n_noise),
        "primary": np.zeros(n_noise, dtype=bool),
        "is_lead": np.ones(n_noise, dtype=bool),
        "origin": weighted_choice(r, ow, n_noise),
        "pre_start": t_c - pre,
        "t_create": t_c.astype(np.int64),
        "t_conv": np.full(n_noise, NA, dtype=np.int64),
        "t_oc": np.full(n_noise, NA, dtype=np.int64),
        "stop": np.minimum(t_c + (r.uniform(20, 150, n_noise) * DAY).astype(np.int64), plan.t_end),
        "rates": np.tile([[0.04, 0.05, 0.0]], (n_noise, 1)),
    }
    # contacts on accounts that never get an opportunity (SDR prospecting)
    has_opp = np.zeros(n_acc, dtype=bool)
    has_opp[opps["account"]] = True
    prospect_accounts = np.flatnonzero(~has_opp & (r.random(n_acc) < 0.6))
    n_pr = len(prospect_accounts)
    t_p = business_time(
        r, r.integers(plan.t_start + DAY, plan.t_end, n_pr), plan.t_start + DAY, plan.t_end - HOUR
    )
    prospects = {
        "kind": np.full(n_pr, 2),
        "journey": np.full(n_pr, -1),
        "account": prospect_accounts,
        "company": prospect_accounts,
        "primary": np.zeros(n_pr, dtype=bool),
        "is_lead": np.zeros(n_pr, dtype=bool),
        "origin": np.zeros(n_pr, dtype=np.int64),
        "pre_start": t_p.astype(np.int64),
        "t_create": t_p.astype(np.int64),
        "t_conv": t_p.astype(np.int64),
        "t_oc": np.full(n_pr, NA, dtype=np.int64),
        "stop": np.minimum(t_p + 40 * DAY, plan.t_end),
        "rates": np.tile([[0.0, 0.04, 0.0]], (n_pr, 1)),
    }
    people = {key: np.concatenate([jp[key], noise[key], prospects[key]]) for key in jp}
    n = len(people["kind"])
    people["devices"] = 1 + (r.random(n) < 0.45) + (r.random(n) < 0.15)
    people["first"] = r.integers(len(V.FIRST_NAMES), size=n)
    people["last"] = r.integers(len(V.LAST_NAMES), size=n)
    people["title"] = r.integers(len(V.TITLES), size=n)
    people["email"] = _emails(people["first"], people["last"], companies["domain"][people["company"]])
    people["country"] = companies["country"][people["company"]]
    people["browser"] = weighted_choice(r, V.BROWSER_WEIGHTS, n * 3).reshape(n, 3)
    return people


# --- touches ------------------------------------------------------------------------------------------


def _kind_weights(phase_weights: dict[str, float], origin: int, cs: float) -> np.ndarray:
    w = np.zeros(len(V.KINDS))
    for name, weight in phase_weights.items():
        i = V.K[name]
        group = V.KINDS[i][1]
        w[i] = weight * (cs if group == V.COMMUNITY else 1.0) * (2.0 if group == origin else 1.0)
    return w


def _sample_kinds(r: np.random.Generator, table: dict, origin: np.ndarray, cs: float) -> np.ndarray:
    out = np.zeros(len(origin), dtype=np.int64)
    for o in range(4):
        mask = origin == o
        if mask.any():
            w = _kind_weights(table, o, cs)
            out[mask] = weighted_choice(r, w, int(mask.sum())) if w.sum() > 0 else V.K["web_direct"]
    return out


def build_touches(plan: Plan, people: Table, opps: Table) -> Table:
    """Touches of every person (and opportunity-level activities), spaced and consistent."""
    r = plan.rng("touches")
    cs = plan.community_strength
    n_p = len(people["kind"])
    parts = []
    # creation touches: how the person became known
    creation = np.zeros(n_p, dtype=np.int64)
    leads = people["is_lead"]
    for o in range(4):
        mask = leads & (people["origin"] == o)
        weights = {
            k: w * (cs if V.KINDS[V.K[k]][1] == V.COMMUNITY else 1.0)
            for k, w in V.CREATION_WEIGHTS[o].items()
        }
        names = list(weights)
        w = np.array([weights[k] for k in names])
        if mask.any() and w.sum() > 0:
            creation[mask] = np.array([V.K[k] for k in names])[weighted_choice(r, w, int(mask.sum()))]
        elif mask.any():
            creation[mask] = V.K["web_direct"]
    contacts = ~leads
    cw = np.array([0.4, 0.4, 0.2 * cs])
    creation[contacts] = np.array([V.K["source_sales"], V.K["source_direct"], V.K["source_community"]])[
        weighted_choice(r, cw, int(contacts.sum()))
    ]
    creation[people["kind"] == 2] = V.K["source_sales"]
    parts.append(
        {
            "person": np.arange(n_p),
            "time": people["t_create"],
            "kind": creation,
            "creation": np.ones(n_p, dtype=bool),
        }
    )
    # touches per phase
    t_oc = people["t_oc"]
    has_opp = t_oc != NA
    nurture_end = np.where(has_opp, np.minimum(t_oc, people["stop"]), people["stop"])
    opp_start = np.where(has_opp, np.maximum(people["t_create"], t_oc), people["stop"])
    phases = (
        ("pre", people["pre_start"], people["t_create"], 0),
        ("nurture", people["t_create"], nurture_end, 1),
        ("opp", opp_start, people["stop"], 2),
    )
    for name, lo, hi, col in phases:
        dur = np.maximum(hi - lo, 0) / DAY
        counts = np.minimum(r.poisson(people["rates"][:, col] * dur), MAX_PER_PHASE)
        person, _ = repeat_index(counts)
        t = lo[person] + (r.random(len(person)) * (hi - lo)[person]).astype(np.int64)
        t = business_time(r, t, lo[person], hi[person], 15.0, 4.0)
        kind = _sample_kinds(r, V.PHASE_WEIGHTS[name], people["origin"][person], cs)
        if name == "pre":  # nothing but web visits and clicks before the person is known
            kind = np.where(
                np.isin(kind, [*list(V.WEB_KINDS), V.K["referral_click"]]), kind, V.K["web_direct"]
            )
        parts.append(
            {"person": person, "time": t, "kind": kind, "creation": np.zeros(len(person), dtype=bool)}
        )
    touches = {key: np.concatenate([p[key] for p in parts]) for key in parts[0]}
    touches["journey"] = people["journey"][touches["person"]]

    # spacing: >= SPACING between two touches of one person, order kept
    order = np.lexsort((~touches["creation"], touches["time"], touches["person"]))
    touches = {k: v[order] for k, v in touches.items()}
    rank = group_rank(touches["person"])
    shifted = touches["time"] - rank * SPACING
    touches["time"] = group_cummax(touches["person"], shifted) + rank * SPACING

    # the person's creation follows its creation touch; the opportunity follows its first lead
    cre = touches["creation"]
    people["t_create"] = np.empty(n_p, dtype=np.int64)
    people["t_create"][touches["person"][cre]] = touches["time"][cre]
    prim = np.flatnonzero(people["primary"])
    jn = people["journey"][prim]
    opps["t_oc"][jn] = np.maximum(opps["t_oc"][jn], people["t_create"][prim] + 3 * HOUR)
    opps["t_close"] = np.maximum(opps["t_close"], opps["t_oc"] + 7 * DAY)
    opps["planned_close"] = np.maximum(opps["planned_close"], opps["t_oc"] + 7 * DAY)
    is_j = people["journey"] >= 0
    j = np.where(is_j, people["journey"], 0)
    people["t_oc"] = np.where(is_j, opps["t_oc"][j], NA)
    people["stop"] = np.where(is_j, opps["t_close"][j], people["stop"])
    conv = people["t_conv"]
    conv = np.where(people["primary"], people["t_oc"], conv)
    conv = np.where(is_j & ~people["primary"], np.maximum(conv, people["t_create"] + 2 * HOUR), conv)
    conv = np.where(
        is_j & ~people["primary"] & people["is_lead"], np.minimum(conv, people["stop"] - HOUR), conv
    )
    conv = np.where(~people["is_lead"], people["t_create"], conv)
    people["t_conv"] = conv
    # a journey person created too close to the close leaves the journey (dropped entirely)
    people["active"] = ~(is_j & ~people["primary"] & (people["t_create"] > people["stop"] - 3 * HOUR))
    people["active"] &= ~(is_j & ~people["primary"] & people["is_lead"] & (conv <= people["t_create"]))
    keep = people["active"][touches["person"]] & (
        touches["creation"] | (touches["time"] <= people["stop"][touches["person"]])
    )
    touches = {k: v[keep] for k, v in touches.items()}

    # opportunity-level activities: linked only to the opportunity (what_id, no who_id)
    ro = plan.rng("opp-activities")
    cycle_days = (opps["t_close"] - opps["t_oc"]) / DAY
    counts = np.minimum(ro.poisson(0.03 * cycle_days), 10)
    jo, _ = repeat_index(counts)
    t = opps["t_oc"][jo] + (ro.random(len(jo)) * (opps["t_close"] - opps["t_oc"])[jo]).astype(np.int64)
    t = business_time(ro, t, opps["t_oc"][jo] + HOUR, opps["t_close"][jo])
    kinds = np.array([V.K["sales_call"], V.K["sales_email"], V.K["sales_meeting"]])[
        ro.integers(0, 3, len(jo))
    ]
    touches = {
        "person": np.concatenate([touches["person"], np.full(len(jo), -1)]),
        "time": np.concatenate([touches["time"], t]),
        "kind": np.concatenate([touches["kind"], kinds]),
        "creation": np.concatenate([touches["creation"], np.zeros(len(jo), dtype=bool)]),
        "journey": np.concatenate([touches["journey"], jo]),
    }
    order = np.lexsort((touches["person"], touches["time"], touches["journey"]))
    touches = {k: v[order] for k, v in touches.items()}
    _untracked_word_of_mouth(plan, people, opps, touches)
    n_t = len(touches["time"])
    kind = touches["kind"]
    group = np.array([k[1] for k in V.KINDS])[kind]
    category = np.array([k[2] for k in V.KINDS])[kind]
    touches["group"] = group
    touches["category"] = category
    person = touches["person"]
    # web and click touches: which device; the creating form comes from the first device
    dev = np.zeros(n_t, dtype=np.int64)
    has_p = person >= 0
    dev[has_p] = (r.random(has_p.sum()) * people["devices"][person[has_p]]).astype(np.int64)
    dev[touches["creation"]] = 0
    touches["device"] = dev
    web_like = (category == "web") | (category == "click")
    form = touches["creation"] & web_like
    later = ~touches["creation"] & (category == "web") & has_p
    later &= touches["time"] > np.where(has_p, people["t_create"][np.maximum(person, 0)], 0) + HOUR
    form |= later & (r.random(n_t) < 0.08)
    touches["form"] = form
    touches["signup"] = later & ~form & (r.random(n_t) < 0.04)
    # a click opens a session most of the time (always when it creates the lead)
    touches["click_session"] = (category == "click") & ((r.random(n_t) < 0.85) | form)
    touches["uid"] = np.arange(n_t)
    return touches


def _untracked_word_of_mouth(plan: Plan, people: Table, opps: Table, touches: Table) -> None:
    """Per community-origin deal, with UNTRACKED_WORD_OF_MOUTH_RATE, the community touches of its
    people become untracked (people["untracked_wom"]): a creation becomes `source_community` (the
    lead typed in with a word-of-mouth lead source: declared, not tracked), every other one
    `word_of_mouth` (no raw row). Same times and groups, so the causal story is unchanged; its own
    random stream, so no other draw moves."""
    r = plan.rng("untracked-word-of-mouth")
    n_opp = len(opps["t_oc"])
    untracked_deal = (opps["origin"] == V.COMMUNITY) & (r.random(n_opp) < UNTRACKED_WORD_OF_MOUTH_RATE)
    journey = people["journey"]
    people["untracked_wom"] = (journey >= 0) & untracked_deal[np.maximum(journey, 0)]
    person = touches["person"]
    community = np.array([k[1] == V.COMMUNITY for k in V.KINDS])[touches["kind"]]
    hit = (person >= 0) & community & people["untracked_wom"][np.maximum(person, 0)]
    touches["kind"] = np.where(
        hit, np.where(touches["creation"], V.K["source_community"], V.K["word_of_mouth"]), touches["kind"]
    )


def place_accounts(plan: Plan, accounts: Table, people: Table, opps: Table) -> None:
    """An account exists before its first person is created (or, for prospects, with them)."""
    r = plan.rng("account-created")
    n_acc = len(accounts["owner"])
    first = np.full(n_acc, np.iinfo(np.int64).max, dtype=np.int64)
    has = people["account"] >= 0
    np.minimum.at(
        first,
        people["account"][has],
        people["t_create"][has] - (r.uniform(0.5, 3, has.sum()) * DAY).astype(np.int64),
    )
    np.minimum.at(first, opps["account"], opps["t_oc"] - DAY)
    unset = first == np.iinfo(np.int64).max
    first[unset] = r.integers(plan.t_start + HOUR, plan.t_end - HOUR, unset.sum())
    first = np.maximum(first, plan.t_start + 10 * MINUTE)
    accounts["created"] = business_time(r, first, plan.t_start + 10 * MINUTE, first)


def sample_partners(r: np.random.Generator, partners: Table, n: int, sites_only: bool) -> np.ndarray:
    """Partners bringing clicks/records, weighted by type; established partners only."""
    weights = np.array(V.PARTNER_TOUCH_WEIGHT)[partners["type"]] * partners["established"]
    if sites_only:
        weights = weights * np.array([s is not None for s in partners["site"]])
    return weighted_choice(r, weights, n)


def assign_partners(plan: Plan, touches: Table, partners: Table) -> None:
    """The partner behind each referral click / record / partner-content session."""
    r = plan.rng("touch-partners")
    partner = np.full(len(touches["time"]), -1, dtype=np.int64)
    any_type = np.isin(touches["kind"], [V.K["referral_click"], V.K["referral_record"]])
    partner[any_type] = sample_partners(r, partners, int(any_type.sum()), sites_only=False)
    content = touches["kind"] == V.K["web_partner"]
    partner[content] = sample_partners(r, partners, int(content.sum()), sites_only=True)
    touches["partner"] = partner


def assign_campaigns(plan: Plan, touches: Table, campaigns: Table) -> None:
    """The campaign each campaign-response touch answers (running at the time, of a fitting type)."""
    r = plan.rng("touch-campaigns")
    campaign = np.full(len(touches["time"]), -1, dtype=np.int64)
    for kind, weights in V.RESPONSE_TYPE_WEIGHTS.items():
        m = touches["kind"] == V.K[kind]
        if not m.any():
            continue
        types = np.array([V.CAMPAIGN_TYPE_NAMES.index(t) for t in weights])
        ctype = types[weighted_choice(r, list(weights.values()), int(m.sum()))]
        campaign[m] = campaign_at(campaigns, ctype, touches["time"][m])
    touches["campaign"] = campaign
