"""`closecredit docs` builds the dbt docs as one static HTML file that a headless Chromium opens
from disk: lineage, the marts' columns, the tables Python writes (declared as dbt sources), and no
key material of the person-key HMAC anywhere in it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from orchestration.core.privacy import SECRET_ENV
from tests.e2e.browser import Browser, require_chromium
from tests.secret_forms import secret_forms

pytestmark = pytest.mark.e2e

CLI = str(Path(sys.executable).with_name("closecredit"))
SECRET = "closecredit-docs-test-secret-7f3a"


@pytest.fixture(scope="module")
def docs(tmp_path_factory) -> tuple[Path, dict]:
    root = tmp_path_factory.mktemp("docs")
    # The environment of a night: the person-key secret the dbt-duckdb plugin reads.
    env = {**os.environ, SECRET_ENV: SECRET}
    out = root / "dbt_docs.html"
    done = subprocess.run(
        [CLI, "docs", "--database", str(root / "warehouse" / "closecredit.duckdb"), "--out", str(out)],
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert str(out) in done.stdout
    return out, secret_forms(SECRET.encode())


def test_the_docs_are_one_file_without_key_material(docs):
    out, forms = docs
    assert sorted(p.name for p in out.parent.iterdir() if p.is_file()) == [out.name]
    content = out.read_bytes()
    assert [name for name, form in forms.items() if form in content] == []
    # Python-written tables are there as sources, with their column descriptions.
    for needle in ("published_marts", "published_audit", "fct_model_evaluation", "run_failures", "deal_mae"):
        assert needle.encode() in content, needle


@pytest.fixture(scope="module")
def chromium() -> str:
    return require_chromium()


def test_the_docs_open_offline_with_marts_sources_and_lineage(docs, chromium, tmp_path):
    out, _ = docs
    browser = Browser(chromium, tmp_path / "profile")
    try:
        browser.call("Runtime.enable")
        browser.open(f"{out.as_uri()}#!/model/model.closecredit.fct_credit_by_source")
        text = browser.wait_for_text(["fct_credit_by_source", "credit_shift", "published_marts"])
        assert "accepted_values" in text or "Data Tests" in text.title() or "TESTS" in text
        browser.call(
            "Page.navigate",
            url=f"{out.as_uri()}#!/source/source.closecredit.published_marts.fct_model_evaluation",
        )
        browser.wait_for_text(["deal_mae", "share_mae", "ground truth"])
        # The lineage graph (g_v=1 opens it), drawn by cytoscape on canvases, with the model's nodes.
        # (a fresh load: a hash change alone does not open the graph)
        browser.call("Page.navigate", url="about:blank")
        browser.call(
            "Page.navigate", url=f"{out.as_uri()}#!/model/model.closecredit.fct_credit_by_source?g_v=1"
        )
        nodes = -1
        for _ in range(180):
            nodes = browser.evaluate(
                "(() => { const c = document.getElementById('cy');"
                " return c && c._cyreg && c._cyreg.cy ? c._cyreg.cy.nodes().length : -1; })()"
            )
            if nodes > 0:
                break
            time.sleep(0.5)
        assert browser.evaluate("document.querySelectorAll('#cy canvas').length") >= 1
        assert nodes > 20, nodes  # sources, staging, intermediate and marts
        # Everything the page loads is the file itself: no CDN, no server.
        resources = browser.evaluate(
            "JSON.stringify(performance.getEntriesByType('resource').map(r => r.name))"
        )
        assert all(name.startswith("file://") for name in json.loads(resources))
        thrown = [e for e in browser.events if e["method"] == "Runtime.exceptionThrown"]
        assert thrown == []
    finally:
        browser.close()
