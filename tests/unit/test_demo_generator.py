"""orchestration/demo: the demo extracts follow the contract, behave like real nightly extracts, and
their ground truth is consistent with what the raw rows show.

Tiny scales (a few seconds in all). The journey rebuild at the end re-derives every simulated touch
from the raw files alone, the way docs/models.md says the warehouse does.
"""

from __future__ import annotations

import csv
import hashlib
import itertools
import re
from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from orchestration.core.contract import load_contract, objects_in_use
from orchestration.demo import REGIMES, generate
from orchestration.demo import vocab as V
from orchestration.demo.dirty import BAD_CURRENCIES, BAD_DATES, BAD_MONTHS, BAD_TIMESTAMPS, NON_NUMERIC

SCALE = 0.005
DAYS = 3
LAST = date(2026, 11, 26)
NIGHTS = ["2026-11-24", "2026-11-25", "2026-11-26"]
CONTRACT = objects_in_use("salesforce")  # the demo's default shape
BOT = re.compile("|".join(V.BOT_PATTERNS), re.IGNORECASE)
PREFIXES = {
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


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> tuple[Path, dict]:
    out = tmp_path_factory.mktemp("demo")
    return out, generate(out, seed=11, scale=SCALE, days=DAYS)


def read(root: Path, night: str, rel: str) -> pd.DataFrame:
    return pd.read_csv(
        root / "extracts" / night / rel,
        dtype=str,
        keep_default_na=False,
        na_values=[""],
        encoding="utf-8-sig",
    )


def header(path: Path) -> list[str]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return next(csv.reader(handle))


def planted(root: Path) -> pd.DataFrame:
    return pd.read_csv(root / "ground_truth" / "planted_dirty_rows.csv", dtype=str)


def clean(root: Path, night: str, rel: str) -> pd.DataFrame:
    """A file without its planted (quarantinable) dirty rows."""
    df = read(root, night, rel)
    p = planted(root)
    system, obj = rel[:-4].split("/")
    bad = p[(p.extract_date == night) & (p.system == system) & (p.object == obj) & (p.kind != "orphan_id")]
    return df.drop(index=bad.row_number.astype(int) - 1)


# --- layout and contract ----------------------------------------------------------------------------


def test_every_night_has_every_contract_file_with_exactly_the_contract_columns(demo):
    root, summary = demo
    assert summary["nights"] == NIGHTS
    for k, night in enumerate(NIGHTS):
        for obj in CONTRACT:
            columns = header(root / "extracts" / night / obj.relative_path)
            if obj.qualified_name == "web.event" and k > 0:
                assert columns == [*obj.column_names, V.DRIFT_COLUMN]  # schema drift, at the end
            else:
                assert columns == obj.column_names, obj.qualified_name
    first = summary["rows"][NIGHTS[0]]
    assert all(first[o.relative_path] > 0 for o in CONTRACT)


def test_success_is_written_last_and_ground_truth_sits_beside_the_extracts(demo):
    root, _ = demo
    for night in NIGHTS:
        folder = root / "extracts" / night
        success = folder / "_SUCCESS"
        assert success.exists() and success.stat().st_size == 0
        newest = max(p.stat().st_mtime_ns for p in folder.rglob("*.csv"))
        assert success.stat().st_mtime_ns >= newest
    truth = root / "ground_truth"
    for name in (
        "deal_source_shares.csv",
        "planted_dirty_rows.csv",
        "regime.json",
        "journey_touches.csv",
        "deals.csv",
        "self_reported_answers.csv",
    ):
        assert (truth / name).is_file()
    assert not list((root / "extracts").rglob("*shares*"))


def test_same_seed_gives_byte_identical_files_and_another_seed_does_not(tmp_path):
    def digest(root: Path) -> dict[str, str]:
        return {
            str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*"))
            if p.is_file()
        }

    a = tmp_path / "a"
    generate(a, seed=5, scale=0.002, days=2)
    generate(tmp_path / "b", seed=5, scale=0.002, days=2)
    generate(tmp_path / "c", seed=6, scale=0.002, days=2)
    assert digest(a) == digest(tmp_path / "b")
    assert digest(a) != digest(tmp_path / "c")


# sha256 over every file the generator writes (relative path, then bytes, in path order), as
# written by the generator before it streamed (commit 81c4105, everything formatted in memory);
# updated on purpose when the leads and contacts gained self_reported_source and the ground truth
# self_reported_answers.csv (issue 15: the answers draw from their own random stream), and again
# when 40 % of community-origin deals became untracked word of mouth (their community touches leave
# no raw row or only a lead source; self_reported_answers.csv gained untracked_word_of_mouth and
# lists only records the extracts hold).
BEFORE_STREAMING = {
    (0.01, 3, 5): "4d1aa6e368ced021098e90ffc843f8cdbe63cbd7565ed2415613c96301769fff",
    (0.005, 1, 3): "652a2d20280da401ea83f158b4c5486aa3460c74523d5824aacde2734f01c02e",  # drift on night 0
}


@pytest.mark.parametrize("chunk_rows", [None, 997])
@pytest.mark.parametrize(("scale", "days", "seed"), list(BEFORE_STREAMING))
def test_streaming_writes_the_same_bytes_as_formatting_everything_first(
    tmp_path, monkeypatch, scale, days, seed, chunk_rows
):
    """Chunks of 997 rows cut every large file into many pieces, dirty copies fall on chunk
    boundaries: the bytes must not depend on where the cuts are."""
    from orchestration.demo import generator

    if chunk_rows:
        monkeypatch.setattr(generator, "CHUNK_ROWS", chunk_rows)
    generate(tmp_path, seed=seed, scale=scale, days=days)
    h = hashlib.sha256()
    for path in sorted(tmp_path.rglob("*")):
        if path.is_file():
            h.update(str(path.relative_to(tmp_path)).encode())
            h.update(path.read_bytes())
    assert h.hexdigest() == BEFORE_STREAMING[(scale, days, seed)]


def test_values_stay_in_the_contract_vocabularies_and_ids_look_like_salesforce(demo):
    root, _ = demo
    night = NIGHTS[0]
    opp = clean(root, night, "crm/opportunity.csv")
    assert set(opp.type) <= set(V.OPP_TYPES)
    assert opp.type.value_counts().idxmax() == "New Business"
    assert set(opp.stage_name) <= set(V.STAGES)
    assert set(opp.currency_iso_code) >= {"USD", "EUR"} and set(opp.currency_iso_code) <= set(V.CURRENCIES)
    won = opp.is_won.str.lower().isin(["true", "1"])
    closed = opp.is_closed.str.lower().isin(["true", "1"])
    assert (opp.stage_name[won] == "Closed Won").all() and (closed[won]).all()
    assert opp.probability.astype(float).between(0, 100).all()
    assert set(clean(root, night, "crm/campaign.csv").type) == set(V.CAMPAIGN_TYPE_NAMES)
    assert set(clean(root, night, "crm/task.csv").type) <= set(V.TASK_TYPES)
    assert set(clean(root, night, "crm/user.csv").user_role) == set(V.ROLE_NAMES)
    assert set(clean(root, night, "web/event.csv").event_type) == {
        "page_view",
        "form_submit",
        "identify",
        "signup",
    }
    assert set(clean(root, night, "referral/partner.csv").partner_type) == set(V.PARTNER_TYPE_NAMES)
    assert set(clean(root, night, "referral/referral.csv").status) <= set(V.REFERRAL_STATUSES)
    assert clean(root, night, "referral/partner.csv").commission_rate.astype(float).between(0, 1).all()
    assert set(clean(root, night, "costs/sales_cost.csv").cost_type) == set(V.SALES_COST_TYPES)
    assert set(clean(root, night, "costs/program_cost.csv").program) == {p[0] for p in V.PROGRAMS}
    assert set(clean(root, night, "costs/fx_rate.csv").currency_iso_code) == set(V.CURRENCIES)
    for name, prefix in PREFIXES.items():
        ids = clean(root, night, f"crm/{name}.csv").id
        assert ids.str.len().eq(18).all() and ids.str.startswith(prefix).all(), name
    task = clean(root, night, "crm/task.csv")
    assert task.who_id.dropna().str[:3].isin(["00Q", "003"]).all()
    assert task.what_id.dropna().str[:3].isin(["006", "001"]).all()
    assert (task.who_id.isna() & task.what_id.str.startswith("006", na=False)).any()
    lead = clean(root, night, "crm/lead.csv")
    assert (
        lead.is_converted.str.lower().isin(["true", "1"]).any()
        and lead.converted_opportunity_id.notna().any()
    )


def test_timestamps_carry_offsets_and_booleans_come_in_several_spellings(demo):
    root, _ = demo
    stamps = pd.concat(
        [clean(root, NIGHTS[0], f"crm/{n}.csv").system_modstamp for n in ("task", "lead", "campaign_member")]
    )
    assert stamps.str.endswith("Z").mean() > 0.6
    assert stamps.str.contains(r"[+-]\d\d:\d\d$").any()
    assert (~stamps.str.contains(r"(?:Z|[+-]\d\d:\d\d)$")).any()  # no offset: UTC
    flags = pd.concat(
        [clean(root, NIGHTS[0], f"crm/{n}.csv").is_deleted for n in ("task", "lead", "campaign_member")]
    )
    assert set(flags) > {"true", "false"}


def test_bots_are_a_few_percent_of_web_events(demo):
    root, _ = demo
    agents = clean(root, NIGHTS[0], "web/event.csv").user_agent
    share = agents.str.contains(BOT).mean()
    assert 0.01 < share < 0.1
    web = clean(root, NIGHTS[0], "web/event.csv")
    assert web.user_email.dropna().str.contains(r"^\s|[A-Z]").any()  # emails to normalise
    assert web.utm_source.notna().any() and web.referral_code.notna().any()


# --- nightly semantics --------------------------------------------------------------------------------


def test_later_crm_nights_are_deltas_with_changes_and_soft_deletes(demo):
    root, _ = demo
    first = {o.name: clean(root, NIGHTS[0], o.relative_path) for o in CONTRACT if o.system == "crm"}
    for night in NIGHTS[1:]:
        deleted = 0
        for name, snapshot in first.items():
            delta = clean(root, night, f"crm/{name}.csv")
            assert len(delta) < len(snapshot), name
            deleted += int(delta.is_deleted.str.lower().isin(["true", "1"]).sum())
        assert deleted >= 1
        opp = clean(root, night, "crm/opportunity.csv").merge(
            first["opportunity"], on="id", suffixes=("", "_first")
        )
        assert len(opp) >= 1
        newer = pd.to_datetime(opp.system_modstamp, utc=True, format="ISO8601") > pd.to_datetime(
            opp.system_modstamp_first, utc=True, format="ISO8601"
        )
        assert newer.all()


def test_web_events_arrive_late_and_some_are_resent_identically(demo):
    root, summary = demo
    contract_cols = next(c for c in CONTRACT if c.qualified_name == "web.event").column_names
    seen = clean(root, NIGHTS[0], "web/event.csv")
    for k, night in enumerate(NIGHTS[1:], start=1):
        web = clean(root, night, "web/event.csv")
        occurred = pd.to_datetime(web.occurred_at, utc=True, format="ISO8601").dt.strftime("%Y-%m-%d")
        assert (occurred < night).any()  # late: happened before the extract date
        again = web[web.event_id.isin(seen.event_id)]
        assert len(again) >= 1
        before = seen.set_index("event_id").loc[again.event_id, contract_cols[1:]].reset_index()
        pd.testing.assert_frame_equal(again[contract_cols].reset_index(drop=True), before[contract_cols])
        seen = pd.concat([seen, web[contract_cols]])
        assert summary["web"]["duplicate_events"][k - 1] == len(again)


def test_spend_of_yesterday_is_restated_and_costs_of_the_month_come_again(demo):
    root, _ = demo
    key = ["date", "channel", "utm_source", "utm_campaign", "campaign_id"]
    for prev, night in itertools.pairwise(NIGHTS):
        today = clean(root, night, "costs/marketing_spend.csv")
        yesterday = clean(root, prev, "costs/marketing_spend.csv")
        assert set(today.date) == {prev, night}
        restated = today[today.date == prev].merge(yesterday, on=key, suffixes=("", "_before"))
        assert len(restated) >= 1 and (restated.spend != restated.spend_before).any()
        month = night[:7]
        for name in ("sales_cost", "program_cost", "fx_rate"):
            assert set(clean(root, night, f"costs/{name}.csv").month) == {month}
    months = set(clean(root, NIGHTS[0], "costs/fx_rate.csv").month)
    assert len(months) >= 12


def test_partner_list_is_a_snapshot_where_a_partner_drops_out(demo):
    root, _ = demo
    lists = [set(clean(root, n, "referral/partner.csv").partner_id) for n in NIGHTS]
    assert lists[1] < lists[0]


def test_one_file_has_a_byte_order_mark(demo):
    root, summary = demo
    boms = [p for p in (root / "extracts").rglob("*.csv") if p.read_bytes()[:3] == b"\xef\xbb\xbf"]
    assert [str(p.relative_to(root / "extracts")) for p in boms] == [summary["bom_file"]]


# --- dirty rows ------------------------------------------------------------------------------------


def test_dirty_rows_stay_under_the_rate_and_are_all_listed(demo):
    root, summary = demo
    p = planted(root)
    assert len(p) == summary["dirty_rows_total"] > 0
    for (night, system, obj), rows in p.groupby(["extract_date", "system", "object"]):
        df = read(root, night, f"{system}/{obj}.csv")
        assert len(rows) <= 0.002 * len(df)
        for row in rows.itertuples():
            value = df.iloc[int(row.row_number) - 1][row.column]
            expected = {
                "unparseable_timestamp": BAD_TIMESTAMPS,
                "unparseable_date": BAD_DATES + BAD_MONTHS,
                "non_numeric_amount": NON_NUMERIC,
                "unknown_currency": BAD_CURRENCIES,
            }.get(row.kind)
            if expected:
                assert value in expected, row
            elif row.kind == "negative_amount":
                assert float(value) < 0
            elif row.kind == "out_of_range":
                assert float(value) > 1
            elif row.kind == "missing_required":
                assert pd.isna(value)
            elif row.kind == "orphan_id":
                assert isinstance(value, str)


def test_orphan_ids_point_nowhere(tmp_path):
    generate(tmp_path, seed=3, scale=0.02, days=1, dirty_rate=0.009)
    p = planted(tmp_path)
    orphans = p[p.kind == "orphan_id"]
    assert len(orphans) >= 1
    existing = {
        "001": set(read(tmp_path, "2026-11-26", "crm/account.csv").id),
        "006": set(read(tmp_path, "2026-11-26", "crm/opportunity.csv").id),
        "003": set(read(tmp_path, "2026-11-26", "crm/contact.csv").id),
        "701": set(read(tmp_path, "2026-11-26", "crm/campaign.csv").id),
        "00Q": set(read(tmp_path, "2026-11-26", "crm/lead.csv").id),
    }
    for row in orphans.itertuples():
        value = read(tmp_path, row.extract_date, f"{row.system}/{row.object}.csv").iloc[
            int(row.row_number) - 1
        ][row.column]
        assert value not in existing.get(value[:3], set())


# --- ground truth -----------------------------------------------------------------------------------------


def shares(root: Path) -> pd.DataFrame:
    return pd.read_csv(root / "ground_truth" / "deal_source_shares.csv")


def test_shares_of_every_won_deal_sum_to_one_and_match_won_opportunities(demo):
    root, _ = demo
    s = shares(root)
    assert list(s.columns) == [
        "opportunity_id",
        "close_date",
        "amount",
        "currency_iso_code",
        "sales_share",
        "marketing_share",
        "community_share",
        "direct_share",
    ]
    assert len(s) > 0
    total = s[["sales_share", "marketing_share", "community_share", "direct_share"]].sum(axis=1)
    assert (total - 1).abs().max() < 1e-9
    assert (s[["sales_share", "marketing_share", "community_share", "direct_share"]] >= 0).all().all()
    latest = pd.concat([clean(root, n, "crm/opportunity.csv").assign(_n=i) for i, n in enumerate(NIGHTS)])
    latest = latest.sort_values(["system_modstamp", "_n"]).drop_duplicates("id", keep="last").set_index("id")
    won = latest[latest.is_won.str.lower().isin(["true", "1"])]
    assert set(s.opportunity_id) == set(won.index)
    assert (won.loc[s.opportunity_id, "close_date"].to_numpy() == s.close_date.to_numpy()).all()


def test_regimes_tell_different_stories(tmp_path):
    means = {}
    for regime in REGIMES:
        out = tmp_path / regime
        generate(out, seed=9, scale=0.01, days=1, regime=regime)
        means[regime] = shares(out)[
            ["sales_share", "marketing_share", "community_share", "direct_share"]
        ].mean()
    assert means["sales_led"]["sales_share"] > means["even"]["sales_share"] + 0.1
    assert (means["early"] - means["late"]).abs().max() > 0.02
    assert {"early", "late", "even", "sales_led"} <= set(REGIMES)


def test_community_strength_zero_means_no_community_closes(tmp_path):
    generate(tmp_path, seed=4, scale=0.01, days=1, community_strength=0.0)
    assert shares(tmp_path).community_share.max() == 0


def test_bad_arguments_are_refused(tmp_path):
    with pytest.raises(ValueError, match="regime"):
        generate(tmp_path, regime="nope")
    with pytest.raises(ValueError, match="dirty_rate"):
        generate(tmp_path, dirty_rate=0.05)


# --- the raw rows hold the simulated journeys ---------------------------------------------------------------

ROLES_WITH_GROUP = {r[0] for r in V.USER_ROLES if r[3] is not None}


def _ts(s: pd.Series) -> pd.Series:
    return pd.to_datetime(s, utc=True, format="ISO8601", errors="coerce").astype("datetime64[ms, UTC]")


def _all(root: Path, rel: str) -> pd.DataFrame:
    frames = [clean(root, n, rel) for n in NIGHTS]
    return pd.concat([f.assign(_n=i, _r=range(len(f))) for i, f in enumerate(frames)], ignore_index=True)


def _crm(root: Path, name: str) -> pd.DataFrame:
    df = _all(root, f"crm/{name}.csv")
    df["_ms"] = _ts(df.system_modstamp)
    df = df.sort_values(["_ms", "_n", "_r"], kind="stable").drop_duplicates("id", keep="last")
    return df[~df.is_deleted.str.lower().isin(["true", "1"])].copy()


def _host(url) -> str | None:
    if not isinstance(url, str):
        return None
    h = re.sub(r"^[a-z]+://", "", url).split("/")[0].split("?")[0].lower()
    return h.removeprefix("www.")


def rebuild_touch_times(root: Path) -> dict[str, list]:
    """Per closed opportunity, the times of its touches, derived from raw rows only."""
    opp, ocr, contact, lead = (
        _crm(root, n) for n in ("opportunity", "opportunity_contact_role", "contact", "lead")
    )
    member, task, event, user = (_crm(root, n) for n in ("campaign_member", "task", "event", "user"))
    web = _all(root, "web/event.csv").drop_duplicates("event_id")
    click = _all(root, "referral/click.csv").drop_duplicates("click_id")
    referral = _all(root, "referral/referral.csv").drop_duplicates("referral_id", keep="last")
    converted = lead.converted_contact_id.where(lead.converted_contact_id.isin(contact.id))
    lead["person"] = converted.fillna(lead.id)
    person_of_lead = dict(zip(lead.id, lead.person, strict=True))
    email_person = dict(zip(lead.email.str.strip().str.lower(), lead.person, strict=True))
    email_person.update(
        dict(
            zip(
                contact.email.dropna().str.strip().str.lower(), contact.id[contact.email.notna()], strict=True
            )
        )
    )

    web = web[~web.user_agent.str.contains(BOT, na=False)].copy()
    web["t"] = _ts(web.occurred_at)
    web = web.sort_values(["anonymous_id", "t", "event_id"], kind="stable")
    ids = web[web.event_type.isin(["identify", "form_submit"]) & web.user_email.notna()][
        ["anonymous_id", "t"]
    ].copy()
    ids["email"] = web.loc[ids.index, "user_email"].str.strip().str.lower()
    ids = ids.sort_values("t")
    first_email = ids.drop_duplicates("anonymous_id").set_index("anonymous_id").email

    def stitch(frame: pd.DataFrame) -> pd.Series:
        f = frame[["anonymous_id", "t"]].reset_index().sort_values("t")
        m = pd.merge_asof(f, ids, on="t", by="anonymous_id", direction="backward")
        return (
            m.set_index("index")
            .email.fillna(m.set_index("index").anonymous_id.map(first_email))
            .reindex(frame.index)
        )

    web["email"] = stitch(web)
    starts, last = [], (None, None, None, None)
    for row in web.itertuples():  # sessions exactly as docs/models.md defines them
        utm = tuple(row[web.columns.get_loc(c) + 1] for c in ("utm_source", "utm_medium", "utm_campaign"))
        utm = None if all(pd.isna(x) for x in utm) else utm
        ref = _host(row.referrer_url)
        external = ref if ref and ref != _host(row.page_url) else None
        anon, t, s_utm, s_ref = last
        if (
            anon != row.anonymous_id
            or (row.t - t).total_seconds() > 1800
            or (utm and utm != s_utm)
            or (external and external != s_ref)
        ):
            starts.append((row.anonymous_id, row.t, row.email))
            s_utm, s_ref = utm, external
        last = (row.anonymous_id, row.t, s_utm, s_ref)
    sess = pd.DataFrame(starts, columns=["anonymous_id", "t", "email"])
    click["t"] = _ts(click.clicked_at)
    click["email"] = stitch(click)
    pair = sess.reset_index().merge(click[["anonymous_id", "t"]], on="anonymous_id", suffixes=("", "_click"))
    pair = pair[(pair.t >= pair.t_click) & ((pair.t - pair.t_click).dt.total_seconds() <= 1800)]
    sess = sess.drop(index=pair["index"])

    rows = [(email_person.get(e), None, t) for e, t in zip(sess.email, sess.t, strict=True)]
    rows += [(email_person.get(e), None, t) for e, t in zip(click.email, click.t, strict=True)]
    rows += [
        (email_person.get(e.strip().lower()), None, t)
        for e, t in zip(referral.email.fillna(""), _ts(referral.referred_at), strict=True)
    ]
    m = member[member.has_responded.str.lower().isin(["true", "1"])].copy()
    m["created"] = _ts(m.created_date)
    m["t"] = m.created.where(
        m.created.dt.strftime("%Y-%m-%d") == m.first_responded_date, _ts(m.first_responded_date)
    )
    m["person"] = m.contact_id.fillna(m.lead_id.map(person_of_lead))
    rows += list(zip(m.person, [None] * len(m), m.t, strict=True))
    role = dict(zip(user.id, user.user_role, strict=True))
    done = task[task.status.str.lower() == "completed"].copy()
    done["created"] = _ts(done.created_date)
    done["t"] = done.created.where(
        done.created.dt.strftime("%Y-%m-%d") == done.activity_date, _ts(done.activity_date)
    )
    event["t"] = _ts(event.start_date_time)
    for df in (done, event):
        df = df[df.owner_id.map(role).isin(ROLES_WITH_GROUP)]
        who = df.who_id.map(lambda w: person_of_lead.get(w, w) if isinstance(w, str) else None)
        what = df.what_id.where(df.who_id.isna())
        rows += list(zip(who, what, df.t, strict=True))
    forms = web[web.event_type == "form_submit"]
    explain = (
        pd.concat(
            [
                pd.DataFrame({"person": forms.email.map(email_person), "t": forms.t}),
                pd.DataFrame({"person": m.person, "t": m.created}),
            ]
        )
        .groupby("person")
        .t.apply(list)
        .to_dict()
    )
    lead["t"] = _ts(lead.created_date)
    contact["t"] = _ts(contact.created_date)
    born = list(zip(lead.person, lead.t, strict=True))
    born += [
        (c, t)
        for c, t in zip(contact.id, contact.t, strict=True)
        if c not in set(lead.converted_contact_id.dropna())
    ]
    for p, t in born:
        if not any(abs((x - t).total_seconds()) <= 3600 for x in explain.get(p, [])):
            rows.append((p, None, t))
    touches = pd.DataFrame(rows, columns=["person", "what", "t"])

    out = {}
    roles = ocr.groupby("opportunity_id").contact_id.apply(set).to_dict()
    by_account = contact.groupby("account_id").id.apply(set).to_dict()
    for o in opp[opp.is_closed.str.lower().isin(["true", "1"])].itertuples():
        people = set(roles.get(o.id) or by_account.get(o.account_id, set()))
        people |= set(lead.person[lead.converted_opportunity_id == o.id])
        close = pd.Timestamp(o.close_date, tz="UTC")
        sel = touches[touches.person.isin(people) | (touches.what == o.id) | (touches.what == o.account_id)]
        day = sel.t.dt.normalize()
        sel = sel[(day <= close) & (day >= close - pd.Timedelta(days=365))]
        out[o.id] = sorted(sel.t.dt.floor("s"))
    return out


def test_raw_rows_hold_the_simulated_journeys(demo):
    root, _ = demo
    truth = pd.read_csv(root / "ground_truth" / "journey_touches.csv")
    truth = truth[truth.source_object != "untracked"]  # word of mouth leaves no raw row
    deals = pd.read_csv(root / "ground_truth" / "deals.csv")
    closed = deals[deals.outcome != "open"].opportunity_id
    truth["t"] = pd.to_datetime(truth.touch_at, utc=True).astype("datetime64[ms, UTC]")
    expected = {o: sorted(truth.t[truth.opportunity_id == o]) for o in closed}
    rebuilt = rebuild_touch_times(root)
    assert set(rebuilt) == set(expected)
    assert sum(len(v) for v in expected.values()) > 100
    mismatched = [o for o in expected if rebuilt[o] != expected[o]]
    assert not mismatched, mismatched[:5]


def test_self_reported_answers_follow_the_causal_story_with_realistic_noise(demo):
    """Most people leave the field blank; community-origin people answer more often; Norwegian
    answers and typos are among them; every written answer is on a lead or contact row."""
    root, _ = demo
    truth = pd.read_csv(root / "ground_truth" / "self_reported_answers.csv", keep_default_na=False)
    answered = truth["written_answer"] != ""
    assert 0.2 < answered.mean() < 0.6
    by_group = answered.groupby(truth["true_group"]).mean()
    assert by_group["community"] > by_group.drop("community").max()
    written = truth.loc[answered, "written_answer"].str.lower()
    assert written.str.contains("venn|kollega|anbefal").any()  # Norwegian word of mouth
    assert written.nunique() > 30  # free-text variants, case and typos, not a picklist
    leads = pd.concat(read(root, night, "crm/lead.csv") for night in NIGHTS)
    contacts = pd.concat(read(root, night, "crm/contact.csv") for night in NIGHTS)
    on_rows = set(leads["self_reported_source"].dropna()) | set(contacts["self_reported_source"].dropna())
    assert set(truth.loc[answered, "written_answer"]) <= on_rows


def test_some_community_deals_come_by_word_of_mouth_no_tracking_saw(demo):
    """Untracked word of mouth: some community-origin deals' community touches leave no raw row
    (`word_of_mouth`, source_object untracked) or only a lead source (declared); no such deal holds
    a tracked community touch, their causal weight stays in the truth, and their people's true
    answer is word of mouth, which most of them write ("a friend told me", "kollega")."""
    root, _ = demo
    truth = root / "ground_truth"
    touches = pd.read_csv(truth / "journey_touches.csv", keep_default_na=False)
    deals = pd.read_csv(truth / "deals.csv")
    untracked = touches[touches.kind == "word_of_mouth"]
    assert (untracked.source_object == "untracked").all() and (untracked.source_id == "").all()
    assert (untracked.source_group == "community").all() and (untracked.contribution > 0).all()
    hidden = set(untracked.opportunity_id)
    origin = deals.set_index("opportunity_id").origin_group
    assert len(hidden) >= 2 and (origin[list(hidden)] == "community").all()
    assert len(hidden) < (origin == "community").sum()  # the others stay tracked
    of_hidden = touches[touches.opportunity_id.isin(hidden) & (touches.source_group == "community")]
    assert set(of_hidden.source_object) <= {"untracked", "crm.lead", "crm.contact"}
    answers = pd.read_csv(truth / "self_reported_answers.csv", keep_default_na=False)
    told = answers[answers.untracked_word_of_mouth.astype(str).str.lower() == "true"]
    assert len(told) > 0 and (told.true_answer == "word of mouth").all()
    assert (told.written_answer != "").mean() > 0.5


def test_the_hubspot_shape_rewrites_the_crm_with_mapped_ids(tmp_path):
    """`crm="hubspot"`: every night holds the HubSpot objects with exactly their contract columns
    and no Salesforce-shaped CRM file; every CRM id (in the files and the ground truth) is a
    HubSpot id of id_map.csv, and each planted dirty row still points at its spoiled value."""
    salesforce = generate(tmp_path / "sf", seed=5, scale=0.01, days=2, dirty_rate=0.009)
    summary = generate(tmp_path / "hs", seed=5, scale=0.01, days=2, dirty_rate=0.009, crm="hubspot")
    root, truth = tmp_path / "hs" / "extracts", tmp_path / "hs" / "ground_truth"
    id_map = pd.read_csv(truth / "id_map.csv", dtype=str)
    assert id_map["hubspot_id"].is_unique and id_map["salesforce_id"].is_unique
    hubspot_ids = set(id_map["hubspot_id"])
    hubspot_objects = [o for o in load_contract() if o.crm_source == "hubspot"]
    for night in summary["nights"]:
        assert not (root / night / "crm").exists()
        for obj in hubspot_objects:
            assert header(root / night / obj.relative_path) == obj.column_names, obj.qualified_name
        deals = read(tmp_path / "hs", night, "hubspot/deal.csv")
        assert deals["deal_id"].dropna().isin(hubspot_ids).all()
    deals = pd.read_csv(truth / "deals.csv", dtype=str)
    assert deals["opportunity_id"].isin(hubspot_ids).all()
    assert len(deals) == len(pd.read_csv(tmp_path / "sf" / "ground_truth" / "deals.csv"))
    # The planted rows, re-numbered: each names the HubSpot row and column holding the very value
    # the Salesforce-shaped file spoiled.
    sf_planted = pd.read_csv(tmp_path / "sf" / "ground_truth" / "planted_dirty_rows.csv", dtype=str)
    hs_planted = pd.read_csv(truth / "planted_dirty_rows.csv", dtype=str)
    assert len(hs_planted) == len(sf_planted) == salesforce["dirty_rows_total"] > 0
    assert (hs_planted["system"] != "crm").all() and (hs_planted["system"] == "hubspot").any()
    checked = 0
    for sf, hs in zip(sf_planted.itertuples(), hs_planted.itertuples(), strict=True):
        if sf.system != "crm" or sf.kind == "orphan_id":
            continue
        sf_value = read(tmp_path / "sf", sf.extract_date, f"crm/{sf.object}.csv").iloc[
            int(sf.row_number) - 1
        ][sf.column]
        hs_value = read(tmp_path / "hs", hs.extract_date, f"hubspot/{hs.object}.csv").iloc[
            int(hs.row_number) - 1
        ][hs.column]
        assert (pd.isna(sf_value) and pd.isna(hs_value)) or sf_value == hs_value, (sf, hs)
        checked += 1
    assert checked
