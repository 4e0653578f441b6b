"""Cost exports (restatable): daily marketing spend, monthly sales cost per sales user, monthly
program cost, monthly FX rates. The first night holds the whole history; every later night holds
the day's spend plus a restated copy of yesterday's (same key, new spend) and the current month's
sales/program cost and FX rate again (month-to-date values, revised)."""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from orchestration.core.contract import get_object

from . import fmt
from . import vocab as V
from .fmt import DAY, HOUR
from .nights import Source, source
from .plan import Plan
from .world import World, campaign_at

AD_CHANNELS = ("paid_search", "paid_social", "display")
SALES_ROLES = ("AE", "SDR", "Sales Manager")
SALARY = {"AE": 9_000.0, "SDR": 5_500.0, "Sales Manager": 12_500.0}
FX = np.array([V.FX_BASE[c] for c in V.CURRENCIES])


class _Blocks:
    """Row blocks of one restatable object; each night lists the blocks it holds."""

    def __init__(self, plan: Plan) -> None:
        self.parts: list[dict[str, pa.Array]] = []
        self.nights: list[list[np.ndarray]] = [[] for _ in range(plan.days)]
        self.n = 0

    def add(self, night: int, cols: dict[str, pa.Array]) -> None:
        size = len(next(iter(cols.values())))
        self.parts.append(cols)
        self.nights[night].append(np.arange(self.n, self.n + size))
        self.n += size

    def source(self, system: str, name: str) -> Source:
        names = get_object(system, name).column_names
        if self.parts:
            cols = {c: pa.concat_arrays([p[c] for p in self.parts]) for c in names}
        else:
            cols = {c: fmt.nulls(0) for c in names}
        nights = [np.concatenate(b) if b else np.zeros(0, dtype=np.int64) for b in self.nights]
        return source(system, name, cols, nights)


def _current_months(plan: Plan) -> list[np.ndarray]:
    """Months each night holds: all up to the current one on night 0, then the current month (and
    the previous one when the month turned since the last night)."""
    out = []
    first = int(fmt.month_index(np.array([plan.t_start]))[0])
    prev = None
    for k in range(plan.days):
        cur = int(fmt.month_index(np.array([plan.cutoffs[k] - 1]))[0])
        if k == 0:
            out.append(np.arange(first, cur + 1))
        else:
            out.append(np.array(sorted({cur, prev})))
        prev = cur
    return out


def build_costs(
    plan: Plan, w: World, outcome: dict, campaign_ids: pa.Array, user_ids: pa.Array
) -> dict[str, Source]:
    return {
        "marketing_spend": _marketing_spend(plan, w, campaign_ids),
        "sales_cost": _sales_cost(plan, w, outcome, user_ids),
        "program_cost": _program_cost(plan),
        "fx_rate": _fx_rate(plan),
    }


