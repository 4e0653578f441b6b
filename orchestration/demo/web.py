"""Web sessions and events (web/event) and referral clicks (referral/click).

Every web touch of a person becomes one session of one of the person's devices (an anonymous id):
a landing event carrying the traffic spec (UTMs, external referrer, referral code), then page views
minutes apart with internal referrers, and where the touch says so a form submit / signup followed
by an identify carrying the person's email. A referral click becomes a click row plus (usually) a
session of the same device a few seconds to minutes later with the referral code. Anonymous
visitors and bots fill the traffic up to the scale's volume. Nothing is a per-row Python loop.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from . import fmt, lazy
from . import vocab as V
from .fmt import DAY, HOUR, NA
from .nights import Source, append_nights, source
from .plan import Plan, business_time, group_cummax, group_rank, group_starts, repeat_index, weighted_choice
from .world import SPACING, World, sample_partners

EVENTS_PER_YEAR = 2_000_000
BOT_SHARE = 0.04
LATE_LAG_P = (0.973, 0.02, 0.007)  # arrival delay of a session's events: 0, 1, 2 days
DUPLICATE_SHARE = 0.003
EVENT_TYPES = ("page_view", "form_submit", "identify", "signup")
PV, FORM, IDENTIFY, SIGNUP = range(4)
ISO = (*tuple(c[1] for c in V.COUNTRIES), "IN", "BR", "CN", "SG", "JP", "PL", "CH", "IT")
BACKGROUND_COUNTRY_W = (*tuple(c[3] for c in V.COUNTRIES), 0.04, 0.02, 0.01, 0.01, 0.01, 0.02, 0.02, 0.02)
BOT_COUNTRIES = (ISO.index("US"), ISO.index("IE"), ISO.index("CN"), ISO.index("SG"), ISO.index("DE"))

SPEC_KIND = np.array([s[0] for s in V.WEB_SPECS], dtype=object)
SPEC_CHANNEL = tuple(s[1] for s in V.WEB_SPECS)
PLACEHOLDER = re.compile(r"\{(\w+)\}")


@dataclass
class WebOut:
    events: Source
    clicks: Source
    touch_session_event: np.ndarray  # touch uid -> row of its session's first event (-1)
    touch_click_row: np.ndarray  # touch uid -> row of its click (-1)
    form_time: np.ndarray  # touch uid -> time of its form submit / signup (NA)
    touch_spec: np.ndarray  # touch uid -> traffic spec of its session (-1)
    stats: dict


def _spec_choice(r: np.random.Generator, kind_name: str, size: int) -> np.ndarray:
    idx = np.flatnonzero(kind_name == SPEC_KIND)
    weights = np.array([V.WEB_SPECS[i][9] for i in idx], dtype=float)
    return idx[weighted_choice(r, weights, size)]


def _specs_for_kinds(r: np.random.Generator, kind_names: np.ndarray) -> np.ndarray:
    out = np.full(len(kind_names), -1, dtype=np.int64)
    for name in np.unique(kind_names):
        mask = kind_names == name
        out[mask] = _spec_choice(r, name, int(mask.sum()))
    return out


def _resolve(template: str | None, n: int, subs: dict[str, pa.Array]) -> pa.Array:
    """A template such as '/?ref={code}' for n rows; subs gives each placeholder's values."""
    if template is None:
        return fmt.nulls(n)
    parts: list[pa.Array | str] = []
    pos = 0
    for m in PLACEHOLDER.finditer(template):
        if m.start() > pos:
            parts.append(template[pos : m.start()])
        parts.append(subs[m.group(1)])
        pos = m.end()
    if pos < len(template):
        parts.append(template[pos:])
    if all(isinstance(p, str) for p in parts):
        return fmt.const("".join(parts), n)  # type: ignore[arg-type]
    return fmt.concat(*parts)


