"""Catch-up planning (orchestration/night/catch_up.py): which nights one run lands, which night
it builds as of, and where it stops when a night's landing or raw gate blocks."""

from __future__ import annotations

from datetime import date

from orchestration.night.catch_up import (
    NIGHTS_TAG,
    STOPPED_TAG,
    batches,
    nights_before,
    nights_tag,
    plan,
    run_markers,
    run_nights,
    stopped_at,
)
from orchestration.ops.runs import MARKER_TAG

D1, D2, D3, D4, D5 = (date(2026, 11, day) for day in range(24, 29))


def test_pending_nights_are_one_run_unless_one_by_one():
    assert batches([D1, D2, D3]) == [[D1, D2, D3]]
    assert batches([D1, D2, D3], one_by_one=True) == [[D1], [D2], [D3]]
    assert batches([D1]) == [[D1]] and batches([]) == []


def test_the_plan_lands_in_date_order_and_ends_before_the_first_held_night():
    assert plan([D3, D1, D2]) == ([D1, D2, D3], None)
    todo, why = plan([D1, D2, D3, D4], {D3: "run r1 failed on this delivery"})
    assert todo == [D1, D2]  # D4 is clean, but is not built past the bad D3
    assert why == f"{D3}: run r1 failed on this delivery"
    assert plan([D1, D2], {D1: "failed"}) == ([], f"{D1}: failed")


def test_the_nights_tag_round_trips_with_each_nights_marker():
    tags = {NIGHTS_TAG: nights_tag([D1, D2, D3], {D1: "11", D3: "33"})}
    assert run_markers(tags, D3.isoformat()) == {D1: "11", D2: None, D3: "33"}
    assert run_nights(tags, D3.isoformat()) == [D1, D2, D3]


def test_a_run_without_the_tag_lands_its_partition_only():
    assert run_markers({MARKER_TAG: "7"}, D2.isoformat()) == {D2: "7"}
    assert run_nights({}, D2.isoformat()) == [D2]
    assert run_nights({}, None) == []


def test_a_stopped_run_builds_the_nights_before_the_blocked_one():
    assert stopped_at({STOPPED_TAG: D3.isoformat()}) == D3 and stopped_at({}) is None
    assert nights_before([D1, D2, D3, D4], D3) == [D1, D2]
    assert nights_before([D1, D2], D1) == []
    assert nights_before([D1, D2], None) == [D1, D2]
