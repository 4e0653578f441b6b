"""docs/cookbook.md's queries, read out of the markdown (the SQL lives there only), run through
`closecredit sql -c ... --format json` against the demo warehouse of the shared e2e nights; each
answer is checked against an invariant of its question, not only for rows."""

from __future__ import annotations

import json
import re
from collections import defaultdict
from pathlib import Path

import pytest

pytestmark = pytest.mark.e2e

COOKBOOK = Path(__file__).resolve().parents[2] / "docs" / "cookbook.md"
QUERY = re.compile(r"<!-- cookbook: (\w+) -->\s*```sql\n(.*?)```", re.S)
TOL = 1e-9


def cookbook_queries() -> dict[str, str]:
    return dict(QUERY.findall(COOKBOOK.read_text(encoding="utf-8")))


def test_the_cookbook_has_every_question():
    assert set(cookbook_queries()) == set(INVARIANTS)


@pytest.fixture(scope="module")
def answers(backfill) -> dict[str, list[dict]]:
    site, _ = backfill
    out = {}
    for name, sql in cookbook_queries().items():
        done = site.run("sql", "-c", sql, "--format", "json")
        assert done.returncode == 0, f"{name}: {done.stderr}"
        out[name] = json.loads(done.stdout)
    return out, site


def _sql(site, query: str) -> list[dict]:
    done = site.run("sql", "-c", query, "--format", "json")
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def credit_share_by_quarter(rows, site):
    totals = defaultdict(float)
    for r in rows:
        totals[(r["quarter_start"], r["attribution_model"])] += r["share"] or 0.0
    assert {m for _, m in totals} == {"legacy_handoff", "w_shaped"}
    for key, total in totals.items():
        assert abs(total - 1) < 1e-9, key


def credit_shift(rows, site):
    shifts = defaultdict(float)
    for r in rows:
        shifts[r["attribution_model"]] += r["credit_shift"]
    assert len(shifts) > 1
    for model, total in shifts.items():
        assert abs(total) < 1e-9, model
    assert all(abs(r["credit_shift"]) < TOL for r in rows if r["attribution_model"] == "legacy_handoff")


def cost_per_close_trend(rows, site):
    assert {r["budget"] for r in rows} <= {"sales", "marketing", "product"}
    previous = {}
    for r in rows:
        if r["credited_closes"]:
            assert abs(r["cost_per_close"] * r["credited_closes"] - r["cost"]) < 1e-6 * max(1, r["cost"])
        else:
            assert r["cost_per_close"] is None
        before = previous.get(r["budget"])
        if before and r["cost_per_close"] is not None:
            assert abs(r["change_vs_previous_quarter"] - (r["cost_per_close"] / before - 1)) < 1e-9
        previous[r["budget"]] = r["cost_per_close"]


def top_partners(rows, site):
    total = _sql(
        site, "select sum(credited_revenue) as t from fct_close_credit where attribution_model = 'w_shaped'"
    )[0]["t"]
    partners = {r["partner_id"] for r in _sql(site, "select partner_id from dim_partners")}
    revenue = [r["credited_revenue"] or 0.0 for r in rows]
    assert revenue == sorted(revenue, reverse=True)
    assert sum(revenue) <= total + 1e-6
    ids = [r["partner_id"] for r in rows]
    assert len(ids) == len(set(ids)) and set(ids) <= partners
    assert all(r["credited_closes"] >= -1e-9 for r in rows)


def deal_journey(rows, site):
    assert len({r["opportunity_id"] for r in rows}) == 1
    sums = defaultdict(float)
    for r in rows:
        sums[r["attribution_model"]] += r["credit_fraction"]
    assert set(sums) == {"first_touch", "linear", "w_shaped"}
    for model, total in sums.items():
        assert abs(total - 1) < 1e-9, model
    assert sum(1 for r in rows if r["attribution_model"] == "first_touch" and r["credit_fraction"] > 0) == 1


def models_disagree(rows, site):
    assert rows
    spreads = [r["spread"] for r in rows]
    assert spreads == sorted(spreads, reverse=True)
    for r in rows:
        assert -TOL <= r["spread"] <= 1 + TOL
        assert abs(r["spread"] - (r["highest_share"] - r["lowest_share"])) < TOL


INVARIANTS = {
    f.__name__: f
    for f in (
        credit_share_by_quarter,
        credit_shift,
        cost_per_close_trend,
        top_partners,
        deal_journey,
        models_disagree,
    )
}


@pytest.mark.parametrize("name", sorted(INVARIANTS))
def test_cookbook_answer_holds_its_invariant(answers, name):
    rows, site = answers
    assert rows[name], f"{name} returned no rows on the demo warehouse"
    INVARIANTS[name](rows[name], site)
