"""The Data Docs rebuild renders a validation result's page once: later builds copy the page the
last site holds for the same result (a night's fixed cost), and the pages equal a full build's."""

from __future__ import annotations

import re
import shutil
from datetime import timedelta

from orchestration.core.contract import get_object
from orchestration.quality.docs import build_data_docs
from orchestration.quality.results import save_outcome
from orchestration.quality.run import validate_raw_object
from tests.unit.quality.quality_rows import NIGHT, clean_rows, put_night

WEB = get_object("web", "event")
MARK = "<!-- left by the last build -->"
# What differs between two renders of one result: GX stamps the render time into every page (its
# logo's cache buster) and draws fresh UUIDs for the collapsible blocks.
RENDER_TIME = re.compile(
    rb"\?d=\d{8}T\d{6}\.\d+Z|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
)


def _validation_pages(site) -> dict[str, bytes]:
    pages = (site / "validations").rglob("*.html")
    return {str(p.relative_to(site)): RENDER_TIME.sub(b"", p.read_bytes()) for p in pages}


def _save_night(con, night, database, rows=50):
    put_night(con, WEB, night, clean_rows(WEB, rows, night))
    outcome, gx_result = validate_raw_object(con, WEB, night)
    save_outcome(outcome, gx_result, database)


def test_a_rebuild_copies_the_pages_of_earlier_results_and_renders_the_new_ones(con, tmp_path):
    database = tmp_path / "warehouse" / "closecredit.duckdb"
    _save_night(con, NIGHT, database)
    site = build_data_docs(database).parent
    (first_page,) = _validation_pages(site)
    # Mark the page: a rebuild that copies it keeps the mark, one that renders it again does not.
    with (site / first_page).open("a", encoding="utf-8") as page:
        page.write(MARK)

    later = NIGHT + timedelta(days=1)
    _save_night(con, later, database)
    site = build_data_docs(database).parent
    pages = _validation_pages(site)
    assert len(pages) == 2
    assert MARK in pages.pop(first_page).decode()
    (later_page,) = pages
    assert later.isoformat() in later_page and MARK not in pages[later_page].decode()

    # Without the last site every page is rendered: the same pages, byte for byte (bar the mark).
    copied = _validation_pages(site)
    shutil.rmtree(site)
    fresh = _validation_pages(build_data_docs(database).parent)
    assert fresh.keys() == copied.keys()
    copied[first_page] = copied[first_page].replace(MARK.encode(), b"")
    assert fresh == copied