def _marketing_spend(plan: Plan, w: World, campaign_ids: pa.Array) -> Source:
    r = plan.rng("spend")
    d0 = plan.t_start // DAY
    d1 = (plan.t_end - 1) // DAY
    day = np.arange(d0, d1 + 1)
    n_l = len(V.SPEND_LINES)
    dd = np.repeat(day, n_l)
    line = np.tile(np.arange(n_l), len(day))
    base = np.array([s[5] for s in V.SPEND_LINES])[line]
    weekday = (dd + 3) % 7  # 0 = Monday
    factor = np.where(weekday >= 5, 0.6, 1.0) * r.lognormal(0, 0.15, len(dd))
    prelim = np.maximum(np.round(base * plan.scale * factor, 2), 0.01)
    ad = np.isin(np.array([s[0] for s in V.SPEND_LINES])[line], AD_CHANNELS)
    restate = ad & ((line == 0) | (r.random(len(dd)) < 0.6))
    final = np.where(restate, np.maximum(np.round(prelim * r.uniform(0.97, 1.08, len(dd)), 2), 0.01), prelim)
    ctype_name = np.array([s[3] or "" for s in V.SPEND_LINES], dtype=object)[line]
    campaign = np.full(len(dd), -1, dtype=np.int64)
    for name in ("Paid Search", "Paid Social"):
        m = ctype_name == name
        ti = V.CAMPAIGN_TYPE_NAMES.index(name)
        campaign[m] = campaign_at(w.campaigns, np.full(m.sum(), ti), dd[m] * DAY + 12 * HOUR)
    # event sponsorships: one row on the event's first day
    camps = w.campaigns
    ev = np.flatnonzero(
        (camps["type"] == V.CAMPAIGN_TYPE_NAMES.index("Event"))
        & (camps["start"] // DAY >= d0)
        & (camps["start"] // DAY <= d1)
    )
    rows = {
        "day": np.concatenate([dd, camps["start"][ev] // DAY]),
        "channel": np.concatenate(
            [
                np.array([s[0] for s in V.SPEND_LINES], dtype=object)[line],
                np.full(len(ev), "events", dtype=object),
            ]
        ),
        # Offline spend has no UTMs; the contract keys spend by them, so the exporter names them.
        "utm_source": np.concatenate(
            [
                np.array([s[1] for s in V.SPEND_LINES], dtype=object)[line],
                np.full(len(ev), "offline", dtype=object),
            ]
        ),
        "utm_campaign": np.concatenate(
            [
                np.array([s[2] for s in V.SPEND_LINES], dtype=object)[line],
                np.array([f"event_sponsorship_{i}" for i in ev], dtype=object),
            ]
        ),
        "campaign": np.concatenate([campaign, ev]),
        "prelim": np.concatenate([prelim, camps["actual"][ev]]),
        "final": np.concatenate([final, camps["actual"][ev]]),
        "currency": np.concatenate(
            [
                np.array([V.CURRENCIES.index(s[4]) for s in V.SPEND_LINES])[line],
                camps["currency"][ev],
            ]
        ),
        "restate": np.concatenate([restate, np.zeros(len(ev), bool)]),
    }
    order = np.lexsort((np.arange(len(rows["day"])), rows["day"]))
    rows = {k: v[order] for k, v in rows.items()}

    def cols(idx: np.ndarray, values: np.ndarray) -> dict[str, pa.Array]:
        return {
            "date": fmt.dates(rows["day"][idx] * DAY),
            "channel": fmt.strings(rows["channel"][idx]),
            "utm_source": fmt.strings(rows["utm_source"][idx]),
            "utm_campaign": fmt.strings(rows["utm_campaign"][idx]),
            "campaign_id": campaign_ids.take(pa.array(rows["campaign"][idx], mask=rows["campaign"][idx] < 0)),
            "spend": fmt.numbers(values[idx]),
            "currency_iso_code": fmt.take(V.CURRENCIES, rows["currency"][idx]),
        }

    blocks = _Blocks(plan)
    first_day = plan.cutoffs[0] // DAY - 1
    hist = np.flatnonzero(rows["day"] < first_day)
    today = np.flatnonzero(rows["day"] == first_day)
    blocks.add(
        0,
        cols(np.concatenate([hist, today]), np.where(rows["day"] < first_day, rows["final"], rows["prelim"])),
    )
    for k in range(1, plan.days):
        d = plan.cutoffs[k] // DAY - 1
        restated = np.flatnonzero((rows["day"] == d - 1) & rows["restate"])
        today = np.flatnonzero(rows["day"] == d)
        blocks.add(k, cols(restated, rows["final"]))
        blocks.add(k, cols(today, rows["prelim"]))
    return blocks.source("costs", "marketing_spend")


def _sales_cost(plan: Plan, w: World, outcome: dict, user_ids: pa.Array) -> Source:
    r = plan.rng("sales-cost")
    users, opps = w.users, w.opps
    roles = np.array(V.ROLE_NAMES, dtype=object)[users["role"]]
    sales = np.flatnonzero(np.isin(roles, SALES_ROLES))
    months_all = np.arange(
        int(fmt.month_index(np.array([plan.t_start]))[0]),
        int(fmt.month_index(np.array([plan.t_end - 1]))[0]) + 1,
    )
    travel = r.lognormal(np.log(600), 0.5, (len(sales), len(months_all)))
    usd = opps["amount"] * FX[opps["currency"]]
    n_sdr = max(1, int((roles == "SDR").sum()))
    n_mgr = max(1, int((roles == "Sales Manager").sum()))
    blocks = _Blocks(plan)
    for k, months in enumerate(_current_months(plan)):
        as_of = plan.cutoffs[k]
        for m in months:
            ms, me = fmt.month_start(np.array([m]))[0], fmt.month_start(np.array([m + 1]))[0]
            active = (users["created"][sales] < me) & (
                (users["deactivated"][sales] == fmt.NA) | (users["deactivated"][sales] >= ms)
            )
            su = sales[active]
            if not len(su):
                continue
            role = roles[su]
            cur = users["currency"][su]
            frac = float(np.clip((as_of - ms) / (me - ms), 0, 1))
            won_m = outcome["won"] & (opps["t_close"] >= ms) & (opps["t_close"] < min(me, as_of))
            by_owner = np.bincount(opps["owner"][won_m], weights=usd[won_m], minlength=len(roles))
            created_m = (opps["type"] == 0) & (opps["t_oc"] >= ms) & (opps["t_oc"] < min(me, as_of))
            commission_usd = np.select(
                [role == "AE", role == "SDR"],
                [0.08 * by_owner[su], np.full(len(su), 200.0 * created_m.sum() / n_sdr)],
                0.01 * usd[won_m].sum() / n_mgr,
            )
            salary = np.array([SALARY[x] for x in role]) * users["salary_factor"][su]
            mi = int(m - months_all[0])
            trav = np.where(role == "SDR", 0.0, travel[np.flatnonzero(active), mi] * frac)
            values = (
                np.stack([salary, commission_usd, np.full(len(su), 180.0), trav], axis=1) / FX[cur][:, None]
            )
            keep = np.ones_like(values, dtype=bool)
            keep[:, 3] = role != "SDR"
            ui, ti = np.nonzero(keep)
            n = len(ui)
            blocks.add(
                k,
                {
                    "month": fmt.months(np.full(n, m)),
                    "user_id": user_ids.take(pa.array(su[ui])),
                    "cost_type": fmt.take(V.SALES_COST_TYPES, ti),
                    "amount": fmt.numbers(values[ui, ti]),
                    "currency_iso_code": fmt.take(V.CURRENCIES, cur[ui]),
                },
            )
    return blocks.source("costs", "sales_cost")


def _program_cost(plan: Plan) -> Source:
    r = plan.rng("program-cost")
    months_all = np.arange(
        int(fmt.month_index(np.array([plan.t_start]))[0]),
        int(fmt.month_index(np.array([plan.t_end - 1]))[0]) + 1,
    )
    base = np.array([p[1] for p in V.PROGRAMS]) * plan.scale
    full = (
        base[None, :]
        * (1 + 0.02 * np.arange(len(months_all)))[:, None]
        * r.uniform(0.9, 1.1, (len(months_all), len(base)))
    )
    blocks = _Blocks(plan)
    for k, months in enumerate(_current_months(plan)):
        mi = months - months_all[0]
        revision = r.uniform(0.97, 1.03, (len(mi), len(base))) if k > 0 else np.ones((len(mi), len(base)))
        values = np.maximum(full[mi] * revision, 1.0)
        rows, prog = np.nonzero(np.ones_like(values, dtype=bool))
        blocks.add(
            k,
            {
                "month": fmt.months(months[rows]),
                "program": fmt.take([p[0] for p in V.PROGRAMS], prog),
                "amount": fmt.numbers(values[rows, prog]),
                "currency_iso_code": fmt.const("USD", len(rows)),
            },
        )
    return blocks.source("costs", "program_cost")


def _fx_rate(plan: Plan) -> Source:
    r = plan.rng("fx")
    months_all = np.arange(
        int(fmt.month_index(np.array([plan.t_start]))[0]),
        int(fmt.month_index(np.array([plan.t_end - 1]))[0]) + 1,
    )
    walk = np.cumsum(r.normal(0, 0.012, (len(months_all), len(V.CURRENCIES))), axis=0)
    rates = FX[None, :] * (1 + walk)
    rates[:, 0] = 1.0
    blocks = _Blocks(plan)
    for k, months in enumerate(_current_months(plan)):
        mi = months - months_all[0]
        revision = 1 + (r.normal(0, 0.002, (len(mi), len(V.CURRENCIES))) if k > 0 else 0)
        values = rates[mi] * revision
        values[:, 0] = 1.0
        rows, cur = np.nonzero(np.ones_like(values, dtype=bool))
        blocks.add(
            k,
            {
                "month": fmt.months(months[rows]),
                "currency_iso_code": fmt.take(V.CURRENCIES, cur),
                "rate_to_usd": fmt.numbers(values[rows, cur], 6),
            },
        )
    return blocks.source("costs", "fx_rate")
