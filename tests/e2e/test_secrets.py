"""No person-key secret in anything a night leaves behind: not the secret, not its hex, not the
RFC 2104 key blocks derived from it (raw or hex), in the dbt target and log folders the night's
runs wrote, the project's `logs/`, or anywhere in the site (warehouse folder with its logs,
summaries and failure records, and DAGSTER_HOME). Runs against the shared nights of
tests/e2e/conftest.py."""

from __future__ import annotations

from pathlib import Path

import dagster as dg
import pytest

from orchestration.core.contract import PROJECT_DIR
from orchestration.core.privacy import SECRET_ENV
from orchestration.core.settings import Settings
from orchestration.defs.dbt import night_target
from orchestration.ops.resources import Warehouse
from tests.e2e.conftest import Site
from tests.secret_forms import files_under, leaks, secret_forms

pytestmark = pytest.mark.e2e


def night_files(site: Site, since: float) -> list[Path]:
    """Every file of the site (the night's dbt target and log folder, `dbt-target/` beside the
    build database, included), and what the site's runs wrote at the top of the project's target/
    (the `dbt parse` of a first definitions load, its log) and logs/ since `since`, so older runs'
    leftovers do not count."""
    instance = dg.DagsterInstance.from_config(str(site.dagster_home))
    try:
        records = instance.get_run_records()
    finally:
        instance.dispose()
    assert records, f"no runs in {site.dagster_home}"
    dbt_folder = night_target(Warehouse(settings=Settings(database=str(site.database))))
    assert any(files_under(dbt_folder)), f"no dbt target folder of the night's runs at {dbt_folder}"
    files = list(files_under(site.root))
    target = PROJECT_DIR / "target"
    if target.is_dir():
        files += [p for p in target.iterdir() if p.is_file() and p.stat().st_mtime >= since]
    files += list(files_under(PROJECT_DIR / "logs", since))
    return files


@pytest.mark.parametrize("night", ["backfill", "after_kill"])
def test_no_secret_material_in_what_a_night_leaves(night, extracts, request):
    """`backfill`: two green nights; `after_kill`: a night killed in its dbt build, then rerun
    (the rerun writes the killed run's failure record)."""
    shared = request.getfixturevalue(night)
    site = shared[0] if night == "backfill" else shared.site
    # This session's extracts were written before any of its nights started.
    since = min(p.stat().st_mtime for p in extracts.root.rglob("*") if p.is_file())
    secret = site.env()[SECRET_ENV].encode()
    files = sorted(set(night_files(site, since)))
    names = {p.name for p in files}
    # The places a night writes are there to be searched (else the test would prove nothing).
    assert "dbt.log" in names and "run_results.json" in names, sorted(names)[:50]
    assert any(p.suffix == ".sql" and "compiled" in p.parts for p in files)
    assert any(p.parent.name == "summaries" for p in files)
    assert any(p.parent.name == "logs" and p.suffix == ".log" for p in files)
    assert any("dagster_home" in p.parts for p in files)
    if night == "after_kill":
        assert any(p.parent.name == "failures" and p.suffix == ".json" for p in files)
    assert leaks(files, secret_forms(secret)) == []