def _by_group(groups: np.ndarray, build) -> pa.Array:
    """Build an array group by group (build(code, idx) -> array for rows idx), in row order."""
    n = len(groups)
    order = np.argsort(groups, kind="stable")
    sorted_groups = groups[order]
    bounds = np.concatenate([[0], np.flatnonzero(sorted_groups[1:] != sorted_groups[:-1]) + 1, [n]])
    pieces = []
    for lo, hi in itertools.pairwise(bounds):
        if hi > lo:
            pieces.append(build(int(sorted_groups[lo]), order[lo:hi]).cast(pa.string()))
    if not pieces:
        return fmt.nulls(0)
    inverse = np.empty(n, dtype=np.int64)
    inverse[order] = np.arange(n)
    return pa.concat_arrays(pieces).take(pa.array(inverse))


def _family(r: np.random.Generator, values: dict, spec: np.ndarray, col: int) -> lazy.Lazy:
    """A UTM value drawn per session from its spec's family (column col of WEB_SPECS; none: null).

    The draws happen now, family by family in name order and rows in order within a family (the
    order the streams have always had); the text is looked up when rows are written."""
    names = sorted({V.WEB_SPECS[i][col] or "" for i in range(len(V.WEB_SPECS))})
    code_of_spec = np.array([names.index(V.WEB_SPECS[i][col] or "") for i in range(len(V.WEB_SPECS))])
    codes = code_of_spec.astype(np.int8)[spec]
    choice = np.zeros(len(spec), dtype=np.int16)
    order = np.argsort(codes, kind="stable")
    for code in np.unique(codes):
        idx = order[codes[order] == code]
        if names[code]:
            choice[idx] = r.integers(0, len(values[names[code]]), len(idx))
    tables = {c: fmt.strings(values[names[c]]) for c in range(len(names)) if names[c]}

    def text(rows: np.ndarray) -> pa.Array:
        def build(code: int, idx: np.ndarray) -> pa.Array:
            if not names[code]:
                return fmt.nulls(len(idx))
            return fmt.take(tables[code], choice[rows[idx]])

        return _by_group(codes[rows], build)

    return lazy.Lazy(len(spec), text)


