"""`generate()`: simulate the demo company and write its nightly extracts and ground truth."""

from __future__ import annotations

import json
import re
import shutil
import time
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from orchestration.core.contract import objects_in_use

from . import fmt, lazy
from . import vocab as V
from .costs import build_costs
from .crm import build_crm
from .crm.hubspot import to_hubspot
from .dirty import KINDS as DIRTY_KINDS
from .dirty import Planted, Planter, interleave
from .nights import Source
from .plan import DEFAULT_LAST_DATE, Plan
from .referral import build_referral
from .regimes import QUALITY_SIGMA, REGIMES, TARGET_WIN_RATE, contributions, decide_outcomes
from .web import SPEC_CHANNEL, build_web
from .world import (
    World,
    assign_campaigns,
    assign_partners,
    build_accounts,
    build_campaigns,
    build_companies,
    build_opps,
    build_partners,
    build_people,
    build_touches,
    build_users,
    place_accounts,
)

SUCCESS = "_SUCCESS"
CHUNK_ROWS = 100_000  # rows formatted and written at a time: bounds the text held in memory
BOM = b"\xef\xbb\xbf"
WRITE_OPTIONS = pacsv.WriteOptions(quoting_header="none")
BOM_FILE = "crm/contact.csv"  # written with a UTF-8 byte-order mark on the last night
GROUND_TRUTH_FILES = (
    "deal_source_shares.csv",
    "deals.csv",
    "id_map.csv",
    "journey_touches.csv",
    "planted_dirty_rows.csv",
    "regime.json",
    "self_reported_answers.csv",
)
DATE_DIR = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def simulate(plan: Plan) -> tuple[World, dict, np.ndarray]:
    users = build_users(plan)
    partners = build_partners(plan)
    campaigns = build_campaigns(plan)
    n_acc = plan.count(5_000, 3)
    n_other = plan.count(20_000, 5)
    companies = build_companies(plan, n_acc, max(n_other // 2, 5))
    accounts = build_accounts(plan, users, n_acc)
    opps = build_opps(plan, users, accounts, companies)
    people = build_people(plan, opps, accounts, companies)
    touches = build_touches(plan, people, opps)
    place_accounts(plan, accounts, people, opps)
    assign_partners(plan, touches, partners)
    assign_campaigns(plan, touches, campaigns)
    world = World(plan, users, partners, campaigns, companies, accounts, opps, people, touches)
    c = contributions(plan, touches, opps)
    outcome = decide_outcomes(plan, touches, opps, c)
    return world, outcome, c


def generate(
    out_dir: Path,
    *,
    seed: int = 42,
    scale: float = 0.02,
    days: int = 3,
    history_days: int = 365,
    first_date: date | None = None,
    regime: str = "even",
    dirty_rate: float = 0.002,
    community_strength: float = 1.0,
    last_date: date | None = None,
    crm: str = "salesforce",
) -> dict:
    """Write `out_dir/extracts/<date>/<system>/<object>.csv` for `days` nightly extracts (each folder
    closed by an empty `_SUCCESS`, written last) and `out_dir/ground_truth/`; return a summary.

    The last extract date defaults to 2026-11-26 (`last_date`); `first_date` overrides it. Same
    arguments, same bytes. Existing date folders under `out_dir/extracts` are replaced.
    `crm="hubspot"` writes the same company's CRM in HubSpot shape (orchestration/demo/crm/hubspot.py),
    with `ground_truth/id_map.csv` mapping its ids to the Salesforce-shaped ones.
    """
    started = time.perf_counter()
    shape = crm  # `crm` is the simulated CRM below
    if shape not in ("salesforce", "hubspot"):
        raise ValueError(f"unknown crm {shape!r}; choose salesforce or hubspot")
    if regime not in REGIMES:
        raise ValueError(f"unknown regime {regime!r}; choose one of {', '.join(REGIMES)}")
    if days < 1 or history_days < 30:
        raise ValueError("days must be >= 1 and history_days >= 30")
    if not 0 <= dirty_rate < 0.01:
        raise ValueError("dirty_rate must be in [0, 0.01): the warehouse blocks a night above 1%")
    if scale <= 0 or community_strength < 0 or seed < 0:
        raise ValueError("scale must be > 0, community_strength >= 0 and seed >= 0")
    if first_date is None:
        first_date = (last_date or DEFAULT_LAST_DATE) - timedelta(days=days - 1)
    plan = Plan(seed, scale, days, history_days, first_date, regime, dirty_rate, community_strength)
    out_dir = Path(out_dir)
    timings: dict[str, float] = {}
    last = [started]

    def lap(name: str) -> None:
        now = time.perf_counter()
        timings[name] = round(now - last[0], 3)
        last[0] = now

    world, outcome, c = simulate(plan)
    lap("simulate")
    web = build_web(plan, world)
    lap("web")
    crm = build_crm(plan, world, outcome, web.form_time)
    lap("crm")
    ref = build_referral(plan, world, outcome, crm.ids["opportunity"])
    costs = build_costs(plan, world, outcome, crm.ids["campaign"], crm.ids["user"])
    lap("referral+costs")
    sources: dict[str, Source] = {f"crm.{k}": v for k, v in crm.sources.items()}
    sources["web.event"] = web.events
    sources["referral.click"] = web.clicks
    sources.update({f"referral.{k}": v for k, v in ref.sources.items()})
    sources.update({f"costs.{k}": v for k, v in costs.items()})
    contract = objects_in_use("salesforce")  # simulated once, in Salesforce shape
    missing = {o.qualified_name for o in contract} - set(sources)
    if missing:
        raise AssertionError(f"no generator for {sorted(missing)}")

    extracts = out_dir / "extracts"
    truth = out_dir / "ground_truth"
    _clear(extracts, truth)
    planter = Planter(plan.rng("dirty"), dirty_rate)
    rows: dict[str, dict[str, int]] = {}
    planted: list[pa.Table] = []
    deleted: dict[str, int] = {}
    for k, day in enumerate(plan.extract_dates):
        folder = extracts / day.isoformat()
        folder.mkdir(parents=True, exist_ok=True)
        rows[day.isoformat()] = {}
        n_deleted = 0
        for obj in contract:
            path = folder / obj.relative_path
            path.parent.mkdir(parents=True, exist_ok=True)
            drift = obj.qualified_name == "web.event" and (k >= 1 or plan.days == 1)
            bom = obj.relative_path == BOM_FILE and k == plan.days - 1
            n_rows, n_del, dirt = _write_file(path, obj, sources[obj.qualified_name], k, planter, drift, bom)
            n_deleted += n_del
            rows[day.isoformat()][obj.relative_path] = n_rows
            if len(dirt.row_number):
                planted.append(
                    pa.table(
                        {
                            "extract_date": fmt.const(day.isoformat(), len(dirt.row_number)),
                            "system": fmt.const(obj.system, len(dirt.row_number)),
                            "object": fmt.const(obj.name, len(dirt.row_number)),
                            "row_number": pa.array(dirt.row_number, type=pa.int64()),
                            "column": pa.array(dirt.column, type=pa.string()),
                            "kind": pa.array(dirt.kind, type=pa.string()),
                        }
                    )
                )
        deleted[day.isoformat()] = n_deleted
        if shape == "salesforce":
            (folder / SUCCESS).write_bytes(b"")  # last: the folder is complete
    lap("write extracts")

    truth.mkdir(parents=True, exist_ok=True)
    planted_table = pa.concat_tables(planted) if planted else _empty_planted()
    pacsv.write_csv(planted_table, truth / "planted_dirty_rows.csv", WRITE_OPTIONS)
    gt = _ground_truth(plan, world, outcome, c, crm, web, ref, truth)
    (truth / "regime.json").write_text(
        json.dumps(_regime_doc(plan, outcome), indent=2, sort_keys=True) + "\n", encoding="utf-8"
    )
    lap("ground truth")
    if shape == "hubspot":
        nights = [d.isoformat() for d in plan.extract_dates]
        to_hubspot(extracts, truth, nights)
        for night in nights:
            (extracts / night / SUCCESS).write_bytes(b"")  # last: the folder is complete
        lap("hubspot shape")

    dirty_counts = {k: 0 for k in DIRTY_KINDS}
    for kind in planted_table.column("kind").to_pylist():
        dirty_counts[kind] += 1
    return {
        "out_dir": str(out_dir),
        "extracts": str(extracts),
        "ground_truth": str(truth),
        "nights": [d.isoformat() for d in plan.extract_dates],
        "history_start": str(date(1970, 1, 1) + timedelta(days=plan.t_start // fmt.DAY)),
        "regime": regime,
        "crm_shape": shape,
        "seed": seed,
        "scale": scale,
        "community_strength": community_strength,
        "rows": rows,
        "total_rows": int(sum(sum(v.values()) for v in rows.values())),
        "dirty_rows": dirty_counts,
        "dirty_rows_total": int(planted_table.num_rows),
        "soft_deleted_rows": deleted,
        "web": web.stats,
        "crm": crm.stats,
        "referral": ref.stats,
        "restated_spend_rows": _restated(plan, sources["costs.marketing_spend"]),
        "bom_file": f"{plan.extract_dates[-1].isoformat()}/{BOM_FILE}",
        "drift_column": f"web/event.csv: {V.DRIFT_COLUMN}",
        "deals": gt,
        "timings": timings,
        "seconds": round(time.perf_counter() - started, 2),
    }


def _write_file(
    path: Path, obj, src: Source, night: int, planter: Planter, drift: bool, bom: bool
) -> tuple[int, int, Planted]:
    """Write one night's file of one object CHUNK_ROWS rows at a time (text is formatted per chunk);
    return (rows written, soft-deleted rows, planted dirty rows)."""
    versions = src.nights[night]
    n = len(versions)
    if n:
        dirty, before, dirt = planter.plant(obj, n, lambda idx: src.take(versions[idx]))
    else:
        dirty, before, dirt = None, np.zeros(0, dtype=np.int64), Planted(np.zeros(0, dtype=np.int64), [], [])
    names = list(obj.column_names)
    written = deleted = 0
    with path.open("wb") as handle:
        if bom:
            handle.write(BOM)
        writer = None
        for start in range(0, max(n, 1), CHUNK_ROWS):
            table = interleave(src.take(versions[start : start + CHUNK_ROWS]), start, dirty, before)
            if table.column_names != names:
                raise AssertionError(
                    f"{obj.qualified_name}: columns {table.column_names} != contract {names}"
                )
            if drift:
                at = written + np.arange(table.num_rows)
                table = table.append_column(
                    V.DRIFT_COLUMN, fmt.take(V.DRIFT_VALUES, at % len(V.DRIFT_VALUES))
                )
            if "is_deleted" in names:
                deleted += int(
                    pc.sum(pc.is_in(table.column("is_deleted"), pa.array(["true", "TRUE", "1"]))).as_py() or 0
                )
            if writer is None:
                writer = pacsv.CSVWriter(handle, table.schema, write_options=WRITE_OPTIONS)
            writer.write_table(table)
            written += table.num_rows
        writer.close()
    return written, deleted, dirt


def _clear(extracts: Path, truth: Path) -> None:
    """Remove what an earlier run wrote (date folders, ground-truth files), nothing else."""
    if extracts.is_dir():
        for child in extracts.iterdir():
            if child.is_dir() and DATE_DIR.match(child.name):
                shutil.rmtree(child)
    if truth.is_dir():
        for name in GROUND_TRUTH_FILES:
            (truth / name).unlink(missing_ok=True)


def _empty_planted() -> pa.Table:
    return pa.table(
        {
            "extract_date": fmt.nulls(0),
            "system": fmt.nulls(0),
            "object": fmt.nulls(0),
            "row_number": pa.array([], type=pa.int64()),
            "column": fmt.nulls(0),
            "kind": fmt.nulls(0),
        }
    )


def _restated(plan: Plan, spend: Source) -> list[int]:
    """Per later night: spend rows that restate an earlier night's key."""
    out = []
    for k in range(1, plan.days):
        dates = spend.table(k).column("date").to_numpy(zero_copy_only=False)
        out.append(int((dates != plan.extract_dates[k].isoformat()).sum()))
    return out


def _channel_labels(world: World, web) -> np.ndarray:
    """A readable channel for every touch (what the mapping seeds should call it)."""
    T = world.touches
    kind = np.array(V.KIND_NAMES, dtype=object)[T["kind"]]
    channel = kind.copy()
    spec = web.touch_spec
    has_spec = (spec >= 0) & (T["category"] == "web")
    channel[has_spec] = np.array(SPEC_CHANNEL, dtype=object)[spec[has_spec]]
    channel[T["category"] == "click"] = "referral"
    channel[T["category"] == "record"] = "referral"
    resp = np.flatnonzero(T["category"] == "response")
    campaign_labels = np.array(
        ["campaign_" + t.lower().replace(" ", "_") for t in V.CAMPAIGN_TYPE_NAMES], dtype=object
    )
    channel[resp] = campaign_labels[world.campaigns["type"][T["campaign"][resp]]]
    src = np.flatnonzero(T["category"] == "source")
    ls = world.people["lead_source"][T["person"][src]]
    labels = np.array(
        ["lead_source_" + s.lower().replace(" ", "_") for s in V.LEAD_SOURCES] + ["lead_source_blank"],
        dtype=object,
    )
    channel[src] = labels[np.where(ls >= 0, ls, len(V.LEAD_SOURCES))]
    return channel


def _ground_truth(plan: Plan, world: World, outcome: dict, c: np.ndarray, crm, web, ref, truth: Path) -> dict:
    opps, T = world.opps, world.touches
    n_opp = len(opps["t_oc"])
    opp_ids = crm.ids["opportunity"]
    closed = opps["t_close"] < plan.t_end
    created = opps["t_oc"] < plan.t_end
    won = outcome["won"] & closed
    w = np.flatnonzero(won)
    w = w[np.lexsort((w, opps["t_close"][w] // fmt.DAY))]
    shares = outcome["shares"]
    pacsv.write_csv(
        pa.table(
            {
                "opportunity_id": opp_ids.take(pa.array(w)),
                "close_date": fmt.dates(opps["t_close"][w]),
                "amount": fmt.numbers(opps["amount"][w]),
                "currency_iso_code": fmt.take(V.CURRENCIES, opps["currency"][w]),
                "sales_share": pa.array(shares[w, 0]),
                "marketing_share": pa.array(shares[w, 1]),
                "community_share": pa.array(shares[w, 2]),
                "direct_share": pa.array(shares[w, 3]),
            }
        ),
        truth / "deal_source_shares.csv",
        WRITE_OPTIONS,
    )
    # every deal created so far, with its outcome as of the last night
    d = np.flatnonzero(created)
    n_touch = np.bincount(T["journey"][T["journey"] >= 0], minlength=n_opp)
    status = np.where(closed[d], np.where(outcome["won"][d], 0, 1), 2)
    pacsv.write_csv(
        pa.table(
            {
                "opportunity_id": opp_ids.take(pa.array(d)),
                "type": fmt.take(V.OPP_TYPES, opps["type"][d]),
                "outcome": fmt.take(("won", "lost", "open"), status),
                "origin_group": fmt.take(V.GROUPS, opps["origin"][d]),
                "created_at": fmt.timestamps(opps["t_oc"][d]),
                "close_date": fmt.dates(np.where(closed[d], opps["t_close"][d], fmt.NA)),
                "amount": fmt.numbers(opps["amount"][d]),
                "currency_iso_code": fmt.take(V.CURRENCIES, opps["currency"][d]),
                "touches": pa.array(n_touch[d]),
                "causal_score": pa.array(outcome["score"][d]),
                "win_probability": pa.array(outcome["p_win"][d]),
            }
        ),
        truth / "deals.csv",
        WRITE_OPTIONS,
    )
    # the simulated touches of those deals (up to the last night), with the raw row behind each
    sel = np.flatnonzero((T["journey"] >= 0) & (T["time"] < plan.t_end))
    sel = sel[created[T["journey"][sel]]]
    event_ids = web.events.columns["event_id"]
    click_ids = web.clicks.columns["click_id"]
    se = web.touch_session_event[sel]
    cr = web.touch_click_row[sel]
    source_id = pc.coalesce(
        crm.touch_source_id.take(pa.array(sel)),
        ref.touch_record_id.take(pa.array(sel)),
        click_ids.take(pa.array(cr, mask=cr < 0)),
        lazy.take(event_ids, se),
    )
    cat = T["category"][sel]
    kind = T["kind"][sel]
    obj = np.select(
        [cat == "web", cat == "click", cat == "record", cat == "response", cat == "source"],
        ["web.event", "referral.click", "referral.referral", "crm.campaign_member", "crm.lead"],
        "crm.task",
    ).astype(object)
    person = T["person"][sel]
    lead_src = (cat == "source") & (world.people["lead_of"][np.maximum(person, 0)] < 0)
    obj[lead_src] = "crm.contact"
    act_ids = crm.touch_source_id.take(pa.array(sel))
    starts_00u = pc.fill_null(pc.starts_with(act_ids, "00U"), False).to_numpy(zero_copy_only=False)
    is_event_row = (cat == "activity") & starts_00u
    obj[is_event_row] = "crm.event"
    score = outcome["score"][T["journey"][sel]]
    channel = _channel_labels(world, web)[sel]
    pacsv.write_csv(
        pa.table(
            {
                "opportunity_id": opp_ids.take(pa.array(T["journey"][sel])),
                "touch_at": fmt.timestamps(T["time"][sel]),
                "kind": fmt.take(V.KIND_NAMES, kind),
                "channel": fmt.strings(channel),
                "source_group": fmt.take(V.GROUPS, T["group"][sel]),
                "creates_person": fmt.booleans(T["creation"][sel]),
                "source_object": fmt.strings(obj),
                "source_id": source_id,
                "contribution": pa.array(c[sel]),
                "share_of_deal": pa.array(np.where(score > 0, c[sel] / np.where(score > 0, score, 1), 0.0)),
            }
        ),
        truth / "journey_touches.csv",
        WRITE_OPTIONS,
    )
    _self_reported_truth(world, crm, truth)
    mean = shares[w].mean(axis=0) if len(w) else np.zeros(4)
    return {
        "won": len(w),
        "lost": int((closed & ~outcome["won"] & created).sum()),
        "open": int((created & ~closed).sum()),
        "win_rate": round(float(len(w) / max(1, closed.sum())), 3),
        "mean_shares_won": {g: round(float(v), 4) for g, v in zip(V.GROUPS, mean, strict=True)},
        "journey_touches": len(sel),
    }


def _self_reported_truth(world: World, crm, truth: Path) -> None:
    """Every CRM person's true "How did you hear about us?" answer (their origin group's), beside
    what they wrote (blank: null) on their lead, or on their contact when they had no lead."""
    people = world.people
    lead_of, contact_of = people["lead_of"], people["contact_of"]
    p = np.flatnonzero((lead_of >= 0) | (contact_of >= 0))
    record_id = pc.coalesce(
        crm.ids["lead"].take(pa.array(lead_of[p], mask=lead_of[p] < 0)),
        crm.ids["contact"].take(pa.array(contact_of[p], mask=contact_of[p] < 0)),
    )
    answers = crm.self_reported
    pacsv.write_csv(
        pa.table(
            {
                "record_id": record_id,
                "true_group": fmt.take(V.GROUPS, answers["origin"][p]),
                "true_answer": fmt.strings([answers["truth"][i] for i in p.tolist()]),
                "written_answer": fmt.strings([answers["written"][i] for i in p.tolist()]),
            }
        ),
        truth / "self_reported_answers.csv",
        WRITE_OPTIONS,
    )


def _regime_doc(plan: Plan, outcome: dict) -> dict:
    reg = REGIMES[plan.regime]
    return {
        "regime": plan.regime,
        "summary": reg.summary,
        "weight": reg.weight,
        "formula": "c_i = u_i * kappa_i * w_i; S = sum(c_i); P(won) = 1 - exp(-lambda * S); "
        "share_g = sum(c_i, i in g) / S",
        "seed": plan.seed,
        "scale": plan.scale,
        "days": plan.days,
        "history_days": plan.history_days,
        "extract_dates": [d.isoformat() for d in plan.extract_dates],
        "community_strength": plan.community_strength,
        "dirty_rate": plan.dirty_rate,
        "parameters": {
            **reg.params,
            "quality_sigma": QUALITY_SIGMA,
            "target_win_rate": TARGET_WIN_RATE,
            "lambda": outcome["lambda"],
        },
        "source_groups": list(V.GROUPS),
    }
