"""The night's report, opened from disk in a real headless Chromium: it loads offline with no
console error, each chart draws one mark per data row, and every number on the page equals the
published mart it comes from (read back from the page, compared with the file)."""

from __future__ import annotations

import json
import os
import re
import shutil
import time
from collections import defaultdict
from pathlib import Path

import duckdb
import pytest

from orchestration.night.report import BASELINE_MODEL, BUDGETS, TOP_N, TOP_RANKINGS, report_path
from tests.e2e.browser import Browser, find_chromium

pytestmark = pytest.mark.e2e

# What the page says about itself: charts (marks drawn) and tables (headings, kinds, cell texts).
READ_PAGE = """
JSON.stringify({
  charts: [...document.querySelectorAll('figure.chart')].map(f => ({
    id: f.dataset.chart,
    marks: f.querySelectorAll('g.role-mark > *').length,
    table: (() => { let n = f.nextElementSibling;
      while (n && n.tagName !== 'TABLE' && n.tagName !== 'FIGURE') n = n.nextElementSibling;
      return n && n.tagName === 'TABLE' ? n.querySelectorAll('tbody tr').length : null; })(),
  })),
  tables: [...document.querySelectorAll('table')].map(t => ({
    mart: t.dataset.mart || null, where: t.dataset.where || null, derived: t.dataset.derived || null,
    columns: [...t.querySelectorAll('thead th')].map(h => [h.dataset.column, h.dataset.kind]),
    rows: [...t.querySelectorAll('tbody tr')].map(r => [...r.querySelectorAll('td')].map(c => c.innerText.trim())),
  })),
  meta: [...document.querySelectorAll('[data-meta]')].map(m => [m.dataset.meta, m.innerText.trim()]),
  external: [...document.querySelectorAll('script[src], link[href], img[src], iframe')].length,
  resources: performance.getEntriesByType('resource').map(r => r.name),
  sections: [...document.querySelectorAll('main section h2')].map(h => h.innerText),
})
"""
# Half a unit of the last digit the page shows, per kind of number.
TOLERANCE = {"money": 0.5, "count": 0.005, "ratio": 0.0005, "int": 0, "pct": 0.0005}


@pytest.fixture(scope="module")
def chromium() -> str:
    path = find_chromium()
    if path is None:
        if os.environ.get("CI"):
            pytest.fail("chromium is not installed (.ci/run installs it with apt-get)")
        pytest.skip("chromium is not installed: apt-get install chromium (as .ci/run does)")
    return path


@pytest.fixture(scope="module")
def page(backfill, chromium, tmp_path_factory):
    site, done = backfill
    report = report_path(site.database)
    browser = Browser(chromium, tmp_path_factory.mktemp("chromium_report"), width=1280, height=1000)
    try:
        browser.call("Runtime.enable")
        browser.call("Log.enable")
        browser.open(report.as_uri())
        browser.wait_for_text(["Who really closes our deals", "Data quality and reconciliation"])
        time.sleep(0.5)
        seen = json.loads(browser.evaluate(READ_PAGE))
        seen["errors"] = browser.console_errors()
        box = browser.evaluate(
            "JSON.stringify((() => { const r = document.querySelector('figure.chart svg').getBoundingClientRect();"
            " return {x: r.x + scrollX, y: r.y + scrollY, width: r.width, height: r.height}; })())"
        )
        shot = browser.screenshot(
            tmp_path_factory.mktemp("report_shot") / "report-first-chart.png", json.loads(box)
        )
        if os.environ.get("CLOSECREDIT_SCREENSHOT_DIR"):  # to refresh docs/img/
            shutil.copy(shot, Path(os.environ["CLOSECREDIT_SCREENSHOT_DIR"]) / shot.name)
    finally:
        browser.close()
    return site, done, seen, shot