def build_web(plan: Plan, w: World) -> WebOut:
    r = plan.rng("web")
    people, T, partners = w.people, w.touches, w.partners
    n_t = len(T["time"])
    n_p = len(people["kind"])
    dev_offset = np.cumsum(people["devices"]) - people["devices"]
    n_person_anon = int(people["devices"].sum())

    # ---- sessions of persons' touches -------------------------------------------------------------
    cat = T["category"]
    wi = np.flatnonzero(((cat == "web") | (cat == "click")) & (T["time"] < plan.t_end))
    kind_names = np.array(V.KIND_NAMES, dtype=object)[T["kind"][wi]]
    is_click = cat[wi] == "click"
    spec_kind = kind_names.copy()
    ptype = np.where(T["partner"][wi] >= 0, partners["type"][np.maximum(T["partner"][wi], 0)], 0)
    click_kind = np.array([V.CLICK_SPEC_KIND[t] for t in V.PARTNER_TYPE_NAMES], dtype=object)
    spec_kind[is_click] = click_kind[ptype[is_click]]
    person = T["person"][wi]
    device = T["device"][wi]
    ps = {
        "anon": dev_offset[person] + device,
        "t": T["time"][wi] + np.where(is_click, r.integers(20, 240, len(wi)), 0),
        "spec": _specs_for_kinds(r, spec_kind),
        "partner": T["partner"][wi],
        "form": T["form"][wi],
        "signup": T["signup"][wi],
        "person": person,
        "ua": people["browser"][person, np.minimum(device, 2)],
        "country": people["country"][person],
        "touch": T["uid"][wi],
        "bot": np.zeros(len(wi), dtype=bool),
        "emit": ~is_click | T["click_session"][wi],
        "click": is_click,
    }
    # a click without a session is only possible on a device that shows up (and identifies) elsewhere
    emitted_per_anon = np.bincount(ps["anon"], weights=ps["emit"], minlength=n_person_anon)
    ps["emit"] |= emitted_per_anon[ps["anon"]] == 0
    # every device a person uses is identified once: its first session unless it has a form/signup
    key = ps["anon"]
    order = np.lexsort((ps["t"], key))
    has_id = np.zeros(len(key), dtype=bool)
    ident_any = (ps["form"] | ps["signup"]) & ps["emit"]
    anon_has = np.zeros(n_person_anon, dtype=bool)
    anon_has[key[ident_any]] = True
    emitted_sorted = order[ps["emit"][order]]
    firsts = emitted_sorted[group_starts(key[emitted_sorted])]
    has_id[firsts] = ~anon_has[key[firsts]]
    ps["identify"] = has_id

    # ---- anonymous visitors and bots fill the volume ---------------------------------------------------
    target = EVENTS_PER_YEAR * plan.scale * plan.span_days / 365
    rb = plan.rng("web-background")
    n_pv_ps = _page_views(r, len(wi), bots=False)
    person_events = int((n_pv_ps + 2 * (ps["form"] | ps["signup"]) + ps["identify"])[ps["emit"]].sum())
    n_bg = max(0, round((target * (1 - BOT_SHARE) - person_events) / _mean_page_views(bots=False)))
    per_visitor = rb.geometric(0.67, max(1, round(n_bg / 1.5)))
    per_visitor = per_visitor[: np.searchsorted(np.cumsum(per_visitor), n_bg) + 1]
    visitor, _ = repeat_index(per_visitor)
    visitor = visitor[:n_bg]
    n_bg = len(visitor)
    t_bg = rb.integers(plan.t_start, plan.t_end, n_bg)
    t_bg = business_time(rb, t_bg, plan.t_start, plan.t_end - 1, 14.0, 5.0)
    order_bg = np.lexsort((t_bg, visitor))
    visitor, t_bg = visitor[order_bg], t_bg[order_bg]
    rank = group_rank(visitor)
    t_bg = group_cummax(visitor, t_bg - rank * SPACING) + rank * SPACING
    cs = plan.community_strength
    bg_names = list(V.BACKGROUND_WEIGHTS)
    bg_w = np.array(
        [V.BACKGROUND_WEIGHTS[k] * (cs if k in ("web_community", "web_partner") else 1.0) for k in bg_names]
    )
    bg_kind = np.array(bg_names, dtype=object)[weighted_choice(rb, bg_w, n_bg)]
    bg_click = rb.random(n_bg) < min(0.04 * cs, 0.2)
    bg_partner = np.full(n_bg, -1, dtype=np.int64)
    need_partner = bg_click | (bg_kind == "web_partner")
    bg_partner[need_partner] = sample_partners(rb, partners, int(need_partner.sum()), sites_only=False)
    site_partner = (bg_kind == "web_partner") & ~bg_click
    bg_partner[site_partner] = sample_partners(rb, partners, int(site_partner.sum()), sites_only=True)
    bg_spec_kind = bg_kind.copy()
    bg_spec_kind[bg_click] = click_kind[partners["type"][bg_partner[bg_click]]]
    bgs = {
        "anon": n_person_anon + visitor,
        "t": t_bg,
        "spec": _specs_for_kinds(rb, bg_spec_kind),
        "partner": bg_partner,
        "form": np.zeros(n_bg, dtype=bool),
        "signup": np.zeros(n_bg, dtype=bool),
        "person": np.full(n_bg, -1),
        "ua": weighted_choice(rb, V.BROWSER_WEIGHTS, n_bg),
        "country": weighted_choice(rb, BACKGROUND_COUNTRY_W, n_bg),
        "touch": np.full(n_bg, -1),
        "bot": np.zeros(n_bg, dtype=bool),
        "emit": ~bg_click | (rb.random(n_bg) < 0.85),
        "click": bg_click,
        "identify": np.zeros(n_bg, dtype=bool),
    }
    n_visitors = int(visitor.max()) + 1 if n_bg else 0
    n_bot_sessions = max(1, round(target * BOT_SHARE / _mean_page_views(bots=True)))
    rt = plan.rng("web-bots")
    bot_spec = np.where(
        rt.random(n_bot_sessions) < 0.2,
        _spec_choice(rt, "web_paid_search", n_bot_sessions),
        _spec_choice(rt, "web_direct", n_bot_sessions),
    )
    bots = {
        "anon": n_person_anon + n_visitors + np.arange(n_bot_sessions),
        "t": rt.integers(plan.t_start, plan.t_end, n_bot_sessions),
        "spec": bot_spec,
        "partner": np.full(n_bot_sessions, -1),
        "form": np.zeros(n_bot_sessions, dtype=bool),
        "signup": np.zeros(n_bot_sessions, dtype=bool),
        "person": np.full(n_bot_sessions, -1),
        "ua": len(V.BROWSER_AGENTS) + rt.integers(0, len(V.BOT_AGENTS), n_bot_sessions),
        "country": np.array(BOT_COUNTRIES)[rt.integers(0, len(BOT_COUNTRIES), n_bot_sessions)],
        "touch": np.full(n_bot_sessions, -1),
        "bot": np.ones(n_bot_sessions, dtype=bool),
        "emit": np.ones(n_bot_sessions, dtype=bool),
        "click": np.zeros(n_bot_sessions, dtype=bool),
        "identify": np.zeros(n_bot_sessions, dtype=bool),
    }
    S = {k: np.concatenate([ps[k], bgs[k], bots[k]]) for k in ps}
    n_pv = np.concatenate(
        [n_pv_ps, _page_views(rb, n_bg, bots=False), _page_views(rt, n_bot_sessions, bots=True)]
    )
    del ps, bgs, bots, kind_names, spec_kind, visitor, t_bg, bg_kind, bg_spec_kind
    n_anon = n_person_anon + n_visitors + n_bot_sessions
    n_s = len(S["t"])
    S["lag"] = weighted_choice(r, LATE_LAG_P, n_s)
    S["lag"][S["bot"]] = 0
    for k in range(1, plan.days):  # every later night gets at least one late session of yesterday
        day_end = plan.cutoffs[k - 1]
        cand = np.flatnonzero(
            ~S["bot"] & S["emit"] & (S["t"] >= day_end - DAY) & (S["t"] < day_end - 2 * HOUR)
        )
        if len(cand) and not (S["lag"][cand] > 0).any():
            S["lag"][r.choice(cand)] = 1
    # every session number but the time fits 32 bits (~8 M sessions at scale 10)
    S = {k: v.astype(np.int32) if v.dtype == np.int64 and k != "t" else v for k, v in S.items()}

    # ---- session-level text (drawn now, formatted per chunk of rows when written) ---------------------
    partner_code = fmt.strings(partners["code"])
    partner_slug = fmt.strings(partners["slug"])
    partner_site = fmt.strings(partners["site"])
    # what the text needs is kept compact: the writer formats it chunk by chunk, long after this
    spec = S["spec"].astype(np.int16)
    is_bot = S["bot"]
    pidx = np.maximum(S["partner"], 0).astype(np.int32)
    month = fmt.month_index(S["t"]).astype(np.int32)
    post = r.integers(0, len(V.BLOG_POSTS), n_s).astype(np.int16)
    subs_of = {
        "code": lambda i: partner_code.take(pa.array(pidx[i])),
        "partner": lambda i: partner_slug.take(pa.array(pidx[i])),
        "partner_site": lambda i: partner_site.take(pa.array(pidx[i])),
        "month": lambda i: pc.replace_substring(fmt.months(month[i]), "-", "_"),
        "post": lambda i: fmt.take(V.BLOG_POSTS, post[i]),
    }

    def field(col: int) -> lazy.Lazy:
        def text(rows: np.ndarray) -> pa.Array:
            def build(code: int, idx: np.ndarray) -> pa.Array:
                template = V.WEB_SPECS[code][col] or ""
                used = set(PLACEHOLDER.findall(template))
                subs = {k: f(rows[idx]) for k, f in subs_of.items() if k in used}
                return _resolve(V.WEB_SPECS[code][col], len(idx), subs)

            return _by_group(spec[rows], build)

        return lazy.Lazy(n_s, text)

    utm_source, utm_medium, utm_campaign = field(2), field(3), field(4)
    referrer_of_spec, landing_path = field(7), field(8)
    utm_content = _family(r, V.UTM_CONTENT, spec, 5)
    utm_term = _family(r, V.UTM_TERM, spec, 6)
    bot_page = r.integers(0, len(V.PAGES), n_s).astype(np.int16)
    bot_pages = fmt.strings([V.SITE + p for p in V.PAGES])
    bot_lands_anywhere = is_bot & ~np.isin(spec, np.flatnonzero(SPEC_KIND == "web_paid_search"))

    def landing_text(rows: np.ndarray) -> pa.Array:
        # the landing URL carries the UTMs in its query string
        # (pc.binary_join_element_wise with null_handling="skip" drops all-null rows: join by hand)
        parts = [
            pc.fill_null(fmt.concat("&" + name + "=", lazy.take(arr, rows)), "")
            for name, arr in (
                ("utm_source", utm_source),
                ("utm_medium", utm_medium),
                ("utm_campaign", utm_campaign),
                ("utm_content", utm_content),
            )
        ]
        parts.append(
            pc.fill_null(fmt.concat("&utm_term=", pc.replace_substring(utm_term.fn(rows), " ", "+")), "")
        )
        query = pc.utf8_ltrim(pc.binary_join_element_wise(*parts, ""), characters="&")
        has_query = pc.greater(pc.utf8_length(query), 0)
        path = landing_path.fn(rows)
        joiner = pc.if_else(pc.match_substring(path, "?"), pa.scalar("&"), pa.scalar("?"))
        landing = pc.if_else(has_query, fmt.concat(V.SITE, path, joiner, query), fmt.concat(V.SITE, path))
        # bots land anywhere
        return pc.if_else(
            pa.array(bot_lands_anywhere[rows]), bot_pages.take(pa.array(bot_page[rows])), landing
        )

    landing = lazy.Lazy(n_s, landing_text)
    referrer = lazy.Lazy(n_s, lambda rows: fmt.null_where(referrer_of_spec.fn(rows), is_bot[rows]))
    carries_code = np.isin(SPEC_KIND[spec], list(V.CLICK_SPEC_KIND.values()))
    referral_code = lazy.Lazy(n_s, lambda rows: fmt.null_where(subs_of["code"](rows), ~carries_code[rows]))

    # ---- events -------------------------------------------------------------------------------------
    # (per-event arrays in the narrowest type that holds them: at scale 10 there are ~20 M events)
    special = np.where(S["form"] | S["signup"], 2, S["identify"].astype(np.int64))
    n_ev = np.where(S["emit"], n_pv + special, 0).astype(np.int32)
    sess = np.repeat(np.arange(n_s, dtype=np.int32), n_ev)
    n_e = len(sess)
    pos = np.arange(n_e, dtype=np.int32) - (np.cumsum(n_ev, dtype=np.int32) - n_ev)[sess]
    q = pos - n_pv.astype(np.int32)[sess]
    etype = np.full(n_e, PV, dtype=np.int8)
    sp = q >= 0
    etype[sp & S["form"][sess] & (q == 0)] = FORM
    etype[sp & S["signup"][sess] & (q == 0)] = SIGNUP
    etype[sp & (q == 1)] = IDENTIFY
    etype[sp & S["identify"][sess]] = IDENTIFY
    del sp
    gap = np.empty(n_e, dtype=np.int32)
    re_ = plan.rng("web-events")
    bot_e = S["bot"][sess]
    gap[:] = (5_000 + np.minimum(re_.exponential(70_000, n_e), 355_000)).astype(np.int64)
    gap[bot_e] = re_.integers(500, 10_000, int(bot_e.sum()))
    gap[etype == FORM] = re_.integers(20_000, 120_000, int((etype == FORM).sum()))
    gap[etype == SIGNUP] = re_.integers(30_000, 180_000, int((etype == SIGNUP).sum()))
    ident = etype == IDENTIFY
    gap[ident] = np.where(
        q[ident] == 1,
        re_.integers(300, 3_000, int(ident.sum())),
        re_.integers(1_000, 10_000, int(ident.sum())),
    )
    first = pos == 0
    del q, pos
    gap[first] = re_.integers(0, 1_000, int(first.sum()))
    t_ms = np.cumsum(gap, dtype=np.int64)
    start_sum = t_ms[first] - gap[first]
    del gap
    t_ms -= np.repeat(start_sum, n_ev[n_ev > 0])
    t_ms += S["t"][sess] * 1000
    del start_sum

    # pages: table = session landings, site pages, form pages, signup
    site_pages = [V.SITE + p for p in V.PAGES]
    form_pages = [V.SITE + p for p in V.FORM_PAGES]
    page_table = lazy.chain([landing, fmt.strings(site_pages + form_pages + [V.SITE + "/signup"])])
    base_site = n_s
    base_form = n_s + len(site_pages)
    base_signup = base_form + len(form_pages)
    page = (base_site + re_.integers(0, len(site_pages), n_e)).astype(np.int32)
    page[first] = sess[first]
    form_page = re_.integers(0, len(form_pages), n_s)
    is_form = etype == FORM
    page[is_form] = base_form + form_page[sess[is_form]]
    page[etype == SIGNUP] = base_signup
    del is_form
    page[1:][ident[1:]] = page[:-1][ident[1:]]  # an identify is sent from the page it happens on
    if n_e and ident[0]:
        page[0] = 0
    ref_table = lazy.chain([page_table, referrer])
    n_pages = len(page_table)

    # emails (identify / form submit), with casing and whitespace variations
    emails = fmt.strings(people["email"])
    variants = pa.concat_arrays(
        [emails, pc.utf8_upper(emails), fmt.concat(" ", emails, " "), pc.utf8_title(emails)]
    )
    vcode = weighted_choice(re_, (0.90, 0.03, 0.03, 0.04), n_s)
    email_idx = np.where(S["person"] >= 0, vcode * n_p + np.maximum(S["person"], 0), -1).astype(np.int32)

    # an event's text, from compact per-event and per-session numbers
    e_sess = sess
    e_type = etype
    e_first = first
    s_anon = S["anon"].astype(np.int32)
    s_ua = S["ua"].astype(np.int16)
    s_country = S["country"].astype(np.int16)

    def referrer_row(rows: np.ndarray) -> np.ndarray:
        # the landing event's referrer is the session's; later ones come from the page before
        # (an identify has none); rows - 1 of a non-landing event is in the same session
        prev_page = np.where(rows > 0, page[np.maximum(rows - 1, 0)], 0)
        out = np.where(e_first[rows], n_pages + e_sess[rows], prev_page)
        return np.where(e_type[rows] == IDENTIFY, -1, out)

    def email_row(rows: np.ndarray) -> np.ndarray:
        t = e_type[rows]
        return np.where((t == FORM) | (t == IDENTIFY), email_idx[e_sess[rows]], -1)

    def at_first(arr: lazy.Lazy) -> lazy.Lazy:
        return lazy.Lazy(n_e, lambda rows: lazy.take(arr, np.where(e_first[rows], e_sess[rows], -1)))

    def of_session(table: pa.Array, values: np.ndarray) -> lazy.Lazy:
        return lazy.Lazy(n_e, lambda rows: table.take(pa.array(values[e_sess[rows]])))

    anon_bytes = fmt.uuid_bytes(plan.rng("anon-ids"), n_anon)
    anon_ids = lazy.Lazy(n_anon, lambda rows: fmt.uuid_text(rows, 0x5EED, anon_bytes[rows]))
    event_bytes = fmt.uuid_bytes(plan.rng("event-ids"), n_e)
    ua_table = fmt.strings(V.BROWSER_AGENTS + V.BOT_AGENTS)
    t_sec = np.floor_divide(t_ms, 1000)

    def occurred_at(rows: np.ndarray) -> pa.Array:
        ms = t_ms[rows]
        sec = np.floor_divide(ms, 1000)
        return fmt.timestamps(sec, millis=ms - sec * 1000)

    columns = {
        "event_id": lazy.Lazy(n_e, lambda rows: fmt.uuid_text(rows, 0xE7E7, event_bytes[rows])),
        "anonymous_id": lazy.Lazy(n_e, lambda rows: anon_ids.fn(s_anon[e_sess[rows]])),
        "user_email": lazy.Lazy(n_e, lambda rows: lazy.take(variants, email_row(rows))),
        "event_type": lazy.codes(EVENT_TYPES, e_type),
        "occurred_at": lazy.Lazy(n_e, occurred_at),
        "page_url": lazy.at(page_table, page),
        "referrer_url": lazy.Lazy(n_e, lambda rows: lazy.take(ref_table, referrer_row(rows))),
        "utm_source": at_first(utm_source),
        "utm_medium": at_first(utm_medium),
        "utm_campaign": at_first(utm_campaign),
        "utm_content": at_first(utm_content),
        "utm_term": at_first(utm_term),
        "referral_code": at_first(referral_code),
        "user_agent": of_session(ua_table, s_ua),
        "ip_country": of_session(fmt.strings(ISO), s_country),
    }
    arrive = plan.night_of(t_sec + S["lag"][sess] * DAY)
    arrive = np.where(t_sec >= plan.t_end, plan.days, arrive)
    nights = append_nights(plan, arrive, t_ms)
    late_events = int(((S["lag"][sess] > 0) & (arrive < plan.days) & (arrive > plan.night_of(t_sec))).sum())
    del arrive
    # re-sent duplicates: a few of the last two nights' events come again, identical
    rd = plan.rng("web-duplicates")
    n_dups = []
    for k in range(1, plan.days):
        recent = np.concatenate(nights[max(0, k - 2) : k])
        recent = recent[t_sec[recent] >= plan.cutoffs[k - 1] - 2 * DAY]
        n_dup = min(len(recent), max(1, round(DUPLICATE_SHARE * len(nights[k]))))
        dups = np.sort(rd.choice(recent, n_dup, replace=False)) if n_dup else recent[:0]
        nights[k] = np.concatenate([nights[k], dups])
        n_dups.append(int(n_dup))
    nights = [n.astype(np.int32) for n in nights]
    events = source("web", "event", columns, nights)

    # ---- touch bookkeeping ----------------------------------------------------------------------------
    first_rows = np.flatnonzero(first)
    touch_session_event = np.full(n_t, -1, dtype=np.int64)
    has_touch = S["touch"][sess[first_rows]] >= 0
    touch_session_event[S["touch"][sess[first_rows[has_touch]]]] = first_rows[has_touch]
    form_time = np.full(n_t, NA, dtype=np.int64)
    fr = np.flatnonzero((etype == FORM) | (etype == SIGNUP))
    ft = S["touch"][sess[fr]]
    form_time[ft[ft >= 0]] = t_sec[fr[ft >= 0]]
    touch_spec = np.full(n_t, -1, dtype=np.int64)
    tt = S["touch"] >= 0
    touch_spec[S["touch"][tt]] = S["spec"][tt]

    # ---- referral clicks: one per click touch / background click session --------------------------------
    ci = np.flatnonzero(S["click"])
    click_offset = np.where(
        S["touch"][ci] >= 0,
        S["t"][ci] - T["time"][np.maximum(S["touch"][ci], 0)],
        r.integers(20, 240, len(ci)),
    )
    clicked = S["t"][ci] - click_offset
    click_cols = {
        "click_id": fmt.hex_ids("clk_", np.arange(len(ci)), 0xC11C),
        "referral_code": subs_of["code"](ci),
        "anonymous_id": lazy.take(anon_ids, S["anon"][ci]),
        "clicked_at": fmt.timestamps(clicked),
        "landing_url": lazy.take(landing, ci),
    }
    click_night = np.where(clicked >= plan.t_end, plan.days, plan.night_of(clicked))
    clicks = source("referral", "click", click_cols, append_nights(plan, click_night, clicked))
    touch_click_row = np.full(n_t, -1, dtype=np.int64)
    has_t = S["touch"][ci] >= 0
    touch_click_row[S["touch"][ci[has_t]]] = np.flatnonzero(has_t)

    emitted = np.zeros(n_e, dtype=bool)
    for rows in nights:
        emitted[rows] = True
    stats = {
        "web_events_total": int(n_e),
        "bot_events": int(bot_e[emitted].sum()),
        "late_events": late_events,
        "duplicate_events": n_dups,
        "sessions": int(S["emit"].sum()),
        "anonymous_ids": int(n_anon),
    }
    return WebOut(events, clicks, touch_session_event, touch_click_row, form_time, touch_spec, stats)


PAGE_VIEWS = {False: (0.45, 12), True: (0.18, 25)}  # geometric p, cap: people / bots


def _page_views(r: np.random.Generator, n: int, bots: bool) -> np.ndarray:
    p, cap = PAGE_VIEWS[bots]
    return np.minimum(r.geometric(p, n), cap)


def _mean_page_views(bots: bool) -> float:
    p, cap = PAGE_VIEWS[bots]
    return (1 - (1 - p) ** cap) / p
