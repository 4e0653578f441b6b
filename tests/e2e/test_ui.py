"""The Dagster UI starts with the README's command (`make dev`: `dagster dev -m
orchestration.definitions -h 127.0.0.1 -p PORT`) and a real headless Chromium shows the asset graph."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from orchestration.ops.runs import ensure_dagster_home
from tests.e2e.browser import Browser, require_chromium

pytestmark = pytest.mark.e2e

LOCATION = "orchestration.definitions"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _graphql(port: int, query: str) -> dict:
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/graphql",
        data=json.dumps({"query": query}).encode(),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.load(response)


def _asset_keys(port: int) -> set[str]:
    try:
        data = _graphql(port, "{ assetNodes { assetKey { path } } }")
    except OSError:
        return set()
    return {"/".join(n["assetKey"]["path"]) for n in (data.get("data") or {}).get("assetNodes") or []}


@pytest.fixture(scope="module")
def chromium() -> str:
    return require_chromium()


@pytest.fixture(scope="module")
def dagster_ui(tmp_path_factory):
    """`dagster dev` as `make dev` runs it, on a free port, with an empty extracts folder (so the
    sensors have nothing to start) and a throwaway instance."""
    root = tmp_path_factory.mktemp("ui")
    (root / "extracts").mkdir()
    home = ensure_dagster_home(root / "dagster_home")
    port = _free_port()
    env = {
        **os.environ,
        "DAGSTER_HOME": str(home),
        "CLOSECREDIT_EXTRACTS": str(root / "extracts"),
        "CLOSECREDIT_DATABASE": str(root / "warehouse" / "closecredit.duckdb"),
    }
    dagster = str(Path(sys.executable).with_name("dagster"))
    log = (root / "dagster_dev.log").open("w", encoding="utf-8")
    process = subprocess.Popen(
        [dagster, "dev", "-m", LOCATION, "-h", "127.0.0.1", "-p", str(port)],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 180
        while "published_warehouse" not in _asset_keys(port):
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(
                    "dagster dev did not serve the definitions:\n"
                    + (root / "dagster_dev.log").read_text(encoding="utf-8")[-4000:]
                )
            time.sleep(1)
        yield port, root
    finally:
        os.killpg(process.pid, signal.SIGINT)
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        log.close()


def _dismiss_welcome(browser: Browser) -> None:
    browser.call(
        "Runtime.evaluate",
        expression="[...document.querySelectorAll('button')].filter(b => b.innerText.trim() === 'Skip')"
        ".forEach(b => b.click())",
    )


def test_the_ui_shows_the_asset_graph(dagster_ui, chromium):
    port, root = dagster_ui
    keys = _asset_keys(port)
    assert {"published_warehouse", "night_summary", "raw/crm/opportunity", "stg_crm__opportunities"} <= keys
    browser = Browser(chromium, root / "chromium")
    try:
        base = f"http://127.0.0.1:{port}"
        # The global lineage: every group of the graph, in the browser.
        browser.open(f"{base}/asset-groups")
        browser.wait_for_text(["Global asset lineage", "raw", "staging", "publish", "report"])
        _dismiss_welcome(browser)
        browser.screenshot(root / "lineage.png")
        # Group graphs: the asset nodes, with the names of their upstream assets.
        browser.open(f"{base}/locations/{LOCATION}/asset-groups/report")
        browser.wait_for_text(["night_summary", "published_warehouse", "stg_audit__reconciliation"])
        browser.open(f"{base}/locations/{LOCATION}/asset-groups/publish")
        browser.wait_for_text(["published_warehouse", "fct_close_credit", "fct_journeys"])
        browser.open(f"{base}/locations/{LOCATION}/asset-groups/attribution")
        browser.wait_for_text(["data_driven_credits", "markov_removal_effects", "int_journey_touches"])
        _dismiss_welcome(browser)
        shot = browser.screenshot(root / "attribution_group.png")
        assert shot.stat().st_size > 10_000
    finally:
        browser.close()


def test_make_dev_and_the_readme_start_the_ui_this_test_starts():
    from orchestration.core.contract import PROJECT_DIR

    makefile = (PROJECT_DIR / "Makefile").read_text(encoding="utf-8")
    assert f"$(BIN)/dagster dev -m {LOCATION} -h 127.0.0.1 -p $(PORT)" in makefile
    assert "make dev" in (PROJECT_DIR / "README.md").read_text(encoding="utf-8")