def _mart(site, sql: str) -> list[dict]:
    with duckdb.connect(str(site.database), read_only=True) as con:
        cursor = con.execute(sql)
        names = [d[0] for d in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def _number(text: str, kind: str) -> float | None:
    if text == "—":
        return None
    value = float(re.sub(r"[,%]", "", text))
    return value / 100 if kind == "pct" else value


def _same(shown: str, value, kind: str) -> bool:
    number = _number(shown, kind)
    if number is None or value is None:
        return number is None and value is None
    return abs(number - float(value)) <= TOLERANCE[kind] + 1e-9 * abs(float(value))


def test_the_night_prints_the_report_path_and_the_page_is_offline(page):
    site, done, seen, _ = page
    assert f"Report: {report_path(site.database)}" in done.stdout
    assert seen["errors"] == []
    assert seen["external"] == 0 and seen["resources"] == []
    assert seen["sections"] == [
        "Who really closes our deals",
        "What each close costs",
        "Where to invest",
        "Which model to believe",
        "Top channels, campaigns and partners by credited revenue",
        "Data quality and reconciliation",
    ]


def test_currency_and_as_of_date_are_the_published_ones(page):
    site, _, seen, _ = page
    meta = defaultdict(set)
    for key, value in seen["meta"]:
        meta[key].add(value)
    as_of = _mart(site, "select max(as_of_date) as d from marts._publication")[0]["d"]
    currency = _mart(site, "select distinct reporting_currency as c from marts.fct_cost_per_close")
    assert meta["as_of_date"] == {as_of.isoformat()}
    assert meta["currency"] == {r["c"] for r in currency}
    assert len(seen["meta"]) == 4  # header and footer


def test_each_chart_draws_one_mark_per_mart_row(page):
    site, _, seen, _ = page
    model = _mart(site, "select attribution_model from marts.fct_model_fit where is_signal_model")[0][
        "attribution_model"
    ]
    quarter = "(select max(period_start) from marts.fct_credit_by_source where period_type = 'quarter')"
    count = lambda sql: _mart(site, sql)[0]["n"]  # noqa: E731
    credit = f"from marts.fct_credit_by_source where period_type = 'quarter' and period_start = {quarter}"
    models = count(f"select count(distinct attribution_model) as n {credit}")
    budgets = ", ".join(f"'{b}'" for b in BUDGETS)
    cost = f"period_type = 'quarter' and attribution_model = '{model}' and cost_per_close is not null"
    expected = {
        "credit_by_source": count(f"select count(*) as n {credit}"),
        "credit_shift": count(f"select count(*) as n {credit} and attribution_model <> '{BASELINE_MODEL}'"),
        "fct_cost_per_close_by_resource": count(
            f"select count(*) as n from marts.fct_cost_per_close_by_resource where {cost} and resource in ({budgets})"
        ),
        "fct_cost_per_close": count(f"select count(*) as n from marts.fct_cost_per_close where {cost}"),
        "model_agreement": models * models,
        "model_error": count(
            "select count(*) as n from marts.fct_model_evaluation where period_type = 'quarter' "
            f"and period_start = {quarter}"
        ),
    }
    for chart_id, _, key, *_ in TOP_RANKINGS:  # a campaign or partner ranking is never empty
        expected[chart_id] = min(
            TOP_N,
            count(
                f"select count(distinct {key}) as n from marts.fct_close_credit "
                f"where attribution_model = '{model}'"
            ),
        )
    drawn = {c["id"]: c["marks"] for c in seen["charts"]}
    assert drawn == expected
    assert all(v > 0 for v in drawn.values()), drawn
    for chart in seen["charts"]:
        if chart["id"] not in ("credit_shift", "model_agreement", "credit_by_source"):
            assert chart["table"] == chart["marks"], chart  # the table beneath lists the drawn rows


def test_every_number_in_a_mart_table_equals_the_mart(page):
    site, _, seen, _ = page
    tables = [t for t in seen["tables"] if t["mart"]]
    assert {t["mart"] for t in tables} >= {
        "fct_credit_by_source",
        "fct_cost_per_close_by_resource",
        "fct_cost_per_close",
        "fct_model_evaluation",
        "fct_model_fit",
        "audit.reconciliation",
    }
    checked = 0
    for table in tables:
        columns = [c for c, _ in table["columns"]]
        kinds = dict(table["columns"])
        keys = [c for c in columns if kinds[c] == "text"]
        name = table["mart"] if "." in table["mart"] else f"marts.{table['mart']}"
        rows = _mart(site, f"select {', '.join(columns)} from {name} where {table['where']}")
        assert len(rows) == len(table["rows"]), table["mart"]
        by_key = {tuple(str(r[k]) for k in keys): r for r in rows}
        for shown in table["rows"]:
            cells = dict(zip(columns, shown, strict=True))
            row = by_key[tuple(cells[k] for k in keys)]
            for column in columns:
                if kinds[column] != "text":
                    assert _same(cells[column], row[column], kinds[column]), (
                        table["mart"],
                        column,
                        cells,
                        row,
                    )
                    checked += 1
    assert checked > 50


def test_derived_numbers_equal_what_the_marts_give(page):
    """Model agreement and the top channels, campaigns and partners are computed from the marts:
    recomputed here, each ranking from fct_close_credit and the dimension that names its key."""
    site, _, seen, _ = page
    derived = {t["derived"].split(":")[0]: t for t in seen["tables"] if t["derived"]}
    model = _mart(site, "select attribution_model from marts.fct_model_fit where is_signal_model")[0][
        "attribution_model"
    ]
    for chart_id, _, key, extra, dim, _ in TOP_RANKINGS:
        source = f"marts.{dim}" if dim else "marts.fct_close_credit"
        top = _mart(
            site,
            f"select credit.{key}, sum(credited_revenue) as credited_revenue, "
            f"sum(credit_fraction) as credited_closes from marts.fct_close_credit as credit "
            f"where attribution_model = '{model}' and {key} is not null group by credit.{key}",
        )
        top = {r[key]: r for r in top}
        names = {
            r[key]: [str(r[c]) if r[c] is not None else "—" for c in extra]
            for r in _mart(site, f"select distinct {key}, {', '.join(extra)} from {source}")
        }
        table = derived[chart_id]
        assert [c for c, _ in table["columns"]] == [key, *extra, "credited_revenue", "credited_closes"]
        shown = table["rows"]
        assert 0 < len(shown) == min(TOP_N, len(top)), chart_id
        revenue = [_number(r[-2], "money") for r in shown]
        assert revenue == sorted(revenue, reverse=True), chart_id
        kept = sorted((r["credited_revenue"] for r in top.values()), reverse=True)[: len(shown)]
        assert all(_same(m, k, "money") for m, k in zip([r[-2] for r in shown], kept, strict=True)), chart_id
        for row in shown:
            value, labels, money, closes = row[0], row[1:-2], row[-2], row[-1]
            assert _same(money, top[value]["credited_revenue"], "money"), (chart_id, row)
            assert _same(closes, top[value]["credited_closes"], "count"), (chart_id, row)
            if dim:
                assert labels == names[value], (chart_id, row)

    quarter = derived["agreement"]["derived"].split(":")[1]
    credit = _mart(
        site,
        "select attribution_model as m, source_group as g, credited_closes as c from marts.fct_credit_by_source "
        f"where period_type = 'quarter' and period_start = date '{quarter}'",
    )
    shares = defaultdict(dict)
    for r in credit:
        shares[r["m"]][r["g"]] = r["c"]
    shares = {m: {g: c / sum(v.values()) for g, c in v.items()} for m, v in shares.items()}

    def agreement(a, b):
        return 1 - 0.5 * sum(
            abs(shares[a].get(g, 0) - shares[b].get(g, 0)) for g in shares[a].keys() | shares[b].keys()
        )

    rows = derived["agreement"]["rows"]
    assert {r[0] for r in rows} == set(shares)
    for model_name, mean, baseline in rows:
        others = [agreement(model_name, o) for o in shares if o != model_name]
        assert _same(mean, sum(others) / len(others), "ratio"), model_name
        if model_name != BASELINE_MODEL:
            assert _same(baseline, agreement(model_name, BASELINE_MODEL), "ratio"), model_name


def test_the_first_chart_is_screenshotted(page):
    _, _, _, shot = page
    assert shot.stat().st_size > 5_000
